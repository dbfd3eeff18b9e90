/* alloc: the counting allocator of test builds (as curl's CURL_MEMDEBUG).
 *
 * In a test build (-DEXAM_TEST_HOOKS) a core file that includes this header
 * LAST, after every system header, allocates through counted_malloc & co. (not test_malloc: cmocka has that name): each
 * call counts, and the Nth can be made to fail as if memory ran out, so that
 * tests/unit/test_alloc_fail.c can run a parser with every one of its
 * allocations failing in turn. In a production build the header defines
 * nothing and the files call libc directly.
 *
 * Wrapped: malloc, calloc, realloc, strdup, strndup, asprintf. Not wrapped:
 * free (nothing to fail), and the allocations inside sqlite, libsodium, zlib
 * and inih. Included by the parsers (csv, bank, blueprint, roster, result)
 * and by dynbuf, the growing buffer they build text in, so that its growth
 * fails in turn too. */
#ifndef ALLOC_H
#define ALLOC_H

#ifdef EXAM_TEST_HOOKS
#include <stddef.h>

void *counted_malloc(size_t n);
void *counted_calloc(size_t n, size_t size);
void *counted_realloc(void *p, size_t n);
char *counted_strdup(const char *s);
char *counted_strndup(const char *s, size_t n);
int counted_asprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Arms the allocator: the Nth counted allocation from now fails (returns
 * NULL), and only that one; 0 disarms. Resets the count. */
void alloc_fail_at(long n);
/* Counted allocations since the last alloc_fail_at. */
long alloc_count_now(void);
/* 1 once the armed allocation has failed. */
int alloc_failed(void);

/* a test that only arms the allocator defines ALLOC_API_ONLY first */
#ifndef ALLOC_API_ONLY
#undef malloc
#undef calloc
#undef realloc
#undef strdup
#undef strndup
#undef asprintf
#define malloc(n) counted_malloc(n)
#define calloc(n, size) counted_calloc(n, size)
#define realloc(p, n) counted_realloc(p, n)
#define strdup(s) counted_strdup(s)
#define strndup(s, n) counted_strndup(s, n)
#define asprintf(...) counted_asprintf(__VA_ARGS__)
#endif
#endif

#endif
