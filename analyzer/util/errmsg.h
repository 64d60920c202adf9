/* errmsg: how library code fails. A function that can fail takes (err, errsz), writes there
 * what was wrong, the offending value and what to do, and returns -1; only cli/ prints. */
#ifndef MFU_ERRMSG_H
#define MFU_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4))) static inline int errmsg(char *err, size_t errsz,
                                                               const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errsz, fmt, ap);
  va_end(ap);
  return -1;
}

#endif
