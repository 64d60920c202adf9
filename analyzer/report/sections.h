/* sections: the parts of the report that their own files print (report.h), for the
 * printers of report/ only. */
#ifndef MFU_REPORT_SECTIONS_H
#define MFU_REPORT_SECTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"
#include "util/json_writer.h"

/* Where the GPU time went (metrics/profile.h): the top `top` rows of each table (0: all). */
void report_profile_tables(FILE *out, const struct report *r, size_t top, bool csv);
/* The shown rank's steps (report.steps: a selection, or all), and its step times' sparkline. */
void report_step_table(FILE *out, const struct report *r, bool csv);
/* The measured ranks by their work per step outside NCCL, the slowest and the fastest few
 * when there are many, and the likely straggler. */
void report_pace_table(FILE *out, const struct report *r, bool csv);
/* The same as the keys gemm_shapes, kernels and nccl_by_size, every row. */
void report_profile_json(struct jw *j, const struct report *r);

#endif
