/* Unit tests for core/roomlink.c: the kiosk's side of the room console
 * (FORMAT.md §16, "The room link in kiosk.db"). Each test provisions a data
 * directory under /tmp as examsync init + add would (authority.pub,
 * device.key, kiosk.db with its meta rows, a cheap signed pack and roster),
 * plays examsync by filing real commands (made with roomproto and the
 * pack's real content key) into room_inbox through a second connection,
 * and drives the real engine's once-a-second tick with a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/authority.h"
#include "core/bank.h"
#include "core/blueprint.h"
#include "core/exam.h"
#include "core/fileio.h"
#include "core/idnumber.h"
#include "core/pack.h"
#include "core/pin.h"
#include "core/releasecode.h"
#include "core/result.h"
#include "core/roomlink.h"
#include "core/roomproto.h"
#include "core/roster.h"
#include "core/store.h"

#define MIN 60000LL
#define PIN "135790"
#define SITE "广州考点"
#define ROOM "01"

static int64_t g_now;
static int64_t fake_now(void *ctx) { (void)ctx; return g_now; }
static int64_t fake_wall(void *ctx) { (void)ctx; return 1767225600 + g_now / 1000; }
static void fake_random(void *ctx, void *buf, size_t n) { (void)ctx; randombytes_buf(buf, n); }
static void fake_log(void *ctx, const char *msg) { (void)ctx; (void)msg; }
static const platform PF = {fake_now, fake_wall, fake_random, fake_log, NULL};

static const char BANK[] = "id,type,section,stem,A,B,C,D,answer\n"
                           "S1,single,,单选一,甲,乙,丙,丁,B\n"
                           "S2,single,,单选二,甲,乙,丙,丁,D\n"
                           "S3,single,,单选三,甲,乙,丙,丁,A\n"
                           "J1,judge,,判断一,,,,,T\n";
static const char BLUEPRINT[] = "[exam]\ntitle = 考场联动测试卷\nlevel = 4\nkind = theory\nduration = 60\npass = 60\n"
                                "min_submit = 10\nlate_entry = 30\nmax_extra = 30\n[draw]\n"
                                "rule = type=single count=3 points=20\nrule = type=judge count=1 points=40\n";

/* a seat of the room: its data directory, keys and the pack's content key */
typedef struct seat {
    char root[64], data[96];
    uint8_t spk[32], ssk[64], dpk[32];
    char kiosk_id[17], code[RELEASECODE_TEXT_BYTES], pack_hex[33];
    uint8_t pack_id[16], ck[32];
    roomproto_keys keys;
    char id_a[19], id_b[19];
    exam *e;
    uint64_t counter; /* the console's */
    uint8_t last_box[ROOMPROTO_SEALED_BYTES];
} seat;

