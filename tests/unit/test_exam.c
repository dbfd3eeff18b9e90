/* Unit tests for core/exam.c: the kiosk's exam engine, driven end to end
 * without SDL (README "Exam day"; the phases at the top of core/exam.c). Each test provisions a data directory under /tmp
 * the way `examsync init` + `examsync add` do (authority.pub, device.key,
 * kiosk.db with meta rows, a signed pack and a signed roster), injects a
 * fake monotonic clock, and checks what reaches the database and the sealed
 * result in the outbox. */
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
#include <time.h>
#include <unistd.h>

#include "core/authority.h"
#include "core/bank.h"
#include "core/blueprint.h"
#include "core/exam.h"
#include "core/fileio.h"
#include "core/idnumber.h"
#include "core/journal.h"
#include "core/pack.h"
#include "core/pin.h"
#include "core/releasecode.h"
#include "core/result.h"
#include "core/roster.h"
#include "core/score.h"
#include "core/store.h"

#define MIN 60000LL

/* ---- the clocks ----------------------------------------------------------------
 *
 * g_now is the injected monotonic clock (platform.now_ms). The wall clock is
 * interposed: this definition of time() replaces the C library's for the
 * whole test program (core/exam.c calls time(NULL) for the informative
 * wall-clock fields), so a test can move "the system clock" by g_wall_shift
 * seconds and show that it changes nothing that matters. */
static int64_t g_now;
static int64_t g_wall_shift;

time_t time(time_t *t)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t v = (time_t)(ts.tv_sec + g_wall_shift);
    if (t) *t = v;
    return v;
}

static int64_t fake_now(void *ctx)
{
    (void)ctx;
    return g_now;
}

static uint64_t g_rand_counter;
static void fake_random(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    uint8_t seed[randombytes_SEEDBYTES] = {0};
    memcpy(seed, &g_rand_counter, sizeof g_rand_counter);
    g_rand_counter++;
    randombytes_buf_deterministic(buf, n, seed);
}

static void fake_log(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

static int64_t real_wall(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

static const platform PF = {fake_now, real_wall, fake_random, fake_log, NULL};

/* ---- the exam ------------------------------------------------------------------- */

/* Stems and keys carry QSTEM / QKEY markers so that a scan of the database
 * files can show no question content reaches the disk. */
static const char BANK[] = "id,type,section,stem,A,B,C,D,answer\n"
                           "J1,judge,,QSTEM-判断一,,,,,T\n"
                           "J2,judge,,QSTEM-判断二,,,,,F\n"
                           "S1,single,,QSTEM-单选一,QOPT-甲,乙,丙,丁,B\n"
                           "S2,single,,QSTEM-单选二,甲,乙,丙,丁,D\n"
                           "M1,multi,,QSTEM-多选,a,b,c,d,AC\n"
                           "O1,order,,QSTEM-排序,w,x,y,z,CABD\n"
                           "X1,match,,QSTEM-匹配,左1,左2,左3,,QKEY右1|QKEY右2|QKEY右3\n"
                           "F1,fill,,QSTEM-填空____和____,,,,,QKEYSEO|搜索引擎优化;SEM\n"
                           "N1,numeric,,QSTEM-计算,,,,,12.5+-0.05\n"
                           "E1,essay,,QSTEM-简答,,,,,QKEY参考答案\n";

static const char BLUEPRINT[] = "[exam]\n"
                                "title = 引擎测试卷\n"
                                "level = 4\n"
                                "kind = theory\n"
                                "duration = 60\n"
                                "pass = 60\n"
                                "min_submit = 10\n"
                                "late_entry = 30\n"
                                "shuffle_questions = yes\n"
                                "shuffle_options = yes\n"
                                "multi_partial = none\n"
                                "show_score = yes\n"
                                "[draw]\n"
                                "rule = type=judge count=2 points=10\n"
                                "rule = type=single count=2 points=10\n"
                                "rule = type=multi count=1 points=10\n"
                                "rule = type=order count=1 points=10\n"
                                "rule = type=match count=1 points=10\n"
                                "rule = type=fill count=1 points=10\n"
                                "rule = type=numeric count=1 points=10\n"
                                "rule = type=essay count=1 points=10\n";
#define NITEMS 10

#define PIN "246810"

/* ID numbers with their GB 11643 check character */
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

static struct {
    char a[19], b[19], c[19], d[19], stranger[19], bad[19];
} ID;

/* ---- a provisioned kiosk ---------------------------------------------------------- */

typedef struct kiosk {
    char root[64], data[96];
    uint8_t spk[crypto_sign_PUBLICKEYBYTES], ssk[crypto_sign_SECRETKEYBYTES];
    uint8_t bpk[crypto_box_PUBLICKEYBYTES], bsk[crypto_box_SECRETKEYBYTES];
    uint8_t dpk[crypto_sign_PUBLICKEYBYTES];
    char kiosk_id[17];
    char code[RELEASECODE_TEXT_BYTES];
    char pack_id[33];
    exam *e;
} kiosk;

static void write_text(const char *path, const char *text, int mode)
{
    char *why = NULL;
    if (fileio_write_atomic(path, text, strlen(text), mode, 0, &why)) fail_msg("%s: %s", path, why);
}

static void b64(char *out, size_t cap, const uint8_t *bin, size_t n)
{
    sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
}

static void dump_diag(const diag *d)
{
    for (size_t i = 0; i < d->n; i++) print_message("    diag line %ld: %s\n", d->v[i].line, d->v[i].msg);
}

static uint8_t *build_pack(kiosk *k, size_t *len)
{
    bank b;
    blueprint bp;
    bp_plan plan;
    diag d;
    diag_init(&d);
    int rc = bank_parse(BANK, strlen(BANK), &b, &d);
    if (rc == 0) rc = blueprint_parse(BLUEPRINT, strlen(BLUEPRINT), &bp, &d);
    if (rc == 0) rc = blueprint_resolve(&bp, &b, &plan, &d);
    dump_diag(&d);
    diag_free(&d);
    assert_int_equal(rc, 0);
    char norm[RELEASECODE_NORM_BYTES];
    releasecode_generate(k->code);
    assert_int_equal(releasecode_normalize(k->code, norm), RELEASECODE_OK);
    uint8_t *out = NULL;
    char *why = NULL;
    pack_kdf cheap = {1, 8u << 20};
    if (pack_build(&bp, &b, &plan, k->ssk, norm, cheap, 1700000000, &out, len, &why) != PACK_OK) fail_msg("pack_build: %s", why);
    blueprint_plan_free(&plan);
    blueprint_free(&bp);
    bank_free(&b);
    return out;
}

static uint8_t *build_roster(kiosk *k, size_t *len, char id_hex[33], size_t *n)
{
    char csv[1024];
    snprintf(csv, sizeof csv,
             "ticket,name,id_number,level,room,seat,extra_minutes\n"
             "T001,李嘉欣,%s,4,01,1,\n"
             "T002,苏伟雄,%s,4,01,2,\n"
             "T003,王三级,%s,3,01,3,0\n"
             "T004,钟晓燕,%s,4,01,4,30\n", /* planned extra time (accommodation) */
             ID.a, ID.b, ID.c, ID.d);
    roster r;
    diag d;
    diag_init(&d);
    int rc = roster_parse_csv(csv, strlen(csv), &r, &d);
    dump_diag(&d);
    diag_free(&d);
    assert_int_equal(rc, 0);
    diag_init(&d);
    assert_int_equal(roster_set_place(&r, "广州考点", "01", &d), 0);
    diag_free(&d);
    r.kdf = (roster_kdf){ROSTER_KDF_MIN_OPS, ROSTER_KDF_MIN_MEM}; /* the floor: fast tests */
    uint8_t *out = NULL;
    char *why = NULL;
    assert_int_equal(roster_write(&r, k->ssk, &out, len, &why), 0);
    sodium_bin2hex(id_hex, 33, r.roster_id, 16);
    *n = r.n;
    roster_free(&r);
    return out;
}

/* Everything `examsync init --data D --pub authority.pub --site S --room 01
 * --seat 1` and `examsync add --data D pack roster` would leave behind. */
static void provision(kiosk *k, const char *site)
{
    memset(k, 0, sizeof *k);
    snprintf(k->root, sizeof k->root, "/tmp/test_exam.XXXXXX");
    assert_non_null(mkdtemp(k->root));
    snprintf(k->data, sizeof k->data, "%s/data", k->root);
    assert_int_equal(mkdir(k->data, 0700), 0);

    /* the authority's keys (exampack keygen): authority.pub to the kiosk */
    crypto_sign_keypair(k->spk, k->ssk);
    crypto_box_keypair(k->bpk, k->bsk);
    char s64[64], x64[64], pub[256], path[160];
    b64(s64, sizeof s64, k->spk, sizeof k->spk);
    b64(x64, sizeof x64, k->bpk, sizeof k->bpk);
    snprintf(pub, sizeof pub, "exam-authority-pub v1\nsign %s\nbox %s\n", s64, x64);
    snprintf(path, sizeof path, "%s/authority.pub", k->data);
    write_text(path, pub, 0644);
    authority_pub check;
    char *why = NULL;
    if (authority_load_pub(path, &check, &why)) fail_msg("authority.pub: %s", why);
    assert_memory_equal(check.sign_pk, k->spk, 32);
    assert_memory_equal(check.box_pk, k->bpk, 32);

    /* device key */
    snprintf(path, sizeof path, "%s/device.key", k->data);
    if (authority_device_keygen(path, k->dpk, &why)) fail_msg("device.key: %s", why);

    /* kiosk.db with its meta rows */
    store *st;
    if (store_open(k->data, 1, &st, &why)) fail_msg("store_open: %s", why);
    char pkhex[65];
    result_kiosk_id(k->dpk, k->kiosk_id);
    sodium_bin2hex(pkhex, sizeof pkhex, k->dpk, sizeof k->dpk);
    assert_int_equal(store_begin(st), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "kiosk_id", k->kiosk_id), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "device_pk", pkhex), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "site", site), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "room", "01"), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "seat", "1"), SQLITE_OK);
    assert_int_equal(store_commit(st), SQLITE_OK);

    /* the pack and the roster, as examsync add stores them */
    size_t plen, rlen, ncand;
    uint8_t *packb = build_pack(k, &plen);
    pack_info info;
    assert_int_equal(pack_verify(packb, plen, k->spk, &info, &why), PACK_OK);
    snprintf(k->pack_id, sizeof k->pack_id, "%s", info.pack_id_hex);
    store_pack_row prow = {info.pack_id_hex, info.title, info.kind, info.level, info.duration, info.questions,
                           packb, plen, 1767225600};
    int added = 0;
    assert_int_equal(store_pack_add(st, &prow, &added), STORE_OK);
    assert_int_equal(added, 1);
    free(packb);

    char rid[33];
    uint8_t *rosterb = build_roster(k, &rlen, rid, &ncand);
    roster rr;
    assert_int_equal(roster_read(rosterb, rlen, k->spk, &rr, &why), 0);
    roster_free(&rr);
    store_roster_row rrow = {rid, (int64_t)ncand, rosterb, rlen, 1767225600};
    assert_int_equal(store_roster_add(st, &rrow, &added), STORE_OK);
    assert_int_equal(added, 1);
    free(rosterb);
    store_close(st);

    g_now = 1000000000;
    g_wall_shift = 0;
    g_rand_counter = 1;
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

static int k_setup(void **state)
{
    kiosk *k = calloc(1, sizeof *k);
    if (!k) return -1;
    provision(k, "广州考点");
    *state = k;
    return 0;
}

