/* measure: runs a command and appends what it cost to a file, as one line
 *
 *     wall_s=W cpu_s=C maxrss_mb=M
 *
 * wall time, CPU time of all its threads (user + system), and its peak resident memory.
 *
 *     measure OUT CMD [ARGS...]        exit status: the command's */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: measure OUT CMD [ARGS...]\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
    perror("measure");
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  FILE *out = fopen(argv[1], "a");
  if (!out) {
    perror(argv[1]);
    return 1;
  }
  fprintf(out, "wall_s=%.6f cpu_s=%.6f maxrss_mb=%.1f\n",
          (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
          seconds(ru.ru_utime) + seconds(ru.ru_stime), (double)ru.ru_maxrss / 1024);
  fclose(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
