/* profile_json: where the GPU time went (metrics/profile.h), as JSON keys (report.h). */
#include <math.h>

#include "sections.h"
#include "timeline/kernels.h"

static const char *const op_name[] = {"N", "T", "C"}; /* cublasOperation_t */

void report_shape_json(struct jw *j, const struct call_times_gemm *s) {
  jw_key_int(j, "m", s->m);
  jw_key_int(j, "n", s->n);
  jw_key_int(j, "k", s->k);
  jw_key_int(j, "batch", s->batch);
  jw_key_string(j, "transa", s->transa < 3 ? op_name[s->transa] : NULL);
  jw_key_string(j, "transb", s->transb < 3 ? op_name[s->transb] : NULL);
  jw_key_string(j, "precision", mfu_precision_name(s->precision));
}

void report_nccl_json(struct jw *j, const struct call_times_nccl *s) {
  jw_key_string(j, "op", mfu_nccl_op_name(s->op));
  jw_key_u128(j, "bytes", s->bytes);
  jw_key(j, "comm_size");
  if (s->comm_size > 0) jw_int(j, s->comm_size);
  else jw_null(j);
}

static void gemm_shapes(struct jw *j, const struct job_profile *p) {
  jw_key(j, "gemm_shapes");
  jw_array_begin(j);
  for (size_t i = 0; i < p->ngemm; i++) {
    const struct profile_gemm *g = &p->gemm[i];
    jw_object_begin(j);
    report_shape_json(j, &g->c);
    jw_key_u128(j, "calls", g->c.calls);
    jw_key_double(j, "flops", g->c.flops);
    jw_key_u128(j, "timed_calls", g->c.timed_calls);
    jw_key_double(j, "gpu_time_s", p->timeline ? (double)g->c.gpu_ns / 1e9 : NAN);
    jw_key_double(j, "share", g->share);
    jw_key_double(j, "achieved_flops_per_s", g->achieved);
    jw_key_double(j, "peak_flops", g->peak);
    jw_key_double(j, "wasted_gpu_time_s", g->wasted_s);
    jw_key_double(j, "arithmetic_intensity", g->intensity);
    jw_object_end(j);
  }
  jw_array_end(j);
}

static void kernels(struct jw *j, const struct job_profile *p) {
  jw_key(j, "kernels");
  jw_array_begin(j);
  for (size_t i = 0; i < p->nkernels; i++) {
    const struct profile_kernel *k = &p->kernels[i];
    char name[256];
    jw_object_begin(j);
    jw_key_string(j, "name", k->name);
    jw_key_string(j, "short_name", k->name ? kernel_short_name(k->name, name, sizeof name) : NULL);
    jw_key_string(j, "category", activity_category_name[k->cat]);
    jw_key_u128(j, "count", k->count);
    jw_key_double(j, "gpu_time_s", (double)k->ns / 1e9);
    jw_key_double(j, "share", k->share);
    jw_object_end(j);
  }
  jw_array_end(j);
}

static void nccl_sizes(struct jw *j, const struct job_profile *p) {
  jw_key(j, "nccl_by_size");
  jw_array_begin(j);
  for (size_t i = 0; i < p->nnccl; i++) {
    const struct profile_nccl *n = &p->nccl[i];
    jw_object_begin(j);
    report_nccl_json(j, &n->c);
    jw_key_u128(j, "calls", n->c.calls);
    jw_key_u128(j, "timed_calls", n->c.timed_calls);
    jw_key_double(j, "gpu_time_s", p->timeline ? (double)n->c.gpu_ns / 1e9 : NAN);
    jw_key_double(j, "time_per_call_s", n->time_s);
    jw_key_double(j, "algbw_bytes_per_s", n->algbw);
    jw_key_double(j, "busbw_bytes_per_s", n->busbw);
    jw_object_end(j);
  }
  jw_array_end(j);
}

void report_profile_json(struct jw *j, const struct report *r) {
  gemm_shapes(j, &r->p);
  kernels(j, &r->p);
  nccl_sizes(j, &r->p);
}
