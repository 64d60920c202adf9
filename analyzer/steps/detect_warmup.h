/* detect_warmup: steps_warmup (detect.h), and the same over calls already given dense ids,
 * for steps_detect. */
#ifndef MFU_DETECT_WARMUP_H
#define MFU_DETECT_WARMUP_H

#include <stddef.h>
#include <stdint.h>

#include "detect.h"

/* steps_warmup over the calls' dense ids (id[i] < distinct, detect_index.h). */
size_t detect_warmup_of_ids(const uint32_t *id, size_t distinct, const struct steps_span *s,
                            size_t n);

#endif
