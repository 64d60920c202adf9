/* table: one table printed either for people (a title, aligned columns) or for spreadsheets
 * (CSV, RFC 4180: a "# ID" line, a header row, one row per line, a blank line after). Both
 * forms carry the same numbers in the same units: the text rounds them, CSV keeps 15
 * significant digits, and a value that is unknown is "-" in text and empty in CSV.
 *
 *     static const struct table_column cols[] = {{"shape", "shape", -20}, {"GPU ms", "gpu_ms", 9}};
 *     struct table t;
 *     table_begin(&t, out, csv, "top GEMM shapes", "gemm_shapes", cols, 2);
 *     table_str(&t, "4096x4096x1024"); table_num(&t, 85.1234, 3); table_end_row(&t);
 *     table_end(&t);
 */
#ifndef MFU_REPORT_TABLE_H
#define MFU_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct table_column {
  const char *title; /* text header */
  const char *key;   /* CSV header: lower case, the unit in it (gpu_ms, share_pct) */
  int width;         /* text: field width; negative: left-aligned */
};

struct table {
  FILE *out;
  bool csv;
  const struct table_column *cols;
  size_t ncols, col;
  const char *paint; /* the next cell's colour (table_paint) */
};

/* `id` NULL: a CSV file of this one table, with no "# ID" line. */
void table_begin(struct table *t, FILE *out, bool csv, const char *title, const char *id,
                 const struct table_column *cols, size_t ncols);
void table_str(struct table *t, const char *s);  /* NULL: unknown */
void table_num(struct table *t, double v, int decimals); /* NaN: unknown */
void table_uint(struct table *t, unsigned long long v);
void table_int(struct table *t, long long v);
/* A fraction as a percentage: "12.5%" in text, 12.5 in CSV (its key ends in _pct); a change
 * with its sign: "+12.5%". */
void table_pct(struct table *t, double fraction, int decimals);
void table_change(struct table *t, double fraction, int decimals);
/* The next cell in a colour: an SGR sequence such as TABLE_RED, or NULL; text only, outside
 * the cell's width (CSV has none). */
#define TABLE_RED "\033[31m"
#define TABLE_YELLOW "\033[33m"
#define TABLE_BOLD "\033[1m"
#define TABLE_RESET "\033[0m"
void table_paint(struct table *t, const char *sgr);
void table_end_row(struct table *t);
/* A line under the table for people (what was left out, how to see it); CSV leaves it out. */
__attribute__((format(printf, 2, 3))) void table_note(struct table *t, const char *fmt, ...);
void table_end(struct table *t);

#endif
