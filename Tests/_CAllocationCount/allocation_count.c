#include "allocation_count.h"

#include <errno.h>
#include <malloc.h>
#include <stddef.h>

// glibc's allocator under its own names, which it exports for exactly this use.
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

// Per thread, so tests running at the same time on other threads do not count here; a plain
// thread-local of the executable needs no allocation of its own.
static __thread unsigned long long allocations;
static __thread unsigned long long allocated_bytes;
// The usable bytes of the blocks this thread allocated less those it freed, and their highest value
// since the last reset.
static __thread long long live_bytes;
static __thread long long peak_live_bytes;

unsigned long long threadline_thread_allocations(void) { return allocations; }

unsigned long long threadline_thread_allocated_bytes(void) { return allocated_bytes; }

long long threadline_thread_live_bytes(void) { return live_bytes; }

long long threadline_thread_peak_live_bytes(void) { return peak_live_bytes; }

void threadline_thread_reset_peak_live_bytes(void) { peak_live_bytes = live_bytes; }

static void count(size_t bytes) {
    allocations++;
    allocated_bytes += bytes;
}

static void *live(void *pointer) {
    if (pointer != NULL) {
        live_bytes += (long long)malloc_usable_size(pointer);
        if (live_bytes > peak_live_bytes) peak_live_bytes = live_bytes;
    }
    return pointer;
}

void *malloc(size_t size) {
    count(size);
    return live(__libc_malloc(size));
}

void *calloc(size_t number, size_t size) {
    count(number * size);
    return live(__libc_calloc(number, size));
}

void *realloc(void *pointer, size_t size) {
    count(size);
    long long before = (long long)malloc_usable_size(pointer);
    void *moved = __libc_realloc(pointer, size);
    // A failed realloc keeps the block; a realloc to 0 may free it.
    if (moved != NULL || size == 0) live_bytes -= before;
    return live(moved);
}

void free(void *pointer) {
    live_bytes -= (long long)malloc_usable_size(pointer);
    __libc_free(pointer);
}

void *memalign(size_t alignment, size_t size) {
    count(size);
    return live(__libc_memalign(alignment, size));
}

void *aligned_alloc(size_t alignment, size_t size) {
    count(size);
    return live(__libc_memalign(alignment, size));
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment == 0 || alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    count(size);
    void *pointer = live(__libc_memalign(alignment, size));
    if (pointer == NULL && size != 0) return ENOMEM;
    *out = pointer;
    return 0;
}
