#include "sb_memory.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void sb_memory_return_freed(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
#else
    (void) mmap_threshold;
    (void) trim_threshold;
#endif
}

void sb_memory_trim(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
