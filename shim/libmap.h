/* The loaded ELF objects and their address ranges (libmap.c), so that a native frame is
 * stored as a module and an offset, which the analyzer can symbolize from the module's file. */
#ifndef MFU_SHIM_LIBMAP_H
#define MFU_SHIM_LIBMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Brings the map up to date if objects were loaded or unloaded since the last look (one
 * dl_iterate_phdr step when nothing changed); true if they were. Not for signal handlers. */
bool mfu_libmap_refresh(void);

/* The frame of return address `addr`: mfu_cs_frame(module id, offset), or MFU_CS_NO_MODULE
 * and the address when no known module holds it. Lock-free. */
uint64_t mfu_libmap_frame(uintptr_t addr);

/* Appends to buf (room for `cap` bytes) the MODULE entries (include/mfu/callsites.h) of the
 * modules not yet taken, in id order; returns the bytes appended. For the one consumer, the
 * writer, under its lock; async-signal-safe. */
size_t mfu_libmap_take(unsigned char *buf, size_t cap);

#endif
