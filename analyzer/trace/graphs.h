/* graphs: CUDA graph replay of one trace file (one process: capture ids, graph and executable
 * handles are process-local). A GEMM or NCCL call made on a capturing stream did not run
 * when it was made: it ran at every launch of an executable instantiated from the graph its
 * capture went into. From the file's graph records (include/mfu/trace.h, struct mfu_graph)
 * this module says how many launches ran each capture; it knows nothing of FLOPs or bytes:
 * the caller sums each capture's work by index and multiplies it by `runs`.
 *
 *     struct mfu_graphs g = {0};
 *     for each record r of the file, in any order:
 *       if (r->kind == MFU_REC_GRAPH) mfu_graphs_note(&g, r);
 *       else if (r->flags & MFU_RF_CAPTURED) work[mfu_graphs_capture(&g, id)] += r;
 *     mfu_graphs_resolve(&g);
 *     for (size_t i = 0; i < g.ncaptures; i++) total += work[i] * g.captures[i].runs;
 *     mfu_graphs_free(&g);
 *
 * The records of a file come in blocks from several per-thread buffers, out of time order:
 * resolve sorts the graph records by start time (file order breaks ties) and replays them:
 *   - a capture opened by BEGIN_CAPTURE on a stream is closed by the next END_CAPTURE on that
 *     stream, which names its graph (CUDA 12 names it only there; CUDA 13 and
 *     BeginCaptureToGraph already at BEGIN, which stands in if the END is missing). A failed
 *     END discards the capture (invalidated: its work never runs);
 *   - a graph holds the captures ended into it since its last destroy (handles are reused);
 *   - INSTANTIATE makes an executable run its graph's captures as they are at that time,
 *     EXEC_UPDATE makes it run another graph's, EXEC_DESTROY ends it;
 *   - each successful LAUNCH runs its executable's captures once. A launch of an executable
 *     never seen instantiated (before the shim was loaded, or records lost) runs unknown work:
 *     counted in `unknown_launches`, never guessed.
 * Memory grows with the graph records and captures of the file, never with its other records.
 */
#ifndef MFU_GRAPHS_H
#define MFU_GRAPHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfu/trace.h"

struct mfu_graph_capture {
  uint64_t id;   /* the capture id the records carry */
  uint64_t runs; /* after resolve: launches that ran this capture's work */
  /* private */
  uint64_t begin_graph; /* the graph BEGIN_CAPTURE named, 0 unknown */
  uint64_t graph;       /* the graph its work went into, 0 none */
  size_t joined_at;     /* when (position in time order) it went into `graph` */
};

struct mfu_graph_event; /* private: one graph record, kept for resolve */

/* After resolve, one per successful launch of a known executable, in time order: it ran the
 * captures members[first .. first + n) (indices into captures). */
struct mfu_graph_launch {
  uint64_t t_ns;      /* host start of the cudaGraphLaunch call */
  uint64_t correlation; /* the call's external correlation id (its GPU kernels'), 0 none */
  size_t executable;  /* 0, 1, ...: which executable */
  size_t first, n;
};

struct mfu_graphs {
  struct mfu_graph_capture *captures; /* in order of first sight */
  size_t ncaptures;
  /* After resolve */
  uint64_t instantiations;   /* successful cudaGraphInstantiate* */
  uint64_t launches;         /* successful cudaGraphLaunch */
  uint64_t executables;      /* executables launched at least once (update keeps one) */
  uint64_t unknown_launches; /* successful launches of executables never instantiated */
  struct mfu_graph_launch *launch_list;
  size_t nlaunch_list;
  size_t *members;
  /* private */
  size_t captures_cap, last_capture;
  struct mfu_graph_event *events;
  size_t nevents, events_cap;
};

/* The index in g->captures of capture `id`, added if new. */
size_t mfu_graphs_capture(struct mfu_graphs *g, uint64_t id);

/* Keeps a graph record (kind MFU_REC_GRAPH) for resolve. Returns false, keeping nothing, for
 * an operation this mfu does not know (a newer shim). */
bool mfu_graphs_note(struct mfu_graphs *g, const struct mfu_record *r);

/* Replays the records kept, in time order: sets each capture's runs and the counters. */
void mfu_graphs_resolve(struct mfu_graphs *g);

void mfu_graphs_free(struct mfu_graphs *g);

#endif
