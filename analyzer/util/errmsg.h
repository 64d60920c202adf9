/* The analyzer's way of failing with a message: functions that can fail take (err, errsz),
 * write why there, and return -1. */
#ifndef MFU_ERRMSG_H
#define MFU_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4))) static inline int fail(char *err, size_t errsz,
                                                             const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errsz, fmt, ap);
  va_end(ap);
  return -1;
}

#endif
