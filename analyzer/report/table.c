/* table: see table.h. */
#include "table.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

void table_begin(struct table *t, FILE *out, bool csv, const char *title, const char *id,
                 const struct table_column *cols, size_t ncols) {
  *t = (struct table){.out = out, .csv = csv, .cols = cols, .ncols = ncols};
  if (csv && id) fprintf(out, "# %s\n", id);
  else if (!csv) fprintf(out, "\n%s\n", title);
  for (size_t i = 0; i < ncols; i++) table_str(t, csv ? cols[i].key : cols[i].title);
  table_end_row(t);
}

/* What comes before the next cell: the separator, or the text form's indentation; then its
 * colour, if painted. */
static void next_cell(struct table *t) {
  if (t->col++) fputs(t->csv ? "," : " ", t->out);
  else if (!t->csv) fputs("  ", t->out);
  if (t->paint && !t->csv) fputs(t->paint, t->out);
}

/* After a cell: the colour's end. */
static void end_cell(struct table *t) {
  if (t->paint && !t->csv) fputs(TABLE_RESET, t->out);
  t->paint = NULL;
}

void table_paint(struct table *t, const char *sgr) { t->paint = sgr; }

static int width(const struct table *t) { return t->cols[t->col - 1].width; }

static void csv_quoted(FILE *out, const char *s) {
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"') fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

void table_str(struct table *t, const char *s) {
  if (!t->csv && s && !*s && t->col + 1 == t->ncols && t->cols[t->col].width < 0) {
    t->col++; /* an empty last column: no trailing blank */
    t->paint = NULL;
    return;
  }
  next_cell(t);
  if (t->csv) {
    if (s) csv_quoted(t->out, s);
    return;
  }
  int w = width(t);
  size_t limit = (size_t)(w < 0 ? -w : w);
  if (!s) s = "-";
  /* A left-aligned text column is a name: cut it to its width, the end marked "...". */
  if (w < 0 && t->col < t->ncols && strlen(s) > limit && limit > 3)
    fprintf(t->out, "%.*s...", (int)(limit - 3), s);
  else if (w < 0 && t->col == t->ncols)
    fputs(s, t->out); /* the last column runs on */
  else
    fprintf(t->out, "%*s", w, s);
  end_cell(t);
}

void table_num(struct table *t, double v, int decimals) {
  if (isnan(v)) {
    table_str(t, NULL);
    return;
  }
  next_cell(t);
  if (t->csv) fprintf(t->out, "%.15g", v);
  else fprintf(t->out, "%*.*f", width(t), decimals, v);
  end_cell(t);
}

static void percent(struct table *t, double fraction, int decimals, const char *format) {
  if (isnan(fraction) || t->csv) {
    table_num(t, 100 * fraction, decimals);
    return;
  }
  next_cell(t);
  fprintf(t->out, format, width(t) - 1, decimals, 100 * fraction);
  end_cell(t);
}

void table_pct(struct table *t, double fraction, int decimals) {
  percent(t, fraction, decimals, "%*.*f%%");
}

void table_change(struct table *t, double fraction, int decimals) {
  percent(t, fraction, decimals, "%+*.*f%%");
}

void table_uint(struct table *t, unsigned long long v) {
  next_cell(t);
  if (t->csv) fprintf(t->out, "%llu", v);
  else fprintf(t->out, "%*llu", width(t), v);
  end_cell(t);
}

void table_int(struct table *t, long long v) {
  next_cell(t);
  if (t->csv) fprintf(t->out, "%lld", v);
  else fprintf(t->out, "%*lld", width(t), v);
  end_cell(t);
}

void table_end_row(struct table *t) {
  fputc('\n', t->out);
  t->col = 0;
}

void table_note(struct table *t, const char *fmt, ...) {
  if (t->csv) return;
  va_list ap;
  va_start(ap, fmt);
  fputs("  ", t->out);
  vfprintf(t->out, fmt, ap);
  fputc('\n', t->out);
  va_end(ap);
}

void table_end(struct table *t) {
  if (t->csv) fputc('\n', t->out);
}
