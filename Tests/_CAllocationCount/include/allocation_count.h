#ifndef THREADLINE_ALLOCATION_COUNT_H
#define THREADLINE_ALLOCATION_COUNT_H

/// Heap allocations (malloc, calloc, realloc and the aligned forms) made so far by the calling
/// thread. Linked into the test executable, this target's definitions of those functions take the
/// place of glibc's for the whole process, count, and hand over to glibc's own: tests compare the
/// counts of two sizes of input to show that work grows linearly, which no timing can show reliably.
unsigned long long threadline_thread_allocations(void);

/// The bytes those allocations asked for (a realloc counts its new size): work that copies or
/// splits a whole input again for each of its records shows here even when it allocates rarely.
unsigned long long threadline_thread_allocated_bytes(void);

#endif