static int k_teardown(void **state)
{
    kiosk *k = *state;
    exam_close(k->e);
    rm_tree(k->root);
    sodium_memzero(k, sizeof *k);
    free(k);
    g_wall_shift = 0;
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

/* The engine as the shipped kiosk opens it: packs held to pack_kdf_floor(). */
static void open_exam_floor(kiosk *k)
{
    char *why = NULL;
    if (exam_open(&k->e, k->data, &PF, &why)) fail_msg("exam_open: %s", why);
    assert_non_null(k->e);
}

/* ... and with the floor lowered to the test packs' cheap KDF (test hook),
 * so that each unlock takes milliseconds */
static void open_exam(kiosk *k)
{
    open_exam_floor(k);
    exam_set_kdf_floor(k->e, 1, 8u << 20);
}

static void reopen(kiosk *k)
{
    exam_close(k->e);
    k->e = NULL;
    open_exam(k);
}

/* A code of the same form that is not this pack's. */
static void other_code(char out[RELEASECODE_TEXT_BYTES]) { releasecode_generate(out); }

/* The code with one character changed: the check character catches it. */
static void typo_code(const char *code, char out[RELEASECODE_TEXT_BYTES])
{
    snprintf(out, RELEASECODE_TEXT_BYTES, "%s", code);
    out[0] = out[0] == 'A' ? 'B' : 'A';
}

static void unlock_and_pin(kiosk *k)
{
    assert_int_equal(exam_unlock(k->e, k->code), EXAM_OK);
    assert_int_equal(exam_set_pin(k->e, PIN, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
}

static void login_and_start(kiosk *k, const char *ticket, const char *id)
{
    assert_int_equal(exam_login(k->e, ticket, id), EXAM_OK);
    assert_int_equal(exam_confirm(k->e), EXAM_OK);
    assert_int_equal(exam_start(k->e), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_RUNNING);
}

/* The kiosk's store, opened beside the engine with the unlocked pack's keys
 * (from its release code, as the kiosk derives them): sealed rows read back. */
static store *store_of(const kiosk *k)
{
    store *st = NULL;
    char *why = NULL;
    if (store_open(k->data, 0, &st, &why)) fail_msg("store_open: %s", why);
    uint8_t *buf = NULL, key[PACK_KEY_BYTES];
    size_t len = 0;
    if (*k->pack_id && store_pack_get(st, k->pack_id, &buf, &len) == STORE_OK &&
        pack_unwrap_key(buf, len, k->code, key, &why) == PACK_OK) {
        journal_key jk;
        journal_key_derive(&jk, k->pack_id, key);
        store_set_journal_key(st, &jk);
    }
    free(why);
    free(buf);
    return st;
}

/* The content key of the kiosk's unlocked pack, from its release code (as the hub has it once the paper
 * is registered). */
static void pack_key_of(const kiosk *k, uint8_t key[PACK_KEY_BYTES])
{
    store *st = NULL;
    char *why = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    if (store_open(k->data, 0, &st, &why)) fail_msg("store_open: %s", why);
    assert_int_equal(store_pack_get(st, k->pack_id, &buf, &len), STORE_OK);
    assert_int_equal(pack_unwrap_key(buf, len, k->code, key, &why), PACK_OK);
    free(buf);
    store_close(st);
}

/* The attacker's edit of kiosk.db (the kiosk stopped): SQL straight into the
 * file, as someone holding the disk would; returns the rows changed. */
static int disk_edit(const kiosk *k, const char *sql)
{
    sqlite3 *db = NULL;
    char path[160];
    snprintf(path, sizeof path, "%s/%s", k->data, STORE_DB_NAME);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int n = sqlite3_changes(db);
    sqlite3_close(db);
    return n;
}

/* The journal as the store reads it (store_journal_each): the types of
 * SESSION's entries (NULL: all) in order, space-separated, and how many of
 * TYPE (with DATA, if given) there are. */
typedef struct jscan {
    const char *type, *data;
    long long n;
    char types[8192];
} jscan;
static int jscan_entry(void *ctx, const journal_entry *je)
{
    jscan *j = ctx;
    size_t l = strlen(j->types);
    snprintf(j->types + l, sizeof j->types - l, "%s%s", l ? " " : "", je->type);
    if (j->type && !strcmp(je->type, j->type) && (!j->data || !strcmp(je->data, j->data))) j->n++;
    return 0;
}
static jscan journal_scan(const kiosk *k, const char *sid, const char *type, const char *data)
{
    store *st = store_of(k);
    jscan j = {type, data, 0, ""};
    assert_int_equal(store_journal_each(st, sid, jscan_entry, &j), STORE_OK);
    store_close(st);
    return j;
}
/* the journal verified with the unlocked pack's key: its head and count */
static int64_t journal_verified(const kiosk *k, uint8_t head[JOURNAL_HASH_BYTES])
{
    store *st = store_of(k);
    char *why = NULL;
    journal_check jc;
    if (store_journal_verify_keyed(st, NULL, head, &jc, &why)) fail_msg("journal: %s", why);
    assert_int_equal(jc.foreign, 0); /* every sealed entry checked with the key */
    store_close(st);
    return jc.entries;
}

/* the active sitting's id, from the database */
static char *current_sid(const kiosk *k)
{
    store *st = store_of(k);
    char id[STORE_ID_MAX + 1];
    char *sid = store_session_latest_active(st, id, NULL) == STORE_OK ? strdup(id) : NULL;
    store_close(st);
    return sid;
}

typedef struct answer_probe {
    int item, flagged;
    char *response;
} answer_probe;

static int probe_answer(void *ctx, const store_answer_row *row)
{
    answer_probe *ap = ctx;
    if (row->item != ap->item) return 0;
    ap->response = strdup(row->response);
    ap->flagged = row->flagged;
    return 1;
}

/* The committed answer row of item I, or NULL. */
static char *db_response(const kiosk *k, const char *sid, int item)
{
    store *st = store_of(k);
    answer_probe ap = {item, 0, NULL};
    assert_int_equal(store_answer_each(st, sid, probe_answer, &ap), STORE_OK);
    store_close(st);
    return ap.response;
}

/* The committed flag of item I (-1: no answer row). */
static int db_flagged(const kiosk *k, const char *sid, int item)
{
    store *st = store_of(k);
    answer_probe ap = {item, -1, NULL};
    assert_int_equal(store_answer_each(st, sid, probe_answer, &ap), STORE_OK);
    store_close(st);
    free(ap.response);
    return ap.flagged;
}

/* A copy of a session row (store_session_get), for assertions. */
typedef struct session_copy {
    int found, active, score;
    long long elapsed_ms;
    char ticket[40], name[80], state[16], receipt[RESULT_RECEIPT_BYTES + 8], seedhex[2 * PAPER_SEED_BYTES + 1];
} session_copy;

static int copy_session(void *ctx, const store_session_row *row)
{
    session_copy *c = ctx;
    c->found = 1;
    c->active = row->active;
    c->score = row->score;
    c->elapsed_ms = row->elapsed_ms;
    snprintf(c->ticket, sizeof c->ticket, "%s", row->ticket);
    snprintf(c->name, sizeof c->name, "%s", row->name);
    snprintf(c->state, sizeof c->state, "%s", row->state);
    snprintf(c->receipt, sizeof c->receipt, "%s", row->receipt ? row->receipt : "");
    if (row->seed_len == PAPER_SEED_BYTES) sodium_bin2hex(c->seedhex, sizeof c->seedhex, row->seed, row->seed_len);
    return 0;
}

/* Session SID's row, or (SID NULL) the newest active one's; found 0 if none. */
static session_copy session_of(const kiosk *k, const char *sid)
{
    store *st = store_of(k);
    session_copy c = {0};
    char id[STORE_ID_MAX + 1];
    if (!sid && store_session_latest_active(st, id, NULL) == STORE_OK) sid = id;
    if (sid && store_session_get(st, sid, copy_session, &c) != STORE_OK) c.found = 0;
    store_close(st);
    return c;
}

static int count_session(void *ctx, const store_session_row *row)
{
    (void)row;
    ++*(int *)ctx;
    return 0;
}

/* Rows in the session table. */
static int session_count(const kiosk *k)
{
    store *st = store_of(k);
    int n = 0;
    assert_int_equal(store_session_each(st, count_session, &n), STORE_OK);
    store_close(st);
    return n;
}

/* Results in the outbox, delivered or not. */
static int outbox_count(const kiosk *k)
{
    store *st = store_of(k);
    int pending = 0, delivered = 0;
    assert_int_equal(store_outbox_counts(st, &pending, &delivered), STORE_OK);
    store_close(st);
    return pending + delivered;
}

static void assert_committed(const kiosk *k, const char *sid, int item)
{
    char *v = db_response(k, sid, item);
    if (!v) fail_msg("item %d has no committed answer", item);
    assert_string_equal(v, exam_response(k->e, item));
    assert_int_equal(exam_saved(k->e, item), 1);
    free(v);
}

/* First item of type T on the paper, -1 if none. */
static int item_of(const exam *e, qtype t, int nth)
{
    const paper *p = exam_paper(e);
    for (int i = 0; p && i < p->n; i++)
        if (p->items[i].type == t && nth-- == 0) return i;
    return -1;
}

static int item_by_id(const exam *e, const char *id)
{
    const paper *p = exam_paper(e);
    for (int i = 0; p && i < p->n; i++)
        if (!strcmp(p->items[i].id, id)) return i;
    fail_msg("%s not on the paper", id);
    return -1;
}

/* Display position showing original option / right-hand item ORIG. */
static int disp_of(const paper_item *it, int orig)
{
    for (int d = 0; d < it->nopt; d++)
        if (it->perm[d] == orig) return d;
    fail_msg("option %d not shown", orig);
    return -1;
}

/* outbox row N of the store, opened with the results key */
typedef struct outbox_probe {
    const kiosk *k;
    int n, seen;
    char *json, rid[RESULT_ID_HEX], session[33];
} outbox_probe;

static int probe_outbox(void *ctx, const store_outbox_row *row)
{
    outbox_probe *op = ctx;
    if (op->seen++ != op->n) return 0;
    char *why = NULL;
    uint8_t dpk[32];
    if (result_open(row->sealed, row->len, op->k->bpk, op->k->bsk, &op->json, dpk, op->rid, &why))
        fail_msg("outbox row %d does not open: %s", op->n, why);
    assert_memory_equal(dpk, op->k->dpk, 32);     /* signed by this kiosk */
    assert_string_equal(op->rid, row->result_id); /* filed under its id */
    assert_int_equal(row->delivered, 0);          /* not yet delivered */
    snprintf(op->session, sizeof op->session, "%s", row->session);
    return 1;
}

static int copy_first_sealed(void *ctx, const store_outbox_row *row)
{
    struct { uint8_t *b; size_t len; } *out = ctx;
    out->b = malloc(row->len ? row->len : 1);
    assert_non_null(out->b);
    memcpy(out->b, row->sealed, row->len);
    out->len = row->len;
    return 1;
}

/* A copy of the first filed result's sealed bytes (caller frees). */
static uint8_t *first_sealed(const kiosk *k, size_t *len)
{
    store *st = store_of(k);
    struct { uint8_t *b; size_t len; } out = {NULL, 0};
    assert_int_equal(store_outbox_each(st, copy_first_sealed, &out), STORE_OK);
    store_close(st);
    if (!out.b) fail_msg("the outbox is empty");
    *len = out.len;
    return out.b;
}

/* Opens outbox row N (0-based, by creation order) with the results key. */
static char *outbox_json(const kiosk *k, int n, char rid_out[RESULT_ID_HEX], char *session_out)
{
    store *st = store_of(k);
    outbox_probe op = {.k = k, .n = n};
    assert_int_equal(store_outbox_each(st, probe_outbox, &op), STORE_OK);
    store_close(st);
    if (!op.json) fail_msg("no outbox row %d", n);
    if (rid_out) memcpy(rid_out, op.rid, RESULT_ID_HEX);
    if (session_out) snprintf(session_out, 33, "%s", op.session);
    return op.json;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fail_msg("missing %s\n  in %s", needle, hay);
}

static long long json_int(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    if (!p) fail_msg("no %s in %s", key, json);
    return strtoll(p + strlen(pat), NULL, 10);
}

static int file_has(const char *path, const void *needle, size_t n)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    char *why = NULL;
    if (fileio_read(path, 1u << 28, &buf, &len, &why)) {
        free(why);
        return 0;
    }
    int found = memmem(buf, len, needle, n) != NULL;
    free(buf);
    return found;
}

static int disk_has(const kiosk *k, const char *s)
{
    char path[160];
    int found = 0;
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s%s", k->data, STORE_DB_NAME, suffix[i]);
        found |= file_has(path, s, strlen(s));
    }
    return found;
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_open_start_screen(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOCKED);
    assert_string_equal(exam_site(k->e), "广州考点");
    assert_string_equal(exam_room(k->e), "01");
    assert_string_equal(exam_seat(k->e), "1");
    assert_string_equal(exam_kiosk_id(k->e), k->kiosk_id);
    assert_int_equal(exam_pack_count(k->e), 1);
    const char *title, *kind;
    int level, duration, questions;
    assert_int_equal(exam_pack_info(k->e, 0, &title, &level, &kind, &duration, &questions), 0);
    assert_string_equal(title, "引擎测试卷");
    assert_int_equal(level, 4);
    assert_string_equal(kind, "theory");
    assert_int_equal(duration, 60);
    assert_int_equal(questions, NITEMS);
    assert_int_equal(exam_pack_info(k->e, 1, &title, &level, &kind, &duration, &questions), -1);
    assert_null(exam_paper(k->e));
    assert_string_equal(exam_unlocked_title(k->e), "");
    assert_int_equal(exam_late_entry_left_min(k->e), 0);
    /* nothing works before the unlock */
    assert_int_equal(exam_set_pin(k->e, PIN, PIN), EXAM_BAD_STATE);
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_BAD_STATE);
    assert_int_equal(exam_start(k->e), EXAM_BAD_STATE);
    assert_int_equal(exam_handin(k->e), EXAM_BAD_STATE);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_BAD_STATE);
    assert_int_equal(exam_check_pin(k->e, PIN), EXAM_BAD_STATE);
    assert_int_equal(exam_choose(k->e, 0), EXAM_BAD_STATE);
    for (int rc = EXAM_CODE_TYPO; rc <= EXAM_INTERNAL; rc++) assert_true(strlen(exam_message((exam_rc)rc)) > 0);
}

static void test_open_refuses_unprovisioned(void **state)
{
    kiosk *k = *state;
    exam *e = NULL;
    char *why = NULL;
    char path[160];
    snprintf(path, sizeof path, "%s/nothing", k->root);
    assert_int_equal(exam_open(&e, path, &PF, &why), -1);
    assert_null(e);
    assert_non_null(why);
    free(why);
    why = NULL;
    /* a data directory without authority.pub */
    snprintf(path, sizeof path, "%s/authority.pub", k->data);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(exam_open(&e, k->data, &PF, &why), -1);
    assert_null(e);
    assert_non_null(why);
    free(why);
}

