#include "malloc_tuning.h"
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void threadline_limit_malloc_arenas(int arenas) {
#if defined(__GLIBC__)
    if (getenv("MALLOC_ARENA_MAX") == NULL) {
        mallopt(M_ARENA_MAX, arenas);
    }
#else
    (void)arenas;
#endif
}

void threadline_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
