/* Call sites: where a trace's GEMM and NCCL calls came from. The shim writes them (shim/stacks.c),
 * the analyzer reads them (analyzer/trace/callsites.c); this header is the layout both use.
 *
 * A call-site table travels as a sequence of entries, each a struct mfu_cs_entry followed by
 * its body, `size` bytes in all, a multiple of 8:
 *
 *     INFO     how stacks were taken: the unwinder, the sampling, the depths, Python's support
 *     MODULE   a loaded ELF object: id, load address, extent, build id, path
 *     CODE     a Python code object: id, first line, qualified name, file
 *     SITE     a call site: id, thread name, native frames (module and offset), Python frames
 *              (code object and line), innermost first
 *
 * Ids count from 1 per kind within a process (0: none). An entry comes before every entry or
 * record that uses its id. A reader skips entries of types it does not know (a newer shim).
 *
 * A native frame is a return address, stored as the module it lies in and its offset from the
 * module's load address (dl_iterate_phdr's dlpi_addr), which is the ELF virtual address that
 * the module's symbol tables use. All integers are in the producer's byte order, as in trace.h.
 */
#ifndef MFU_CALLSITES_H
#define MFU_CALLSITES_H

#include <assert.h>
#include <stdint.h>

/* X(name, value, key) */
#define MFU_CS_ENTRY_TYPES(X) \
  X(INFO, 1, "info")          \
  X(MODULE, 2, "module")      \
  X(CODE, 3, "code")          \
  X(SITE, 4, "site")
enum mfu_cs_entry_type {
#define MFU_CS_ENTRY_ENUM(name, value, key) MFU_CS_##name = value,
  MFU_CS_ENTRY_TYPES(MFU_CS_ENTRY_ENUM)
#undef MFU_CS_ENTRY_ENUM
};

struct mfu_cs_entry {
  uint16_t type; /* enum mfu_cs_entry_type */
  uint16_t reserved;
  uint32_t size; /* of the entry, this header included; a multiple of 8 */
};
static_assert(sizeof(struct mfu_cs_entry) == 8, "entry header size");

/* How native stacks were unwound: X(name, value, key) */
#define MFU_UNWINDERS(X)              \
  X(NONE, 0, "none")                  \
  X(LIBUNWIND, 1, "libunwind")        \
  X(BACKTRACE, 2, "glibc backtrace()")
enum mfu_unwinder {
#define MFU_UNWINDER_ENUM(name, value, key) MFU_UNWINDER_##name = value,
  MFU_UNWINDERS(MFU_UNWINDER_ENUM)
#undef MFU_UNWINDER_ENUM
};

/* Python frames: X(name, value, key). READ: the calling thread's frames were read from its
 * thread state; UNSUPPORTED: a CPython whose internals the shim does not know (its version is
 * in python_version), so no Python frame is reported rather than a guessed one. */
#define MFU_PY_STATES(X)                         \
  X(ABSENT, 0, "not a CPython process")          \
  X(READ, 1, "read from the thread state")       \
  X(UNSUPPORTED, 2, "unsupported CPython version")
enum mfu_py_state {
#define MFU_PY_STATE_ENUM(name, value, key) MFU_PY_##name = value,
  MFU_PY_STATES(MFU_PY_STATE_ENUM)
#undef MFU_PY_STATE_ENUM
};

struct mfu_cs_info {
  uint8_t unwinder;        /* enum mfu_unwinder */
  uint8_t python;          /* enum mfu_py_state */
  uint16_t python_version; /* 0x030b for 3.11; 0: unknown */
  uint32_t sample_every;   /* a site's first call is unwound, then one call in sample_every */
  uint16_t max_depth;      /* native frames kept per site */
  uint16_t max_py_depth;   /* Python frames kept per site */
  uint32_t reserved;
};
static_assert(sizeof(struct mfu_cs_info) == 16, "info size");

/* Followed by the path (NUL-terminated, padded with NULs to a multiple of 8). */
struct mfu_cs_module {
  uint32_t id;
  uint8_t build_id_len; /* 0: the module has no GNU build id */
  uint8_t reserved[3];
  uint64_t base;        /* load address: frame offsets are relative to it */
  uint64_t size;        /* from the load address to the end of the highest PT_LOAD segment */
  uint8_t build_id[32]; /* NT_GNU_BUILD_ID, for checking the file read at analysis time */
};
static_assert(sizeof(struct mfu_cs_module) == 56, "module size");

/* Followed by the qualified name, NUL, the file name, NUL, padded with NULs to a multiple of 8. */
struct mfu_cs_code {
  uint32_t id;
  int32_t first_line; /* co_firstlineno */
};
static_assert(sizeof(struct mfu_cs_code) == 8, "code size");

/* Followed by `depth` native frames (uint64_t, MFU_CS_FRAME) and `py_depth` struct
 * mfu_cs_pyframe, innermost first. */
struct mfu_cs_site {
  uint32_t id;
  uint16_t depth;
  uint16_t py_depth;
  char thread[16]; /* the calling thread's name when the site was first seen (PR_GET_NAME) */
  uint32_t flags;  /* MFU_CS_SITE_* */
  uint32_t reserved;
};
static_assert(sizeof(struct mfu_cs_site) == 32, "site size");

enum {
  MFU_CS_SITE_TRUNCATED = 1u << 0,    /* the stack was deeper than max_depth */
  MFU_CS_SITE_PY_TRUNCATED = 1u << 1, /* more Python frames than max_py_depth */
};

struct mfu_cs_pyframe {
  uint32_t code; /* CODE id */
  int32_t line;  /* -1: unknown */
};
static_assert(sizeof(struct mfu_cs_pyframe) == 8, "python frame size");

/* A native frame: module id in the top 16 bits, the offset from its load address below. A
 * frame in no known module (JIT code) has MFU_CS_NO_MODULE and the address itself. */
#define MFU_CS_NO_MODULE 0xffffu
#define MFU_CS_OFFSET_MASK ((1ull << 48) - 1)
static inline uint64_t mfu_cs_frame(uint32_t module, uint64_t offset) {
  return (uint64_t)module << 48 | (offset & MFU_CS_OFFSET_MASK);
}
static inline uint32_t mfu_cs_frame_module(uint64_t frame) { return (uint32_t)(frame >> 48); }
static inline uint64_t mfu_cs_frame_offset(uint64_t frame) { return frame & MFU_CS_OFFSET_MASK; }

/* The size of an entry whose body is `body` bytes and `text` bytes of strings (their NULs
 * included), rounded up to a multiple of 8. */
static inline uint32_t mfu_cs_entry_size(uint32_t body, uint32_t text) {
  return (uint32_t)((sizeof(struct mfu_cs_entry) + body + text + 7u) & ~7u);
}

#endif
