/* sections: the parts of the report that their own files print (report.h), for the
 * printers of report/ only. */
#ifndef MFU_REPORT_SECTIONS_H
#define MFU_REPORT_SECTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"
#include "table.h"
#include "util/json_writer.h"

/* Where the GPU time went (metrics/profile.h): the top `top` rows of each table (0: all). */
void report_profile_tables(FILE *out, const struct report *r, size_t top, bool csv);
/* The shown rank's steps (report.steps: a selection, or all), and its step times' sparkline. */
void report_step_table(FILE *out, const struct report *r, bool csv);
/* The measured ranks by their work per step outside NCCL, the slowest and the fastest few
 * when there are many, and the likely straggler. */
void report_pace_table(FILE *out, const struct report *r, bool csv);
/* The job's factors from the peak down to MFU (timeline/efficiency.h), each with its running
 * product; with r->colour, the factors below WATERFALL_LOW in yellow, below WATERFALL_BAD in
 * red, and MFU in bold. */
#define WATERFALL_LOW 0.9
#define WATERFALL_BAD 0.7
void report_waterfall_table(FILE *out, const struct report *r, bool csv);
/* What the shim counted: GEMM FLOPs by precision, GEMM calls by API (at most max_rows in text;
 * 0: all), NCCL data movements by operation when there were any (in CSV always). */
void report_count_tables(FILE *out, const struct report *r, size_t max_rows, bool csv);
/* Each rank's counts, span and file (at most max_rows in text; 0: all). */
void report_rank_table(FILE *out, const struct report *r, size_t max_rows, bool csv);
/* The same as the keys gemm_shapes, kernels and nccl_by_size, every row. */
void report_profile_json(struct jw *j, const struct report *r);

/* FLOPs and time per phase (callsites/sites.h), and the backward/forward FLOP ratio. */
void report_phase_table(FILE *out, const struct report *r, bool csv);
/* The top `top` call sites (0: all) by FLOPs and, with a GPU timeline, by GPU time. */
void report_callsite_tables(FILE *out, const struct report *r, size_t top, bool csv);
/* The keys phases, callsites and stacks. */
void report_callsites_json(struct jw *j, const struct report *r);

/* The columns that say what a GEMM shape is (m n k batch op precision), and what an NCCL
 * operation and size is (operation, size, communicator size), their cells and JSON keys, for
 * every table that lists them. */
#define REPORT_SHAPE_COLUMNS                                                              \
  {"m", "m", 7}, {"n", "n", 7}, {"k", "k", 7}, {"batch", "batch", 6}, {"op", "op", 3}, \
      {"prec", "precision", 5}
#define REPORT_NCCL_COLUMNS \
  {"operation", "operation", -14}, {"size MB", "size_mb", 11}, {"ranks", "ranks", 5}
void report_shape_cells(struct table *t, const struct call_times_gemm *s);
void report_nccl_cells(struct table *t, const struct call_times_nccl *s);
void report_shape_json(struct jw *j, const struct call_times_gemm *s);
void report_nccl_json(struct jw *j, const struct call_times_nccl *s);

#endif
