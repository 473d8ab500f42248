#ifndef SWITCHBOARD_SB_MEMORY_H
#define SWITCHBOARD_SB_MEMORY_H
/* glibc's allocator, so memory an attack took is given back when it ends (malloc.h is not in Swift's
 * Glibc module). */

/* Fixes the mmap threshold at `mmap_threshold` bytes (which also turns off glibc's dynamic raising of
 * it, the reason freed 1 MiB bodies stayed in the heap) and the trim threshold at `trim_threshold`:
 * blocks at least that large are mmapped and unmapped on free. No-op off glibc. */
void sb_memory_return_freed(int mmap_threshold, int trim_threshold);

/* malloc_trim(0): gives free heap pages of every arena back to the system. No-op off glibc. */
void sb_memory_trim(void);
#endif
