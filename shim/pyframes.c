/* Python frames of the calling thread, read from CPython's internal structures.
 *
 * Why this is safe without the GIL: the frames read are the calling thread's own, and that
 * thread is inside a call into C (a GEMM or collective), so nothing changes them while they
 * are read, and the code objects and strings they reference stay alive. The thread state
 * comes from PyGILState_GetThisThreadState, which reads a thread-local and needs no GIL.
 *
 * The layouts are CPython's internals, which change with every minor version: each supported
 * version has its table of offsets below, taken from that version's headers (the test
 * tests/integration/python_frames.sh reads frames with them in every CPython it finds). 3.13 also
 * publishes its offsets in _PyRuntime (_Py_DebugOffsets): they must agree with the table, which
 * refuses a free-threaded or otherwise different build. Any other version is reported as
 * unsupported (once on stderr, and in the trace), never read with a guessed layout. Every
 * object read is checked to have the type it should (code, str, bytes) before it is used.
 *
 * CPython 3.12's perf trampolines (PYTHONPERFSUPPORT) would put Python functions into native
 * stacks too, but their trampolines have no unwind information, so an unwinder stops there,
 * and they give no line numbers. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mfu/callsites.h"
#include "pyframes.h"

/* 3.10 chains frame objects (PyFrameObject: f_back, f_code, f_lasti, the current instruction's
 * index); 3.11 on, interpreter frames (_PyInterpreterFrame: previous, f_code or f_executable, a
 * pointer to the current instruction, and an owner). */
struct layout {
  uint16_t version;             /* PY_VERSION_HEX >> 16 */
  int16_t tstate_cframe;        /* PyThreadState.cframe; -1: current_frame is in the thread state */
  uint16_t current_frame;       /* in _PyCFrame, or in PyThreadState (3.10: frame) */
  uint16_t frame_code;          /* f_code / f_executable */
  uint16_t frame_previous;      /* previous (3.10: f_back) */
  uint16_t frame_instr;         /* prev_instr (3.11, 3.12), instr_ptr (3.13); 3.10: f_lasti */
  uint16_t frame_owner;         /* 3.11 on */
  uint16_t code_filename;
  uint16_t code_qualname;       /* 3.10 has no co_qualname: co_name, the bare function name */
  uint16_t code_linetable, code_firstlineno;
  uint16_t code_firsttraceable; /* 3.11 on, _co_firsttraceable: instructions before it are the prologue */
  uint16_t code_units;          /* 3.11 on, co_code_adaptive */
  uint16_t ascii_size;          /* sizeof(PyASCIIObject): the text of a compact ASCII str follows */
  uint16_t compact_size;        /* sizeof(PyCompactUnicodeObject): that of another compact str */
};

#define FRAME_OBJECTS 0x030a /* the last version whose frames are frame objects */

static const struct layout layouts[] = {
    {0x030a, -1, 24, 32, 24, 96, 0, 104, 112, 120, 40, 0, 0, 48, 72},
    {0x030b, 56, 8, 32, 48, 56, 69, 112, 128, 136, 72, 168, 184, 48, 72},
    {0x030c, 56, 0, 0, 8, 56, 70, 112, 128, 136, 68, 176, 192, 40, 56},
    {0x030d, -1, 72, 0, 8, 56, 70, 112, 128, 136, 68, 184, 200, 40, 56},
};

/* The same in every supported version. */
enum {
  OB_TYPE = 8,          /* PyObject.ob_type */
  OB_SIZE = 16,         /* PyVarObject.ob_size: code units of a code object, bytes of a bytes */
  BYTES_DATA = 32,      /* PyBytesObject.ob_sval */
  STR_LENGTH = 16,      /* PyASCIIObject.length, in code points */
  STR_STATE = 32,       /* PyASCIIObject.state: interned:2, kind:3, compact:1, ascii:1 */
  OWNED_BY_GENERATOR = 1,
  OWNED_BY_CSTACK = 3,  /* 3.12+: the entry frame of a C call into Python, no code of its own */
  MAX_WALK = 256,       /* frames looked at, at most, for the complete ones */
};