/* The whole sitting: unlock, PIN, login, answers of every type, hand-in,
 * and the sealed result in the outbox. */
static void test_full_sitting(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    char bad[RELEASECODE_TEXT_BYTES];

    /* unlock */
    typo_code(k->code, bad);
    assert_int_equal(exam_unlock(k->e, bad), EXAM_CODE_TYPO);
    assert_int_equal(exam_unlock(k->e, "not a code"), EXAM_CODE_TYPO);
    other_code(bad);
    assert_int_equal(exam_unlock(k->e, bad), EXAM_CODE_WRONG);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOCKED);
    /* entry ignores case and dashes */
    char lower[RELEASECODE_TEXT_BYTES];
    int o = 0;
    for (const char *p = k->code; *p; p++)
        if (*p != '-') lower[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    lower[o] = 0;
    assert_int_equal(exam_unlock(k->e, lower), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_SET_PIN);
    assert_string_equal(exam_unlocked_title(k->e), "引擎测试卷");
    assert_int_equal(exam_unlock(k->e, k->code), EXAM_BAD_STATE);

    /* PIN */
    assert_int_equal(exam_set_pin(k->e, "12345", "12345"), EXAM_PIN_SHORT);
    assert_int_equal(exam_set_pin(k->e, "", ""), EXAM_PIN_SHORT);
    assert_int_equal(exam_set_pin(k->e, "12345a", "12345a"), EXAM_PIN_SHORT);
    assert_int_equal(exam_set_pin(k->e, PIN, "246811"), EXAM_PIN_MISMATCH);
    assert_int_equal(exam_get_phase(k->e), PHASE_SET_PIN);
    assert_int_equal(exam_set_pin(k->e, PIN, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
    assert_int_equal(exam_check_pin(k->e, PIN), EXAM_OK);
    assert_int_equal(exam_check_pin(k->e, "246811"), EXAM_PIN_WRONG);
    assert_int_equal(exam_late_entry_left_min(k->e), 30);

    /* login */
    assert_int_equal(exam_login(k->e, "T001", ID.bad), EXAM_ID_CHECKSUM);
    assert_int_equal(exam_login(k->e, "T001", "12345"), EXAM_ID_CHECKSUM);
    assert_int_equal(exam_login(k->e, "T001", ID.stranger), EXAM_NOT_ON_ROSTER); /* valid ID, not this ticket's */
    assert_int_equal(exam_login(k->e, "T001", ID.b), EXAM_NOT_ON_ROSTER);        /* another candidate's ID */
    assert_int_equal(exam_login(k->e, "T999", ID.a), EXAM_NOT_ON_ROSTER);
    assert_int_equal(exam_login(k->e, "T003", ID.c), EXAM_LEVEL_MISMATCH);      /* level 3, pack level 4 */
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
    assert_int_equal(exam_login(k->e, " T001 ", ID.a), EXAM_OK); /* trimmed */
    assert_int_equal(exam_get_phase(k->e), PHASE_CONFIRM);
    assert_string_equal(exam_cand_name(k->e), "李嘉欣");
    assert_string_equal(exam_cand_ticket(k->e), "T001");
    assert_int_equal(exam_cand_level(k->e), 4);
    assert_int_equal(exam_cand_seat(k->e), 1);
    /* "not me": back to login, then again */
    assert_int_equal(exam_back(k->e), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
    assert_string_equal(exam_cand_name(k->e), "");
    assert_int_equal(exam_confirm(k->e), EXAM_BAD_STATE);
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_OK);
    assert_int_equal(exam_start(k->e), EXAM_BAD_STATE); /* instructions first */
    assert_int_equal(exam_confirm(k->e), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_INSTRUCTIONS);

    /* start */
    const int64_t t0 = g_now;
    assert_int_equal(exam_start(k->e), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_RUNNING);
    const paper *p = exam_paper(k->e);
    assert_non_null(p);
    assert_int_equal(p->n, NITEMS);
    assert_int_equal(exam_remaining_ms(k->e), 60 * MIN);
    assert_int_equal(exam_elapsed_ms(k->e), 0);
    assert_int_equal(exam_answered_count(k->e), 0);
    char *sid = current_sid(k);
    assert_non_null(sid);
    for (int i = 0; i < NITEMS; i++) assert_string_equal(exam_response(k->e, i), "");

    /* judge: J1 right (T), J2 wrong (T, key F) */
    for (int n = 0; n < 2; n++) {
        int i = item_of(k->e, QT_JUDGE, n);
        exam_goto(k->e, i);
        assert_int_equal(exam_current(k->e), i);
        const paper_question *q = exam_question(k->e);
        assert_non_null(q);
        assert_non_null(strstr(q->stem, "QSTEM-判断"));
        assert_int_equal(exam_choose(k->e, 2), EXAM_BAD_STATE); /* only A and B */
        assert_int_equal(exam_choose(k->e, 1), EXAM_OK);
        assert_string_equal(exam_response(k->e, i), "F");
        assert_int_equal(exam_choose(k->e, 0), EXAM_OK);
        assert_string_equal(exam_response(k->e, i), "T");
        assert_true(exam_is_selected(k->e, 0));
        assert_false(exam_is_selected(k->e, 1));
        char disp[16];
        exam_display_response(k->e, i, disp, sizeof disp);
        assert_string_equal(disp, "A");
        assert_committed(k, sid, i);
    }
    /* single: the S1-like item right (its key), the other left unanswered but flagged */
    int s_right = -1, s_flag = -1;
    for (int n = 0; n < 2; n++) {
        int i = item_of(k->e, QT_SINGLE, n);
        if (!strcmp(p->items[i].id, "S1")) s_right = i;
        else s_flag = i;
    }
    assert_true(s_right >= 0 && s_flag >= 0);
    exam_goto(k->e, s_right);
    const paper_item *it = &p->items[s_right];
    assert_int_equal(exam_choose(k->e, disp_of(it, 0)), EXAM_OK); /* A: wrong */
    assert_string_equal(exam_response(k->e, s_right), "A");
    assert_int_equal(exam_choose(k->e, disp_of(it, 1)), EXAM_OK); /* B replaces it */
    assert_string_equal(exam_response(k->e, s_right), "B");
    assert_true(exam_is_selected(k->e, disp_of(it, 1)));
    assert_false(exam_is_selected(k->e, disp_of(it, 0)));
    char disp[32];
    exam_display_response(k->e, s_right, disp, sizeof disp);
    assert_int_equal(disp[0], 'A' + disp_of(it, 1));
    assert_committed(k, sid, s_right);
    exam_goto(k->e, s_flag);
    assert_int_equal(exam_toggle_flag(k->e), EXAM_OK);
    assert_int_equal(exam_flagged(k->e, s_flag), 1);
    assert_string_equal(exam_response(k->e, s_flag), "");
    assert_int_equal(db_flagged(k, sid, s_flag), 1);

    /* multi: toggle A, B, C, then B off → AC */
    int im = item_of(k->e, QT_MULTI, 0);
    exam_goto(k->e, im);
    it = &p->items[im];
    assert_int_equal(exam_choose(k->e, disp_of(it, 0)), EXAM_OK);
    assert_int_equal(exam_choose(k->e, disp_of(it, 1)), EXAM_OK);
    assert_int_equal(exam_choose(k->e, disp_of(it, 2)), EXAM_OK);
    assert_string_equal(exam_response(k->e, im), "ABC");
    assert_int_equal(exam_choose(k->e, disp_of(it, 1)), EXAM_OK);
    assert_string_equal(exam_response(k->e, im), "AC");
    assert_int_equal(exam_order_append(k->e, 0), EXAM_BAD_STATE); /* not an order item */
    assert_int_equal(exam_match_digit(k->e, 1), EXAM_BAD_STATE);
    assert_int_equal(exam_text(k->e, "x"), EXAM_BAD_STATE);
    assert_committed(k, sid, im);

    /* order: C, A, D (wrong), BackSpace, B, D → CABD */
    int io = item_of(k->e, QT_ORDER, 0);
    exam_goto(k->e, io);
    it = &p->items[io];
    assert_int_equal(exam_choose(k->e, 0), EXAM_BAD_STATE);
    assert_int_equal(exam_order_append(k->e, disp_of(it, 2)), EXAM_OK);
    assert_int_equal(exam_order_append(k->e, disp_of(it, 0)), EXAM_OK);
    assert_int_equal(exam_order_append(k->e, disp_of(it, 0)), EXAM_BAD_STATE); /* each once */
    assert_int_equal(exam_order_append(k->e, disp_of(it, 3)), EXAM_OK);
    assert_string_equal(exam_response(k->e, io), "CAD");
    assert_int_equal(exam_backspace(k->e), EXAM_OK);
    assert_string_equal(exam_response(k->e, io), "CA");
    assert_int_equal(exam_order_append(k->e, disp_of(it, 1)), EXAM_OK);
    assert_int_equal(exam_order_append(k->e, disp_of(it, 3)), EXAM_OK);
    assert_string_equal(exam_response(k->e, io), "CABD");
    assert_int_equal(exam_order_append(k->e, 4), EXAM_BAD_STATE);
    exam_display_response(k->e, io, disp, sizeof disp);
    char want[8] = {(char)('A' + disp_of(it, 2)), (char)('A' + disp_of(it, 0)), (char)('A' + disp_of(it, 1)),
                    (char)('A' + disp_of(it, 3)), 0};
    assert_string_equal(disp, want);
    assert_committed(k, sid, io);

    /* match: right-hand item 1, 3 (wrong), BackSpace, 2, 3 → "1,2,3" */
    int ix = item_of(k->e, QT_MATCH, 0);
    exam_goto(k->e, ix);
    it = &p->items[ix];
    assert_int_equal(it->nopt, 3);
    const paper_question *qx = exam_question(k->e);
    assert_int_equal(qx->nright, 3);
    assert_int_equal(exam_match_digit(k->e, 0), EXAM_BAD_STATE);
    assert_int_equal(exam_match_digit(k->e, 4), EXAM_BAD_STATE);
    assert_int_equal(exam_match_digit(k->e, disp_of(it, 0) + 1), EXAM_OK);
    assert_int_equal(exam_match_digit(k->e, disp_of(it, 2) + 1), EXAM_OK);
    assert_string_equal(exam_response(k->e, ix), "1,3");
    assert_int_equal(exam_backspace(k->e), EXAM_OK);
    assert_string_equal(exam_response(k->e, ix), "1");
    assert_int_equal(exam_match_digit(k->e, disp_of(it, 1) + 1), EXAM_OK);
    assert_int_equal(exam_match_digit(k->e, disp_of(it, 2) + 1), EXAM_OK);
    assert_string_equal(exam_response(k->e, ix), "1,2,3");
    assert_int_equal(exam_match_digit(k->e, 1), EXAM_BAD_STATE); /* every left-hand item has its match */
    exam_display_response(k->e, ix, disp, sizeof disp);
    char wantm[48];
    snprintf(wantm, sizeof wantm, "%d,%d,%d", disp_of(it, 0) + 1, disp_of(it, 1) + 1, disp_of(it, 2) + 1);
    assert_string_equal(disp, wantm);
    assert_committed(k, sid, ix);

    /* fill, two blanks: first right (with a BackSpace over a typo), second wrong */
    int iff = item_of(k->e, QT_FILL, 0);
    exam_goto(k->e, iff);
    assert_int_equal(exam_active_blank(k->e), 0);
    assert_int_equal(exam_text(k->e, "搜索引擎"), EXAM_OK);
    assert_int_equal(exam_text(k->e, "优化x"), EXAM_OK);
    assert_int_equal(exam_backspace(k->e), EXAM_OK);
    assert_string_equal(exam_response(k->e, iff), "搜索引擎优化");
    assert_int_equal(exam_text(k->e, "a\tb"), EXAM_BAD_STATE); /* control characters never enter */
    assert_int_equal(exam_text(k->e, "\x1f"), EXAM_BAD_STATE);
    exam_next_blank(k->e);
    assert_int_equal(exam_active_blank(k->e), 1);
    assert_int_equal(exam_text(k->e, "SEO"), EXAM_OK);
    assert_string_equal(exam_response(k->e, iff), "搜索引擎优化\x1fSEO");
    exam_next_blank(k->e);
    assert_int_equal(exam_active_blank(k->e), 0); /* Tab wraps */
    assert_committed(k, sid, iff);

    /* numeric: 12.50 equals 12.5 */
    int in = item_of(k->e, QT_NUMERIC, 0);
    exam_goto(k->e, in);
    assert_int_equal(exam_text(k->e, "12.5"), EXAM_OK);
    assert_int_equal(exam_text(k->e, "0"), EXAM_OK);
    assert_string_equal(exam_response(k->e, in), "12.50");
    assert_int_equal(exam_newline(k->e), EXAM_BAD_STATE); /* only essays take line breaks */
    assert_committed(k, sid, in);

    /* essay: two lines, pending a human marker */
    int ie = item_of(k->e, QT_ESSAY, 0);
    exam_goto(k->e, ie);
    assert_int_equal(exam_text(k->e, "答：第一点"), EXAM_OK);
    assert_int_equal(exam_newline(k->e), EXAM_OK);
    assert_int_equal(exam_text(k->e, "第二点\"引号\""), EXAM_OK);
    assert_string_equal(exam_response(k->e, ie), "答：第一点\n第二点\"引号\"");
    assert_committed(k, sid, ie);

    assert_int_equal(exam_answered_count(k->e), NITEMS - 1);

    /* hand-in: too early before min_submit (10 minutes) */
    g_now = t0 + 5 * MIN;
    assert_int_equal(exam_handin_allowed(k->e), 0);
    assert_int_equal(exam_handin(k->e), EXAM_TOO_EARLY);
    assert_int_equal(exam_get_phase(k->e), PHASE_RUNNING);
    g_now = t0 + 10 * MIN - 1;
    assert_int_equal(exam_handin(k->e), EXAM_TOO_EARLY);
    g_now = t0 + 10 * MIN;
    assert_int_equal(exam_handin_allowed(k->e), 1);
    assert_int_equal(exam_remaining_ms(k->e), 50 * MIN);
    assert_int_equal(exam_handin(k->e), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_DONE);

    /* 10 (J1) + 0 (J2) + 10 (S1) + 0 + 10 (multi) + 10 (order) + 10 (match)
     * + 5 (one blank of two) + 10 (numeric) + 0 (essay, pending) = 65 */
    assert_int_equal(exam_score_tenths(k->e), 650);
    assert_int_equal(exam_pending_items(k->e), 1);
    assert_string_equal(exam_final_status(k->e), "submitted");
    assert_int_equal(exam_show_score(k->e), 1);
    const char *receipt = exam_receipt(k->e);
    assert_int_equal(strlen(receipt), 9);
    assert_int_equal(receipt[4], '-');
    for (int i = 0; i < 9; i++)
        if (i != 4) assert_non_null(memchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", receipt[i], 32));

    /* after hand-in nothing changes any more */
    exam_goto(k->e, s_flag);
    assert_int_equal(exam_choose(k->e, 0), EXAM_BAD_STATE);
    assert_int_equal(exam_toggle_flag(k->e), EXAM_BAD_STATE);
    assert_int_equal(exam_handin(k->e), EXAM_BAD_STATE);
    assert_int_equal(exam_pause(k->e), EXAM_BAD_STATE);

    /* the outbox: one sealed result that opens with the results key */
    char rid[RESULT_ID_HEX], osid[33];
    char *json = outbox_json(k, 0, rid, osid);
    assert_string_equal(osid, sid);
    char pat[160];
    snprintf(pat, sizeof pat, "\"session\":\"%s\"", sid);
    assert_contains(json, pat);
    snprintf(pat, sizeof pat, "\"kiosk\":\"%s\"", k->kiosk_id);
    assert_contains(json, pat);
    snprintf(pat, sizeof pat, "\"pack_id\":\"%s\"", k->pack_id);
    assert_contains(json, pat);
    assert_contains(json, "\"site\":\"广州考点\"");
    assert_contains(json, "\"room\":\"01\"");
    assert_contains(json, "\"seat\":1,");
    assert_contains(json, "\"title\":\"引擎测试卷\"");
    assert_contains(json, "\"kind\":\"theory\"");
    assert_contains(json, "\"level\":4,");
    assert_contains(json, "\"ticket\":\"T001\"");
    assert_contains(json, "\"name\":\"李嘉欣\"");
    assert_contains(json, "\"status\":\"submitted\"");
    assert_contains(json, "\"score\":\"65\"");
    assert_contains(json, "\"score_tenths\":650,");
    assert_contains(json, "\"total_tenths\":1000,");
    assert_contains(json, "\"pass\":60,");
    assert_contains(json, "\"passed\":0,"); /* 65 ≥ 60, but the essay awaits marking */
    assert_contains(json, "\"pending\":1,");
    assert_contains(json, "\"elapsed_ms\":600000,");
    assert_contains(json, "\"extra_ms\":0,");
    assert_contains(json, "\"id\":\"J1\",\"type\":\"judge\",\"response\":\"T\",\"points\":100,\"score\":100,");
    assert_contains(json, "\"id\":\"J2\",\"type\":\"judge\",\"response\":\"T\",\"points\":100,\"score\":0,");
    assert_contains(json, "\"id\":\"S1\",\"type\":\"single\",\"response\":\"B\",\"points\":100,\"score\":100,");
    assert_contains(json, "\"id\":\"S2\",\"type\":\"single\",\"response\":\"\",\"points\":100,\"score\":0,"
                          "\"flagged\":1,");
    assert_contains(json, "\"id\":\"M1\",\"type\":\"multi\",\"response\":\"AC\",\"points\":100,\"score\":100,");
    assert_contains(json, "\"id\":\"O1\",\"type\":\"order\",\"response\":\"CABD\",\"points\":100,\"score\":100,");
    assert_contains(json, "\"id\":\"X1\",\"type\":\"match\",\"response\":\"1,2,3\",\"points\":100,\"score\":100,");
    assert_contains(json, "\"id\":\"F1\",\"type\":\"fill\",\"response\":\"搜索引擎优化\\u001fSEO\",\"points\":100,"
                          "\"score\":50,");
    assert_contains(json, "\"id\":\"N1\",\"type\":\"numeric\",\"response\":\"12.50\",\"points\":100,\"score\":100,");
    assert_contains(json, "\"id\":\"E1\",\"type\":\"essay\",\"response\":\"答：第一点\\n第二点\\\"引号\\\"\","
                          "\"points\":100,\"score\":0,\"flagged\":0,\"pending\":1}");
    /* items in paper order */
    for (int i = 0; i < NITEMS; i++) {
        snprintf(pat, sizeof pat, "{\"n\":%d,\"id\":\"%s\"", i + 1, p->items[i].id);
        assert_contains(json, pat);
    }
    /* the seed of the paper and the journal head are signed into it */
    uint8_t head[JOURNAL_HASH_BYTES];
    char headhex[65];
    int64_t entries = journal_verified(k, head);
    sodium_bin2hex(headhex, sizeof headhex, head, sizeof head);
    snprintf(pat, sizeof pat, "\"journal_head\":\"%s\"", headhex);
    assert_contains(json, pat);
    assert_int_equal(json_int(json, "journal_count"), entries);
    /* and the sitting's stretch of the journal (issue 12): from its start to its hand-in, chaining from
     * journal_base to journal_head (FORMAT.md §8), as the hub recomputes it */
    {
        result_record rec;
        char *pwhy = NULL;
        assert_int_equal(result_parse(json, strlen(json), &rec, &pwhy), RESULT_OK);
        const result_rec *q = &rec.rec;
        assert_int_equal(q->has_journal, 1);
        assert_true(q->njournal >= 3 && q->journal_base_count + q->njournal == entries);
        assert_string_equal(q->journal[0].type, "start");
        assert_string_equal(q->journal[0].session, sid);
        assert_string_equal(q->journal[q->njournal - 1].type, "handin");
        uint8_t h[JOURNAL_HASH_BYTES], key[32];
        assert_int_equal(sodium_hex2bin(h, sizeof h, q->journal_base_hex, 64, NULL, NULL, NULL), 0);
        for (int i = 0; i < q->njournal; i++) {
            const journal_entry *je = &q->journal[i];
            assert_true(je->seq == q->journal_base_count + 1 + i);
            int keyed = *je->keyid;
            if (keyed) {
                journal_key jk;
                assert_string_equal(je->keyid, q->head.pack_id);
                pack_key_of(k, key);
                journal_key_derive(&jk, je->keyid, key);
                memcpy(key, jk.chain, sizeof key);
            }
            journal_hash(h, je, keyed ? key : NULL, h);
        }
        char hx[65];
        sodium_bin2hex(hx, sizeof hx, h, sizeof h);
        assert_string_equal(hx, headhex);
        result_record_free(&rec);
    }
    session_copy sc = session_of(k, sid);
    assert_true(sc.found);
    snprintf(pat, sizeof pat, "\"seed\":\"%s\"", sc.seedhex);
    assert_contains(json, pat);
    /* the session row is closed with the same facts */
    assert_string_equal(sc.state, "submitted");
    assert_int_equal(sc.active, 0);
    assert_int_equal(sc.score, 650);
    assert_int_equal(sc.elapsed_ms, 600000);
    assert_string_equal(sc.receipt, receipt);
    assert_int_equal(outbox_count(k), 1);
    free(json);

    /* never on disk: the PIN, the release code, question stems and keys */
    char norm[RELEASECODE_NORM_BYTES];
    assert_int_equal(releasecode_normalize(k->code, norm), RELEASECODE_OK);
    assert_false(disk_has(k, PIN));
    assert_false(disk_has(k, k->code));
    assert_false(disk_has(k, norm));
    assert_false(disk_has(k, "QSTEM"));
    assert_false(disk_has(k, "QOPT"));
    assert_false(disk_has(k, "QKEY"));
    /* nor the candidate: name and ID number are sealed (roster, session rows,
     * journal); the ticket is in clear only in the roster (FORMAT.md §7) */
    assert_false(disk_has(k, "李嘉欣"));
    assert_false(disk_has(k, ID.a));
    assert_true(disk_has(k, k->kiosk_id)); /* (the scan does see plain text) */

    /* reset for the next candidate; the same one cannot sit twice */
    assert_int_equal(exam_reset(k->e), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
    assert_null(exam_paper(k->e));
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_ALREADY_SAT);
    /* the invigilator marks T002 absent: a sealed "absent" result, score 0 */
    assert_int_equal(exam_mark_absent(k->e, "T999"), EXAM_NOT_ON_ROSTER);
    /* the disk refuses the absence: nothing of it is written (no session row
     * without its result, which would refuse the candidate as already sat) */
    int rows = session_count(k);
    exam_fail_writes(k->e, 1);
    assert_int_equal(exam_mark_absent(k->e, "T002"), EXAM_SAVE_FAILED);
    assert_int_equal(session_count(k), rows);
    exam_fail_writes(k->e, 0);
    assert_int_equal(exam_mark_absent(k->e, "T002"), EXAM_OK);
    assert_int_equal(session_count(k), rows + 1);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
    assert_int_equal(exam_mark_absent(k->e, "T002"), EXAM_ALREADY_SAT);
    assert_int_equal(exam_login(k->e, "T002", ID.b), EXAM_ALREADY_SAT);
    json = outbox_json(k, 1, NULL, NULL);
    assert_contains(json, "\"status\":\"absent\"");
    assert_contains(json, "\"ticket\":\"T002\"");
    /* an absent candidate's name is sealed under their own ticket + ID number
     * (exam-packs/FORMAT.md 7): the kiosk cannot know it; the hub has it */
    assert_contains(json, "\"name\":\"\"");
    assert_null(strstr(json, "苏伟雄"));
    assert_contains(json, "\"score_tenths\":0,");
    assert_contains(json, "\"passed\":0,");
    assert_contains(json, "\"items\":[]");
    free(json);

    /* a restart with no sitting open: the resume screen leads back to login */
    reopen(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_int_equal(exam_resume(k->e, k->code, "000000"), EXAM_PIN_WRONG);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
    assert_null(exam_paper(k->e));
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_ALREADY_SAT);
    free(sid);
}

/* Late entry: login is refused once late_entry minutes have passed since
 * the unlock, on the exam clock, and the window survives a restart. */
static void test_late_entry(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    const int64_t t0 = g_now;
    unlock_and_pin(k);
    g_now = t0 + 29 * MIN + 30000;
    assert_int_equal(exam_late_entry_left_min(k->e), 1);
    g_now = t0 + 30 * MIN; /* exactly 30 minutes: still in */
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_OK);
    assert_int_equal(exam_back(k->e), EXAM_OK);
    g_now = t0 + 30 * MIN + 1;
    assert_int_equal(exam_late_entry_left_min(k->e), 0);
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_LATE);
    assert_int_equal(exam_login(k->e, "T002", ID.b), EXAM_LATE);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
    /* the other checks come first */
    assert_int_equal(exam_login(k->e, "T001", ID.bad), EXAM_ID_CHECKSUM);
    assert_int_equal(exam_login(k->e, "T003", ID.c), EXAM_LEVEL_MISMATCH);
    /* the wall clock going back a day does not reopen the window */
    g_wall_shift = -86400;
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_LATE);
    g_wall_shift = 0;
}

