/* graphs: see graphs.h. */
#include "graphs.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* One graph record, kept for resolve. Resolve sorts them by time, then takes their positions
 * in the sorted list as their times: exact, with equal timestamps already ordered. */
struct mfu_graph_event {
  uint64_t t_ns, seq; /* start of the call; order in the file */
  uint64_t correlation;
  uint64_t stream, graph, exec;
  size_t capture; /* BEGIN_CAPTURE: index in captures */
  uint8_t op;
  bool ok;
};

size_t mfu_graphs_capture(struct mfu_graphs *g, uint64_t id) {
  /* Captured calls come in runs of one capture: look at the last one first. */
  if (g->last_capture < g->ncaptures && g->captures[g->last_capture].id == id)
    return g->last_capture;
  size_t i = 0;
  while (i < g->ncaptures && g->captures[i].id != id) i++;
  if (i == g->ncaptures) {
    MFU_GROW(g->captures, g->ncaptures, g->captures_cap);
    g->captures[g->ncaptures++] = (struct mfu_graph_capture){.id = id};
  }
  return g->last_capture = i;
}

bool mfu_graphs_note(struct mfu_graphs *g, const struct mfu_record *r) {
  const struct mfu_graph *rg = &r->u.graph;
  if (rg->op < MFU_GRAPH_BEGIN_CAPTURE || rg->op > MFU_GRAPH_LAUNCH) return false;
  struct mfu_graph_event e = {.t_ns = r->t_start_ns, .seq = g->nevents, .stream = r->stream,
                              .correlation = r->correlation,
                              .graph = rg->graph, .exec = rg->exec, .op = rg->op,
                              .ok = r->status == 0};
  if (e.op == MFU_GRAPH_BEGIN_CAPTURE && e.ok) {
    e.capture = mfu_graphs_capture(g, rg->capture);
    g->captures[e.capture].begin_graph = rg->graph;
  }
  /* What did not happen changes nothing, except a failed END, which ends its capture. */
  if (!e.ok && e.op != MFU_GRAPH_END_CAPTURE) return true;
  g->instantiations += e.op == MFU_GRAPH_INSTANTIATE;
  g->launches += e.op == MFU_GRAPH_LAUNCH;
  MFU_GROW(g->events, g->nevents, g->events_cap);
  g->events[g->nevents++] = e;
  return true;
}