static struct {
  atomic_uint state; /* enum mfu_py_state */
  uint16_t version;
  const struct layout *l;
  void *(*this_thread)(void);
  const void *code_type, *str_type, *bytes_type;
} py;

static uintptr_t word(uintptr_t at) { return *(const uintptr_t *)at; }
static int32_t int_at(uintptr_t at) { return *(const int32_t *)at; }
static intptr_t size_of(uintptr_t obj) { return *(const intptr_t *)(obj + OB_SIZE); }
static bool is(uintptr_t obj, const void *type) {
  return obj && (obj & 7) == 0 && (const void *)word(obj + OB_TYPE) == type;
}

/* 3.13 says where its fields are: the table must agree, else this is another build. */
static bool debug_offsets_agree(const struct layout *l) {
  const unsigned char *runtime = dlsym(RTLD_DEFAULT, "_PyRuntime");
  if (!runtime || memcmp(runtime, "xdebugpy", 8) != 0) return false;
  const uint64_t *o = (const uint64_t *)runtime;
  /* cookie, version, free_threaded; runtime_state: 3; interpreter_state: 13; thread_state:
   * size prev next interp current_frame...; interpreter_frame: size previous executable
   * instr_ptr localsplus owner; code_object: size filename name qualname linetable firstlineno
   * argcount localsplusnames localspluskinds co_code_adaptive */
  const uint64_t *ts = o + 3 + 3 + 13, *fr = ts + 9, *co = fr + 6;
  return o[2] == 0 && ts[4] == l->current_frame && fr[1] == l->frame_previous &&
         fr[2] == l->frame_code && fr[3] == l->frame_instr && fr[5] == l->frame_owner &&
         co[1] == l->code_filename && co[3] == l->code_qualname && co[4] == l->code_linetable &&
         co[5] == l->code_firstlineno && co[9] == l->code_units;
}

static uint16_t running_version(void) {
  const unsigned long *hex = dlsym(RTLD_DEFAULT, "Py_Version"); /* 3.11+ */
  if (hex) return (uint16_t)(*hex >> 16);
  const char *(*text)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "Py_GetVersion");
  unsigned major, minor;
  if (text && sscanf(text(), "%u.%u", &major, &minor) == 2 && major < 256 && minor < 256)
    return (uint16_t)(major << 8 | minor);
  return 0;
}

void mfu_py_probe(void) {
  static atomic_flag probing = ATOMIC_FLAG_INIT;
  if (atomic_load(&py.state) != MFU_PY_ABSENT || atomic_flag_test_and_set(&probing)) return;
  void *this_thread = dlsym(RTLD_DEFAULT, "PyGILState_GetThisThreadState");
  if (this_thread) {
    py.version = running_version();
    py.code_type = dlsym(RTLD_DEFAULT, "PyCode_Type");
    py.str_type = dlsym(RTLD_DEFAULT, "PyUnicode_Type");
    py.bytes_type = dlsym(RTLD_DEFAULT, "PyBytes_Type");
    for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++)
      if (layouts[i].version == py.version) py.l = &layouts[i];
    if (py.l && py.l->version >= 0x030d && !debug_offsets_agree(py.l)) py.l = NULL;
    if (py.l && py.code_type && py.str_type && py.bytes_type) {
      py.this_thread = (void *(*)(void))this_thread;
      atomic_store(&py.state, MFU_PY_READ);
    } else {
      atomic_store(&py.state, MFU_PY_UNSUPPORTED);
      mfu_say("Python %u.%u: its frames are not read (supported: CPython 3.10 to 3.13, GIL "
              "builds); call sites show native frames only",
              py.version >> 8, py.version & 0xff);
    }
  }
  dlerror(); /* a failed lookup must not leave an error for the host's next dlerror() */
  atomic_flag_clear(&probing);
}

unsigned mfu_py_state(void) { return atomic_load_explicit(&py.state, memory_order_relaxed); }
uint16_t mfu_py_version(void) { return py.version; }

