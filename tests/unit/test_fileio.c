/* Unit tests for core/fileio.c: bounded reads at and around the limit,
 * atomic writes (mode, no-replace, nothing half-written), the instance lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fileio.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_fileio.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *name, size_t n, char path[128])
{
    snprintf(path, 128, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) fputc('a' + (int)(i % 26), f);
    assert_int_equal(fclose(f), 0);
}

/* A file of exactly MAX bytes is read whole; one byte more is refused. */
static void test_read_at_the_limit(void **state)
{
    (void)state;
    char path[128];
    unsigned char *buf = NULL;
    size_t len = 0;
    char *why = NULL;
    size_t sizes[] = {0, 1, 31, 32, 33, 4096, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t n = sizes[i];
        put("f", n, path);
        if (fileio_read(path, n, &buf, &len, &why)) fail_msg("%zu bytes, limit %zu: %s", n, n, why);
        assert_int_equal(len, n);
        assert_int_equal(buf[n], 0);
        if (n) assert_int_equal(buf[n - 1], 'a' + (int)((n - 1) % 26));
        free(buf);
        if (n) {
            assert_int_not_equal(fileio_read(path, n - 1, &buf, &len, &why), 0);
            assert_null(buf);
            assert_non_null(strstr(why, "too large"));
            free(why);
            why = NULL;
        }
        assert_int_equal(fileio_read(path, n + 1, &buf, &len, &why), 0);
        assert_int_equal(len, n);
        free(buf);
    }
}

static void test_read_refuses_what_is_not_a_file(void **state)
{
    (void)state;
    unsigned char *buf = NULL;
    size_t len = 0;
    char *why = NULL;
    assert_int_not_equal(fileio_read(dir, 1024, &buf, &len, &why), 0);
    assert_string_equal(why, "not a regular file");
    free(why);
    why = NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/absent", dir);
    assert_int_not_equal(fileio_read(path, 1024, &buf, &len, &why), 0);
    assert_non_null(strstr(why, "cannot open"));
    free(why);
}

static void test_write_atomic_mode_and_no_replace(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/w", dir);
    char *why = NULL;
    assert_int_equal(fileio_write_atomic(path, "one", 3, 0600, 1, &why), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    /* no-replace: refused, the old content stays */
    assert_int_not_equal(fileio_write_atomic(path, "two!", 4, 0600, 1, &why), 0);
    free(why);
    why = NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    assert_int_equal(fileio_read(path, 64, &buf, &len, &why), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(buf, "one", 3);
    free(buf);
    /* replace: the new content whole, and no temporary left beside it */
    assert_int_equal(fileio_write_atomic(path, "two!", 4, 0644, 0, &why), 0);
    assert_int_equal(fileio_read(path, 64, &buf, &len, &why), 0);
    assert_int_equal(len, 4);
    free(buf);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s' | grep -v '^f$')\" = w", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(unlink(path), 0);
}

static void test_lock_is_exclusive(void **state)
{
    (void)state;
    int fd = -1, fd2 = -1;
    long holder = -1;
    char *why = NULL;
    assert_int_equal(fileio_lock(dir, "lock", &fd, &holder, &why), 0);
    /* flock is per open file description: a second open in this process
     * conflicts just as another process would */
    assert_int_equal(fileio_lock(dir, "lock", &fd2, &holder, &why), 1);
    assert_int_equal(holder, (long)getpid());
    close(fd);
    assert_int_equal(fileio_lock(dir, "lock", &fd2, &holder, &why), 0);
    close(fd2);
}

/* issue 11 item 12: an output directory for personal data */
static void test_private_dir(void **state)
{
    (void)state;
    char *why = NULL, sub[160], file[160];
    mode_t old = umask(022);
    snprintf(sub, sizeof sub, "%s/out", dir);
    /* new: made 0700 whatever the umask */
    assert_int_equal(fileio_private_dir(sub, &why), 0);
    struct stat sb;
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0700);
    /* ours and 0700: accepted again */
    assert_int_equal(fileio_private_dir(sub, &why), 0);
    /* open to others: refused with the fix, and left as it was */
    assert_int_equal(chmod(sub, 0755), 0);
    assert_int_equal(fileio_private_dir(sub, &why), -1);
    assert_non_null(strstr(why, "chmod 700"));
    assert_non_null(strstr(why, "0755"));
    free(why);
    why = NULL;
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0755);
    /* not a directory */
    snprintf(file, sizeof file, "%s/plain", dir);
    assert_int_equal(fileio_write_atomic(file, "x", 1, 0600, 0, &why), 0);
    assert_int_equal(fileio_private_dir(file, &why), -1);
    assert_non_null(strstr(why, "not a directory"));
    free(why);
    umask(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_at_the_limit),
        cmocka_unit_test(test_read_refuses_what_is_not_a_file),
        cmocka_unit_test(test_write_atomic_mode_and_no_replace),
        cmocka_unit_test(test_lock_is_exclusive),
        cmocka_unit_test(test_private_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
