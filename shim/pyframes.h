/* Python frames of the calling thread, where the host is CPython (pyframes.c): read from the
 * thread's own state without the GIL, for the CPython versions whose layout the shim knows. */
#ifndef MFU_SHIM_PYFRAMES_H
#define MFU_SHIM_PYFRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Looks for CPython in the process (its exported symbols), once it is there: cheap to call
 * again while it is not. Not for signal handlers. */
void mfu_py_probe(void);
unsigned mfu_py_state(void);    /* enum mfu_py_state (include/mfu/callsites.h) */
uint16_t mfu_py_version(void);  /* 0x030b for 3.11; 0 if unknown */

/* The innermost complete Python frame of this thread: its code object and the index of its
 * current instruction. False without one. A few loads, for every call. */
bool mfu_py_innermost(uintptr_t *code, int32_t *lasti);

struct mfu_py_frame {
  uintptr_t code; /* the code object */
  int32_t line;   /* -1: unknown */
};
/* Up to `max` of this thread's Python frames, innermost first; *more is set when there were
 * more. Returns how many. */
int mfu_py_stack(struct mfu_py_frame *out, int max, bool *more);

/* The qualified name, file and first line of `code`, a code object of one of this thread's
 * current frames (so alive). Strings are UTF-8, cut to their buffers (a file keeps its end). */
void mfu_py_describe(uintptr_t code, char *name, size_t name_size, char *file, size_t file_size,
                     int32_t *first_line);

/* The line of code unit `lasti` in a CPython location table (co_linetable: 3.11's format, and
 * 3.10's), counted from `first_line`; -1 if the table has none for it. For the unit tests. */
int32_t mfu_py_line(const unsigned char *table, size_t size, int32_t first_line, int32_t lasti);
int32_t mfu_py_line_310(const unsigned char *table, size_t size, int32_t first_line, int32_t lasti);

#endif
