/* alloc: the counting allocator of test builds (see alloc.h). Empty of code
 * in a production build. Not thread-safe: the unit tests that arm it run the
 * parsers on one thread. */
#define ALLOC_API_ONLY /* this file calls libc itself */
#include "core/alloc.h"

#ifdef EXAM_TEST_HOOKS
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long alloc_count, alloc_fail_n;
static int alloc_did_fail;

void alloc_fail_at(long n)
{
    alloc_count = 0;
    alloc_fail_n = n;
    alloc_did_fail = 0;
}

long alloc_count_now(void) { return alloc_count; }
int alloc_failed(void) { return alloc_did_fail; }

/* counts one allocation; 1 when this one is to fail */
static int fail_now(void)
{
    alloc_count++;
    if (alloc_fail_n > 0 && alloc_count == alloc_fail_n) {
        alloc_did_fail = 1;
        return 1;
    }
    return 0;
}

void *counted_malloc(size_t n) { return fail_now() ? NULL : malloc(n); }
void *counted_calloc(size_t n, size_t size) { return fail_now() ? NULL : calloc(n, size); }
void *counted_realloc(void *p, size_t n) { return fail_now() ? NULL : realloc(p, n); }
char *counted_strdup(const char *s) { return fail_now() ? NULL : strdup(s); }
char *counted_strndup(const char *s, size_t n) { return fail_now() ? NULL : strndup(s, n); }

int counted_asprintf(char **out, const char *fmt, ...)
{
    if (fail_now()) {
        *out = NULL; /* glibc leaves *out undefined on failure; be strict */
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(out, fmt, ap);
    va_end(ap);
    return n;
}
#else
typedef int alloc_production_build_is_empty; /* ISO C: no empty translation unit */
#endif