static uintptr_t current_frame(void) {
  uintptr_t ts = (uintptr_t)py.this_thread();
  if (!ts) return 0;
  if (py.l->tstate_cframe < 0) return word(ts + py.l->current_frame);
  uintptr_t cframe = word(ts + (uintptr_t)py.l->tstate_cframe);
  return cframe ? word(cframe + py.l->current_frame) : 0;
}

/* Whether frame `f` is a complete Python frame (CPython's own test, _PyFrame_IsIncomplete;
 * 3.10: one that has started), and if so its code object and current instruction. */
static bool complete(uintptr_t f, uintptr_t *code, int32_t *lasti) {
  const struct layout *l = py.l;
  if (l->version <= FRAME_OBJECTS) {
    *code = word(f + l->frame_code);
    *lasti = int_at(f + l->frame_instr);
    return is(*code, py.code_type) && *lasti >= 0;
  }
  char owner = *(const char *)(f + l->frame_owner);
  if (owner == OWNED_BY_CSTACK) return false;
  uintptr_t c = word(f + l->frame_code);
  if (!is(c, py.code_type)) return false;
  intptr_t at = ((intptr_t)word(f + l->frame_instr) - (intptr_t)(c + l->code_units)) / 2;
  if (at < 0 || at >= size_of(c)) return false;
  if (owner != OWNED_BY_GENERATOR && at < int_at(c + l->code_firsttraceable)) return false;
  *code = c;
  *lasti = (int32_t)at;
  return true;
}

bool mfu_py_innermost(uintptr_t *code, int32_t *lasti) {
  if (mfu_py_state() != MFU_PY_READ) return false;
  uintptr_t f = current_frame();
  for (int i = 0; f && i < MAX_WALK; i++, f = word(f + py.l->frame_previous))
    if (complete(f, code, lasti)) return true;
  return false;
}

static int32_t read_varint(const unsigned char **p, const unsigned char *end) {
  uint32_t v = 0;
  unsigned shift = 0;
  while (*p < end && shift < 32) {
    unsigned char b = *(*p)++;
    v |= (uint32_t)(b & 63) << shift;
    shift += 6;
    if (!(b & 64)) break;
  }
  return (int32_t)v;
}

static int32_t read_svarint(const unsigned char **p, const unsigned char *end) {
  int32_t v = read_varint(p, end);
  return v & 1 ? -(int32_t)((uint32_t)v >> 1) : (int32_t)((uint32_t)v >> 1);
}

/* The location table (CPython's Objects/locations.md): entries of a first byte 1cccclll (code,
 * length - 1 in code units) and the code's bytes: 15 no location; 14 long form (line delta,
 * end line, columns as varints); 13 no columns (line delta); 10-12 one line (delta code - 10,
 * two column bytes); 0-9 short form (same line, one column byte). */
int32_t mfu_py_line(const unsigned char *table, size_t size, int32_t first_line, int32_t lasti) {
  const unsigned char *p = table, *end = table + size;
  int32_t line = first_line, addr = 0;
  while (p < end) {
    unsigned char b = *p++;
    if (!(b & 0x80)) return -1; /* not the start of an entry: a table we do not understand */
    int code = (b >> 3) & 15, length = (b & 7) + 1;
    if (code == 14) {
      line += read_svarint(&p, end);
      for (int i = 0; i < 3; i++) read_varint(&p, end);
    } else if (code == 13) {
      line += read_svarint(&p, end);
    } else if (code >= 10 && code <= 12) {
      line += code - 10;
      p += 2;
    } else if (code < 10) {
      p += 1;
    }
    if (lasti < addr + length) return code == 15 ? -1 : line;
    addr += length;
  }
  return -1;
}

/* 3.10's line table (its Objects/lnotab_notes.txt): pairs of an unsigned byte, the bytecode
 * bytes the entry covers, and a signed byte, the line delta (-128: no line). */
int32_t mfu_py_line_310(const unsigned char *table, size_t size, int32_t first_line, int32_t lasti) {
  int32_t line = first_line, end = 0, at = 2 * lasti; /* in bytes: code units of 2 */
  for (size_t i = 0; i + 1 < size; i += 2) {
    int delta = (signed char)table[i + 1];
    end += table[i];
    if (delta != -128) line += delta;
    if (at < end) return delta == -128 ? -1 : line;
  }
  return -1;
}

