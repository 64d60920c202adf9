/* sweep_table: the points of a sweep (metrics/sweep.h) as a table: a summary for people, or
 * every figure as a CSV file (mfu sweep's sweep.csv, which scripts/mfu_plot.py reads). */
#ifndef MFU_REPORT_SWEEP_TABLE_H
#define MFU_REPORT_SWEEP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "metrics/sweep.h"

/* The CSV's header: batch,seq,outcome,exit_status,wall_s,ranks,steps,step_s,tokens_per_s,mfu,
 * hfu,coverage,kernel,memory,communication,parallelism,counted_flops_per_step (fractions, not
 * percentages; empty where unknown). */
void sweep_table(FILE *out, const struct sweep_point *p, size_t n, bool csv);

#endif
