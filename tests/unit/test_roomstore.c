/* Unit tests for tools/room/roomstore*.c, room.db of the room console: the
 * report rules (a counter not above the last one accepted is refused and
 * stores nothing; the mirror rule flags a seat whose heads diverge, for
 * good; one mirror row per change), the command queue (one counter per
 * room, in order, all or nothing, append-only; what a seat is sent), and
 * a version-1 database brought to version 2. */
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
#include <sqlite3.h>

#include "tools/room/roomstore.h"

static char dir[64];

static roomstore *fresh(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_roomstore.XXXXXX");
    assert_non_null(mkdtemp(dir));
    roomstore *rs = NULL;
    char *why = NULL;
    if (roomstore_open(dir, 1, &rs, &why)) fail_msg("open: %s", why);
    return rs;
}

static void gone(roomstore *rs)
{
    roomstore_close(rs);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static const char K1[] = "0123456789abcdef", K2[] = "fedcba9876543210";

static int report(roomstore *rs, const char *kid, uint64_t counter, uint64_t count, uint8_t headbyte, const char **why)
{
    uint8_t head[ROOMPROTO_HEAD_BYTES], bytes[8] = {1, 2, 3, 4, 5, 6, 7, (uint8_t)counter};
    memset(head, headbyte, sizeof head);
    room_report_in in = {kid, counter, bytes, sizeof bytes, count, head, (int64_t)(1000 * counter), "", "", ""};
    return roomstore_report(rs, &in, why);
}

static void count_heads(void *ctx, uint64_t count, const uint8_t *head, int64_t at_ms)
{
    (void)count, (void)head, (void)at_ms;
    ++*(int *)ctx;
}

static void diverged_of(void *ctx, const room_status *st)
{
    if (*st->diverged) snprintf(ctx, 32, "%s", st->kiosk_id);
}

static void test_report_replay_and_mirror(void **state)
{
    (void)state;
    roomstore *rs = fresh();
    const char *why = NULL;
    assert_int_equal(report(rs, K1, 1, 0, 0, &why), ROOM_REPORT_OK);
    assert_int_equal(report(rs, K1, 2, 5, 7, &why), ROOM_REPORT_OK);
    assert_int_equal(report(rs, K1, 3, 5, 7, &why), ROOM_REPORT_OK); /* no change: no new head row */
    assert_int_equal(report(rs, K1, 3, 9, 8, &why), ROOM_REPORT_REPLAY);
    assert_non_null(strstr(why, "not above"));
    assert_int_equal(report(rs, K1, 2, 9, 8, &why), ROOM_REPORT_REPLAY);
    int heads = 0;
    assert_int_equal(roomstore_heads(rs, K1, count_heads, &heads), 2); /* count 0, count 5 */
    char flagged[32] = "";
    roomstore_statuses(rs, diverged_of, flagged);
    assert_string_equal(flagged, "");
    /* the same count with another head: recorded, flagged once, for good */
    assert_int_equal(report(rs, K1, 4, 5, 9, &why), ROOM_REPORT_DIVERGED);
    assert_int_equal(report(rs, K1, 5, 6, 9, &why), ROOM_REPORT_OK);
    assert_int_equal(report(rs, K1, 6, 2, 9, &why), ROOM_REPORT_OK); /* shorter: diverges, already flagged */
    assert_non_null(why);
    roomstore_statuses(rs, diverged_of, flagged);
    assert_string_equal(flagged, K1);
    /* another seat is not affected */
    assert_int_equal(report(rs, K2, 1, 3, 1, &why), ROOM_REPORT_OK);
    gone(rs);
}

typedef struct sealer {
    int fail_at;
    uint64_t seen[8];
} sealer;

static int seal(void *ctx, int i, room_cmd_row *row)
{
    sealer *s = ctx;
    if (i == s->fail_at) return 1;
    s->seen[i] = row->counter;
    snprintf(row->type, sizeof row->type, "%s", i == 0 ? "pause_all" : "extend");
    snprintf(row->target, sizeof row->target, "%s", i == 0 ? "" : i == 1 ? K1 : K2);
    row->len = 3;
    memset(row->bytes, 'a' + i, 3);
    snprintf(row->detail, sizeof row->detail, "cmd %d", i);
    return 0;
}

typedef struct got {
    uint64_t c[16];
    int n;
} got;

static void collect(void *ctx, uint64_t counter, const uint8_t *bytes, size_t len)
{
    (void)bytes, (void)len;
    got *g = ctx;
    g->c[g->n++] = counter;
}

static void test_command_queue(void **state)
{
    (void)state;
    roomstore *rs = fresh();
    uint64_t first = 0;
    sealer s = {.fail_at = 2};
    assert_int_equal(roomstore_commands_add(rs, 3, seal, &s, 1000, "t", &first), 1); /* all or nothing */
    assert_int_equal(roomstore_command_exists(rs, "pause_all", ""), 0);
    s.fail_at = -1;
    assert_int_equal(roomstore_commands_add(rs, 3, seal, &s, 1000, "t", &first), 0);
    assert_int_equal(first, 1);
    assert_int_equal(s.seen[2], 3);
    assert_int_equal(roomstore_commands_add(rs, 1, seal, &s, 2000, "t", &first), 0);
    assert_int_equal(first, 4);
    got g = {0};
    assert_int_equal(roomstore_commands_for(rs, K1, 0, 16, collect, &g), 3); /* 1 (all), 2 (K1), 4 (all) */
    assert_true(g.c[0] == 1 && g.c[1] == 2 && g.c[2] == 4);
    g.n = 0;
    assert_int_equal(roomstore_commands_for(rs, K2, 1, 16, collect, &g), 2); /* above 1: 3 (K2), 4 */
    assert_true(g.c[0] == 3 && g.c[1] == 4);
    g.n = 0;
    assert_int_equal(roomstore_commands_for(rs, K2, 0, 1, collect, &g), 1); /* at most MAX */
    assert_int_equal(roomstore_command_exists(rs, "extend", K1), 1);
    /* append-only: the triggers refuse a change */
    char path[128];
    snprintf(path, sizeof path, "%s/room.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE command SET target='' WHERE counter=2", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM command", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    gone(rs);
}

static void test_v1_upgraded(void **state)
{
    (void)state;
    roomstore *rs = fresh();
    roomstore_close(rs);
    char path[128];
    snprintf(path, sizeof path, "%s/room.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TABLE pack; DROP TABLE roster; DROP TABLE command; DROP TABLE status;"
                                  "DROP TABLE mirror; DROP TABLE seen; DROP TABLE absent; PRAGMA user_version=1;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char *why = NULL;
    if (roomstore_open(dir, 0, &rs, &why)) fail_msg("reopen: %s", why);
    const char *rwhy;
    assert_int_equal(report(rs, K1, 1, 1, 1, &rwhy), ROOM_REPORT_OK);
    roomstore_close(rs);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA user_version=7", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_not_equal(roomstore_open(dir, 0, &rs, &why), 0);
    assert_non_null(strstr(why, "expected 2"));
    free(why);
    rs = NULL;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_replay_and_mirror),
        cmocka_unit_test(test_command_queue),
        cmocka_unit_test(test_v1_upgraded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
