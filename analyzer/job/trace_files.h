/* trace_files: where a job's trace files are: a file named explicitly, or the *.mfutrace
 * files in a directory and its subdirectories. */
#ifndef MFU_TRACE_FILES_H
#define MFU_TRACE_FILES_H

#include <stddef.h>

#include "util/strings.h"

/* Appends to `out` the trace files (*.mfutrace) at `path`: the file itself, or the files in
 * the directory and its subdirectories at any depth, sorted. Subdirectories that cannot be
 * read are named in `warnings` (may be NULL); a link back up the tree is not followed.
 * Returns 0, or -1 with a message in err. */
int trace_files_find(const char *path, struct mfu_strings *out, struct mfu_strings *warnings,
                     char *err, size_t errlen);

#endif
