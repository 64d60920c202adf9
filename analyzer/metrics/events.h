/* events: one rank's run as the events of a timeline (mfu export, report/perfetto.h): each
 * intercepted call on its host thread, each GPU activity on its stream with its category and
 * the call that launched it (steps/correlation.h; that call decides GEMM or NCCL, as in
 * rank_steps.h), the steps, and two counters: the FLOP/s of the GEMM kernels running (each
 * kernel of a GEMM call at the call's FLOPs over the time of all its kernels) and the bytes/s
 * of the NCCL kernels running (likewise with the call's bytes). Times are on the wall clock
 * (each file's CLOCK_MONOTONIC mapped through its header), from an origin the caller picks, so
 * that ranks on several hosts line up. Read again from the rank's trace file, keeping only
 * what falls in the chosen steps: memory is bounded by what one rank holds there.
 *
 *     struct rank_events e;
 *     if (rank_events_read(&e, file, origin, &window, err, sizeof err) == 0) ... e.events ...
 *     rank_events_free(&e);
 */
#ifndef MFU_EVENTS_H
#define MFU_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "job/job.h"
#include "mfu/trace.h"
#include "timeline/timeline.h"
#include "util/slots.h"
#include "util/strings.h"

#define EVENTS_NONE ((size_t)-1)

enum events_track_kind { EVENTS_STEPS, EVENTS_THREAD, EVENTS_STREAM };

struct events_track {
  enum events_track_kind kind;
  uint64_t id; /* THREAD: the thread id; STREAM: device << 32 | CUPTI stream id; STEPS: 0 */
};

enum events_kind { EVENT_CALL, EVENT_ACTIVITY, EVENT_STEP };

struct events_event {
  uint64_t start_ns, end_ns; /* since the origin */
  uint32_t track;            /* in tracks[] */
  enum events_kind kind;
  enum activity_category cat; /* ACTIVITY */
  size_t index;              /* CALL, ACTIVITY: its record in records[]; STEP: the step */
  size_t launched_by;        /* ACTIVITY: the event of the call that launched it, or EVENTS_NONE */
  double flops;              /* CALL: the GEMM's FLOPs; ACTIVITY: the share its kernel ran */
  const char *name;          /* CALL: the API; ACTIVITY: the kernel (NULL: memcpy, memset);
                                STEP: NULL */
};

/* A counter's value from t_ns on, until the next sample. */
struct events_sample {
  uint64_t t_ns;
  double value;
};

/* The steps to show: [first, last] (clamped to the rank's), or all of them. */
struct events_window {
  size_t first, last;
  bool all;
};

struct rank_events {
  const struct mfu_file *file;
  struct mfu_record *records;  /* the calls and activities kept, copied */
  size_t nrecords;
  struct events_track *tracks; /* steps first, then threads, then streams, each by id */
  size_t ntracks;
  struct events_event *events; /* by track, then start, the longer first */
  size_t nevents;
  struct events_sample *flops_rate, *nccl_rate; /* FLOP/s and bytes/s, by time */
  size_t nflops_rate, nnccl_rate;
  size_t first_step, nsteps;   /* the steps shown */
  /* private */
  size_t records_cap, events_cap, tracks_cap;
  struct slots track_slots, name_slots;
  uint32_t *name_ids;          /* parallel to names */
  struct mfu_strings names;    /* the text of the names the events point to */
};

/* Reads `f` (a file of the job) again. 0, or -1 with err saying why (the file cannot be opened
 * now); a file cut short gives the events before the damage, as the report counted them. */
int rank_events_read(struct rank_events *e, const struct mfu_file *f, uint64_t origin_realtime_ns,
                     const struct events_window *w, char *err, size_t errlen);
void rank_events_free(struct rank_events *e);

#endif
