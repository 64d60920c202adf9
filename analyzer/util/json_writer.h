/* json_writer: a small streaming JSON writer ("jw": json_* belongs to jansson, which mfu also
 * links), pretty-printed with a 2-space indent.
 *
 * Write values in document order: containers with *_begin / *_end, a jw_key before every
 * member of an object. Strings are escaped and made valid UTF-8 (invalid bytes become
 * U+FFFD), doubles print the shortest text that reads back to the same value (NaN and
 * infinities, which JSON lacks, print as null), and unsigned 128-bit integers print exactly:
 * FLOP totals of a long job do not fit 64 bits. */
#ifndef MFU_JSON_WRITER_H
#define MFU_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct jw {
  FILE *f;
  int depth;
  bool need_comma; /* the current container already holds a value */
  bool after_key;  /* a key was written: the next value follows it on the same line */
  int line_depth;  /* > 0: what is nested deeper than this stays on one line, compact (a trace
                      of a million events, one per line); 0: everything indented */
};

void jw_init(struct jw *j, FILE *f);

void jw_object_begin(struct jw *j);
void jw_object_end(struct jw *j);
void jw_array_begin(struct jw *j);
void jw_array_end(struct jw *j);
void jw_key(struct jw *j, const char *key);

void jw_string(struct jw *j, const char *s); /* NULL writes null */
void jw_null(struct jw *j);
void jw_bool(struct jw *j, bool v);
void jw_int(struct jw *j, int64_t v);
void jw_u128(struct jw *j, unsigned __int128 v);
void jw_double(struct jw *j, double v);


/* A key and its value, in one call. */
void jw_key_string(struct jw *j, const char *key, const char *s);
void jw_key_null(struct jw *j, const char *key);
void jw_key_bool(struct jw *j, const char *key, bool v);
void jw_key_int(struct jw *j, const char *key, int64_t v);
void jw_key_u128(struct jw *j, const char *key, unsigned __int128 v);
void jw_key_double(struct jw *j, const char *key, double v); /* null if not finite */

#endif