static int32_t line_of(uintptr_t code, int32_t lasti) {
  uintptr_t table = word(code + py.l->code_linetable);
  if (!is(table, py.bytes_type)) return -1;
  int32_t (*decode)(const unsigned char *, size_t, int32_t, int32_t) =
      py.l->version <= FRAME_OBJECTS ? mfu_py_line_310 : mfu_py_line;
  return decode((const unsigned char *)(table + BYTES_DATA), (size_t)size_of(table),
                int_at(code + py.l->code_firstlineno), lasti);
}

int mfu_py_stack(struct mfu_py_frame *out, int max, bool *more) {
  int n = 0;
  *more = false;
  if (mfu_py_state() != MFU_PY_READ) return 0;
  uintptr_t f = current_frame(), code;
  int32_t lasti;
  for (int i = 0; f && i < MAX_WALK; i++, f = word(f + py.l->frame_previous)) {
    if (!complete(f, &code, &lasti)) continue;
    if (n == max) {
      *more = true;
      break;
    }
    out[n++] = (struct mfu_py_frame){code, line_of(code, lasti)};
  }
  return n;
}

/* Appends code point `c` as UTF-8 if it fits; returns the new length. */
static size_t put_utf8(char *s, size_t n, size_t size, uint32_t c) {
  char b[4];
  size_t k;
  if (c < 0x80) {
    b[0] = (char)c, k = 1;
  } else if (c < 0x800) {
    b[0] = (char)(0xc0 | c >> 6), b[1] = (char)(0x80 | (c & 63)), k = 2;
  } else if (c < 0x10000) {
    b[0] = (char)(0xe0 | c >> 12), b[1] = (char)(0x80 | ((c >> 6) & 63)), b[2] = (char)(0x80 | (c & 63)), k = 3;
  } else {
    b[0] = (char)(0xf0 | c >> 18), b[1] = (char)(0x80 | ((c >> 12) & 63));
    b[2] = (char)(0x80 | ((c >> 6) & 63)), b[3] = (char)(0x80 | (c & 63)), k = 4;
  }
  if (n + k >= size) return n;
  memcpy(s + n, b, k);
  return n + k;
}

/* The text of str object `obj` into out (UTF-8, NUL-terminated); when it does not fit and
 * `keep_end`, its last code points are kept (a file's name), else its first. "?" if it is no
 * compact str. */
static void text_of(uintptr_t obj, char *out, size_t size, bool keep_end) {
  out[0] = '\0';
  if (size < 2) return;
  if (!is(obj, py.str_type)) {
    strcpy(out, "?");
    return;
  }
  uint32_t state = *(const uint32_t *)(obj + STR_STATE);
  unsigned kind = (state >> 2) & 7, compact = (state >> 5) & 1, ascii = (state >> 6) & 1;
  intptr_t len = *(const intptr_t *)(obj + STR_LENGTH);
  if (!compact || (kind != 1 && kind != 2 && kind != 4) || len < 0) {
    strcpy(out, "?");
    return;
  }
  uintptr_t data = obj + (ascii ? py.l->ascii_size : py.l->compact_size);
  intptr_t room = ascii ? (intptr_t)size - 1 : ((intptr_t)size - 1) / 4; /* UTF-8: 4 bytes at most */
  intptr_t from = keep_end && len > room ? len - room : 0;
  size_t n = 0;
  for (intptr_t i = from; i < len && n + 1 < size; i++) {
    uint32_t c = kind == 1 ? ((const uint8_t *)data)[i]
                 : kind == 2 ? ((const uint16_t *)data)[i]
                             : ((const uint32_t *)data)[i];
    size_t was = n;
    n = put_utf8(out, n, size, c);
    if (n == was) break;
  }
  out[n] = '\0';
}

void mfu_py_describe(uintptr_t code, char *name, size_t name_size, char *file, size_t file_size,
                     int32_t *first_line) {
  text_of(word(code + py.l->code_qualname), name, name_size, false);
  text_of(word(code + py.l->code_filename), file, file_size, true);
  *first_line = int_at(code + py.l->code_firstlineno);
}
