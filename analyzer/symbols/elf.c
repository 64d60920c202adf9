/* elf: see elf.h. The file is mapped read-only and every offset in it is checked against its
 * size before use, so a damaged or truncated file is an error, never a crash. */
#include "elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/errmsg.h"
#include "util/sort.h"

struct file {
  const unsigned char *p;
  size_t size;
};

static bool within(const struct file *f, uint64_t off, uint64_t len) {
  return off <= f->size && len <= f->size - off;
}

/* A binding's rank when two symbols share an address: the global name is the one to show. */
static int binding_rank(unsigned char info) {
  switch (ELF64_ST_BIND(info)) {
  case STB_GLOBAL: return 0;
  case STB_WEAK: return 1;
  default: return 2;
  }
}

struct candidate {
  struct elf_symbol sym;
  int rank;
};

struct collect {
  struct candidate *v;
  size_t n, cap;
};

static int read_symbols(const struct file *f, const Elf64_Shdr *sh, const Elf64_Shdr *all,
                        unsigned nsections, struct collect *out, const char *path, char *err,
                        size_t errsz) {
  if (sh->sh_link >= nsections || sh->sh_entsize != sizeof(Elf64_Sym) ||
      !within(f, sh->sh_offset, sh->sh_size))
    return errmsg(err, errsz, "%s: a symbol table is damaged (section bounds): rebuild or "
                              "re-copy the file", path);
  const Elf64_Shdr *str = &all[sh->sh_link];
  if (!within(f, str->sh_offset, str->sh_size))
    return errmsg(err, errsz, "%s: a string table is damaged (section bounds)", path);
  const char *names = (const char *)f->p + str->sh_offset;
  const Elf64_Sym *syms = (const Elf64_Sym *)(f->p + sh->sh_offset);
  for (size_t i = 0; i < sh->sh_size / sizeof *syms; i++) {
    const Elf64_Sym *s = &syms[i];
    unsigned type = ELF64_ST_TYPE(s->st_info);
    if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s->st_shndx == SHN_UNDEF || !s->st_value ||
        s->st_name >= str->sh_size || !memchr(names + s->st_name, '\0', str->sh_size - s->st_name))
      continue;
    MFU_GROW(out->v, out->n, out->cap);
    out->v[out->n++] = (struct candidate){
        {s->st_value, s->st_size, mfu_xstrdup(names + s->st_name)}, binding_rank(s->st_info)};
  }
  return 0;
}

static void read_build_id(const struct file *f, const Elf64_Shdr *sh, struct elf_symbols *s) {
  if (!within(f, sh->sh_offset, sh->sh_size)) return;
  const unsigned char *p = f->p + sh->sh_offset, *end = p + sh->sh_size;
  while ((size_t)(end - p) >= sizeof(Elf64_Nhdr)) {
    Elf64_Nhdr n;
    memcpy(&n, p, sizeof n);
    uint64_t name_len = (n.n_namesz + 3ull) & ~3ull, desc_len = (n.n_descsz + 3ull) & ~3ull;
    if ((uint64_t)(end - p) - sizeof n < name_len + desc_len) return;
    const unsigned char *name = p + sizeof n, *desc = name + name_len;
    if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && !memcmp(name, "GNU", 4) &&
        n.n_descsz > 0 && n.n_descsz <= sizeof s->build_id) {
      memcpy(s->build_id, desc, n.n_descsz);
      s->build_id_len = n.n_descsz;
      return;
    }
    p = desc + desc_len;
  }
}

static int compare_candidates(const void *a, const void *b) {
  const struct candidate *x = a, *y = b;
  if (x->sym.value != y->sym.value) return MFU_COMPARE(x->sym.value, y->sym.value);
  if ((x->sym.size > 0) != (y->sym.size > 0)) return x->sym.size > 0 ? -1 : 1;
  if (x->rank != y->rank) return MFU_COMPARE(x->rank, y->rank);
  return MFU_COMPARE(strlen(x->sym.name), strlen(y->sym.name));
}

