/* compare: two runs side by side (metrics/comparison.h), for people (tables, or CSV) and for
 * machines (one JSON object); the printers compute nothing. */
#ifndef MFU_REPORT_COMPARE_H
#define MFU_REPORT_COMPARE_H

#include <stdbool.h>
#include <stdio.h>

#include "metrics/comparison.h"
#include "report.h"

/* `top`: rows of the GEMM shape table (0: all); csv: every table as CSV instead. */
void compare_text(FILE *out, const struct report *a, const struct report *b,
                  const struct comparison *c, size_t top, bool csv);
void compare_json(FILE *out, const struct report *a, const struct report *b,
                  const struct comparison *c);

#endif