static void test_late_entry_survives_restart(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    const int64_t t0 = g_now;
    unlock_and_pin(k);
    g_now = t0 + 20 * MIN;
    exam_tick(k->e); /* the login screen saves the window's age */
    /* power loss; the machine reboots and its monotonic clock starts again */
    reopen(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    g_now = 7000;
    reopen(k);
    char bad[RELEASECODE_TEXT_BYTES];
    typo_code(k->code, bad);
    assert_int_equal(exam_resume(k->e, bad, PIN), EXAM_CODE_TYPO);
    other_code(bad);
    assert_int_equal(exam_resume(k->e, bad, PIN), EXAM_CODE_WRONG);
    assert_int_equal(exam_resume(k->e, k->code, "135790"), EXAM_PIN_WRONG);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
    assert_int_equal(exam_late_entry_left_min(k->e), 10);
    g_now = 7000 + 10 * MIN + 1;
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_LATE);
}

typedef struct snap {
    int n, current;
    int seq[NITEMS], perm[NITEMS][BANK_MAX_OPTIONS];
    char resp[NITEMS][128];
    int flag[NITEMS];
} snap;

static void take(const exam *e, snap *s)
{
    const paper *p = exam_paper(e);
    assert_non_null(p);
    memset(s, 0, sizeof *s);
    s->n = p->n;
    s->current = exam_current(e);
    for (int i = 0; i < p->n; i++) {
        s->seq[i] = p->items[i].seq;
        memcpy(s->perm[i], p->items[i].perm, sizeof s->perm[i]);
        snprintf(s->resp[i], sizeof s->resp[i], "%s", exam_response(e, i));
        s->flag[i] = exam_flagged(e, i);
    }
}