static int compare_events(const void *a, const void *b) {
  const struct mfu_graph_event *x = a, *y = b;
  if (x->t_ns != y->t_ns) return x->t_ns < y->t_ns ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* --- captures into graphs */

static void join(struct mfu_graph_capture *c, uint64_t graph, size_t at) {
  c->graph = graph;
  c->joined_at = at;
}

/* Pairs each BEGIN_CAPTURE with the next END_CAPTURE on its stream. A capture whose END never
 * came (its record lost) goes into the graph its BEGIN named, if any, from then on. */
static void pair_captures(struct mfu_graphs *g) {
  struct pending { /* a capture begun and not yet ended */
    uint64_t stream;
    size_t capture, at;
  } *pending = NULL;
  size_t npending = 0, cap = 0;
  for (size_t p = 0; p < g->nevents; p++) {
    const struct mfu_graph_event *e = &g->events[p];
    if (e->op != MFU_GRAPH_BEGIN_CAPTURE && e->op != MFU_GRAPH_END_CAPTURE) continue;
    size_t i = 0;
    while (i < npending && pending[i].stream != e->stream) i++;
    if (i < npending) { /* END closes the stream's capture; a new BEGIN means its END was lost */
      struct mfu_graph_capture *c = &g->captures[pending[i].capture];
      if (e->op == MFU_GRAPH_END_CAPTURE && e->ok)
        join(c, e->graph ? e->graph : c->begin_graph, p);
      else if (e->op == MFU_GRAPH_BEGIN_CAPTURE)
        join(c, c->begin_graph, pending[i].at);
      pending[i] = pending[--npending];
    }
    if (e->op == MFU_GRAPH_BEGIN_CAPTURE) {
      MFU_GROW(pending, npending, cap);
      pending[npending++] = (struct pending){e->stream, e->capture, p};
    }
  }
  for (size_t i = 0; i < npending; i++) {
    struct mfu_graph_capture *c = &g->captures[pending[i].capture];
    join(c, c->begin_graph, pending[i].at);
  }
  free(pending);
}

/* --- graphs into executables, executables into launches */

/* What an executable runs from one instantiate or update on: captures[first..first+n) of
 * the shared list, and how many times it was launched meanwhile. */
struct run {
  size_t executable;
  size_t first, n;
  uint64_t launches;
};

struct replay {
  struct { uint64_t graph; size_t at; } *destroyed; /* last destroy of each graph handle */
  size_t ndestroyed, destroyed_cap;
  struct { uint64_t exec; size_t executable, run; } *alive; /* executables not destroyed */
  size_t nalive, alive_cap;
  struct run *runs;
  size_t nruns, runs_cap;
  size_t *members; /* capture indices of every run */
  size_t nmembers, members_cap;
  size_t executables;
  size_t launches_cap;
};

static void destroy_graph(struct replay *x, uint64_t graph, size_t at) {
  size_t i = 0;
  while (i < x->ndestroyed && x->destroyed[i].graph != graph) i++;
  if (i == x->ndestroyed) {
    MFU_GROW(x->destroyed, x->ndestroyed, x->destroyed_cap);
    x->destroyed[x->ndestroyed++].graph = graph;
  }
  x->destroyed[i].at = at;
}

/* The alive executable with handle `exec`, or nalive. */
static size_t find_exec(const struct replay *x, uint64_t exec) {
  size_t i = 0;
  while (i < x->nalive && x->alive[i].exec != exec) i++;
  return i;
}

/* A new run for executable `executable` (handle `exec`): the captures in `graph` at `at`,
 * those that went into it after its last destroy. */
static void start_run(struct replay *x, const struct mfu_graphs *g, uint64_t exec,
                      size_t executable, uint64_t graph, size_t at) {
  size_t since = 0; /* positions after its last destroy */
  for (size_t i = 0; i < x->ndestroyed; i++)
    if (x->destroyed[i].graph == graph) since = x->destroyed[i].at + 1;
  MFU_GROW(x->runs, x->nruns, x->runs_cap);
  struct run *run = &x->runs[x->nruns];
  *run = (struct run){.executable = executable, .first = x->nmembers};
  for (size_t c = 0; c < g->ncaptures; c++) {
    const struct mfu_graph_capture *cap = &g->captures[c];
    if (!graph || cap->graph != graph || cap->joined_at < since || cap->joined_at > at) continue;
    MFU_GROW(x->members, x->nmembers, x->members_cap);
    x->members[x->nmembers++] = c;
    run->n++;
  }
  size_t i = find_exec(x, exec);
  if (i == x->nalive) {
    MFU_GROW(x->alive, x->nalive, x->alive_cap);
    x->nalive++;
  }
  x->alive[i].exec = exec;
  x->alive[i].executable = executable;
  x->alive[i].run = x->nruns++;
}

static void replay(struct mfu_graphs *g, struct replay *x) {
  for (size_t p = 0; p < g->nevents; p++) {
    const struct mfu_graph_event *e = &g->events[p];
    if (!e->ok) continue;
    size_t i = find_exec(x, e->exec);
    switch (e->op) {
      case MFU_GRAPH_GRAPH_DESTROY:
        destroy_graph(x, e->graph, p);
        break;
      case MFU_GRAPH_INSTANTIATE: /* a new executable, even at a handle not seen destroyed */
        start_run(x, g, e->exec, x->executables++, e->graph, p);
        break;
      case MFU_GRAPH_EXEC_UPDATE: /* the same executable, or one instantiated unseen */
        start_run(x, g, e->exec, i < x->nalive ? x->alive[i].executable : x->executables++,
                  e->graph, p);
        break;
      case MFU_GRAPH_EXEC_DESTROY:
        if (i < x->nalive) x->alive[i] = x->alive[--x->nalive];
        break;
      case MFU_GRAPH_LAUNCH:
        if (i < x->nalive) {
          struct run *run = &x->runs[x->alive[i].run];
          run->launches++;
          MFU_GROW(g->launch_list, g->nlaunch_list, x->launches_cap);
          g->launch_list[g->nlaunch_list++] = (struct mfu_graph_launch){
              .t_ns = e->t_ns, .correlation = e->correlation, .executable = run->executable,
              .first = run->first, .n = run->n};
        } else {
          g->unknown_launches++;
        }
        break;
    }
  }
}

void mfu_graphs_resolve(struct mfu_graphs *g) {
  if (g->nevents > 1) qsort(g->events, g->nevents, sizeof *g->events, compare_events);
  pair_captures(g);
  struct replay x = {0};
  replay(g, &x);
  bool *launched = calloc(x.executables ? x.executables : 1, sizeof *launched);
  if (!launched) mfu_out_of_memory();
  for (size_t r = 0; r < x.nruns; r++) {
    const struct run *run = &x.runs[r];
    for (size_t m = run->first; m < run->first + run->n; m++)
      g->captures[x.members[m]].runs += run->launches;
    launched[run->executable] |= run->launches > 0;
  }
  for (size_t e = 0; e < x.executables; e++) g->executables += launched[e];
  free(launched);
  free(x.destroyed);
  free(x.alive);
  free(x.runs);
  g->members = x.members; /* launch_list refers to them */
}

void mfu_graphs_free(struct mfu_graphs *g) {
  free(g->captures);
  free(g->events);
  free(g->launch_list);
  free(g->members);
  *g = (struct mfu_graphs){0};
}
