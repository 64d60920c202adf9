/* The ways out that run no exit handlers: _exit, _Exit and quick_exit (Python's os._exit, a
 * script that skips a hanging teardown), and the exec family, which replaces the process's
 * image. Each lets lifecycle write what is buffered and complete the file first
 * (lifecycle.h), then calls the real function; after an exec that failed, tracing goes on.
 * Programs call these by name; glibc's own calls (exit() ends in _exit, posix_spawn and
 * system() exec in a child) use internal names and never come here.
 *
 * An ending that bypasses libc's functions (an exit_group system call made directly, the
 * dynamic linker's own fatal errors) runs nothing of the shim's: what the writer flushed
 * periodically is in the file, which exists from the first recorded call on. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "call.h"
#include "lifecycle.h"
#include "resolve.h"

/* The real function `name` of libc, found once. */
#define LIBC(name, type, slot) ((type)mfu_real_quiet(&slot, #name, 0))

/* The ends that a signal handler may call are found at load, where dlsym, which takes the
 * dynamic linker's lock and allocates, is safe: in the handler it could deadlock. */
static _Atomic(void *) real_exit, real_Exit, real_quick_exit;

void mfu_exits_load(void) {
  mfu_real_quiet(&real_exit, "_exit", 0);
  mfu_real_quiet(&real_Exit, "_Exit", 0);
  mfu_real_quiet(&real_quick_exit, "quick_exit", 0);
}

_Noreturn static void end_with(void (*real)(int), int status) {
  if (real) real(status);
  syscall(SYS_exit_group, status); /* real() does not return; this is for want of one */
  for (;;) {
  }
}

MFU_EXPORT _Noreturn void _exit(int status) {
  mfu_end_now();
  end_with(LIBC(_exit, void (*)(int), real_exit), status);
}

MFU_EXPORT _Noreturn void _Exit(int status) {
  mfu_end_now();
  end_with(LIBC(_Exit, void (*)(int), real_Exit), status);
}

/* The at_quick_exit handlers run after the flush: what they record is not written. */
MFU_EXPORT _Noreturn void quick_exit(int status) {
  mfu_end_now();
  end_with(LIBC(quick_exit, void (*)(int), real_quick_exit), status);
}

/* Returns what a failed exec returned, with its errno, once tracing went on. */
static int exec_failed(bool ended, int result) {
  int saved = errno;
  if (ended) mfu_exec_failed();
  errno = saved;
  return result;
}

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execv_fn)(const char *, char *const[]);

MFU_EXPORT int execve(const char *path, char *const argv[], char *const envp[]) {
  static _Atomic(void *) real;
  execve_fn f = LIBC(execve, execve_fn, real);
  bool ended = mfu_before_exec();
  return exec_failed(ended, f(path, argv, envp));
}

MFU_EXPORT int execv(const char *path, char *const argv[]) {
  static _Atomic(void *) real;
  execv_fn f = LIBC(execv, execv_fn, real);
  bool ended = mfu_before_exec();
  return exec_failed(ended, f(path, argv));
}

MFU_EXPORT int execvp(const char *file, char *const argv[]) {
  static _Atomic(void *) real;
  execv_fn f = LIBC(execvp, execv_fn, real);
  bool ended = mfu_before_exec();
  return exec_failed(ended, f(file, argv));
}

MFU_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[]) {
  static _Atomic(void *) real;
  execve_fn f = LIBC(execvpe, execve_fn, real);
  bool ended = mfu_before_exec();
  return exec_failed(ended, f(file, argv, envp));
}

MFU_EXPORT int fexecve(int fd, char *const argv[], char *const envp[]) {
  static _Atomic(void *) real;
  int (*f)(int, char *const[], char *const[]) =
      LIBC(fexecve, int (*)(int, char *const[], char *const[]), real);
  bool ended = mfu_before_exec();
  return exec_failed(ended, f(fd, argv, envp));
}

MFU_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
                        int flags) {
  static _Atomic(void *) real;
  int (*f)(int, const char *, char *const[], char *const[], int) =
      LIBC(execveat, int (*)(int, const char *, char *const[], char *const[], int), real);
  bool ended = mfu_before_exec();
  return exec_failed(ended, f(dirfd, path, argv, envp, flags));
}

/* The execl forms: their arguments, up to the NULL, in an array on the stack (no malloc: a
 * vfork child may call them), then the execv form they stand for. */
#define ARGV_OF(argv, arg0)                                 \
  size_t argc_ = 1;                                         \
  va_list ap_;                                              \
  va_start(ap_, arg0);                                      \
  while (va_arg(ap_, char *)) argc_++;                      \
  va_end(ap_);                                              \
  char *argv[argc_ + 1];                                    \
  argv[0] = (char *)(arg0);                                 \
  va_start(ap_, arg0);                                      \
  for (size_t i_ = 1; i_ <= argc_; i_++) argv[i_] = va_arg(ap_, char *);

MFU_EXPORT int execl(const char *path, const char *arg, ...) {
  ARGV_OF(argv, arg)
  va_end(ap_);
  return execv(path, argv);
}

MFU_EXPORT int execlp(const char *file, const char *arg, ...) {
  ARGV_OF(argv, arg)
  va_end(ap_);
  return execvp(file, argv);
}

MFU_EXPORT int execle(const char *path, const char *arg, ...) {
  ARGV_OF(argv, arg)
  char *const *envp = va_arg(ap_, char *const *);
  va_end(ap_);
  return execve(path, argv, envp);
}
