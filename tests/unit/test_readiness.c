/* Unit tests for core/readiness.c: the lab-PC checks without a display
 * (clock, disk, fsync, data-directory ownership and modes, loaded content)
 * and the one-line report format shared with the kiosk and examsync. Each
 * test works in its own directory under /tmp, removed at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/authority.h"
#include "core/readiness.h"
#include "core/store.h"

typedef struct tmp {
    char dir[64];
} tmp;

static int tmp_setup(void **state)
{
    tmp *t = calloc(1, sizeof *t);
    if (!t) return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/test_readiness.XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    tmp *t = *state;
    DIR *d = opendir(t->dir);
    struct dirent *de;
    char p[512];
    while (d && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", t->dir, de->d_name);
            unlink(p);
        }
    if (d) closedir(d);
    rmdir(t->dir);
    free(t);
    return 0;
}

static void put(const char *dir, const char *name, mode_t mode)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x\n", 2), 2);
    close(fd);
    assert_int_equal(chmod(p, mode), 0);
}

/* a provisioned-looking data directory: the three files examsync init makes */
static void provisioned(const char *dir)
{
    put(dir, "authority.pub", 0644);
    put(dir, "device.key", 0600);
    put(dir, STORE_DB_NAME, 0600);
}

static const readiness_item *last(const readiness_list *l) { return &l->item[l->n - 1]; }

/* ---- the list and its lines ------------------------------------------------------ */

static void test_format_and_parse(void **state)
{
    (void)state;
    readiness_list l = {0};
    assert_int_equal(readiness_add(&l, "disk", 1, "%d GB free", 3), 1);
    assert_int_equal(readiness_add(&l, "keyboard-grab", 0, "held by %s", "another program"), 0);
    char line[READINESS_LINE_MAX];
    readiness_format(&l.item[0], line, sizeof line);
    assert_string_equal(line, "OK   disk: 3 GB free");
    readiness_format(&l.item[1], line, sizeof line);
    assert_string_equal(line, "FAIL keyboard-grab: held by another program");

    readiness_item it;
    assert_int_equal(readiness_parse("FAIL keyboard-grab: held by another program\n", &it), 0);
    assert_string_equal(it.name, "keyboard-grab");
    assert_int_equal(it.ok, 0);
    assert_string_equal(it.detail, "held by another program");
    assert_int_equal(readiness_parse("OK   font: Noto Sans CJK SC 中文", &it), 0);
    assert_int_equal(it.ok, 1);
    assert_string_equal(it.detail, "Noto Sans CJK SC 中文");
    /* what is not a check line */
    assert_int_equal(readiness_parse("kiosk: cannot start the display", &it), -1);
    assert_int_equal(readiness_parse("OK  disk: two spaces", &it), -1);
    assert_int_equal(readiness_parse("FAIL Disk: upper case", &it), -1);
    assert_int_equal(readiness_parse("FAIL disk no colon", &it), -1);
    assert_int_equal(readiness_parse("11 checks, 0 failed", &it), -1);

    char *r = readiness_report(&l, 1);
    assert_non_null(r);
    assert_string_equal(r, "OK   disk: 3 GB free\nFAIL keyboard-grab: held by another program\n2 checks, 1 failed\n");
    free(r);
    r = readiness_report(&l, 0);
    assert_string_equal(r, "OK   disk: 3 GB free\nFAIL keyboard-grab: held by another program\n");
    free(r);
    assert_int_equal(readiness_failed(&l), 1);
}

static void test_detail_one_line_and_whole_characters(void **state)
{
    (void)state;
    readiness_list l = {0};
    readiness_add(&l, "packs", 0, "first\nsecond\r\tthird");
    assert_string_equal(l.item[0].detail, "first second  third");
    /* too long: cut, but never inside a character (中 is 3 bytes) */
    char big[READINESS_DETAIL_MAX * 2] = "";
    for (int i = 0; i < READINESS_DETAIL_MAX / 3 + 10; i++) strcat(big, "中");
    char shifted[READINESS_DETAIL_MAX * 2 + 2];
    snprintf(shifted, sizeof shifted, "a%s", big); /* make the cut land mid-character */
    readiness_add(&l, "packs", 0, "%s", shifted);
    const char *d = l.item[1].detail;
    size_t n = strlen(d);
    assert_true(n < READINESS_DETAIL_MAX);
    assert_int_equal((n - 1) % 3, 0);
    assert_string_equal(d + n - 3, "中");
}

static void test_fail_display(void **state)
{
    (void)state;
    readiness_list l = {0};
    readiness_fail_display(&l, "no display (DISPLAY not set)");
    assert_int_equal(l.n, 4);
    assert_int_equal(readiness_failed(&l), 4);
    assert_string_equal(l.item[0].name, READINESS_DISPLAY);
    assert_string_equal(l.item[1].name, READINESS_FONT);
    assert_string_equal(l.item[2].name, READINESS_IME);
    assert_string_equal(l.item[3].name, READINESS_GRAB);
    assert_string_equal(l.item[3].detail, "no display (DISPLAY not set)");
}