/* A crash in the middle of a sitting: the kiosk restarts into the resume
 * screen; the invigilator's code and PIN bring back the same paper, the
 * answers, the question the candidate was on, and the clock where it
 * stood (downtime not charged). */
static void test_resume_sitting(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    const int64_t t0 = g_now;
    int ij = item_of(k->e, QT_JUDGE, 0), iff = item_of(k->e, QT_FILL, 0), im = item_of(k->e, QT_MULTI, 0);
    exam_goto(k->e, ij);
    assert_int_equal(exam_choose(k->e, 1), EXAM_OK);
    exam_goto(k->e, iff);
    assert_int_equal(exam_text(k->e, "断电前"), EXAM_OK);
    exam_next_blank(k->e);
    assert_int_equal(exam_text(k->e, "第二空"), EXAM_OK);
    exam_goto(k->e, im);
    assert_int_equal(exam_toggle_flag(k->e), EXAM_OK);
    exam_goto(k->e, 3);
    g_now = t0 + 7 * MIN;
    exam_tick(k->e); /* persists the clock (at least once a second) */
    g_now += 400;    /* less than a second more, then the power goes */
    snap before;
    take(k->e, &before);
    const int64_t elapsed_before = exam_elapsed_ms(k->e);
    assert_int_equal(elapsed_before, 7 * MIN + 400);
    char *sid = current_sid(k);

    /* restart: the monotonic clock restarted near zero (a reboot) */
    exam_close(k->e);
    k->e = NULL;
    g_now = 12345;
    open_exam(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_null(exam_paper(k->e));
    assert_int_equal(exam_remaining_ms(k->e), 0);
    assert_int_equal(exam_choose(k->e, 0), EXAM_BAD_STATE);
    assert_int_equal(exam_handin(k->e), EXAM_BAD_STATE);
    assert_int_equal(exam_unlock(k->e, k->code), EXAM_BAD_STATE);
    assert_int_equal(exam_resume(k->e, k->code, "000000"), EXAM_PIN_WRONG);
    assert_int_equal(exam_resume(k->e, k->code, ""), EXAM_PIN_WRONG);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_null(exam_paper(k->e));
    g_now += 3 * MIN; /* the invigilator takes a while */
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_RUNNING);

    /* the same paper, answers, flags and position */
    snap after;
    take(k->e, &after);
    assert_int_equal(after.n, before.n);
    assert_memory_equal(after.seq, before.seq, sizeof before.seq);
    assert_memory_equal(after.perm, before.perm, sizeof before.perm);
    for (int i = 0; i < NITEMS; i++) {
        assert_string_equal(after.resp[i], before.resp[i]);
        assert_int_equal(after.flag[i], before.flag[i]);
    }
    assert_int_equal(after.current, 3);
    assert_string_equal(exam_response(k->e, ij), "F");
    assert_string_equal(exam_response(k->e, iff), "断电前\x1f第二空");
    assert_string_equal(exam_cand_name(k->e), "李嘉欣");
    assert_string_equal(exam_cand_ticket(k->e), "T001");

    /* the clock: where it was last saved, within a second of the crash;
     * neither the reboot nor the wait for the invigilator is charged */
    const int64_t e1 = exam_elapsed_ms(k->e);
    assert_int_equal(e1, 7 * MIN);
    assert_true(elapsed_before - e1 >= 0 && elapsed_before - e1 < 1000);
    assert_int_equal(exam_remaining_ms(k->e), 53 * MIN);
    g_now += MIN;
    assert_int_equal(exam_elapsed_ms(k->e), 8 * MIN);

    /* answering goes on in the same session */
    exam_goto(k->e, im);
    const paper_item *it = &exam_paper(k->e)->items[im];
    assert_int_equal(exam_choose(k->e, disp_of(it, 0)), EXAM_OK);
    char *s2 = current_sid(k);
    assert_string_equal(s2, sid);
    assert_committed(k, sid, im);
    free(s2);

    /* a second crash, this time with hours of downtime on a clock that kept running */
    exam_tick(k->e);
    exam_close(k->e);
    k->e = NULL;
    g_now += 5 * 60 * MIN;
    open_exam(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_elapsed_ms(k->e), 8 * MIN);
    assert_int_equal(exam_current(k->e), im);
    assert_string_equal(exam_response(k->e, ij), "F");

    /* hand-in after 10 minutes of exam time: elapsed_ms in the result is exam time */
    assert_int_equal(exam_handin(k->e), EXAM_TOO_EARLY);
    g_now += 2 * MIN;
    assert_int_equal(exam_handin(k->e), EXAM_OK);
    char *json = outbox_json(k, 0, NULL, NULL);
    assert_contains(json, "\"elapsed_ms\":600000,");
    assert_contains(json, "\"status\":\"submitted\"");
    assert_contains(json, "\"id\":\"J1\",\"type\":\"judge\",\"response\":\"F\"");
    char pat[96];
    snprintf(pat, sizeof pat, "\"session\":\"%s\"", sid);
    assert_contains(json, pat);
    free(json);
    /* journal intact across both restarts */
    uint8_t head[JOURNAL_HASH_BYTES];
    (void)journal_verified(k, head);
    assert_true(journal_scan(k, NULL, "resume", NULL).n >= 2);
    free(sid);
    /* and once handed in, a restart no longer offers the sitting */
    reopen(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
}

/* The engine's only clock is platform.now_ms: moving the system (wall)
 * clock by years in either direction changes neither the remaining time,
 * nor min_submit, nor late entry; moving the injected clock does, exactly. */
static void test_wall_clock_changes_nothing(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    g_wall_shift = 2 * 86400; /* two days later by the wall clock: login still in time */
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_OK);
    assert_int_equal(exam_confirm(k->e), EXAM_OK);
    assert_int_equal(exam_start(k->e), EXAM_OK);
    const int64_t t0 = g_now;
    const time_t wall0 = time(NULL);
    const int64_t r0 = exam_remaining_ms(k->e);
    assert_int_equal(r0, 60 * MIN);

    const int64_t shifts[] = {3600, 365LL * 86400, -10LL * 365 * 86400, -1, 0, 50LL * 365 * 86400};
    for (size_t i = 0; i < sizeof shifts / sizeof *shifts; i++) {
        g_wall_shift = shifts[i];
        assert_int_equal(exam_tick(k->e), 0);
        assert_int_equal(exam_remaining_ms(k->e), r0);
        assert_int_equal(exam_elapsed_ms(k->e), 0);
        assert_int_equal(exam_handin(k->e), EXAM_TOO_EARLY); /* an hour "later" is not 10 minutes of exam */
    }
    /* real time passing does not count either: only the injected clock does */
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    assert_int_equal(exam_remaining_ms(k->e), r0);
    g_now += 1234;
    assert_int_equal(exam_remaining_ms(k->e), r0 - 1234);
    g_wall_shift = -86400;
    assert_int_equal(exam_remaining_ms(k->e), r0 - 1234);
    g_now = t0 + 10 * MIN;
    assert_int_equal(exam_remaining_ms(k->e), 50 * MIN);
    assert_int_equal(exam_handin(k->e), EXAM_OK);
    /* the result's wall-clock fields are informative (they moved with the
     * shifted clock), its elapsed time is the injected clock's */
    char *json = outbox_json(k, 0, NULL, NULL);
    assert_contains(json, "\"elapsed_ms\":600000,");
    long long started = json_int(json, "started_at"), submitted = json_int(json, "submitted_at");
    assert_true(llabs(started - (long long)wall0) <= 2);
    assert_true(submitted < started); /* the wall clock went back; the exam clock did not */
    free(json);
    g_wall_shift = 0;
}

/* Invigilator actions during a sitting: pause, extend, warnings, a full
 * disk, an irregularity, and the timeout hand-in. */
static void test_invigilator_and_timeout(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T002", ID.b);
    const int64_t t0 = g_now;
    char *sid = current_sid(k);

    g_now = t0 + 44 * MIN;
    assert_int_equal(exam_tick(k->e), 0);
    g_now = t0 + 45 * MIN;
    assert_int_equal(exam_tick(k->e), SESSION_WARN15);
    assert_int_equal(exam_tick(k->e), 0);

    /* pause: the clock stops, answers are refused, the screen is covered */
    assert_int_equal(exam_pause(k->e), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_PAUSED);
    assert_int_equal(exam_pause(k->e), EXAM_BAD_STATE);
    g_now += 30 * MIN;
    assert_int_equal(exam_tick(k->e), 0);
    assert_int_equal(exam_remaining_ms(k->e), 15 * MIN);
    assert_int_equal(exam_choose(k->e, 0), EXAM_BAD_STATE);
    assert_int_equal(exam_handin(k->e), EXAM_BAD_STATE);
    assert_int_equal(session_of(k, sid).elapsed_ms, 45 * MIN); /* saved at pause */
    /* extend while paused */
    assert_int_equal(exam_extend(k->e, 0, "设备故障"), EXAM_EXTEND_MINUTES);
    assert_int_equal(exam_extend(k->e, 121, "设备故障"), EXAM_EXTEND_CAP);
    assert_int_equal(exam_extend(k->e, 5, "设备故障"), EXAM_OK);
    assert_int_equal(exam_remaining_ms(k->e), 20 * MIN);
    assert_int_equal(exam_continue(k->e), EXAM_OK);
    assert_int_equal(exam_continue(k->e), EXAM_BAD_STATE);
    assert_int_equal(exam_get_phase(k->e), PHASE_RUNNING);
    const int64_t t1 = g_now; /* 45 min of exam time, 20 left */
    assert_int_equal(exam_tick(k->e), 0);
    g_now = t1 + 5 * MIN - 1;
    assert_int_equal(exam_tick(k->e), 0);
    g_now = t1 + 5 * MIN;
    /* the extension lifted the remaining time above 15 minutes: the warning
     * is given again when it comes down to 15 */
    assert_int_equal(exam_tick(k->e), SESSION_WARN15);
    assert_int_equal(exam_tick(k->e), 0);

    /* a full disk: the answer is kept in memory, the invigilator alerted,
     * and it is saved on the next tick once the disk has room again */
    int ij = item_by_id(k->e, "J1");
    exam_goto(k->e, ij);
    assert_null(exam_alert(k->e));
    exam_fail_writes(k->e, 1);
    assert_int_equal(exam_choose(k->e, 0), EXAM_SAVE_FAILED);
    assert_string_equal(exam_response(k->e, ij), "T");
    assert_int_equal(exam_saved(k->e, ij), 0);
    assert_non_null(exam_alert(k->e));
    char *v = db_response(k, sid, ij);
    assert_null(v);
    g_now += 1000;
    exam_tick(k->e);
    assert_int_equal(exam_saved(k->e, ij), 1);
    assert_null(exam_alert(k->e));
    assert_committed(k, sid, ij);

    /* multi_partial = none: a right subset (A of AC) scores nothing */
    int im = item_by_id(k->e, "M1");
    exam_goto(k->e, im);
    assert_int_equal(exam_choose(k->e, disp_of(&exam_paper(k->e)->items[im], 0)), EXAM_OK);
    assert_string_equal(exam_response(k->e, im), "A");

    assert_int_equal(exam_irregularity(k->e, "technical", "屏幕闪烁 \"2次\""), EXAM_OK);
    assert_int_equal(exam_focus_lost(k->e), EXAM_OK);
    assert_int_equal(exam_focus_losses(k->e), 1);
    assert_int_equal(exam_check_pin(k->e, PIN), EXAM_OK);

    g_now = t1 + 15 * MIN - 1;
    assert_int_equal(exam_tick(k->e), 0);
    g_now = t1 + 15 * MIN;
    assert_int_equal(exam_tick(k->e), SESSION_WARN5);
    g_now = t1 + 20 * MIN - 1;
    assert_int_equal(exam_tick(k->e), 0);
    assert_int_equal(exam_get_phase(k->e), PHASE_RUNNING);
    g_now = t1 + 20 * MIN; /* 65 minutes of exam time: 60 + 5 extra */
    assert_true(exam_tick(k->e) & SESSION_TIMEOUT);
    assert_int_equal(exam_get_phase(k->e), PHASE_DONE);
    assert_string_equal(exam_final_status(k->e), "timeout");
    assert_int_equal(exam_score_tenths(k->e), 100); /* J1 answered T */
    assert_int_equal(exam_tick(k->e), 0);

    char *json = outbox_json(k, 0, NULL, NULL);
    assert_contains(json, "\"status\":\"timeout\"");
    assert_contains(json, "\"ticket\":\"T002\"");
    assert_contains(json, "\"elapsed_ms\":3900000,");
    assert_contains(json, "\"extra_ms\":300000,");
    assert_contains(json, "\"id\":\"M1\",\"type\":\"multi\",\"response\":\"A\",\"points\":100,\"score\":0,");
    assert_contains(json, "\"score_tenths\":100,");
    assert_contains(json, "\"pending\":1,"); /* the unanswered essay still awaits a marker */
    assert_contains(json, "\"irregularities\":[{\"category\":\"technical\",\"note\":\"屏幕闪烁 \\\"2次\\\"\",\"at_ms\":");
    free(json);
    jscan js = journal_scan(k, NULL, NULL, NULL);
    const char *types = js.types;
    assert_non_null(strstr(types, "pause"));
    assert_non_null(strstr(types, "extend"));
    assert_non_null(strstr(types, "continue"));
    assert_non_null(strstr(types, "warning"));
    assert_non_null(strstr(types, "storage_ok"));
    assert_non_null(strstr(types, "irregularity"));
    assert_non_null(strstr(types, "focus_lost"));
    assert_non_null(strstr(types, "timeout"));
    assert_non_null(strstr(types, "handin"));
    free(sid);
}

