/* hf_config: a model shape from a Hugging Face config.json, with what transformers implies
 * for each model_type beyond what the file says (MLP kind, tied embeddings, biases, which
 * layers are MoE or use the sliding window). */
#ifndef MFU_HF_CONFIG_H
#define MFU_HF_CONFIG_H

#include <stddef.h>

#include "model.h"
#include "util/strings.h"

/* Reads `path` into m (only the fields the file has; model_resolve completes it). Fields the
 * overrides give need not be in the file. 0, or -1 with a message in err that names the key
 * and the flag that can supply it. An unknown model_type is read with the standard fields,
 * and said in `warnings` (may be NULL). */
int hf_config_load(const char *path, const struct model_overrides *o, struct model_shape *m,
                   struct mfu_strings *warnings, char *err, size_t errsz);

#endif