/* Sorts s's symbols with `more`, keeping the best-named one at each address. */
static void settle(struct elf_symbols *s, struct collect *more) {
  for (size_t i = 0; i < s->n; i++) {
    MFU_GROW(more->v, more->n, more->cap);
    more->v[more->n++] = (struct candidate){s->v[i], 0};
  }
  free(s->v);
  mfu_sort(more->v, more->n, sizeof *more->v, compare_candidates);
  s->v = mfu_xmalloc(more->n, sizeof *s->v);
  s->n = 0;
  for (size_t i = 0; i < more->n; i++) {
    if (s->n && s->v[s->n - 1].value == more->v[i].sym.value)
      free(more->v[i].sym.name);
    else
      s->v[s->n++] = more->v[i].sym;
  }
  free(more->v);
}

static int read_file(struct elf_symbols *s, const char *path, char *err, size_t errsz) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errmsg(err, errsz, "cannot open %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
    close(fd);
    return errmsg(err, errsz, "%s is not an ELF file (too small, or not a regular file)", path);
  }
  struct file f = {mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0), (size_t)st.st_size};
  close(fd);
  if (f.p == MAP_FAILED) return errmsg(err, errsz, "cannot map %s: %s", path, strerror(errno));
  int rc = 0;
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f.p;
  const unsigned char host_order = (union { uint16_t u; unsigned char c; }){1}.c ? ELFDATA2LSB : ELFDATA2MSB;
  struct collect found = {0};
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
    rc = errmsg(err, errsz, "%s is not an ELF file (no ELF magic)", path);
  else if (eh->e_ident[EI_CLASS] != ELFCLASS64)
    rc = errmsg(err, errsz, "%s is a 32-bit ELF file: only 64-bit files are read", path);
  else if (eh->e_ident[EI_DATA] != host_order)
    rc = errmsg(err, errsz, "%s has the other byte order than this machine: symbolize it on a "
                            "machine of its own kind", path);
  else if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
           !within(&f, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
    rc = errmsg(err, errsz, "%s: its section headers are damaged or cut off", path);
  const Elf64_Shdr *sh = rc ? NULL : (const Elf64_Shdr *)(f.p + eh->e_shoff);
  for (unsigned i = 0; sh && i < eh->e_shnum && rc == 0; i++) {
    if (sh[i].sh_type == SHT_SYMTAB || sh[i].sh_type == SHT_DYNSYM) {
      rc = read_symbols(&f, &sh[i], sh, eh->e_shnum, &found, path, err, errsz);
      if (sh[i].sh_type == SHT_SYMTAB) s->has_symtab = 1;
    } else if (sh[i].sh_type == SHT_NOTE && !s->build_id_len) {
      read_build_id(&f, &sh[i], s);
    }
  }
  munmap((void *)f.p, f.size);
  if (rc) {
    for (size_t i = 0; i < found.n; i++) free(found.v[i].sym.name);
    free(found.v);
    return rc;
  }
  settle(s, &found);
  return 0;
}

int elf_read(struct elf_symbols *s, const char *path, char *err, size_t errsz) {
  memset(s, 0, sizeof *s);
  return read_file(s, path, err, errsz);
}

int elf_merge(struct elf_symbols *s, const char *path, char *err, size_t errsz) {
  struct elf_symbols debug = {0};
  if (read_file(&debug, path, err, errsz) != 0) return -1;
  struct collect more = {0};
  for (size_t i = 0; i < debug.n; i++) {
    MFU_GROW(more.v, more.n, more.cap);
    more.v[more.n++] = (struct candidate){debug.v[i], 1};
  }
  free(debug.v);
  s->has_symtab |= debug.has_symtab;
  settle(s, &more);
  return 0;
}

const struct elf_symbol *elf_lookup(const struct elf_symbols *s, uint64_t vaddr) {
  size_t lo = 0, hi = s->n;
  while (lo < hi) { /* the first symbol above vaddr */
    size_t mid = lo + (hi - lo) / 2;
    if (s->v[mid].value <= vaddr)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return NULL;
  const struct elf_symbol *sym = &s->v[lo - 1];
  return sym->size == 0 || vaddr < sym->value + sym->size ? sym : NULL;
}

void elf_free(struct elf_symbols *s) {
  for (size_t i = 0; i < s->n; i++) free(s->v[i].name);
  free(s->v);
  memset(s, 0, sizeof *s);
}
