/* format: what the text and JSON reports both need to turn trace values into figures. */
#ifndef MFU_REPORT_FORMAT_H
#define MFU_REPORT_FORMAT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "job/job.h"

/* Seconds from first_ns to last_ns, 0 if they are out of order. */
static inline double span_s(uint64_t first_ns, uint64_t last_ns) {
  return last_ns > first_ns ? (double)(last_ns - first_ns) / 1e9 : 0;
}

/* A wall-clock time as `fmt` (strftime, UTC) into buf; NULL when it is unknown (0). */
static inline const char *format_time(char buf[32], uint64_t realtime_ns, const char *fmt) {
  time_t s = (time_t)(realtime_ns / 1000000000u);
  struct tm tm;
  if (!realtime_ns || !gmtime_r(&s, &tm) || !strftime(buf, 32, fmt, &tm)) return NULL;
  return buf;
}

/* A file's path relative to the report's directory, to keep tables narrow. */
static inline const char *format_within(const char *dir, const char *path) {
  size_t n = strlen(dir);
  if (strncmp(path, dir, n) != 0 || path[n] == '\0') return path; /* DIR is the file itself */
  return path[n] == '/' ? path + n + 1 : path + n;
}

/* A file's rank number, "?" when unknown. */
static inline const char *format_rank(const struct mfu_file *f, char buf[16]) {
  if (f->header.rank < 0) return "?";
  snprintf(buf, 16, "%d", (int)f->header.rank);
  return buf;
}

#endif
