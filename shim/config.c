/* Settings from the environment and the identity of this process (rank, job, host). */
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "mfu/version.h"

struct mfu_config mfu_config;

void mfu_say(const char *fmt, ...) {
  char line[512];
  int n = snprintf(line, sizeof line, "mfushim: ");
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  n += m < 0 ? 0 : m;
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  for (int i = 0; i < n; i++) /* one line, and no control characters, whatever a value held */
    if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) line[i] = '?';
  line[n++] = '\n';
  ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
  (void)ignored;
}

const char *mfu_shown(const char *v, char buf[MFU_SHOWN_SIZE]) {
  size_t len = strlen(v), at = 0, i = 0;
  for (; v[i] && at + 8 < MFU_SHOWN_SIZE - 32; i++) {
    unsigned char c = (unsigned char)v[i];
    if (c >= 0x20 && c < 0x7f)
      buf[at++] = (char)c;
    else
      at += (size_t)snprintf(buf + at, 5, "\\x%02x", c);
  }
  buf[at] = '\0';
  if (i < len) snprintf(buf + at, MFU_SHOWN_SIZE - at, "... (%zu bytes)", len);
  return buf;
}

static const char *first_env(const char *const *names) {
  for (; *names; names++) {
    const char *v = getenv(*names);
    if (v && *v) return v;
  }
  return NULL;
}

/* The first of `names` that holds an integer >= 0, else -1. */
static int32_t env_int(const char *const *names) {
  for (; *names; names++) {
    const char *v = getenv(*names);
    char *end;
    if (!v || !*v) continue;
    long x = strtol(v, &end, 10);
    if (*end == '\0' && x >= 0 && x <= INT32_MAX) return (int32_t)x;
  }
  return -1;
}

/* The integer in variable `name`, from min to max; `fallback` when it is unset, and, said
 * once, when it is not such a number. */
static long env_number(const char *name, long min, long max, long fallback, const char *expected) {
  const char *v = getenv(name);
  if (!v || !*v) return fallback;
  char *end;
  long x = strtol(v, &end, 10);
  if (*end == '\0' && x >= min && x <= max) return x;
  char shown[MFU_SHOWN_SIZE];
  mfu_say("ignoring %s=%s: expected %s; using %ld", name, mfu_shown(v, shown), expected, fallback);
  return fallback;
}

/* "A:B", "A:" or "A" (steps from 1, B >= A): true with the steps (last UINT64_MAX: to the
 * end). */
static bool parse_steps(const char *v, uint64_t *first, uint64_t *last) {
  char *end;
  if (*v < '0' || *v > '9') return false;
  unsigned long long a = strtoull(v, &end, 10), b = a;
  if (*end == ':') {
    const char *rest = end + 1;
    b = *rest ? (*rest >= '0' && *rest <= '9' ? strtoull(rest, &end, 10) : 0) : ULLONG_MAX;
    if (*rest && (b == 0 || *end)) return false;
  } else if (*end) {
    return false;
  }
  if (a < 1 || b < a || a == ULLONG_MAX) return false;
  *first = a, *last = b == ULLONG_MAX ? UINT64_MAX : b;
  return true;
}

/* Seconds as in "1.5" into ns; false unless a finite number from 0 to 10^9. */
static bool parse_seconds(const char *v, size_t len, uint64_t *ns) {
  char buf[32], *end;
  if (len == 0 || len >= sizeof buf || *v == '-' || *v == '+' || *v == ' ') return false;
  memcpy(buf, v, len);
  buf[len] = '\0';
  double s = strtod(buf, &end);
  if (*end || !(s >= 0 && s <= 1e9)) return false; /* also NaN */
  *ns = (uint64_t)(s * 1e9);
  return true;
}

/* "START:END", "START:" or ":END", seconds since the shim started, START < END. */
static bool parse_window(const char *v, uint64_t *first, uint64_t *last) {
  const char *colon = strchr(v, ':');
  if (!colon || strchr(colon + 1, ':') || (colon == v && !colon[1])) return false;
  *first = 0, *last = UINT64_MAX;
  if (colon > v && !parse_seconds(v, (size_t)(colon - v), first)) return false;
  if (colon[1] && !parse_seconds(colon + 1, strlen(colon + 1), last)) return false;
  return *first < *last;
}

/* MFU_STEPS, else MFU_WINDOW_S; MFU_STEP_RANGE (compiled, and checked, by window.c). A value
 * that does not parse is said once and ignored: the whole run is written. */
