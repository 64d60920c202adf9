/* model_view: how the commands show a model (predict, models) and print JSON made with
 * jansson (predict, models, hw). */
#ifndef MFU_MODEL_VIEW_H
#define MFU_MODEL_VIEW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* A parameter count for people: 8030261248 -> "8.03B". */
const char *model_view_params(uint64_t n, char *buf, size_t size);

/* Every shape field of m, and where it came from. */
json_t *model_view_json(const struct model_shape *m, const char *source);

/* Prints j (indented) on stdout and frees it; 0, or 1 after "CMD: out of memory". */
int cli_json_print(const char *cmd, json_t *j);

#endif
