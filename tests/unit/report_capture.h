/* report_capture: runs `mfu report ARGS...` in the test's process and captures what it
 * printed (stdout and stderr, through files in fx_dir), for the tests of the report. Include
 * after cmocka.h. */
#ifndef MFU_REPORT_CAPTURE_H
#define MFU_REPORT_CAPTURE_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/commands.h"
#include "trace_fixture.h"

/* What a command printed. */
struct output {
  int status;
  char out[1 << 20], err[8192];
};

static void slurp(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(buf, 1, size - 1, f);
  buf[n] = '\0';
  fclose(f);
}

/* Runs `mfu report ARGS...` in this process with stdout and stderr captured. */
static struct output *report(const char *first, ...) {
  static struct output o;
  char *argv[16] = {"report"};
  int argc = 1;
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a; a = va_arg(ap, const char *)) argv[argc++] = (char *)a;
  va_end(ap);
  char out_path[300], err_path[300];
  snprintf(out_path, sizeof out_path, "%s/.out", fx_dir);
  snprintf(err_path, sizeof err_path, "%s/.err", fx_dir);
  fflush(stdout);
  fflush(stderr);
  int saved_out = dup(1), saved_err = dup(2);
  int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(out, 1);
  dup2(err, 2);
  o.status = cmd_report(argc, argv);
  fflush(stdout);
  fflush(stderr);
  dup2(saved_out, 1);
  dup2(saved_err, 2);
  close(out);
  close(err);
  close(saved_out);
  close(saved_err);
  slurp(out_path, o.out, sizeof o.out);
  slurp(err_path, o.err, sizeof o.err);
  return &o;
}

#endif