static void window_load(void) {
  char shown[MFU_SHOWN_SIZE];
  const char *steps = getenv("MFU_STEPS"), *seconds = getenv("MFU_WINDOW_S");
  const char *range = getenv("MFU_STEP_RANGE");
  snprintf(mfu_config.step_range, sizeof mfu_config.step_range, "%s", range && *range ? range : "[Ss]tep");
  if (range && strlen(range) >= sizeof mfu_config.step_range) {
    mfu_say("ignoring MFU_STEP_RANGE=%s: longer than %zu bytes; using [Ss]tep", mfu_shown(range, shown),
            sizeof mfu_config.step_range - 1);
    strcpy(mfu_config.step_range, "[Ss]tep");
  }
  if (steps && *steps) {
    if (parse_steps(steps, &mfu_config.window_first, &mfu_config.window_last))
      mfu_config.window = MFU_WINDOW_STEPS;
    else
      mfu_say("ignoring MFU_STEPS=%s: expected A:B, the steps to write counted from 1 (2:4, or "
              "10: to the end, or 5 alone); writing the whole run", mfu_shown(steps, shown));
  }
  if (seconds && *seconds && mfu_config.window == MFU_WINDOW_STEPS) {
    mfu_say("ignoring MFU_WINDOW_S=%s: MFU_STEPS is set too, and a run has one window",
            mfu_shown(seconds, shown));
  } else if (seconds && *seconds) {
    if (parse_window(seconds, &mfu_config.window_first, &mfu_config.window_last))
      mfu_config.window = MFU_WINDOW_TIME;
    else
      mfu_say("ignoring MFU_WINDOW_S=%s: expected START:END, seconds since the program started "
              "(30:90, or 30: to the end, or :60), START below END; writing the whole run",
              mfu_shown(seconds, shown));
  }
  if (mfu_config.window)
    snprintf(mfu_config.window_text, sizeof mfu_config.window_text, "%s=%s",
             mfu_config.window == MFU_WINDOW_STEPS ? "MFU_STEPS" : "MFU_WINDOW_S",
             mfu_config.window == MFU_WINDOW_STEPS ? steps : seconds);
}

void mfu_config_load(void) {
  char shown[MFU_SHOWN_SIZE];
  const char *v = getenv("MFU_DISABLE");
  mfu_config.enabled = !(v && *v && strcmp(v, "0") != 0);
  v = getenv("NVIDIA_TF32_OVERRIDE");
  mfu_config.tf32_allowed = !(v && strcmp(v, "0") == 0);
  mfu_config.flush_ms =
      (unsigned)env_number("MFU_FLUSH_MS", 10, 3600000, 1000, "milliseconds between 10 and 3600000");
  mfu_config.zstd_level =
      (int)env_number("MFU_ZSTD", 0, 19, 0, "a zstd level from 1 to 19, or 0 for none");
  mfu_config.max_bytes = (unsigned long long)env_number("MFU_MAX_MB", 0, 1L << 30, 0,
                                                        "megabytes (MiB) from 1, or 0 for no limit")
                         << 20;
  v = getenv("MFU_CUPTI");
  mfu_config.cupti = MFU_CUPTI_AUTO;
  if (v && !strcmp(v, "on"))
    mfu_config.cupti = MFU_CUPTI_ON;
  else if (v && !strcmp(v, "off"))
    mfu_config.cupti = MFU_CUPTI_NEVER;
  else if (v && *v && strcmp(v, "auto"))
    mfu_say("ignoring MFU_CUPTI=%s: expected auto, on or off; using auto", mfu_shown(v, shown));
  mfu_config.stacks_every = MFU_STACKS_DEFAULT;
  v = getenv("MFU_STACKS");
  if (v && !strcmp(v, "off"))
    mfu_config.stacks_every = 0;
  else if (v && *v) {
    char *end;
    long n = strtol(v, &end, 10);
    if (*end == '\0' && n >= 1 && n <= 1000000000)
      mfu_config.stacks_every = (unsigned)n;
    else
      mfu_say("ignoring MFU_STACKS=%s: expected off or a number N from 1 to 1000000000 (one "
              "call in N per call site is unwound); using %u",
              mfu_shown(v, shown), MFU_STACKS_DEFAULT);
  }
  v = getenv("MFU_LIBUNWIND");
  snprintf(mfu_config.libunwind, sizeof mfu_config.libunwind, "%s", v && *v ? v : "libunwind.so.8");
  window_load();
  v = getenv("MFU_TRACE_DIR");
  if (v && strlen(v) >= sizeof mfu_config.trace_dir) { /* cut short, it would name another */
    mfu_say("MFU_TRACE_DIR is %zu bytes long, at most %zu are taken: this run is not traced; "
            "set it to a shorter path", strlen(v), sizeof mfu_config.trace_dir - 1);
    mfu_config.enabled = false;
  }
  snprintf(mfu_config.trace_dir, sizeof mfu_config.trace_dir, "%s", v && *v ? v : "mfu-traces");
}