/* A forced hand-in from a pause; the hand-in itself failing on a full disk
 * is retried on the next tick. */
static void test_force_handin_retried(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    g_now += 2 * MIN;
    assert_int_equal(exam_pause(k->e), EXAM_OK);
    g_now += 10 * MIN;
    /* two failing commits: the force_handin journal entry and the hand-in */
    exam_fail_writes(k->e, 2);
    assert_int_equal(exam_force_handin(k->e), EXAM_SAVE_FAILED);
    assert_non_null(exam_alert(k->e));
    assert_int_equal(outbox_count(k), 0);
    g_now += 1000;
    assert_true(exam_tick(k->e) & SESSION_TIMEOUT); /* the retried hand-in went through */
    assert_int_equal(exam_get_phase(k->e), PHASE_DONE);
    assert_string_equal(exam_final_status(k->e), "forced");
    char *json = outbox_json(k, 0, NULL, NULL);
    assert_contains(json, "\"status\":\"forced\"");
    assert_contains(json, "\"elapsed_ms\":120000,"); /* the pause is not exam time */
    free(json);
}

/* Regression test, bug fixed (core/exam.c exam_open → copy_meta, with core/result.c result_json):
 * the site name is copied into a 128-byte buffer with snprintf, which cuts
 * a longer UTF-8 name in the middle of a character. That broken text goes
 * into every result's "site" field; result_seal seals it, but result_open
 * refuses the record ("result JSON is not UTF-8 text"), so every result of
 * the kiosk is unreadable at the hub. Input: `examsync init --site` with a
 * 50-character Chinese name (150 bytes). Expected: the result opens (name
 * cut at a character boundary, or kept whole). */
static void test_bug_long_site_name_result_unreadable(void **state)
{
    kiosk *k = *state;
    rm_tree(k->root);
    char site[256] = "";
    for (int i = 0; i < 50; i++) strcat(site, "考");
    provision(k, site);
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    g_now += 10 * MIN;
    assert_int_equal(exam_handin(k->e), EXAM_OK);
    size_t slen = 0;
    uint8_t *sealed = first_sealed(k, &slen);
    char *json = NULL, *why = NULL, rid[RESULT_ID_HEX];
    uint8_t dpk[32];
    int rc = result_open(sealed, slen, k->bpk, k->bsk, &json, dpk, rid, &why);
    free(sealed);
    free(json);
    if (rc) {
        print_message("    result_open: %s\n", why);
        free(why);
        fail_msg("regression: the sealed result of a kiosk with a 150-byte site name cannot be opened");
    }
}

/* Regression test, bug fixed (core/exam.c exam_text, with core/result.c result_json): exam_text
 * refuses control characters but accepts bytes that are not UTF-8 (the
 * script mode's `text` line, or any front end, can pass them). The
 * response is saved and sealed into the result, which result_open then
 * refuses as not UTF-8: the candidate's whole result is lost at the hub.
 * Expected: exam_text refuses invalid UTF-8 (EXAM_BAD_STATE), or the
 * result still opens. */
static void test_bug_non_utf8_response_result_unreadable(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    exam_goto(k->e, item_of(k->e, QT_ESSAY, 0));
    exam_rc trc = exam_text(k->e, "\xe7\xad\x94\xff");
    g_now += 10 * MIN;
    assert_int_equal(exam_handin(k->e), EXAM_OK);
    if (trc != EXAM_OK) return; /* refused: fine */
    size_t slen = 0;
    uint8_t *sealed = first_sealed(k, &slen);
    char *json = NULL, *why = NULL, rid[RESULT_ID_HEX];
    uint8_t dpk[32];
    int rc = result_open(sealed, slen, k->bpk, k->bsk, &json, dpk, rid, &why);
    free(sealed);
    free(json);
    if (rc) {
        print_message("    result_open: %s\n", why);
        free(why);
        fail_msg("regression: exam_text accepted a non-UTF-8 response and the sealed result cannot be opened");
    }
}

/* Regression test, bug fixed (core/exam.c, static journal() used by exam_pause, exam_continue,
 * exam_extend, exam_force_handin, exam_login, …): when the journal write
 * fails (full disk), the entry is dropped: journal() raises the alert but
 * keeps nothing to retry, and the next successful tick only adds
 * "storage_ok". Every action goes into the journal, and
 * "Disk full or any write failure: … nothing is dropped, saving resumes when
 * possible". Input: exam_fail_writes(e, 1); exam_pause(e); later exam_tick
 * with the disk writable again. Expected: a "pause" journal entry for the
 * sitting; actual: none (the signed journal head omits the pause). */
static void test_bug_journal_entry_dropped_on_write_failure(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    char *sid = current_sid(k);
    g_now += MIN;
    exam_fail_writes(k->e, 1);
    assert_int_equal(exam_pause(k->e), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_PAUSED);
    assert_non_null(exam_alert(k->e)); /* the invigilator is told */
    g_now += 1000;
    exam_tick(k->e); /* the disk has room again */
    assert_null(exam_alert(k->e));
    long long pauses = journal_scan(k, sid, "pause", NULL).n;
    long long ok = journal_scan(k, NULL, "storage_ok", NULL).n;
    free(sid);
    assert_int_equal(ok, 1);
    if (pauses != 1) fail_msg("regression: the pause made while the disk was full never reached the journal");
}

/* A failed start (full disk) can be retried, and the sitting that then
 * starts is still the logged-in candidate's.
 * Regression test, bug fixed (core/exam.c exam_start): on a failed commit exam_start calls
 * free_sitting(), which also wipes the candidate's ticket and name, but
 * leaves the phase at INSTRUCTIONS; pressing Return again starts a sitting
 * with ticket "" and name "", and the sealed result carries no candidate.
 * Expected: the retried start keeps ticket T001 / 李嘉欣 (or the engine
 * sends the candidate back to login). */
static void test_bug_start_retry_loses_candidate(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_OK);
    assert_int_equal(exam_confirm(k->e), EXAM_OK);
    exam_fail_writes(k->e, 1);
    assert_int_equal(exam_start(k->e), EXAM_SAVE_FAILED);
    assert_non_null(exam_alert(k->e));
    assert_int_equal(session_count(k), 0); /* nothing half-written */
    if (exam_get_phase(k->e) != PHASE_INSTRUCTIONS) {
        /* sent back to login: acceptable, log in again */
        assert_int_equal(exam_get_phase(k->e), PHASE_LOGIN);
        assert_int_equal(exam_login(k->e, "T001", ID.a), EXAM_OK);
        assert_int_equal(exam_confirm(k->e), EXAM_OK);
    }
    assert_int_equal(exam_start(k->e), EXAM_OK);
    session_copy sc = session_of(k, NULL);
    int ok = sc.found && !strcmp(sc.ticket, "T001") && !strcmp(sc.name, "李嘉欣");
    if (!ok) print_message("    session row after the retried start: ticket '%s', name '%s'\n", sc.ticket, sc.name);
    if (!ok) fail_msg("regression: a start retried after a failed commit loses the candidate");
    assert_string_equal(exam_cand_ticket(k->e), "T001");
}

/* Regression test, bug fixed (core/exam.c hand_in / exam_tick): when time is up but the hand-in
 * commit fails (full disk), the session is already in state timeout while
 * the phase stays RUNNING, so exam_choose / exam_text keep accepting and
 * saving answers after the time limit, for as long as the disk stays full;
 * the hand-in retried by exam_tick then seals them into the result.
 * Input: 60-minute exam, exam_fail_writes(e, 2) just before the deadline,
 * exam_tick at the deadline, then exam_choose, then exam_tick with the disk
 * writable. Expected: answers refused once the time is up (EXAM_BAD_STATE),
 * the result holding only what was answered in time. */
static void test_bug_answers_accepted_after_timeout_while_handin_pending(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    const int64_t t0 = g_now;
    int ij = item_by_id(k->e, "J1");
    g_now = t0 + 60 * MIN;
    exam_fail_writes(k->e, 2); /* the "timeout" journal entry and the hand-in commit */
    exam_tick(k->e);
    assert_int_equal(exam_remaining_ms(k->e), 0);
    assert_non_null(exam_alert(k->e));
    assert_int_equal(outbox_count(k), 0);
    /* five minutes after the time limit, the disk still full */
    g_now += 5 * MIN;
    exam_goto(k->e, ij);
    exam_rc rc = exam_choose(k->e, 0);
    g_now += 1000;
    exam_tick(k->e); /* disk writable again: the hand-in goes through */
    assert_int_equal(exam_get_phase(k->e), PHASE_DONE);
    assert_string_equal(exam_final_status(k->e), "timeout");
    char *json = outbox_json(k, 0, NULL, NULL);
    int late_answer_in_result = strstr(json, "\"id\":\"J1\",\"type\":\"judge\",\"response\":\"T\"") != NULL;
    free(json);
    if (rc == EXAM_OK || late_answer_in_result)
        fail_msg("regression: an answer given 5 minutes after the time limit was accepted (rc %d) and %s the result", rc,
                 late_answer_in_result ? "is in" : "is not in");
}

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    make_id("44190019930421116", ID.a);
    make_id("44030320000309327", ID.b);
    make_id("44200020010606504", ID.c);
    make_id("44011219960314928", ID.d);
    make_id("11010119900307123", ID.stranger);
    snprintf(ID.bad, sizeof ID.bad, "%s", ID.a);
    ID.bad[17] = ID.a[17] == '0' ? '1' : '0';
    if (ID.bad[17] == ID.a[17] || idnumber_valid(ID.bad)) return -1;
    return 0;
}

/* SIGTERM mid-sitting (issue 8): exam_stop saves the clock to the
 * millisecond and journals the stop; the next start resumes the sitting,
 * and the time the kiosk was down is not charged. */
static void test_orderly_stop_resumes(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    const int64_t t0 = g_now;
    exam_goto(k->e, 2);
    assert_int_equal(exam_choose(k->e, 0), EXAM_OK);
    char before[64];
    snprintf(before, sizeof before, "%s", exam_response(k->e, 2));
    assert_true(before[0] != 0);
    g_now = t0 + 5 * MIN + 700; /* no tick since the answer: exam_stop saves the clock itself */
    assert_int_equal(exam_stop(k->e, "signal 15"), EXAM_OK);
    exam_close(k->e);
    k->e = NULL;
    g_now = 99;
    open_exam(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    g_now += 2 * MIN;
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_RUNNING);
    assert_int_equal(exam_elapsed_ms(k->e), 5 * MIN + 700);
    assert_int_equal(exam_current(k->e), 2);
    assert_string_equal(exam_response(k->e, 2), before);
    /* the journal says it was a stop, not a crash */
    assert_int_equal(journal_scan(k, NULL, "kiosk_stop", "signal 15").n, 1);
}

/* kiosk.db keeps the sitting's state by name (session_state_name). A row
 * a previous version left as "paused" (a name that version had) still
 * resumes: the same answers, the clock where it was saved. */
static void test_resume_old_state_name(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    const int64_t t0 = g_now;
    exam_goto(k->e, 1);
    assert_int_equal(exam_choose(k->e, 0), EXAM_OK);
    char before[64];
    snprintf(before, sizeof before, "%s", exam_response(k->e, 1));
    g_now = t0 + 4 * MIN;
    exam_tick(k->e);
    exam_close(k->e); /* a crash */
    k->e = NULL;
    assert_int_equal(disk_edit(k, "UPDATE session SET state='paused' WHERE state='running'"), 1);
    open_exam(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_get_phase(k->e), PHASE_RUNNING);
    assert_int_equal(exam_elapsed_ms(k->e), 4 * MIN);
    assert_int_equal(exam_current(k->e), 1);
    assert_string_equal(exam_response(k->e, 1), before);
    assert_int_equal(exam_choose(k->e, 1), EXAM_OK); /* answering goes on */
}

/* The panel's focus-loss count is the sitting's: a crash and resume keep it
 * (issue 8: it went back to 0). */