static void make_id(const char *first17, char out[19])
{
    static const int W[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (first17[i] - '0') * W[i];
    memcpy(out, first17, 17);
    out[17] = "10X98765432"[sum % 11];
    out[18] = 0;
    assert_true(idnumber_valid(out));
}

static void put_file(const char *path, const char *text)
{
    char *why = NULL;
    if (fileio_write_atomic(path, text, strlen(text), 0644, 0, &why)) fail_msg("%s: %s", path, why);
}

static void add_pack_and_roster(seat *s, store *st)
{
    bank b;
    blueprint bp;
    bp_plan plan;
    diag d;
    diag_init(&d);
    assert_int_equal(bank_parse(BANK, strlen(BANK), &b, &d), 0);
    assert_int_equal(blueprint_parse(BLUEPRINT, strlen(BLUEPRINT), &bp, &d), 0);
    assert_int_equal(blueprint_resolve(&bp, &b, &plan, &d), 0);
    diag_free(&d);
    char norm[RELEASECODE_NORM_BYTES];
    releasecode_generate(s->code);
    assert_int_equal(releasecode_normalize(s->code, norm), RELEASECODE_OK);
    uint8_t *pk = NULL;
    size_t plen = 0;
    char *why = NULL;
    pack_kdf cheap = {1, 8u << 20};
    if (pack_build(&bp, &b, &plan, s->ssk, norm, cheap, 1700000000, &pk, &plen, &why) != PACK_OK) fail_msg("%s", why);
    blueprint_plan_free(&plan);
    blueprint_free(&bp);
    bank_free(&b);
    pack_info info;
    assert_int_equal(pack_verify(pk, plen, s->spk, &info, &why), PACK_OK);
    snprintf(s->pack_hex, sizeof s->pack_hex, "%s", info.pack_id_hex);
    size_t got = 0;
    assert_int_equal(sodium_hex2bin(s->pack_id, 16, s->pack_hex, 32, NULL, &got, NULL), 0);
    assert_int_equal(pack_unwrap_key(pk, plen, s->code, s->ck, &why), PACK_OK); /* what the console derives */
    roomproto_keys_derive(s->ck, &s->keys);
    store_pack_row prow = {info.pack_id_hex, info.title, info.kind, info.level, info.duration, info.questions, pk, plen, 1};
    assert_int_equal(store_pack_add(st, &prow, NULL), STORE_OK);
    free(pk);

    make_id("44010619900101123", s->id_a);
    make_id("44010619920202234", s->id_b);
    char csv[512];
    snprintf(csv, sizeof csv, "ticket,name,id_number,level,room,seat\nT001,李嘉欣,%s,4,01,1\nT002,苏伟雄,%s,4,01,2\n",
             s->id_a, s->id_b);
    roster r;
    diag_init(&d);
    assert_int_equal(roster_parse_csv(csv, strlen(csv), &r, &d), 0);
    assert_int_equal(roster_set_place(&r, SITE, ROOM, &d), 0);
    diag_free(&d);
    r.kdf = (roster_kdf){ROSTER_KDF_MIN_OPS, ROSTER_KDF_MIN_MEM};
    uint8_t *rb = NULL;
    size_t rlen = 0;
    assert_int_equal(roster_write(&r, s->ssk, &rb, &rlen, &why), 0);
    char rid[33];
    sodium_bin2hex(rid, sizeof rid, r.roster_id, 16);
    store_roster_row rrow = {rid, (int64_t)r.n, rb, rlen, 1};
    assert_int_equal(store_roster_add(st, &rrow, NULL), STORE_OK);
    roster_free(&r);
    free(rb);
}

static int setup(void **state)
{
    seat *s = calloc(1, sizeof *s);
    if (!s) return -1;
    snprintf(s->root, sizeof s->root, "/tmp/test_roomlink.XXXXXX");
    if (!mkdtemp(s->root)) return -1;
    snprintf(s->data, sizeof s->data, "%s/data", s->root);
    assert_int_equal(mkdir(s->data, 0700), 0);
    crypto_sign_keypair(s->spk, s->ssk);
    uint8_t bpk[32], bsk[32];
    crypto_box_keypair(bpk, bsk);
    char s64[64], x64[64], pub[256], path[160];
    sodium_bin2base64(s64, sizeof s64, s->spk, 32, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(x64, sizeof x64, bpk, 32, sodium_base64_VARIANT_ORIGINAL);
    snprintf(pub, sizeof pub, "exam-authority-pub v1\nsign %s\nbox %s\n", s64, x64);
    snprintf(path, sizeof path, "%s/authority.pub", s->data);
    put_file(path, pub);
    char *why = NULL;
    snprintf(path, sizeof path, "%s/device.key", s->data);
    if (authority_device_keygen(path, s->dpk, &why)) fail_msg("%s", why);
    result_kiosk_id(s->dpk, s->kiosk_id);
    store *st;
    if (store_open(s->data, 1, &st, &why)) fail_msg("%s", why);
    assert_int_equal(store_meta_set(st, "kiosk_id", s->kiosk_id), STORE_OK);
    assert_int_equal(store_meta_set(st, "site", SITE), STORE_OK);
    assert_int_equal(store_meta_set(st, "room", ROOM), STORE_OK);
    assert_int_equal(store_meta_set(st, "seat", "1"), STORE_OK);
    add_pack_and_roster(s, st);
    store_close(st);
    g_now = 1000000000;
    *state = s;
    return 0;
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) rm_tree(p);
        else unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    seat *s = *state;
    exam_close(s->e);
    rm_tree(s->root);
    sodium_memzero(s, sizeof *s);
    free(s);
    return 0;
}

/* ---- the engine ---- */

static void open_seat(seat *s)
{
    char *why = NULL;
    if (exam_open(&s->e, s->data, &PF, &why)) fail_msg("exam_open: %s", why);
    exam_set_kdf_floor(s->e, 1, 8u << 20);
}

/* a crash: the engine gone without a word, then started again */
static void crash(seat *s)
{
    exam_close(s->e);
    s->e = NULL;
    open_seat(s);
}

/* one second of the kiosk's loop */
static void tick(seat *s)
{
    g_now += 1000;
    exam_tick(s->e);
}

static void login_and_start(seat *s)
{
    assert_int_equal(exam_login(s->e, "T001", s->id_a), EXAM_OK);
    assert_int_equal(exam_confirm(s->e), EXAM_OK);
    assert_int_equal(exam_start(s->e), EXAM_OK);
    assert_int_equal(exam_get_phase(s->e), PHASE_RUNNING);
}

/* ---- examsync's side: the console's commands into kiosk.db ---- */

/* examsync's own connection (it runs beside the kiosk) */
static store *sync_store(const seat *s)
{
    store *st = NULL;
    char *why = NULL;
    if (store_open(s->data, 0, &st, &why)) fail_msg("%s", why);
    return st;
}

static void file_cmd(const seat *s, uint64_t counter, const uint8_t *buf, size_t n)
{
    store *st = sync_store(s);
    assert_int_equal(store_room_inbox_add(st, counter, buf, n, g_now), STORE_OK);
    store_close(st);
}

/* the console's command TYPE to this seat (or all), counter C, MAC'd with KEYS */
static size_t make_cmd(const seat *s, const roomproto_keys *keys, int type, int all, uint64_t c, uint8_t out[ROOMPROTO_CMD_MAX_BYTES])
{
    roomproto_command cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.type = (uint8_t)type;
    cmd.target_all = (uint8_t)all;
    if (!all) strcpy(cmd.target, s->kiosk_id);
    memcpy(cmd.pack_id, s->pack_id, 16);
    strcpy(cmd.site, SITE);
    strcpy(cmd.room, ROOM);
    cmd.counter = c;
    cmd.wall_ms = 1767225600000ull;
    if (type == ROOMPROTO_CMD_EXTEND) {
        cmd.minutes = 10;
        strcpy(cmd.reason, "系统故障或断电后恢复");
    }
    size_t n = 0;
    const char *why = NULL;
    if (roomproto_command_seal(&cmd, keys, out, &n, &why) != ROOMPROTO_OK) fail_msg("seal: %s", why);
    return n;
}

static size_t make_extend(const seat *s, int minutes, uint64_t c, uint8_t out[ROOMPROTO_CMD_MAX_BYTES])
{
    roomproto_command cmd;
    const char *why = NULL;
    size_t n = make_cmd(s, &s->keys, ROOMPROTO_CMD_EXTEND, 1, c, out);
    assert_int_equal(roomproto_command_peek(out, n, &cmd, &why), ROOMPROTO_OK);
    cmd.minutes = (uint16_t)minutes;
    assert_int_equal(roomproto_command_seal(&cmd, &s->keys, out, &n, &why), ROOMPROTO_OK);
    return n;
}

/* an unlock (or authorise resume) carrying content key CK sealed to the
 * device key SEAL_PK, MAC'd with CK's keys: the console's, or a forger's */
static size_t make_unlock(const seat *s, int type, const uint8_t ck[32], const uint8_t seal_pk[32], const char *for_id,
                          uint64_t c, uint8_t out[ROOMPROTO_CMD_MAX_BYTES])
{
    roomproto_unlock u;
    memset(&u, 0, sizeof u);
    memcpy(u.pack_id, s->pack_id, 16);
    strcpy(u.kiosk_id, for_id);
    memcpy(u.content_key, ck, 32);
    randombytes_buf(u.pin_kiosk_salt, 16);
    randombytes_buf(u.pin_unlock_salt, 16);
    pin_cost pc = pin_cost_default();
    u.pin_ops = (uint32_t)pc.ops;
    u.pin_mem = (uint32_t)pc.mem;
    assert_int_equal(pin_hash(PIN, ck, u.pin_kiosk_salt, u.pin_unlock_salt, pc, u.pin_hash), 0);
    roomproto_command cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.type = (uint8_t)type;
    strcpy(cmd.target, for_id);
    memcpy(cmd.pack_id, s->pack_id, 16);
    strcpy(cmd.site, SITE);
    strcpy(cmd.room, ROOM);
    cmd.counter = c;
    const char *why = NULL;
    if (roomproto_unlock_seal(&u, seal_pk, cmd.sealed, &why) != ROOMPROTO_OK) fail_msg("%s", why);
    roomproto_keys k;
    roomproto_keys_derive(ck, &k);
    size_t n = 0;
    if (roomproto_command_seal(&cmd, &k, out, &n, &why) != ROOMPROTO_OK) fail_msg("%s", why);
    return n;
}

static void send_cmd(seat *s, int type, int all)
{
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    uint64_t c = ++s->counter;
    file_cmd(s, c, buf, make_cmd(s, &s->keys, type, all, c, buf));
    tick(s);
}

/* 1 when BYTES appear in kiosk.db or its WAL */
static int on_disk(const seat *s, const uint8_t *bytes, size_t n)
{
    const char *names[] = {"kiosk.db", "kiosk.db-wal"};
    int found = 0;
    for (int i = 0; i < 2; i++) {
        char path[160], *why = NULL;
        snprintf(path, sizeof path, "%s/%s", s->data, names[i]);
        uint8_t *b = NULL;
        size_t len = 0;
        if (fileio_read(path, 1u << 26, &b, &len, &why) == 0 && len >= n)
            for (size_t k = 0; k + n <= len && !found; k++) found = !memcmp(b + k, bytes, n);
        free(b);
        free(why);
    }
    return found;
}

static void room_unlock(seat *s)
{
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    uint64_t c = ++s->counter;
    size_t n = make_unlock(s, ROOMPROTO_CMD_UNLOCK, s->ck, s->dpk, s->kiosk_id, c, buf);
    roomproto_command cmd;
    const char *why;
    assert_int_equal(roomproto_command_peek(buf, n, &cmd, &why), ROOMPROTO_OK);
    memcpy(s->last_box, cmd.sealed, sizeof s->last_box);
    file_cmd(s, c, buf, n);
    assert_true(on_disk(s, s->last_box, sizeof s->last_box)); /* examsync filed it */
    tick(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_LOGIN);
}

/* ---- what kiosk.db holds ---- */

static uint64_t last_command(const seat *s)
{
    store *st = sync_store(s);
    uint64_t c = 99;
    assert_int_equal(store_room_last_command(st, &c), STORE_OK);
    store_close(st);
    return c;
}

/* the state of inbox row C ("new", "done", "refused") and its reason */
static void inbox_state(const seat *s, uint64_t c, char state[16], char why[256])
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", s->data, STORE_DB_NAME);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT state, coalesce(why, '') FROM room_inbox WHERE counter = ?", -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)c);
    strcpy(state, "none");
    why[0] = 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(state, 16, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(why, 256, "%s", (const char *)sqlite3_column_text(q, 1));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void assert_inbox(const seat *s, uint64_t c, const char *state, const char *why_part)
{
    char st[16], why[256];
    inbox_state(s, c, st, why);
    if (strcmp(st, state)) fail_msg("inbox %llu: %s (%s), expected %s", (unsigned long long)c, st, why, state);
    if (why_part && !strstr(why, why_part)) fail_msg("inbox %llu why: %s (expected %s)", (unsigned long long)c, why, why_part);
}

/* journal entries of TYPE (all sessions) whose data holds PART */
typedef struct jcount {
    const char *type, *part;
    int n;
} jcount;
static int count_entry(void *ctx, const journal_entry *je)
{
    jcount *j = ctx;
    if (!strcmp(je->type, j->type) && (!j->part || strstr(je->data, j->part))) j->n++;
    return 0;
}
static int journaled(const seat *s, const char *type, const char *part)
{
    store *st = sync_store(s);
    jcount j = {type, part, 0};
    assert_int_equal(store_journal_each(st, NULL, count_entry, &j), STORE_OK);
    store_close(st);
    return j.n;
}

static store_room_status status(const seat *s)
{
    store *st = sync_store(s);
    store_room_status r;
    assert_int_equal(store_room_status_get(st, &r), STORE_OK);
    store_close(st);
    return r;
}

/* ---- tests ---- */

/* The console's sealed unlock: the seat goes from the start screen to the
 * login with the console's PIN (nobody typed anything at the seat); the PIN
 * works at the panel and, after a crash, at the resume screen. */
static void test_unlock_from_box(void **state)
{
    seat *s = *state;
    open_seat(s);
    tick(s);
    store_room_status r = status(s);
    assert_int_equal(r.phase, PHASE_LOCKED);
    assert_true(sodium_is_zero(r.pack_id, 16));
    room_unlock(s);
    assert_int_equal(last_command(s), 1);
    assert_inbox(s, 1, "done", NULL);
    assert_int_equal(journaled(s, "room_cmd", "cmd=unlock counter=1"), 1);
    assert_int_equal(journaled(s, "pin_set", "room"), 1);
    r = status(s);
    assert_int_equal(r.phase, PHASE_LOGIN);
    assert_memory_equal(r.pack_id, s->pack_id, 16);
    assert_int_equal(r.last_command, 1);
    assert_int_equal(exam_check_pin(s->e, PIN), EXAM_OK);
    assert_int_equal(exam_check_pin(s->e, "000000"), EXAM_PIN_WRONG);
    /* the unlock row holds the console's verifier: a crash, then code + PIN */
    crash(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_RESUME);
    assert_int_equal(exam_resume(s->e, s->code, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(s->e), PHASE_LOGIN);
    /* the sealed box (the content key, opened by device.key beside kiosk.db)
     * is no longer anywhere on the disk: the row keeps a digest, the WAL was
     * checkpointed */
    assert_false(on_disk(s, s->last_box, sizeof s->last_box));
    /* the same unlock again (the console sends it to a seat confirmed late) changes nothing */
    tick(s);
    assert_int_equal(journaled(s, "room_cmd", "cmd=unlock"), 1);
}

/* The code typed at the seat, the PIN not yet set: the console's unlock
 * sets its PIN and the seat goes on to the login. */
static void test_unlock_at_pin_screen(void **state)
{
    seat *s = *state;
    open_seat(s);
    assert_int_equal(exam_unlock(s->e, s->code), EXAM_OK);
    assert_int_equal(exam_get_phase(s->e), PHASE_SET_PIN);
    room_unlock(s);
    assert_int_equal(exam_check_pin(s->e, PIN), EXAM_OK);
    assert_int_equal(last_command(s), 1);
    /* lock from the console, only where no candidate is in the way */
    assert_int_equal(exam_login(s->e, "T001", s->id_a), EXAM_OK);
    send_cmd(s, ROOMPROTO_CMD_LOCK, 1);
    assert_inbox(s, 2, "refused", "not at the login or hand-in screen");
    assert_int_equal(exam_back(s->e), EXAM_OK);
    send_cmd(s, ROOMPROTO_CMD_LOCK, 1);
    assert_int_equal(exam_get_phase(s->e), PHASE_LOCKED);
}

/* Forged unlocks open nothing and take no counter: a box whose key does not
 * open the pack, a box sealed to another seat, a MAC by another key, an
 * unlock for another room. The real one, filed after them under a counter a
 * forgery took first, still unlocks. */
static void test_unlock_forged(void **state)
{
    seat *s = *state;
    open_seat(s);
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES], other_ck[32], opk[32], osk[64];
    randombytes_buf(other_ck, sizeof other_ck);
    crypto_sign_keypair(opk, osk);
    char oid[17];
    result_kiosk_id(opk, oid);
    /* 1: a LAN attacker's own key, sealed properly to this seat */
    file_cmd(s, 1, buf, make_unlock(s, ROOMPROTO_CMD_UNLOCK, other_ck, s->dpk, s->kiosk_id, 1, buf));
    tick(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_LOCKED);
    assert_inbox(s, 1, "refused", "does not open the pack");
    /* 2: the real key, but sealed to the seat next door (captured there) */
    file_cmd(s, 2, buf, make_unlock(s, ROOMPROTO_CMD_UNLOCK, s->ck, opk, oid, 2, buf));
    tick(s);
    assert_inbox(s, 2, "refused", "does not open with this seat's device key");
    /* 3: the real box with its MAC made by another key */
    size_t n = make_unlock(s, ROOMPROTO_CMD_UNLOCK, s->ck, s->dpk, s->kiosk_id, 3, buf);
    roomproto_keys wrong;
    roomproto_keys_derive(other_ck, &wrong);
    crypto_auth(buf + n - 32, buf, n - 32, wrong.mac);
    file_cmd(s, 3, buf, n);
    tick(s);
    assert_inbox(s, 3, "refused", "MAC does not verify");
    /* 4: an unlock MAC'd for another room */
    n = make_unlock(s, ROOMPROTO_CMD_UNLOCK, s->ck, s->dpk, s->kiosk_id, 4, buf);
    roomproto_command c;
    const char *why;
    assert_int_equal(roomproto_command_peek(buf, n, &c, &why), ROOMPROTO_OK);
    strcpy(c.room, "02");
    assert_int_equal(roomproto_command_seal(&c, &s->keys, buf, &n, &why), ROOMPROTO_OK);
    file_cmd(s, 4, buf, n);
    tick(s);
    assert_inbox(s, 4, "refused", "for another room");
    /* 5: garbage */
    memset(buf, 0x5a, 64);
    file_cmd(s, 5, buf, 64);
    tick(s);
    assert_inbox(s, 5, "refused", "not a console command");
    assert_int_equal(exam_get_phase(s->e), PHASE_LOCKED);
    assert_int_equal(last_command(s), 0);
    assert_int_equal(journaled(s, "room_refused", NULL), 5);
    assert_int_equal(journaled(s, "unlock", "result=wrong by=room"), 1);
    /* the real unlock with counter 1: it replaces the refused forgery */
    file_cmd(s, 1, buf, make_unlock(s, ROOMPROTO_CMD_UNLOCK, s->ck, s->dpk, s->kiosk_id, 1, buf));
    tick(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_LOGIN);
    assert_inbox(s, 1, "done", NULL);
    assert_int_equal(last_command(s), 1);
}

/* Pause all / resume all: the sitting's clock stops and starts again, as
 * with the panel; a seat without a sitting only journals them. */
static void test_pause_resume_all(void **state)
{
    seat *s = *state;
    open_seat(s);
    room_unlock(s);
    send_cmd(s, ROOMPROTO_CMD_PAUSE_ALL, 1); /* nobody sitting yet */
    assert_int_equal(exam_get_phase(s->e), PHASE_LOGIN);
    assert_int_equal(journaled(s, "room_cmd", "cmd=pause_all counter=2 target=all noop=no sitting"), 1);
    login_and_start(s);
    g_now += 5 * MIN;
    int64_t left = exam_remaining_ms(s->e);
    send_cmd(s, ROOMPROTO_CMD_PAUSE_ALL, 1);
    assert_int_equal(exam_get_phase(s->e), PHASE_PAUSED);
    int64_t paused_left = exam_remaining_ms(s->e);
    assert_true(paused_left <= left && paused_left >= left - 1000);
    for (int i = 0; i < 600; i++) tick(s); /* ten minutes of alarm */
    assert_int_equal(exam_remaining_ms(s->e), paused_left);
    store_room_status r = status(s);
    assert_int_equal(r.phase, PHASE_PAUSED);
    assert_true(r.flags & ROOMPROTO_FLAG_PAUSED);
    assert_int_equal(r.time_left_ms, (uint32_t)paused_left);
    send_cmd(s, ROOMPROTO_CMD_PAUSE_ALL, 1); /* twice: nothing more */
    assert_int_equal(journaled(s, "room_cmd", "noop=already paused"), 1);
    send_cmd(s, ROOMPROTO_CMD_RESUME_ALL, 1);
    assert_int_equal(exam_get_phase(s->e), PHASE_RUNNING);
    g_now += MIN;
    assert_int_equal(exam_remaining_ms(s->e), paused_left - MIN);
    assert_int_equal(journaled(s, "pause", NULL), 1);
    assert_int_equal(journaled(s, "continue", NULL), 1);
    assert_int_equal(last_command(s), 5);
}

/* Extend: within the pack's max_extra it is the panel's extension (its
 * reason in the result); over it, refused with the cap, the counter taken. */
static void test_extend(void **state)
{
    seat *s = *state;
    open_seat(s);
    room_unlock(s);
    login_and_start(s);
    int64_t left = exam_remaining_ms(s->e);
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    file_cmd(s, 2, buf, make_extend(s, 10, 2, buf));
    tick(s);
    assert_int_equal(exam_extra_used_min(s->e), 10);
    assert_int_equal(exam_remaining_ms(s->e), left - 1000 + 10 * MIN);
    assert_int_equal(journaled(s, "room_cmd", "cmd=extend counter=2 target=all minutes=10"), 1);
    assert_int_equal(journaled(s, "extend", "minutes=10"), 1);
    /* 25 more: only 20 are left of 30 */
    file_cmd(s, 3, buf, make_extend(s, 25, 3, buf));
    tick(s);
    assert_int_equal(exam_extra_used_min(s->e), 10);
    assert_inbox(s, 3, "refused", "over the cap: 25 minutes asked, 20 left of max_extra 30");
    assert_int_equal(journaled(s, "room_refused", "cmd=extend counter=3"), 1);
    assert_int_equal(last_command(s), 3); /* authentic: its counter is spent */
    /* the time reaches the result's extensions after a hand-in */
    file_cmd(s, 4, buf, make_extend(s, 20, 4, buf));
    tick(s);
    assert_int_equal(exam_extra_left_min(s->e), 0);
    store_room_status r = status(s);
    assert_true(r.time_left_ms > 60 * MIN);
}

/* Close entry: no new login on the seat (a clear message), flagged in the
 * status, kept across a restart; a sitting already running goes on. */
static void test_close_entry(void **state)
{
    seat *s = *state;
    open_seat(s);
    room_unlock(s);
    send_cmd(s, ROOMPROTO_CMD_CLOSE_ENTRY, 1);
    assert_true(roomlink_entry_closed(s->e));
    assert_int_equal(exam_login(s->e, "T001", s->id_a), EXAM_ENTRY_CLOSED);
    assert_string_equal(exam_message(EXAM_ENTRY_CLOSED), "考场已停止入场，不能登录");
    tick(s);
    assert_true(status(s).flags & ROOMPROTO_FLAG_ENTRY_CLOSED);
    crash(s);
    assert_int_equal(exam_resume(s->e, s->code, PIN), EXAM_OK);
    tick(s);
    assert_int_equal(exam_login(s->e, "T002", s->id_b), EXAM_ENTRY_CLOSED);
    assert_true(status(s).flags & ROOMPROTO_FLAG_ENTRY_CLOSED);
    /* the next paper (locked and unlocked again) starts open: the flag is the pack's */
    assert_int_equal(exam_lock(s->e), EXAM_OK);
    assert_false(roomlink_entry_closed(s->e));
}

/* Force hand-in: the sitting ends as forced, its result filed; the counter
 * commits with the hand-in itself. Lock: from the login screen only. */
static void test_force_handin_and_lock(void **state)
{
    seat *s = *state;
    open_seat(s);
    room_unlock(s);
    login_and_start(s);
    send_cmd(s, ROOMPROTO_CMD_LOCK, 1); /* a sitting in the way */
    assert_int_equal(exam_get_phase(s->e), PHASE_RUNNING);
    assert_inbox(s, 2, "refused", "a candidate is logged in");
    assert_int_equal(exam_choose(s->e, 0), EXAM_OK);
    send_cmd(s, ROOMPROTO_CMD_FORCE_HANDIN, 0);
    assert_int_equal(exam_get_phase(s->e), PHASE_DONE);
    assert_string_equal(exam_final_status(s->e), "forced");
    assert_int_equal(last_command(s), 3);
    store *st = sync_store(s);
    int pending = 0;
    assert_int_equal(store_outbox_counts(st, &pending, NULL), STORE_OK);
    assert_int_equal(pending, 1);
    store_close(st);
    assert_int_equal(journaled(s, "room_cmd", "cmd=force_handin counter=3 target=seat"), 1);
    send_cmd(s, ROOMPROTO_CMD_FORCE_HANDIN, 1); /* nothing left to hand in */
    assert_int_equal(journaled(s, "room_cmd", "noop=no sitting"), 1);
    send_cmd(s, ROOMPROTO_CMD_LOCK, 0);
    assert_int_equal(exam_get_phase(s->e), PHASE_LOCKED);
    assert_int_equal(journaled(s, "room_cmd", "cmd=lock counter=5"), 1);
    tick(s);
    store_room_status r = status(s);
    assert_int_equal(r.phase, PHASE_LOCKED);
    assert_true(sodium_is_zero(r.pack_id, 16));
    /* locked: a command for the pack has no key to be checked with */
    send_cmd(s, ROOMPROTO_CMD_PAUSE_ALL, 1);
    assert_inbox(s, 6, "refused", "no pack unlocked");
    assert_int_equal(last_command(s), 5);
}

/* A crash in a sitting: the console authorises the resume with the key in
 * a sealed unlock; a box whose key does not open the pack is refused. */
static void test_authorise_resume(void **state)
{
    seat *s = *state;
    open_seat(s);
    room_unlock(s);
    login_and_start(s);
    assert_int_equal(exam_choose(s->e, 1), EXAM_OK);
    char before[16];
    snprintf(before, sizeof before, "%s", exam_response(s->e, exam_current(s->e)));
    assert_true(before[0]);
    g_now += 3 * MIN;
    tick(s);
    crash(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_RESUME);
    tick(s);
    store_room_status r = status(s);
    assert_int_equal(r.phase, PHASE_RESUME);
    assert_true(r.flags & ROOMPROTO_FLAG_RESUME_WAITING);
    assert_memory_equal(r.pack_id, s->pack_id, 16); /* the crashed sitting's pack, for the console */
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES], other[32];
    randombytes_buf(other, sizeof other);
    file_cmd(s, 2, buf, make_unlock(s, ROOMPROTO_CMD_AUTHORISE_RESUME, other, s->dpk, s->kiosk_id, 2, buf));
    tick(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_RESUME);
    assert_inbox(s, 2, "refused", "does not open the pack");
    assert_int_equal(last_command(s), 1); /* a forgery takes no counter */
    assert_int_equal(journaled(s, "resume_refused", "room key refused"), 1);
    /* a plain command cannot be checked without the key */
    s->counter = 2;
    send_cmd(s, ROOMPROTO_CMD_PAUSE_ALL, 1);
    assert_inbox(s, 3, "refused", "no pack unlocked");
    file_cmd(s, 4, buf, make_unlock(s, ROOMPROTO_CMD_AUTHORISE_RESUME, s->ck, s->dpk, s->kiosk_id, 4, buf));
    tick(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_RUNNING);
    assert_string_equal(exam_response(s->e, exam_current(s->e)), before); /* the answer came back */
    assert_int_equal(last_command(s), 4);
    assert_int_equal(journaled(s, "room_cmd", "cmd=authorise_resume counter=4"), 1);
    /* the PIN is still the one of the unlock */
    assert_int_equal(exam_check_pin(s->e, PIN), EXAM_OK);
    s->counter = 4;
    send_cmd(s, ROOMPROTO_CMD_PAUSE_ALL, 1);
    assert_int_equal(exam_get_phase(s->e), PHASE_PAUSED);
}

