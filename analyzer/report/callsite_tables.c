/* callsite_tables: where the FLOPs came from (callsites/sites.h), as tables (report.h): the
 * phases of the step, and the top call sites with their shapes and where they are. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfu/callsites.h"
#include "mfu/nccl.h"
#include "mfu/precision.h"
#include "mfu/trace.h"
#include "sections.h"
#include "util/alloc.h"

#define N(a) (sizeof(a) / sizeof *(a))

static double gpu_ms(const struct report *r, uint64_t ns) { return r->p.timeline ? (double)ns / 1e6 : NAN; }

void report_phase_table(FILE *out, const struct report *r, bool csv) {
  static const struct table_column cols[] = {{"phase", "phase", -10},  {"calls", "calls", 9},
                                             {"TFLOP", "tflop", 11},   {"share", "share_pct", 6},
                                             {"GPU ms", "gpu_ms", 11}, {"host ms", "host_ms", 11}};
  const struct callsites *c = &r->cs;
  double flops = 0;
  for (int p = 0; p < PHASE_COUNT; p++) flops += c->phase[p].flops;
  struct table t;
  table_begin(&t, out, csv, "FLOPs and time by phase (whole run, all ranks)", "phases", cols, N(cols));
  for (enum phase p = 0; p < PHASE_COUNT; p++) {
    const struct callsite_work *w = &c->phase[p];
    table_str(&t, phase_name(p));
    table_uint(&t, w->calls);
    table_num(&t, w->flops / 1e12, 3);
    table_pct(&t, flops > 0 ? w->flops / flops : NAN, 1);
    table_num(&t, gpu_ms(r, w->gpu_ns), 3);
    table_num(&t, (double)w->host_ns / 1e6, 3);
    table_end_row(&t);
  }
  double ratio = callsites_backward_forward(c);
  if (ratio >= 0)
    table_note(&t, "backward/forward FLOPs %.2f (the formulas assume 2.00)", ratio);
  else
    table_note(&t, "backward/forward FLOPs unknown: no forward FLOPs were told apart");
  table_note(&t, "a phase is said by an NVTX range around the call, else by PyTorch's autograd "
                 "threads (backward), else by the call site's frames");
  table_end(&t);
}

/* "4096x4096x1024 NN bf16" (a batch after the shape: "64x64x64x12"), "all_reduce 33.6 MB". */
static void shape_text(const struct callsite_shape *s, char *buf, size_t size) {
  static const char op[] = "NTC";
  if (s->kind != MFU_REC_GEMM) {
    snprintf(buf, size, "%s %.1f MB", mfu_nccl_op_name(s->nccl.op), (double)s->nccl.bytes / 1e6);
    return;
  }
  char batch[24] = "";
  if (s->gemm.batch > 1) snprintf(batch, sizeof batch, "x%lld", (long long)s->gemm.batch);
  snprintf(buf, size, "%lldx%lldx%lld%s %c%c %s", (long long)s->gemm.m, (long long)s->gemm.n,
           (long long)s->gemm.k, batch, s->gemm.transa < 3 ? op[s->gemm.transa] : '?',
           s->gemm.transb < 3 ? op[s->gemm.transb] : '?', mfu_precision_name(s->gemm.precision));
}

static int by_gpu(const void *a, const void *b) {
  const struct callsite *x = *(const struct callsite *const *)a, *y = *(const struct callsite *const *)b;
  return (x->work.gpu_ns < y->work.gpu_ns) - (x->work.gpu_ns > y->work.gpu_ns);
}

static void site_table(FILE *out, const struct report *r, const struct callsite *const *v, size_t n,
                       size_t top, bool csv, const char *title, const char *id) {
  static const struct table_column cols[] = {
      {"#", "rank", 3},          {"phase", "phase", -9},   {"calls", "calls", 9},
      {"TFLOP", "tflop", 10},    {"share", "share_pct", 6}, {"GPU ms", "gpu_ms", 10},
      {"ranks", "ranks", 5},     {"main shape", "shape", -24}, {"where", "where", -60}};
  double flops = 0;
  for (size_t i = 0; i < n; i++) flops += v[i]->work.flops;
  struct table t;
  table_begin(&t, out, csv, title, id, cols, N(cols));
  size_t shown = csv || !top || n < top ? n : top;
  for (size_t i = 0; i < shown; i++) {
    const struct callsite *s = v[i];
    char shape[64] = "", where[256];
    if (s->nshapes) shape_text(&s->shapes[0], shape, sizeof shape);
    if (s->nshapes > 1) snprintf(shape + strlen(shape), sizeof shape - strlen(shape), " +%zu", s->nshapes - 1);
    callsites_where(s, where, sizeof where);
    table_uint(&t, i + 1);
    table_str(&t, phase_name(s->phase));
    table_uint(&t, s->work.calls);
    table_num(&t, s->work.flops / 1e12, 3);
    table_pct(&t, flops > 0 ? s->work.flops / flops : NAN, 1);
    table_num(&t, gpu_ms(r, s->work.gpu_ns), 3);
    table_uint(&t, s->ranks);
    table_str(&t, shape);
    table_str(&t, where);
    table_end_row(&t);
  }
  if (shown < n) table_note(&t, "... %zu more call sites (--top N, or --json for every frame)", n - shown);
  table_end(&t);
}

static void stacks_note(FILE *out, const struct callsites *c) {
  static const char *const unwinders[] = {
#define U(name, value, key) [value] = key,
      MFU_UNWINDERS(U)
#undef U
  };
  static const char *const python[] = {
#define P(name, value, text) [value] = text,
      MFU_PY_STATES(P)
#undef P
  };
  if (!c->has_info) {
    fprintf(out, "  none in these traces: their shim recorded no call sites\n");
    return;
  }
  const struct mfu_cs_info *i = &c->info;
  if (!i->sample_every) {
    fprintf(out, "  no call sites: the run had MFU_STACKS=off\n");
    return;
  }
  fprintf(out, "  stacks by %s, each site's first call and one in %u after it; Python frames: %s",
          i->unwinder < N(unwinders) ? unwinders[i->unwinder] : "?", i->sample_every,
          i->python < N(python) ? python[i->python] : "?");
  if (i->python_version) fprintf(out, " (%u.%u)", i->python_version >> 8, i->python_version & 0xff);
  fprintf(out, "%s\n", c->mixed_info ? "; the ranks differ in this" : "");
}

void report_callsite_tables(FILE *out, const struct report *r, size_t top, bool csv) {
  const struct callsites *c = &r->cs;
  if (!c->n && !csv) {
    fprintf(out, "\ncall sites\n");
    stacks_note(out, c);
    return;
  }
  const struct callsite **v = mfu_xcalloc(c->n, sizeof *v);
  for (size_t i = 0; i < c->n; i++) v[i] = &c->v[i];
  site_table(out, r, v, c->n, top, csv, "top call sites by FLOPs (whole run, all ranks)", "callsites");
  if (r->p.timeline && c->n) {
    qsort(v, c->n, sizeof *v, by_gpu);
    site_table(out, r, v, c->n, top, csv, "top call sites by GPU time (whole run, all ranks)",
               "callsites_by_gpu_time");
  }
  free(v);
  if (!csv) stacks_note(out, c);
  if (!csv && c->unattributed.calls)
    fprintf(out, "  %llu calls have no call site (%.3f TFLOP)\n",
            (unsigned long long)c->unattributed.calls, c->unattributed.flops / 1e12);
}