/* ---- clock ---------------------------------------------------------------------------- */

static void test_clock(void **state)
{
    (void)state;
    readiness_list l = {0};
    assert_int_equal(readiness_check_clock(&l, 5), 1);
    assert_string_equal(l.item[0].name, READINESS_CLOCK);
    assert_non_null(strstr(l.item[0].detail, "never went backwards"));

    char *why = NULL;
    const int64_t good[] = {10, 10, 11, 50};
    assert_int_equal(readiness_clock_series(good, 4, &why), 0);
    const int64_t back[] = {10, 20, 15, 30};
    assert_int_equal(readiness_clock_series(back, 4, &why), -1);
    assert_non_null(strstr(why, "reading 3 of 4 went backwards by 5 ns"));
    free(why);
    why = NULL;
    const int64_t flat[] = {7, 7, 7};
    assert_int_equal(readiness_clock_series(flat, 3, &why), -1);
    assert_non_null(strstr(why, "did not advance"));
    free(why);
    why = NULL;
    assert_int_equal(readiness_clock_series(good, 1, &why), -1);
    free(why);
}

/* ---- disk and fsync --------------------------------------------------------------------- */

static void test_disk(void **state)
{
    tmp *t = *state;
    readiness_list l = {0};
    assert_int_equal(readiness_check_disk(&l, t->dir, 1), 1);
    assert_non_null(strstr(last(&l)->detail, "free in"));
    assert_int_equal(readiness_check_disk(&l, t->dir, UINT64_MAX), 0);
    assert_non_null(strstr(last(&l)->detail, "only "));
    assert_int_equal(readiness_check_disk(&l, "/nonexistent/readiness", 1), 0);
}

static void test_fsync_timing(void **state)
{
    tmp *t = *state;
    readiness_list l = {0};
    double worst = -2;
    assert_int_equal(readiness_check_fsync(&l, t->dir, 3, 10000, &worst), 1);
    assert_true(worst >= 0 && worst < 10000);
    assert_non_null(strstr(last(&l)->detail, "worst of 3 write+fsync rounds"));
    /* a limit no disk can meet */
    assert_int_equal(readiness_check_fsync(&l, t->dir, 2, -1, &worst), 0);
    assert_true(worst >= 0);
    assert_non_null(strstr(last(&l)->detail, "limit"));
    /* the probe file is gone afterwards */
    DIR *d = opendir(t->dir);
    struct dirent *de;
    int left = 0;
    while ((de = readdir(d))) left += !strncmp(de->d_name, ".readiness-probe", 16);
    closedir(d);
    assert_int_equal(left, 0);
    /* nowhere to write */
    assert_int_equal(readiness_check_fsync(&l, "/nonexistent/readiness", 2, 200, &worst), 0);
    assert_true(worst < 0);
    assert_non_null(strstr(last(&l)->detail, "cannot write a probe file"));
}

/* ---- ownership and modes ------------------------------------------------------------------ */

static void test_dir_mode(void **state)
{
    tmp *t = *state;
    readiness_list l = {0};
    assert_int_equal(readiness_check_dir(&l, t->dir), 1); /* mkdtemp: 0700 */
    assert_non_null(strstr(last(&l)->detail, "mode 0700"));
    assert_int_equal(chmod(t->dir, 0777), 0);
    assert_int_equal(readiness_check_dir(&l, t->dir), 0);
    assert_non_null(strstr(last(&l)->detail, "is 0777"));
    assert_non_null(strstr(last(&l)->detail, "chmod 700"));
    assert_int_equal(chmod(t->dir, 0750), 0);
    assert_int_equal(readiness_check_dir(&l, t->dir), 0);
    assert_non_null(strstr(last(&l)->detail, "can read"));
    assert_int_equal(chmod(t->dir, 0700), 0);
    assert_int_equal(readiness_check_dir(&l, "/nonexistent/readiness"), 0);
}

