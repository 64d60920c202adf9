/* Accelerators: dense peak FLOP/s per precision, memory and bandwidth, the device-name
 * strings that select each one, and where every number comes from. */
#ifndef MFU_HARDWARE_H
#define MFU_HARDWARE_H

#include <stdbool.h>
#include <stddef.h>

#include "mfu/precision.h"

/* Peak values that are not numbers. */
#define HW_UNSUPPORTED 0.0   /* the precision does not exist on the device ("–") */
#define HW_UNPUBLISHED -1.0  /* the vendor publishes no figure ("n/p") */

struct accelerator {
  const char *id;       /* short name: "h100-sxm" */
  const char *vendor;   /* "NVIDIA" */
  const char *product;  /* "H100 SXM5 80GB" */
  double tflops[MFU_PREC_COUNT];  /* dense (not sparsity-doubled) TFLOP/s; TOPS for int8 */
  double memory_gb, bandwidth_tbs;
  const char *names[4];    /* device-name strings reported for it (cudaDeviceProp.name, ...) */
  const char *aliases[4];  /* other short names */
  const char *match;       /* words that must all be in a name, for names not listed */
  const char *sources;     /* keys of hw_sources, comma-separated */
};

extern const struct accelerator hw_table[];
extern const size_t hw_count;

struct hw_source {
  const char *key, *what;
};
extern const struct hw_source hw_sources[];
extern const size_t hw_source_count;

/* The accelerator a name selects: a short name or alias, a listed device-name string
 * (letter case, spaces and punctuation do not matter), or an unlisted string whose words
 * single one row out. NULL with a message in err (close names, `--peak-tflops`) when the
 * name is unknown, ambiguous, or a MIG slice. */
const struct accelerator *hw_find(const char *name, char *err, size_t errsz);

/* The peak for a precision, in TFLOP/s; 0 with a message in err when the table has none. */
double hw_tflops(const struct accelerator *a, enum mfu_precision p, char *err, size_t errsz);

/* Whether the row is no hardware but the test doubles' simulated GPU (its source is "SIM"). */
bool hw_simulated(const struct accelerator *a);

/* Whether two names are the same but for letter case, spaces and punctuation. */
bool hw_same_name(const char *a, const char *b);

/* The peak a run is measured against. */
struct hw_peak {
  double tflops;                 /* per device, for `dtype` */
  enum mfu_precision dtype;
  const struct accelerator *hw;  /* the table row, NULL when only --peak-tflops was given */
  bool from_flag;                /* --peak-tflops gave it, not the table */
};

/* Formats a table value: "989.4", "–" or "n/p". */
const char *hw_format(double tflops, char *buf, size_t n);

#endif
