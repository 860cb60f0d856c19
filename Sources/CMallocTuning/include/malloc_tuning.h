#ifndef THREADLINE_MALLOC_TUNING_H
#define THREADLINE_MALLOC_TUNING_H
#include <stddef.h>
/// Caps glibc's malloc arenas (M_ARENA_MAX) unless MALLOC_ARENA_MAX is set; no-op elsewhere.
void threadline_limit_malloc_arenas(int arenas);
/// Fixes glibc's mmap threshold (M_MMAP_THRESHOLD) at `bytes` unless MALLOC_MMAP_THRESHOLD_ is set:
/// blocks this large are mapped on their own and unmapped when freed. No-op elsewhere.
void threadline_fix_mmap_threshold(size_t bytes);
/// Gives free memory in glibc's heaps back to the system (malloc_trim); no-op elsewhere.
void threadline_release_free_memory(void);
#endif