static void test_file_modes(void **state)
{
    tmp *t = *state;
    readiness_list l = {0};
    provisioned(t->dir);
    assert_int_equal(readiness_check_files(&l, t->dir), 1);
    assert_non_null(strstr(last(&l)->detail, "authority.pub 0644, device.key 0600, kiosk.db 0600"));

    char p[512];
    snprintf(p, sizeof p, "%s/%s", t->dir, STORE_DB_NAME);
    assert_int_equal(chmod(p, 0644), 0); /* personal data readable by all */
    assert_int_equal(readiness_check_files(&l, t->dir), 0);
    assert_non_null(strstr(last(&l)->detail, "kiosk.db is 0644: group/others can read it"));
    assert_non_null(strstr(last(&l)->detail, "chmod 600"));
    assert_int_equal(chmod(p, 0600), 0);

    snprintf(p, sizeof p, "%s/authority.pub", t->dir);
    assert_int_equal(chmod(p, 0666), 0); /* public, but nobody else may change it */
    assert_int_equal(readiness_check_files(&l, t->dir), 0);
    assert_non_null(strstr(last(&l)->detail, "authority.pub is 0666: group/others can write it"));
    assert_int_equal(chmod(p, 0644), 0);

    put(t->dir, "kiosk.db-wal", 0640);
    assert_int_equal(readiness_check_files(&l, t->dir), 0);
    assert_non_null(strstr(last(&l)->detail, "kiosk.db-wal is 0640"));
    snprintf(p, sizeof p, "%s/kiosk.db-wal", t->dir);
    assert_int_equal(chmod(p, 0600), 0);
    assert_int_equal(readiness_check_files(&l, t->dir), 1);

    char target[512];
    snprintf(p, sizeof p, "%s/link", t->dir);
    snprintf(target, sizeof target, "%s/device.key", t->dir);
    assert_int_equal(symlink(target, p), 0);
    assert_int_equal(readiness_check_files(&l, t->dir), 0);
    assert_non_null(strstr(last(&l)->detail, "link is a symbolic link"));
    unlink(p);

    if (geteuid() == 0) { /* someone else's file in the kiosk's directory */
        snprintf(p, sizeof p, "%s/device.key", t->dir);
        assert_int_equal(chown(p, 54321, 54321), 0);
        assert_int_equal(readiness_check_files(&l, t->dir), 0);
        assert_non_null(strstr(last(&l)->detail, "device.key is owned by"));
        assert_non_null(strstr(last(&l)->detail, "chown"));
        assert_int_equal(chown(p, 0, 0), 0);
    }

    snprintf(p, sizeof p, "%s/device.key", t->dir);
    unlink(p);
    assert_int_equal(readiness_check_files(&l, t->dir), 0);
    assert_non_null(strstr(last(&l)->detail, "device.key is missing"));
}

/* ---- content ------------------------------------------------------------------------------ */

static void test_content_not_provisioned(void **state)
{
    tmp *t = *state;
    readiness_list l = {0};
    assert_int_equal(readiness_check_content(&l, t->dir), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.item[0].name, READINESS_PACKS);
    assert_string_equal(l.item[1].name, READINESS_ROSTERS);
    assert_non_null(strstr(l.item[0].detail, "examsync init"));
}

static void test_content_nothing_loaded(void **state)
{
    tmp *t = *state;
    char keys[128];
    snprintf(keys, sizeof keys, "%s/keys", t->dir);
    assert_int_equal(mkdir(keys, 0700), 0);
    char *why = NULL;
    assert_int_equal(authority_keygen(keys, &why), 0);
    char from[256], to[256];
    snprintf(from, sizeof from, "%s/authority.pub", keys);
    snprintf(to, sizeof to, "%s/authority.pub", t->dir);
    assert_int_equal(rename(from, to), 0);
    snprintf(from, sizeof from, "%s/authority.key", keys);
    unlink(from);
    snprintf(from, sizeof from, "%s/results.key", keys);
    unlink(from);
    rmdir(keys);
    store *st;
    assert_int_equal(store_open(t->dir, 1, &st, &why), 0);
    store_close(st);
    readiness_list l = {0};
    assert_int_equal(readiness_check_content(&l, t->dir), 0);
    assert_non_null(strstr(l.item[0].detail, "no packs loaded"));
    assert_non_null(strstr(l.item[1].detail, "no rosters loaded"));

    /* an unreadable authority.pub fails both */
    put(t->dir, "authority.pub", 0644);
    readiness_list l2 = {0};
    assert_int_equal(readiness_check_content(&l2, t->dir), 0);
    assert_non_null(strstr(l2.item[0].detail, "authority.pub"));
    assert_non_null(strstr(l2.item[1].detail, "authority.pub"));
}

static void test_run_order(void **state)
{
    tmp *t = *state;
    provisioned(t->dir);
    readiness_list l = {0};
    readiness_limits lim = readiness_defaults();
    assert_int_equal(lim.min_free_bytes, 200u * 1000 * 1000);
    assert_true(lim.max_fsync_ms == 200);
    lim.clock_sleep_ms = 2;
    size_t failed = readiness_run(&l, t->dir, &lim);
    const char *order[] = {READINESS_CLOCK, READINESS_DISK, READINESS_FSYNC, READINESS_DATA_DIR, READINESS_DATA_FILES,
                           READINESS_PACKS, READINESS_ROSTERS};
    assert_int_equal(l.n, 7);
    for (size_t i = 0; i < 7; i++) assert_string_equal(l.item[i].name, order[i]);
    /* the stand-in kiosk.db is no database: packs and rosters fail, the rest passes here */
    assert_int_equal(failed, readiness_failed(&l));
    assert_int_equal(l.item[3].ok, 1);
    assert_int_equal(l.item[4].ok, 1);
    assert_int_equal(l.item[5].ok, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_parse),
        cmocka_unit_test(test_detail_one_line_and_whole_characters),
        cmocka_unit_test(test_fail_display),
        cmocka_unit_test(test_clock),
        T(test_disk),
        T(test_fsync_timing),
        T(test_dir_mode),
        T(test_file_modes),
        T(test_content_not_provisioned),
        T(test_content_nothing_loaded),
        T(test_run_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
