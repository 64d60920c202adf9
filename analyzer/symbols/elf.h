/* elf: the function symbols of one ELF file (.symtab and .dynsym) and its GNU build id, read
 * once, for looking addresses up. 64-bit files of the host's byte order. */
#ifndef MFU_SYMBOLS_ELF_H
#define MFU_SYMBOLS_ELF_H

#include <stddef.h>
#include <stdint.h>

struct elf_symbol {
  uint64_t value; /* virtual address in the file */
  uint64_t size;  /* 0: unknown (then it ends where the next one starts) */
  char *name;     /* as in the file (mangled) */
};

struct elf_symbols {
  struct elf_symbol *v; /* sorted by value, one per address */
  size_t n;
  uint8_t build_id[32];
  size_t build_id_len; /* 0: none */
  int has_symtab;      /* 1: .symtab was there (not stripped); else .dynsym only */
};

/* Reads the function symbols and build id of the ELF file at `path`. Returns 0, or -1 with err
 * saying why (cannot open, not ELF, 32-bit, other byte order, damaged). */
int elf_read(struct elf_symbols *s, const char *path, char *err, size_t errsz);

/* Adds the function symbols of `path` (a separate debug file) to s. 0, or -1 with err. */
int elf_merge(struct elf_symbols *s, const char *path, char *err, size_t errsz);

/* The symbol holding virtual address `vaddr`, or NULL: the last symbol at or below it, if
 * vaddr lies within its size (or it has none). */
const struct elf_symbol *elf_lookup(const struct elf_symbols *s, uint64_t vaddr);

void elf_free(struct elf_symbols *s);

#endif
