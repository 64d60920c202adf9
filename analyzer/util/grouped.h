/* grouped: messages said of many ranks, one line per kind. A job of 1,024 ranks killed by its
 * time limit has 1,024 incomplete files: its report says so once, with how many, the first
 * few rank numbers and the first one's details, not 1,024 times.
 *
 *     struct mfu_grouped g = {0};
 *     for each file: mfu_grouped_add(&g, "incomplete", "are incomplete", rank,
 *                                    mfu_xasprintf("rank %d (%s) is incomplete at ...", ...),
 *                                    true);
 *     mfu_grouped_flush(&g, &warnings);   // in the order each kind was first added
 */
#ifndef MFU_GROUPED_H
#define MFU_GROUPED_H

#include <stdbool.h>
#include <stddef.h>

#include "strings.h"

#define MFU_GROUPED_RANKS 5 /* rank numbers named per line */

struct mfu_group;
struct mfu_grouped {
  struct mfu_group *v;
  size_t n, cap;
};

/* Adds one rank's message of a kind. `kind` identifies the kind (equal kinds are one line);
 * `what` says it of several ranks ("are incomplete"); `rank` < 0 is a file of unknown rank;
 * `message` (malloc'ed, taken) is what is said when this rank is the only one; when `detail`,
 * it adds to `what` (the offset, the path), and the first rank's follows the summary of
 * several. */
void mfu_grouped_add(struct mfu_grouped *g, const char *kind, const char *what, long rank,
                     char *message, bool detail);

/* Appends one line per kind to `out` and empties `g`:
 *   one rank:  its message
 *   several:   "25 ranks (0, 1, 2, 3, 4 and 20 more) are incomplete; the first: MESSAGE"
 *              (without "; the first: ..." unless `detail`) */
void mfu_grouped_flush(struct mfu_grouped *g, struct mfu_strings *out);

#endif
