/* u128: exact decimal text of unsigned 128-bit integers: FLOP totals of a long job do not fit
 * 64 bits, and printf has no conversion for them. */
#ifndef MFU_U128_H
#define MFU_U128_H

#include <string.h>

#define U128_DEC_SIZE 40 /* digits of the largest value, and the NUL */

/* Writes the decimal digits of v and a NUL into buf; returns buf. */
static inline char *u128_to_dec(char buf[U128_DEC_SIZE], unsigned __int128 v) {
  char *p = buf + U128_DEC_SIZE - 1;
  *p = '\0';
  do {
    *--p = (char)('0' + (int)(v % 10));
    v /= 10;
  } while (v);
  return memmove(buf, p, (size_t)(buf + U128_DEC_SIZE - p));
}

#endif