static void test_focus_losses_survive_resume(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    for (int i = 0; i < 3; i++) assert_int_equal(exam_focus_lost(k->e), EXAM_OK);
    assert_int_equal(exam_focus_losses(k->e), 3);
    exam_tick(k->e);
    exam_close(k->e); /* a crash */
    k->e = NULL;
    open_exam(k);
    assert_int_equal(exam_focus_losses(k->e), 0); /* nobody's yet: the sitting is not resumed */
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_focus_losses(k->e), 3);
    assert_int_equal(exam_focus_lost(k->e), EXAM_OK);
    assert_int_equal(exam_focus_losses(k->e), 4);
}

/* One kiosk per data directory: the lock is exclusive, names its holder and
 * ends with the holder (here: closing the descriptor). */
static void test_data_directory_lock(void **state)
{
    kiosk *k = *state;
    int fd1 = -1, fd2 = -1;
    long holder = -1;
    char *why = NULL;
    assert_int_equal(fileio_lock(k->data, "kiosk.lock", &fd1, &holder, &why), 0);
    assert_true(fd1 >= 0);
    /* flock locks belong to the open file description: a second open conflicts even in one process */
    assert_int_equal(fileio_lock(k->data, "kiosk.lock", &fd2, &holder, &why), 1);
    assert_int_equal(holder, (long)getpid());
    assert_int_equal(fd2, -1);
    close(fd1);
    assert_int_equal(fileio_lock(k->data, "kiosk.lock", &fd2, &holder, &why), 0);
    struct stat sb;
    char path[600];
    snprintf(path, sizeof path, "%s/kiosk.lock", k->data);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    close(fd2);
}


/* Issue 10.6: the kiosk refuses a pack whose KDF is below the floor
 * (2 passes, 64 MiB) without trying the code; the refusal is shown and
 * journaled. The test packs (1 pass, 8 MiB) are below it. */
static void test_pack_below_kdf_floor_refused(void **state)
{
    kiosk *k = *state;
    open_exam_floor(k);
    assert_int_equal(exam_unlock(k->e, k->code), EXAM_PACK_REFUSED);
    assert_int_equal(exam_get_phase(k->e), PHASE_LOCKED);
    assert_non_null(exam_alert(k->e));
    assert_non_null(strstr(exam_alert(k->e), "加密强度低于规定"));
    assert_string_equal(exam_message(EXAM_PACK_REFUSED),
                        "本机存储的试卷未通过校验（可能被替换或篡改），已拒绝使用，请通知考点技术人员");
    exam_close(k->e);
    k->e = NULL;
    store *st;
    char *why = NULL;
    if (store_open(k->data, 0, &st, &why)) fail_msg("store_open: %s", why);
    int64_t n = 0;
    assert_int_equal(store_journal_count(st, "", "pack_refused", &n), STORE_OK);
    assert_int_equal(n, 1);
    store_close(st);
    /* the same pack opens once the floor is the pack's own cost */
    open_exam(k);
    assert_int_equal(exam_unlock(k->e, k->code), EXAM_OK);
}

/* Issue 10.4: a stored blob is bound to the id it is stored under. Pack B
 * of the same authority stored under another id (as if its bytes had been
 * put in that row of kiosk.db) is refused although its code is right and its
 * signature holds: nothing unlocks, the refusal is journaled. */
static void test_swapped_pack_blob_refused(void **state)
{
    kiosk *k = *state;
    char code_a[RELEASECODE_TEXT_BYTES];
    snprintf(code_a, sizeof code_a, "%s", k->code);
    size_t blen;
    uint8_t *b = build_pack(k, &blen); /* k->code is now B's */
    pack_info bi;
    char *why = NULL;
    assert_int_equal(pack_verify(b, blen, k->spk, &bi, &why), PACK_OK);
    /* pack_verify_as: the one check, unit by unit */
    assert_int_equal(pack_verify_as(b, blen, k->spk, bi.pack_id_hex, (pack_kdf){1, 8u << 20}, NULL, &why), PACK_OK);
    assert_int_equal(pack_verify_as(b, blen, k->spk, k->pack_id, (pack_kdf){1, 8u << 20}, NULL, &why), PACK_ID_MISMATCH);
    assert_non_null(strstr(why, "holds another pack"));
    free(why);
    why = NULL;
    assert_int_equal(pack_verify_as(b, blen, k->spk, NULL, pack_kdf_floor(), NULL, &why), PACK_WEAK_KDF);
    assert_non_null(strstr(why, "below the floor of 2 passes, 64 MiB"));
    free(why);
    why = NULL;
    store *st;
    if (store_open(k->data, 0, &st, &why)) fail_msg("store_open: %s", why);
    const char *fake = "0123456789abcdef0123456789abcdef";
    store_pack_row row = {fake, bi.title, bi.kind, bi.level, bi.duration, bi.questions, b, blen, 1767225700};
    int added = 0;
    assert_int_equal(store_pack_add(st, &row, &added), STORE_OK);
    assert_int_equal(added, 1);
    store_close(st);

    open_exam(k);
    assert_int_equal(exam_pack_count(k->e), 2);
    assert_int_equal(exam_unlock(k->e, k->code), EXAM_PACK_REFUSED); /* B's code, B's bytes, the wrong row */
    assert_int_equal(exam_get_phase(k->e), PHASE_LOCKED);
    assert_non_null(strstr(exam_alert(k->e), "01234567"));
    assert_non_null(strstr(exam_alert(k->e), "被替换"));
    /* pack A, stored under its own id, still unlocks with its code */
    assert_int_equal(exam_unlock(k->e, code_a), EXAM_OK);
    exam_close(k->e);
    k->e = NULL;
    if (store_open(k->data, 0, &st, &why)) fail_msg("store_open: %s", why);
    int64_t n = 0;
    assert_int_equal(store_journal_count(st, "", "pack_refused", &n), STORE_OK);
    assert_int_equal(n, 2); /* once per unlock attempt: the row is never tried */

    /* B under its own id, its row's facts edited: it unlocks, and what the
     * kiosk shows (and puts into the result) are the signed facts */
    store_pack_row forged = {bi.pack_id_hex, "伪造的标题", "practical", 1, 5, 1, b, blen, 1767225800};
    assert_int_equal(store_pack_add(st, &forged, &added), STORE_OK);
    store_close(st);
    free(b);
    open_exam(k);
    assert_int_equal(exam_unlock(k->e, k->code), EXAM_OK);
    int found = 0;
    for (int i = 0; i < exam_pack_count(k->e); i++) {
        const char *title, *kind;
        int level, duration, questions;
        assert_int_equal(exam_pack_info(k->e, i, &title, &level, &kind, &duration, &questions), 0);
        assert_string_not_equal(title, "伪造的标题");
        if (!strcmp(title, bi.title) && level == bi.level && duration == bi.duration && !strcmp(kind, bi.kind)) found++;
    }
    assert_int_equal(found, 3); /* A, the refused row (its signed facts) and B: all the same sample paper */
}

/* ---- the invigilator PIN (issue 10) ------------------------------------------------- */

static long long journal_type_count(const kiosk *k, const char *type)
{
    return journal_scan(k, NULL, type, NULL).n;
}

static char *meta_of(const kiosk *k, const char *key)
{
    store *st = store_of(k);
    char *v = store_meta_get(st, key);
    store_close(st);
    return v;
}

/* Wrong PINs in a row: 3 free, then delays 1 s, 2 s, 4 s … 60 s in the
 * injected clock, during which even the right PIN is not checked; the 10th
 * locks; the lockout and the counts survive a crash; only the release code
 * lifts it, after which the right PIN works and the count in a row starts
 * again. Every step is journaled. */
static void test_pin_guard(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    login_and_start(k, "T001", ID.a);
    static const int64_t DELAY[] = {0, 0, 0, 1000, 2000, 4000, 8000, 16000, 32000, 60000};
    for (int n = 1; n <= 9; n++) {
        assert_int_equal(exam_pin_wait_ms(k->e), 0);
        assert_int_equal(exam_check_pin(k->e, "111111"), EXAM_PIN_WRONG);
        assert_int_equal(exam_pin_failures(k->e), n);
        assert_int_equal(exam_pin_failures_total(k->e), n);
        assert_int_equal(exam_pin_wait_ms(k->e), DELAY[n]);
        if (DELAY[n]) {
            /* during the delay nothing is checked, not even the right PIN */
            g_now += DELAY[n] - 1;
            assert_int_equal(exam_check_pin(k->e, PIN), EXAM_PIN_WAIT);
            assert_int_equal(exam_pin_failures(k->e), n);
            assert_int_equal(exam_pin_wait_ms(k->e), 1);
            g_now += 1;
        }
    }
    assert_int_equal(exam_check_pin(k->e, "111111"), EXAM_PIN_LOCKED); /* the 10th */
    assert_int_equal(exam_pin_locked(k->e), 1);
    assert_int_equal(exam_pin_wait_ms(k->e), 0);
    g_now += 10 * MIN;
    assert_int_equal(exam_check_pin(k->e, PIN), EXAM_PIN_LOCKED); /* time does not lift it */
    assert_int_equal(exam_pin_failures(k->e), 10);
    assert_int_equal(journal_type_count(k, "pin_wrong"), 10);
    assert_int_equal(journal_type_count(k, "pin_delay"), 7); /* after the 3rd … 9th */
    assert_int_equal(journal_type_count(k, "pin_lockout"), 1);
    char *g = meta_of(k, "pin_guard");
    assert_string_equal(g, "10 10 1");
    free(g);

    /* a crash: the lockout holds at the resume screen */
    exam_tick(k->e);
    exam_close(k->e);
    k->e = NULL;
    g_now = 5;
    open_exam(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_int_equal(exam_pin_locked(k->e), 1);
    assert_int_equal(exam_pin_failures_total(k->e), 10);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_PIN_LOCKED);
    char typo[RELEASECODE_TEXT_BYTES], other[RELEASECODE_TEXT_BYTES];
    typo_code(k->code, typo);
    other_code(other);
    assert_int_equal(exam_pin_release(k->e, typo), EXAM_CODE_TYPO);
    assert_int_equal(exam_pin_release(k->e, other), EXAM_CODE_WRONG);
    assert_int_equal(exam_pin_locked(k->e), 1);
    assert_int_equal(journal_type_count(k, "pin_release_refused"), 2);
    assert_int_equal(exam_pin_release(k->e, k->code), EXAM_OK);
    assert_int_equal(exam_pin_locked(k->e), 0);
    assert_int_equal(exam_pin_failures(k->e), 0);
    assert_int_equal(exam_pin_failures_total(k->e), 10); /* the invigilator still sees them */
    assert_int_equal(exam_pin_release(k->e, k->code), EXAM_BAD_STATE);
    assert_int_equal(journal_type_count(k, "pin_release"), 1);
    /* the same rules at the resume screen: a wrong PIN counts */
    assert_int_equal(exam_resume(k->e, k->code, "222222"), EXAM_PIN_WRONG);
    assert_int_equal(exam_pin_failures(k->e), 1);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_pin_failures(k->e), 0); /* a right PIN: the count in a row starts again */
    assert_int_equal(exam_pin_failures_total(k->e), 11);
    assert_int_equal(exam_get_phase(k->e), PHASE_RUNNING);
    g = meta_of(k, "pin_guard");
    assert_string_equal(g, "0 11 0");
    free(g);
    /* an edited guard reads as locked, not as a fresh start */
    exam_close(k->e);
    k->e = NULL;
    assert_int_equal(disk_edit(k, "UPDATE meta SET value='garbage' WHERE key='pin_guard'"), 1);
    open_exam(k);
    assert_int_equal(exam_pin_locked(k->e), 1);
}

/* A delay in force when the kiosk stops starts again from the restart: a
 * crash cannot be used to skip it. */
static void test_pin_delay_survives_restart(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    for (int i = 0; i < 3; i++) assert_int_equal(exam_check_pin(k->e, "333333"), EXAM_PIN_WRONG);
    g_now += 1000;
    assert_int_equal(exam_check_pin(k->e, "333333"), EXAM_PIN_WRONG);
    assert_int_equal(exam_pin_wait_ms(k->e), 2000);
    exam_close(k->e);
    k->e = NULL;
    g_now = 42; /* another run's clock */
    open_exam(k);
    assert_int_equal(exam_get_phase(k->e), PHASE_RESUME);
    assert_int_equal(exam_pin_failures(k->e), 4);
    assert_int_equal(exam_pin_wait_ms(k->e), 2000);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_PIN_WAIT);
    g_now += 2000;
    assert_int_equal(exam_resume(k->e, k->code, "333333"), EXAM_PIN_WRONG);
    assert_int_equal(exam_pin_wait_ms(k->e), 4000);
    assert_int_equal(journal_type_count(k, "pin_delay"), 4); /* 1 s, 2 s, 2 s again after the restart, 4 s */
}

/* The verifier in the unlock row is Argon2id (core/pin.h) over the PIN,
 * salted with the kiosk's salt (meta pin_salt, made with the first PIN) and
 * the unlock's, keyed by the content key; its cost is stored with it. A new
 * unlock gets a new salt, so the same PIN gives another verifier. An edited
 * row asking for an absurd cost is refused, not run. */