/* Replayed and reordered commands are refused, also after a restart: the
 * last accepted counter is durable. */
static void test_replay_and_reorder(void **state)
{
    seat *s = *state;
    open_seat(s);
    room_unlock(s);
    login_and_start(s);
    uint8_t p3[ROOMPROTO_CMD_MAX_BYTES], r4[ROOMPROTO_CMD_MAX_BYTES], p5[ROOMPROTO_CMD_MAX_BYTES];
    size_t n3 = make_cmd(s, &s->keys, ROOMPROTO_CMD_PAUSE_ALL, 1, 3, p3);
    size_t n4 = make_cmd(s, &s->keys, ROOMPROTO_CMD_RESUME_ALL, 1, 4, r4);
    size_t n5 = make_cmd(s, &s->keys, ROOMPROTO_CMD_PAUSE_ALL, 1, 5, p5);
    /* 3 arrives, then 5; 4 was lost and comes late */
    file_cmd(s, 3, p3, n3);
    tick(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_PAUSED);
    file_cmd(s, 5, p5, n5);
    tick(s);
    assert_int_equal(last_command(s), 5);
    file_cmd(s, 4, r4, n4);
    tick(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_PAUSED); /* the late resume does nothing */
    assert_inbox(s, 4, "refused", "replayed or out of order");
    /* a replay of 3 after its row was pruned, and after a restart */
    char path[160];
    snprintf(path, sizeof path, "%s/%s", s->data, STORE_DB_NAME);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM room_inbox", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    crash(s);
    assert_int_equal(exam_resume(s->e, s->code, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(s->e), PHASE_RUNNING);
    file_cmd(s, 3, p3, n3);
    file_cmd(s, 4, r4, n4);
    tick(s);
    assert_inbox(s, 3, "refused", "replayed or out of order");
    assert_inbox(s, 4, "refused", "replayed or out of order");
    assert_int_equal(exam_get_phase(s->e), PHASE_RUNNING);
    assert_int_equal(journaled(s, "pause", NULL), 1); /* 3 (5 found it paused), nothing since */
    /* a command filed under another counter than it carries */
    uint8_t p9[ROOMPROTO_CMD_MAX_BYTES];
    size_t n9 = make_cmd(s, &s->keys, ROOMPROTO_CMD_PAUSE_ALL, 1, 9, p9);
    file_cmd(s, 6, p9, n9);
    tick(s);
    assert_inbox(s, 6, "refused", "another counter");
    assert_int_equal(last_command(s), 5);
}

/* Exactly once: the counter commits with the effect. When the effect's
 * commit fails (a full disk), neither it nor the counter is kept and the
 * command is taken again; once it committed, a crash right after it does not
 * apply it a second time. */
static void test_exactly_once_across_crash(void **state)
{
    seat *s = *state;
    open_seat(s);
    room_unlock(s);
    login_and_start(s);
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    file_cmd(s, 2, buf, make_extend(s, 10, 2, buf));
    exam_fail_writes(s->e, 1); /* the extension's commit fails */
    tick(s);
    assert_int_equal(exam_extra_used_min(s->e), 0);
    assert_int_equal(last_command(s), 1);
    assert_inbox(s, 2, "new", NULL);
    exam_fail_writes(s->e, 0);
    tick(s); /* the disk works again: taken now, once */
    assert_int_equal(exam_extra_used_min(s->e), 10);
    assert_int_equal(last_command(s), 2);
    assert_inbox(s, 2, "done", NULL);
    /* a crash right after the effect committed */
    crash(s);
    assert_int_equal(exam_resume(s->e, s->code, PIN), EXAM_OK);
    for (int i = 0; i < 3; i++) tick(s);
    assert_int_equal(exam_extra_used_min(s->e), 10);
    assert_int_equal(journaled(s, "extend", "minutes=10"), 1);
    assert_int_equal(journaled(s, "room_cmd", "cmd=extend counter=2"), 1);
    /* the same with a pause: its journal entry (which carries the counter) fails */
    file_cmd(s, 3, buf, make_cmd(s, &s->keys, ROOMPROTO_CMD_PAUSE_ALL, 1, 3, buf));
    exam_fail_writes(s->e, 2);
    tick(s);
    assert_int_equal(last_command(s), 2);
    crash(s); /* the pause was never on disk */
    assert_int_equal(exam_resume(s->e, s->code, PIN), EXAM_OK);
    tick(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_PAUSED);
    assert_int_equal(last_command(s), 3);
    crash(s);
    assert_int_equal(exam_resume(s->e, s->code, PIN), EXAM_OK);
    tick(s);
    assert_int_equal(exam_get_phase(s->e), PHASE_RUNNING); /* resumed, and not paused again */
    assert_int_equal(journaled(s, "room_cmd", "cmd=pause_all counter=3"), 1);
}

/* put an active-tickets set made with KEYS, listing TICKET on kiosk ON */
static void put_active_at(const seat *s, const roomproto_keys *keys, uint64_t gen, const char *ticket, const char *on,
                          uint64_t wall_ms)
{
    roomproto_active a;
    memset(&a, 0, sizeof a);
    a.wall_ms = wall_ms;
    memcpy(a.pack_id, s->pack_id, 16);
    strcpy(a.site, SITE);
    strcpy(a.room, ROOM);
    a.generation = gen;
    a.n = 1;
    assert_int_equal(roomproto_ticket_tag(&s->keys, ticket, a.e[0].ticket_tag), ROOMPROTO_OK);
    strcpy(a.e[0].kiosk_id, on);
    uint8_t buf[ROOMPROTO_ACTIVE_MAX_BYTES];
    size_t n;
    const char *why;
    assert_int_equal(roomproto_active_seal(&a, keys, buf, sizeof buf, &n, &why), ROOMPROTO_OK);
    store *st = sync_store(s);
    assert_int_equal(store_room_active_put(st, buf, n), STORE_OK);
    store_close(st);
}

/* ... made by the console now (its clock as the seat's) */
static void put_active(const seat *s, const roomproto_keys *keys, uint64_t gen, const char *ticket, const char *on)
{
    put_active_at(s, keys, gen, ticket, on, (uint64_t)fake_wall(NULL) * 1000);
}

/* A candidate logged in on another seat is refused here; a set with a bad
 * MAC is ignored; this seat's own entry is no reason to refuse. */
static void test_duplicate_login(void **state)
{
    seat *s = *state;
    open_seat(s);
    room_unlock(s);
    put_active(s, &s->keys, 3, "T001", "00112233445566ff");
    assert_int_equal(exam_login(s->e, "T001", s->id_a), EXAM_DUPLICATE_LOGIN);
    assert_string_equal(exam_message(EXAM_DUPLICATE_LOGIN), "该准考证已在本考场其他座位登录");
    assert_int_equal(exam_get_phase(s->e), PHASE_LOGIN);
    assert_int_equal(journaled(s, "room_duplicate", "on=00112233445566ff"), 1);
    tick(s);
    assert_true(status(s).flags & ROOMPROTO_FLAG_DUPLICATE_LOGIN);
    /* a wrong ID number is refused as before (the set is looked at after the roster) */
    assert_int_equal(exam_login(s->e, "T001", s->id_b), EXAM_NOT_ON_ROSTER);
    /* an older generation replayed into kiosk.db is refused, the set ignored */
    put_active(s, &s->keys, 2, "T002", "00112233445566ff");
    assert_int_equal(exam_login(s->e, "T002", s->id_b), EXAM_OK);
    assert_int_equal(exam_back(s->e), EXAM_OK);
    assert_int_equal(journaled(s, "room_active_refused", "older generation"), 1);
    /* a set MAC'd with another key (a forger on the LAN): ignored */
    uint8_t other[32];
    randombytes_buf(other, sizeof other);
    roomproto_keys ok;
    roomproto_keys_derive(other, &ok);
    put_active(s, &ok, 9, "T001", "00112233445566ff");
    assert_int_equal(exam_login(s->e, "T001", s->id_a), EXAM_OK);
    assert_int_equal(journaled(s, "room_active_refused", "MAC does not verify"), 1);
    assert_int_equal(exam_confirm(s->e), EXAM_OK);
    tick(s);
    assert_false(status(s).flags & ROOMPROTO_FLAG_DUPLICATE_LOGIN);
    assert_int_equal(exam_back(s->e), EXAM_OK);
    /* a set the console made 10 minutes ago (the console gone since): ignored */
    put_active_at(s, &s->keys, 11, "T001", "00112233445566ff", ((uint64_t)fake_wall(NULL) - 600) * 1000);
    assert_int_equal(exam_login(s->e, "T001", s->id_a), EXAM_OK);
    assert_int_equal(journaled(s, "room_active_refused", "more than 5 minutes"), 1);
    assert_int_equal(exam_back(s->e), EXAM_OK);
    /* listed on this very seat: fine */
    put_active(s, &s->keys, 12, "T001", s->kiosk_id);
    assert_int_equal(exam_login(s->e, "T001", s->id_a), EXAM_OK);
}

/* The status examsync reports: written on a change and at least every 5 s;
 * the ticket as its keyed tag, the name in a box only the console opens. */
static void test_status(void **state)
{
    seat *s = *state;
    open_seat(s);
    room_unlock(s);
    assert_int_equal(exam_login(s->e, "T001", s->id_a), EXAM_OK);
    tick(s);
    store_room_status r = status(s);
    uint8_t tag[16];
    assert_int_equal(roomproto_ticket_tag(&s->keys, "T001", tag), ROOMPROTO_OK);
    assert_memory_equal(r.ticket_tag, tag, 16);
    assert_int_equal(r.name_box_len, ROOMPROTO_NAME_BOX_MAX);
    char name[ROOMPROTO_NAME_MAX + 1];
    const char *why;
    assert_int_equal(roomproto_name_open(&s->keys, r.name_box, r.name_box_len, name, &why), ROOMPROTO_OK);
    assert_string_equal(name, "李嘉欣");
    assert_int_equal(exam_confirm(s->e), EXAM_OK);
    assert_int_equal(exam_start(s->e), EXAM_OK);
    tick(s);
    r = status(s);
    assert_int_equal(r.phase, PHASE_RUNNING);
    assert_int_equal(r.total, 4);
    assert_int_equal(r.answered, 0);
    uint64_t count = r.journal_count;
    assert_true(count > 0 && !sodium_is_zero(r.journal_head, 32));
    assert_int_equal(exam_choose(s->e, 2), EXAM_OK);
    tick(s);
    r = status(s);
    assert_int_equal(r.answered, 1);
    assert_true(r.journal_count > count);
    /* nothing changes: at least every 5 s anyway (the time left moves) */
    int64_t at = r.updated_ms;
    tick(s);
    assert_int_equal(status(s).updated_ms, at);
    for (int i = 0; i < 5; i++) tick(s);
    assert_true(status(s).updated_ms > at);
    /* the box stays the same for the same candidate (no new nonce each tick) */
    assert_memory_equal(status(s).name_box, r.name_box, ROOMPROTO_NAME_BOX_MAX);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_unlock_from_box),     T(test_unlock_at_pin_screen),   T(test_unlock_forged),          T(test_pause_resume_all),
        T(test_extend),              T(test_close_entry),            T(test_force_handin_and_lock),
        T(test_authorise_resume),    T(test_replay_and_reorder),     T(test_exactly_once_across_crash),
        T(test_duplicate_login),     T(test_status),
    };
    if (sodium_init() < 0) return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
