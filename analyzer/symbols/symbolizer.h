/* symbolizer: function names for native frames (a module's path and build id, an offset in
 * it), from the modules' ELF files on this machine, each read once however many ranks and
 * frames name it, C++ names demangled when libstdc++ can be loaded. A file whose build id is
 * not the one the run recorded gives no names (it changed since the run): never a wrong one. */
#ifndef MFU_SYMBOLIZER_H
#define MFU_SYMBOLIZER_H

#include <stddef.h>
#include <stdint.h>

struct symbolizer;

struct symbolizer *symbolizer_new(void);

/* The name of the function holding return address `offset` of the module (the byte before it
 * is looked up: a call's return address can lie past its function's end), with *into set to
 * the offset into the function. NULL when there is none, and *why says why (the file cannot
 * be read, its build id differs, no symbol covers the address). Strings live as long as z. */
const char *symbolizer_name(struct symbolizer *z, const char *path, const uint8_t *build_id,
                            size_t build_id_len, uint64_t offset, uint64_t *into, const char **why);

void symbolizer_free(struct symbolizer *z);

#endif