static void test_pin_verifier(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    assert_null(meta_of(k, "pin_salt"));
    unlock_and_pin(k);
    char *kshex = meta_of(k, "pin_salt");
    assert_non_null(kshex);
    assert_int_equal(strlen(kshex), 2 * PIN_SALT_BYTES);
    uint8_t ks[PIN_SALT_BYTES], salt[PIN_SALT_BYTES], hash[PIN_HASH_BYTES], want[PIN_HASH_BYTES], key[PACK_KEY_BYTES];
    assert_int_equal(sodium_hex2bin(ks, sizeof ks, kshex, strlen(kshex), NULL, NULL, NULL), 0);
    store *st = store_of(k);
    int64_t age;
    uint64_t ops = 0, mem = 0;
    assert_int_equal(store_unlock_get(st, k->pack_id, salt, hash, &age), STORE_OK);
    assert_int_equal(store_unlock_get_kdf(st, k->pack_id, &ops, &mem), STORE_OK);
    assert_int_equal(ops, pin_cost_default().ops);
    assert_int_equal(mem, pin_cost_default().mem);
    uint8_t *buf = NULL;
    size_t len = 0;
    char *why = NULL;
    assert_int_equal(store_pack_get(st, k->pack_id, &buf, &len), STORE_OK);
    assert_int_equal(pack_unwrap_key(buf, len, k->code, key, &why), PACK_OK);
    free(buf);
    store_close(st);
    assert_int_equal(pin_hash(PIN, key, ks, salt, (pin_cost){ops, (size_t)mem}, want), 0);
    assert_memory_equal(hash, want, sizeof hash);
    /* lock, unlock again with the same PIN: same kiosk salt, new unlock salt, new verifier */
    assert_int_equal(exam_lock(k->e), EXAM_OK);
    unlock_and_pin(k);
    char *kshex2 = meta_of(k, "pin_salt");
    assert_string_equal(kshex2, kshex);
    st = store_of(k);
    uint8_t salt2[PIN_SALT_BYTES], hash2[PIN_HASH_BYTES];
    assert_int_equal(store_unlock_get(st, k->pack_id, salt2, hash2, &age), STORE_OK);
    store_close(st);
    assert_memory_not_equal(salt2, salt, sizeof salt);
    assert_memory_not_equal(hash2, hash, sizeof hash);
    assert_int_equal(exam_check_pin(k->e, PIN), EXAM_OK);
    /* neither the PIN nor its verifier's input is in the files */
    assert_false(disk_has(k, PIN));
    /* an absurd cost in an edited row: refused at resume, never run */
    exam_close(k->e);
    k->e = NULL;
    assert_int_equal(disk_edit(k, "UPDATE unlock SET pin_mem=1099511627776"), 1);
    open_exam(k);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_INTERNAL);
    sodium_memzero(key, sizeof key);
    free(kshex);
    free(kshex2);
}

/* ---- extensions (issue 10) ------------------------------------------------------------ */

static int copy_ext(void *ctx, const store_extension_row *r)
{
    char *out = ctx;
    char line[256];
    snprintf(line, sizeof line, "%d|%s|%lld;", r->minutes, r->reason, (long long)r->exam_ms);
    strcat(out, line);
    return 0;
}

/* Any number of minutes up to what is left of max_extra (30 by default), a
 * reason required; refused extensions change nothing; the cap holds across
 * a crash; each extension is in the result with its reason and exam time. */
static void test_extensions_capped(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    assert_int_equal(exam_extra_max_min(k->e), 30); /* the test blueprint has no max_extra */
    login_and_start(k, "T001", ID.a);
    const int64_t t0 = g_now;
    char *sid = current_sid(k);
    assert_int_equal(exam_extend(k->e, 5, NULL), EXAM_EXTEND_REASON);
    assert_int_equal(exam_extend(k->e, 5, ""), EXAM_EXTEND_REASON);
    assert_int_equal(exam_extend(k->e, 5, "   "), EXAM_EXTEND_REASON);
    char longr[EXAM_REASON_MAX + 2];
    memset(longr, 'x', sizeof longr - 1);
    longr[sizeof longr - 1] = 0;
    assert_int_equal(exam_extend(k->e, 5, longr), EXAM_EXTEND_REASON);
    longr[EXAM_REASON_MAX] = 0;
    assert_int_equal(exam_extend(k->e, 0, "设备故障"), EXAM_EXTEND_MINUTES);
    assert_int_equal(exam_extend(k->e, -3, "设备故障"), EXAM_EXTEND_MINUTES);
    assert_int_equal(exam_extend(k->e, 31, "设备故障"), EXAM_EXTEND_CAP);
    assert_int_equal(exam_remaining_ms(k->e), 60 * MIN);
    /* a full disk: not granted, nothing recorded */
    exam_fail_writes(k->e, 1);
    assert_int_equal(exam_extend(k->e, 10, "设备故障"), EXAM_SAVE_FAILED);
    assert_int_equal(exam_extra_used_min(k->e), 0);
    assert_int_equal(exam_remaining_ms(k->e), 60 * MIN);
    exam_fail_writes(k->e, 0);
    g_now = t0 + 10 * MIN;
    assert_int_equal(exam_extend(k->e, 10, "  设备故障 "), EXAM_OK);
    assert_int_equal(exam_extra_used_min(k->e), 10);
    assert_int_equal(exam_extra_left_min(k->e), 20);
    assert_int_equal(exam_remaining_ms(k->e), 60 * MIN);
    g_now = t0 + 20 * MIN;
    assert_int_equal(exam_extend(k->e, 19, longr), EXAM_OK); /* exactly EXAM_REASON_MAX bytes */
    assert_int_equal(exam_extend(k->e, 2, "考生身体不适"), EXAM_EXTEND_CAP);
    exam_tick(k->e);
    /* a crash: the cap counts what was granted before it */
    exam_close(k->e);
    k->e = NULL;
    open_exam(k);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_int_equal(exam_extra_used_min(k->e), 29);
    assert_int_equal(exam_extend(k->e, 2, "考生身体不适"), EXAM_EXTEND_CAP);
    assert_int_equal(exam_pause(k->e), EXAM_OK);
    assert_int_equal(exam_extend(k->e, 1, "考生身体不适"), EXAM_OK); /* while paused too */
    assert_int_equal(exam_extra_left_min(k->e), 0);
    assert_int_equal(exam_extend(k->e, 1, "考生身体不适"), EXAM_EXTEND_CAP);
    assert_int_equal(exam_continue(k->e), EXAM_OK);
    assert_int_equal(exam_remaining_ms(k->e), 60 * MIN + 30 * MIN - 20 * MIN);
    store *st = store_of(k);
    char got[1024] = "";
    assert_int_equal(store_extension_each(st, sid, copy_ext, got), STORE_OK);
    store_close(st);
    char want[1024];
    snprintf(want, sizeof want, "10|设备故障|%lld;19|%s|%lld;1|考生身体不适|%lld;", 10 * MIN, longr, 20 * MIN, 20 * MIN);
    assert_string_equal(got, want);
    assert_int_equal(journal_type_count(k, "extend"), 3);
    assert_int_equal(journal_type_count(k, "extend_refused"), 4);
    assert_int_equal(exam_force_handin(k->e), EXAM_OK);
    char *json = outbox_json(k, 0, NULL, NULL);
    assert_contains(json, "\"extra_ms\":1800000,");
    char ext[512];
    snprintf(ext, sizeof ext,
             "\"extensions\":[{\"minutes\":10,\"reason\":\"设备故障\",\"at_ms\":600000,\"planned\":0},{\"minutes\":19,"
             "\"reason\":\"%s\",\"at_ms\":1200000,\"planned\":0},{\"minutes\":1,\"reason\":\"考生身体不适\",\"at_ms\":1200000,"
             "\"planned\":0}]",
             longr);
    assert_contains(json, ext);
    result_record rr;
    char *why = NULL;
    assert_int_equal(result_parse(json, strlen(json), &rr, &why), RESULT_OK);
    assert_int_equal(rr.rec.head.nextensions, 3);
    assert_string_equal(rr.rec.head.extensions[2].reason, "考生身体不适");
    result_record_free(&rr);
    free(json);
    free(sid);
}

/* A candidate whose roster entry has extra_minutes 30 gets duration + 30 from
 * the start, journaled as its own "accommodation" entry and listed in the
 * result as a planned extension; it does not use up the pack's max_extra,
 * before or after a crash, and the reserved reason cannot be typed. */
static void test_planned_accommodation(void **state)
{
    kiosk *k = *state;
    open_exam(k);
    unlock_and_pin(k);
    assert_int_equal(exam_login(k->e, "T004", ID.d), EXAM_OK);
    assert_int_equal(exam_cand_extra_min(k->e), 30); /* shown on the confirm and instructions screens */
    assert_int_equal(exam_confirm(k->e), EXAM_OK);
    assert_int_equal(journal_type_count(k, "accommodation"), 0); /* granted with the sitting, not before */
    assert_int_equal(exam_start(k->e), EXAM_OK);
    const int64_t t0 = g_now;
    char *sid = current_sid(k);
    assert_int_equal(exam_remaining_ms(k->e), 60 * MIN + 30 * MIN);
    assert_int_equal(exam_extra_planned_min(k->e), 30);
    assert_int_equal(exam_extra_used_min(k->e), 0);
    assert_int_equal(exam_extra_left_min(k->e), 30); /* the invigilator's cap untouched */
    assert_int_equal(journal_type_count(k, "accommodation"), 1);
    assert_int_equal(exam_extend(k->e, 5, EXAM_PLANNED_REASON), EXAM_EXTEND_REASON); /* reserved */
    g_now = t0 + 10 * MIN;
    assert_int_equal(exam_extend(k->e, 30, "设备故障"), EXAM_OK); /* the whole cap, on top */
    assert_int_equal(exam_extend(k->e, 1, "设备故障"), EXAM_EXTEND_CAP);
    assert_int_equal(exam_remaining_ms(k->e), 60 * MIN + 60 * MIN - 10 * MIN);
    exam_tick(k->e);
    /* a crash: the planned part is what the journal proves, still outside the cap */
    exam_close(k->e);
    k->e = NULL;
    open_exam(k);
    assert_int_equal(exam_resume(k->e, k->code, PIN), EXAM_OK);
    assert_null(exam_alert(k->e)); /* the rows match the journal: no integrity finding */
    assert_int_equal(exam_extra_planned_min(k->e), 30);
    assert_int_equal(exam_extra_used_min(k->e), 30);
    assert_int_equal(exam_extra_left_min(k->e), 0);
    assert_int_equal(exam_remaining_ms(k->e), 60 * MIN + 60 * MIN - 10 * MIN);
    store *st = store_of(k);
    char got[1024] = "";
    assert_int_equal(store_extension_each(st, sid, copy_ext, got), STORE_OK);
    store_close(st);
    char want[256];
    snprintf(want, sizeof want, "30|%s|0;30|设备故障|%lld;", EXAM_PLANNED_REASON, 10 * MIN);
    assert_string_equal(got, want);
    assert_int_equal(exam_force_handin(k->e), EXAM_OK);
    char *json = outbox_json(k, 0, NULL, NULL);
    assert_contains(json, "\"extra_ms\":3600000,");
    assert_contains(json, "\"extensions\":[{\"minutes\":30,\"reason\":\"planned accommodation\",\"at_ms\":0,\"planned\":1},"
                          "{\"minutes\":30,\"reason\":\"设备故障\",\"at_ms\":600000,\"planned\":0}]");
    result_record rr;
    char *why = NULL;
    assert_int_equal(result_parse(json, strlen(json), &rr, &why), RESULT_OK);
    assert_int_equal(rr.rec.head.nextensions, 2);
    assert_int_equal(rr.rec.head.extensions[0].planned, 1);
    assert_int_equal(rr.rec.head.extensions[1].planned, 0);
    result_record_free(&rr);
    free(json);
    free(sid);
    /* the next candidate has none: the sitting starts with the pack's duration */
    assert_int_equal(exam_reset(k->e), EXAM_OK);
    login_and_start(k, "T001", ID.a);
    assert_int_equal(exam_cand_extra_min(k->e), 0);
    assert_int_equal(exam_extra_planned_min(k->e), 0);
    assert_int_equal(exam_remaining_ms(k->e), 60 * MIN);
    assert_int_equal(journal_type_count(k, "accommodation"), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, k_setup, k_teardown)
    const struct CMUnitTest tests[] = {
        T(test_open_start_screen),
        T(test_open_refuses_unprovisioned),
        T(test_full_sitting),
        T(test_late_entry),
        T(test_late_entry_survives_restart),
        T(test_resume_sitting),
        T(test_wall_clock_changes_nothing),
        T(test_invigilator_and_timeout),
        T(test_force_handin_retried),
        T(test_bug_long_site_name_result_unreadable),
        T(test_bug_non_utf8_response_result_unreadable),
        T(test_bug_journal_entry_dropped_on_write_failure),
        T(test_bug_start_retry_loses_candidate),
        T(test_bug_answers_accepted_after_timeout_while_handin_pending),
        T(test_orderly_stop_resumes),
        T(test_resume_old_state_name),
        T(test_focus_losses_survive_resume),
        T(test_data_directory_lock),
        T(test_pack_below_kdf_floor_refused),
        T(test_swapped_pack_blob_refused),
        T(test_pin_guard),
        T(test_pin_delay_survives_restart),
        T(test_pin_verifier),
        T(test_extensions_capped),
        T(test_planned_accommodation),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