static void copy_cmdline(struct mfu_file_header *h) {
  int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, h->cmdline, sizeof h->cmdline - 1);
  char extra;
  if (n == (ssize_t)sizeof h->cmdline - 1 && read(fd, &extra, 1) == 1)
    h->flags |= MFU_FILE_CMDLINE_TRUNCATED;
  close(fd);
  for (ssize_t i = 0; i + 1 < n; i++)
    if (h->cmdline[i] == '\0') h->cmdline[i] = ' ';
  h->cmdline[n > 0 ? n : 0] = '\0';
}

/* The job id: the user's, else the launcher's (a launch's processes share it), else the parent's
 * pid. torchrun without --rdzv-id says "none", shared by every such job: its rendezvous
 * endpoint, the same on every node of one launch, stands in. A process whose parent is init
 * (reparented, or started by none) shares its parent with unrelated ones: its own pid then.
 * Runs that still share an id are told apart by the analyzer (analyzer/job/runs.h). */
static void job_id(struct mfu_file_header *h) {
  static const char *const launcher[] = {"OMPI_MCA_orte_ess_jobid", "OMPI_MCA_ess_base_jobid",
                                         "PMIX_NAMESPACE", NULL};
  const size_t n = sizeof h->job_id;
  const char *v = getenv("MFU_JOB_ID"), *torchrun = getenv("TORCHELASTIC_RUN_ID");
  const char *slurm = getenv("SLURM_JOB_ID"), *step = getenv("SLURM_STEP_ID");
  const char *addr = getenv("MASTER_ADDR"), *port = getenv("MASTER_PORT");
  bool torchrun_none = torchrun && !strcmp(torchrun, "none");
  if (v && *v)
    snprintf(h->job_id, n, "%s", v);
  else if (torchrun && *torchrun && !torchrun_none)
    snprintf(h->job_id, n, "%s", torchrun);
  else if (slurm && *slurm) /* each srun of an allocation is a step of its own */
    snprintf(h->job_id, n, "%s%s%s", slurm, step && *step ? "." : "", step ? step : "");
  else if ((v = first_env(launcher)))
    snprintf(h->job_id, n, "%s", v);
  else if (torchrun_none && addr && *addr && port && *port)
    snprintf(h->job_id, n, "torchrun-%s-%s", addr, port);
  else if (h->ppid > 1)
    snprintf(h->job_id, n, "ppid%d", (int)h->ppid);
  else
    snprintf(h->job_id, n, "pid%d", (int)h->pid);
}

void mfu_identity_fill(struct mfu_file_header *h) {
  static const char *const rank[] = {"RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID", NULL};
  static const char *const local[] = {"LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID",
                                      "SLURM_LOCALID", NULL};
  static const char *const world[] = {"WORLD_SIZE", "OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
                                      "SLURM_NTASKS", NULL};
  memcpy(h->magic, MFU_TRACE_MAGIC, sizeof h->magic);
  h->version = MFU_TRACE_VERSION;
  h->header_size = MFU_HEADER_SIZE;
  h->byte_order = MFU_BYTE_ORDER_MARK;
  h->record_size = 0; /* v2: records are encoded, not of a fixed size */
  snprintf(h->shim_version, sizeof h->shim_version, "%s", MFU_VERSION);
  h->pid = (int32_t)getpid();
  h->ppid = (int32_t)getppid();
  h->rank = env_int(rank);
  h->local_rank = env_int(local);
  h->world_size = env_int(world);
  job_id(h);
  if (gethostname(h->hostname, sizeof h->hostname - 1) != 0) strcpy(h->hostname, "unknown");
  copy_cmdline(h);
  struct timespec rt, mono;
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  h->start_realtime_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
  h->start_monotonic_ns = (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
}
