/* json_writer: see json_writer.h. */
#include "json_writer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "u128.h"

void jw_init(struct jw *j, FILE *f) {
  *j = (struct jw){.f = f};
}

/* Starts a value or a key: a comma after the previous member, then a new indented line. */
static void begin_item(struct jw *j) {
  if (j->after_key) {
    j->after_key = false;
    return;
  }
  if (j->need_comma) fputc(',', j->f);
  if (j->depth > 0 && (!j->line_depth || j->depth <= j->line_depth))
    fprintf(j->f, "\n%*s", 2 * j->depth, "");
}

static void end_value(struct jw *j) {
  j->need_comma = true;
  if (j->depth == 0) fputc('\n', j->f);
}

static void container_begin(struct jw *j, char open) {
  begin_item(j);
  fputc(open, j->f);
  j->depth++;
  j->need_comma = false;
}

static void container_end(struct jw *j, char close) {
  j->depth--;
  if (j->need_comma && (!j->line_depth || j->depth < j->line_depth)) /* empty ones stay {} */
    fprintf(j->f, "\n%*s", 2 * j->depth, "");
  fputc(close, j->f);
  end_value(j);
}

void jw_object_begin(struct jw *j) { container_begin(j, '{'); }
void jw_object_end(struct jw *j) { container_end(j, '}'); }
void jw_array_begin(struct jw *j) { container_begin(j, '['); }
void jw_array_end(struct jw *j) { container_end(j, ']'); }

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one: overlong forms,
 * surrogates and code points above U+10FFFF are invalid. */
static int utf8_length(const unsigned char *s) {
  unsigned char c = s[0];
  int n;
  unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else
    return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (int i = 2; i < n; i++)
    if ((s[i] & 0xc0) != 0x80) return 0;
  return n;
}

static void write_escaped(FILE *f, const char *text) {
  const unsigned char *s = (const unsigned char *)text;
  fputc('"', f);
  while (*s) {
    unsigned char c = *s;
    int n = utf8_length(s);
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c == '\n') fputs("\\n", f);
    else if (c == '\t') fputs("\\t", f);
    else if (c == '\r') fputs("\\r", f);
    else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
    else if (n == 0) fputs("\\ufffd", f); /* not UTF-8 (a path in Latin-1...) */
    else fwrite(s, 1, (size_t)n, f);
    s += n ? n : 1;
  }
  fputc('"', f);
}

void jw_key(struct jw *j, const char *key) {
  begin_item(j);
  write_escaped(j->f, key);
  fputs(j->line_depth && j->depth > j->line_depth ? ":" : ": ", j->f);
  j->after_key = true;
}

void jw_string(struct jw *j, const char *s) {
  if (!s) {
    jw_null(j);
    return;
  }
  begin_item(j);
  write_escaped(j->f, s);
  end_value(j);
}

static void write_raw(struct jw *j, const char *text) {
  begin_item(j);
  fputs(text, j->f);
  end_value(j);
}

void jw_null(struct jw *j) { write_raw(j, "null"); }
void jw_bool(struct jw *j, bool v) { write_raw(j, v ? "true" : "false"); }

void jw_int(struct jw *j, int64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  write_raw(j, buf);
}

void jw_u128(struct jw *j, unsigned __int128 v) {
  char buf[U128_DEC_SIZE];
  write_raw(j, u128_to_dec(buf, v));
}

void jw_double(struct jw *j, double v) {
  if (!isfinite(v)) {
    jw_null(j);
    return;
  }
  char buf[32];
  for (int digits = 15; digits <= 17; digits++) { /* the shortest that reads back exactly */
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (strtod(buf, NULL) == v) break;
  }
  write_raw(j, buf);
}

void jw_key_string(struct jw *j, const char *key, const char *s) {
  jw_key(j, key);
  jw_string(j, s);
}

void jw_key_null(struct jw *j, const char *key) {
  jw_key(j, key);
  jw_null(j);
}

void jw_key_bool(struct jw *j, const char *key, bool v) {
  jw_key(j, key);
  jw_bool(j, v);
}

void jw_key_int(struct jw *j, const char *key, int64_t v) {
  jw_key(j, key);
  jw_int(j, v);
}

void jw_key_u128(struct jw *j, const char *key, unsigned __int128 v) {
  jw_key(j, key);
  jw_u128(j, v);
}

void jw_key_double(struct jw *j, const char *key, double v) {
  jw_key(j, key);
  jw_double(j, v); /* NaN and infinities print as null */
}
