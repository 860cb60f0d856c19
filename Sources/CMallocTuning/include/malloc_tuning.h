#ifndef THREADLINE_MALLOC_TUNING_H
#define THREADLINE_MALLOC_TUNING_H
/// Caps glibc's malloc arenas (M_ARENA_MAX) unless MALLOC_ARENA_MAX is set; no-op elsewhere.
void threadline_limit_malloc_arenas(int arenas);
/// Gives free memory in glibc's heaps back to the system (malloc_trim); no-op elsewhere.
void threadline_release_free_memory(void);
#endif
