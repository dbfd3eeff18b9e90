/* exam: the kiosk's exam engine (see exam.h). */

/*
** PHASES AND WHAT SURVIVES A CRASH
**
** The engine has one state machine for the screen, exam_phase (exam.h), and
** one for the sitting, session_state (session.h: ready → running ⇄ paused →
** submitted | timeout | forced, or ready → absent), which exists only from
** the moment a candidate starts or is marked absent. Every durable write
** goes to kiosk.db through core/store; "journal" means one hash-chained
** journal entry in its own commit (queued in memory, in order, while the
** disk refuses it, and written first when it works again).
**
**  phase          function            durable writes                     after a crash
**  -------------  ------------------  ---------------------------------  ------------------------------
**  (start)        exam_open           journal kiosk_start                an active sitting or an unlock
**                                                                        row → RESUME; else LOCKED
**  LOCKED         exam_unlock         journal unlock (ok/typo/wrong/     LOCKED: the pack key lives in
**                                     pack_refused), pack_refused for a  memory only
**                                     stored pack pack_verify_as refuses
**                                     (no key tried); key in memory only
**  SET_PIN        exam_set_pin        one commit: unlock row (pack, PIN  LOCKED if that commit failed
**                                     salt+hash, time) + journal pin_set (alert shown), else RESUME
**  LOGIN          exam_login          journal login                      RESUME → LOGIN; late-entry
**                 exam_tick           unlock age, once a second          window counts on from the
**                                                                        last saved age
**                 exam_mark_absent    one commit (finish): session row   the absence and its result,
**                                     "absent", its result, journal      or neither (mark again)
**                 exam_lock           one commit: unlock row deleted +   LOCKED
**                                     journal lock
**  CONFIRM        exam_confirm/back   journal confirm / login_cancelled  RESUME → LOGIN: log in again
**  INSTRUCTIONS   exam_start          one commit: session row "running"  RESUME → LOGIN before it;
**                                     (seed, active) + journal start     after it the sitting resumes
**  RUNNING        exam_choose…        each edit: answer + its journal    RESUME → RUNNING at the last
**                                     entry in one commit (else kept in  saved elapsed time (downtime
**                                     memory, EXAM_SAVE_FAILED, retried  not charged), on the saved
**                                     on every tick)                     question, answers as committed
**                 exam_tick/goto      clock (elapsed, extra, current)
**                                     once a second and on navigation
**                 exam_extend         one commit: extension row (minutes, kept; counts against
**                                     reason, exam time) + clock +       max_extra after a resume
**                                     journal extend
**  PAUSED         exam_pause          clock + journal pause              as RUNNING
**                 exam_continue       journal continue
**  (hand-in)      hand_in → finish    unsaved answers first; then one    before that commit the sitting
**                                     commit: journal handin, sealed     is still active and resumes (a
**                                     result in the outbox (result_build new hand-in builds its result
**                                     → result_json → result_seal),      again); after it: DONE, and a
**                                     session row final (state, score,   restart gives RESUME → LOGIN
**                                     receipt, no longer active)
**  DONE           exam_reset          journal reset                      RESUME → LOGIN
**  RESUME         exam_resume         journal resume (reads unlock row,  RESUME again
**                                     session row, answers)
**  any            exam_irregularity   one commit: irregularity row +     kept; in the sitting's result
**                                     journal irregularity
**                 exam_check_pin,     journal panel / focus_lost /       kept (the panel's focus-loss
**                 exam_focus_lost,    keyboard_lock                      count is read back from the
**                 exam_keyboard_lock                                     journal on resume)
**                 exam_check_pin      a wrong PIN: one commit: meta      the counts and a lockout kept;
**                 (wrong),            pin_guard + journal pin_wrong      a delay starts again from
**                 exam_pin_release    (+ pin_delay / pin_lockout);       the restart
**                                     release: pin_guard + pin_release
**                 exam_stop           unsaved answers, clock, unlock     as after a crash, with nothing
**                                     age, journal kiosk_stop            unsaved lost
**
** A hand-in whose commit fails stays pending (handin_pending): no more
** answers are taken and exam_tick retries it until it commits.
**
** The room console (core/roomlink.c, from exam_tick and exam_login) acts
** through the same functions (pause, continue, extend, force hand-in, lock)
** and two of its own here: exam_room_unlock (LOCKED → LOGIN: one commit, the
** unlock row with the console's PIN verifier + journal pin_set "room") and
** exam_room_resume (RESUME → RUNNING with the console's key, no PIN). Each
** command's counter commits with the action's own journal entry.
*/
#include "core/exam.h"
#include "core/exam_room.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/authority.h"
#include "core/csv.h"
#include "core/fileio.h"
#include "core/idnumber.h"
#include "core/journal.h"
#include "core/pack.h"
#include "core/pin.h"
#include "core/releasecode.h"
#include "core/response.h"
#include "core/result.h"
#include "core/roomlink.h"
#include "core/roster.h"
#include "core/score.h"
#include "core/store.h"
#include "core/text.h"

#define MAX_PACKS 16

typedef struct pack_row {
    char id[33], title[256], kind[16];
    int level, duration, questions;
} pack_row;

struct exam {
    store *st;
    platform pf;
    authority_pub pub;
    char site[128], room[64], seat[16], kiosk_id[17];
    pack_row packs[MAX_PACKS];
    int npacks;
    roster *rosters;
    int nrosters;
    exam_phase phase;
    /* unlocked pack: content key and database live in memory only */
    int pack;
    uint8_t key[PACK_KEY_BYTES];
    sqlite3 *packdb;
    int pack_level, late_entry;
    pack_kdf kdf_floor; /* pack_kdf_floor(); lowered only by a test hook */
    uint8_t pin_salt[STORE_PIN_SALT_BYTES], pin_hash[STORE_PIN_HASH_BYTES];
    pin_cost pin_kdf;                      /* the verifier's Argon2id cost; ops 0: an older kiosk's BLAKE2b one */
    uint8_t kiosk_salt[PIN_SALT_BYTES];    /* meta pin_salt (made at the first PIN) */
    int have_kiosk_salt;
    /* the PIN guard (core/pin.h), kept in meta pin_guard */
    int pin_fails, pin_total, pin_locked;
    int64_t pin_wait_until;
    int max_extra;                         /* the unlocked pack's max_extra, minutes */
    int64_t unlock_at; /* exam clock at unlock, shifted after a restart */
    int64_t last_age_save;
    /* candidate */
    char ticket[ROSTER_TICKET_MAX + 1], name[72], cand_room[40];
    char ticket_tag[STORE_TAG_HEX];
    int cand_level, cand_seat;
    int cand_extra; /* the roster's planned extra minutes (accommodation), granted by exam_start */
    /* sitting */
    char sid[33];
    uint8_t seed[PAPER_SEED_BYTES];
    session ss;
    int64_t planned_ms; /* the part of ss.extra_ms that is the planned accommodation: not counted against max_extra */
    paper pp;
    int have_paper;
    int current;
    paper_question q;
    int q_item; /* item whose content is in q, -1 none */
    char **resp;
    uint8_t *flag, *saved;
    int active_blank;
    exam_item_view view; /* exam_view(): the current item, display terms */
    char *view_blanks;   /* its blank texts, cut at each separator */
    const char **view_blank;
    int64_t last_clock_save;
    int64_t started_wall;
    int handin_pending; /* a hand-in whose commit failed: retried on tick */
    int handin_checked; /* integrity_check done for this hand-in */
    session_state handin_status;
    /* resume after restart */
    char resume_sid[33];
    char resume_pack[33];
    /* alerts */
    char alert[160];
    char integrity[200]; /* what the journal disproved (integrity_check): stays on screen */
    int integrity_findings;
    int64_t last_checkpoint;
    int focus_losses;
    struct pending_entry *pending_log;
    int npending;
    /* done */
    char receipt[RESULT_RECEIPT_BYTES];
    int score, pending;
    char status[16];
    int show_score;
    roomlink *link; /* the room console's link (core/roomlink.c) */
};

static const char *MESSAGES[] = {
    [EXAM_OK] = "",
    [EXAM_CODE_TYPO] = "开考码输入有误（校验位不符），请核对后重新输入",
    [EXAM_CODE_WRONG] = "开考码不正确，本机没有与之对应的试卷",
    [EXAM_NO_PACK] = "本机尚未载入试卷",
    [EXAM_PIN_SHORT] = "密码至少6位数字",
    [EXAM_PIN_MISMATCH] = "两次输入的密码不一致，请重新设置",
    [EXAM_PIN_WRONG] = "密码错误",
    [EXAM_ID_CHECKSUM] = "身份证号码有误（校验位不符），请核对",
    [EXAM_NOT_ON_ROSTER] = "准考证号与身份证号不匹配，或不在本考场名单中",
    [EXAM_LEVEL_MISMATCH] = "报考级别与本场考试不符，请联系监考员",
    [EXAM_LATE] = "已超过开考后允许入场的时间，不能登录",
    [EXAM_ALREADY_SAT] = "该考生已参加本场考试",
    [EXAM_TOO_EARLY] = "开考未满规定时间，暂不能交卷",
    [EXAM_BAD_STATE] = "当前不能进行此操作",
    [EXAM_SAVE_FAILED] = "答案暂存于内存，写入磁盘失败，请通知监考员",
    [EXAM_INTERNAL] = "系统错误，请通知监考员",
    [EXAM_PACK_REFUSED] = "本机存储的试卷未通过校验（可能被替换或篡改），已拒绝使用，请通知考点技术人员",
    [EXAM_PIN_WAIT] = "密码错误次数过多，请稍候再输入",
    [EXAM_PIN_LOCKED] = "密码连续输错次数过多，已锁定：请监考员输入开考码解除锁定",
    [EXAM_EXTEND_MINUTES] = "延长时间至少1分钟",
    [EXAM_EXTEND_CAP] = "超出本场考试允许的延时上限",
    [EXAM_EXTEND_REASON] = "请选择或填写延时原因（不超过40个汉字）",
    [EXAM_ENTRY_CLOSED] = "考场已停止入场，不能登录",
    [EXAM_DUPLICATE_LOGIN] = "该准考证已在本考场其他座位登录",
};

const char *exam_message(exam_rc rc)
{
    return (unsigned)rc < sizeof MESSAGES / sizeof *MESSAGES && MESSAGES[rc] ? MESSAGES[rc] : "";
}

static int64_t now(const exam *e) { return e->pf.now_ms(e->pf.ctx); }
int64_t exam_now(const exam *e) { return now(e); }
/* the wall clock: written into rows, the journal and the result, never used to time */
static int64_t wall(const exam *e) { return e->pf.wall_s(e->pf.ctx); }

/* journal entries the disk refused wait here, in order, and are written
 * first thing when writing works again (nothing is dropped) */
typedef struct pending_entry {
    char session[33], type[32], data[256];
    int64_t mono, wall;
} pending_entry;

static int flush_journal(exam *e)
{
    while (e->npending) {
        pending_entry *p = &e->pending_log[0];
        if (store_journal(e->st, p->session, p->type, p->data, p->mono, p->wall) != STORE_OK) return -1;
        memmove(e->pending_log, e->pending_log + 1, (size_t)(e->npending - 1) * sizeof *e->pending_log);
        e->npending--;
    }
    return 0;
}

static int journal(exam *e, const char *type, const char *data)
{
    int rc = flush_journal(e) == 0 ? store_journal(e->st, e->sid, type, data ? data : "", now(e), wall(e))
                                   : STORE_FULL;
    if (rc != STORE_OK) {
        snprintf(e->alert, sizeof e->alert, "日志写入失败（%s），请检查磁盘", store_strerror(e->st));
        pending_entry *grown = realloc(e->pending_log, (size_t)(e->npending + 1) * sizeof *grown);
        if (grown) {
            e->pending_log = grown;
            pending_entry *p = &e->pending_log[e->npending++];
            snprintf(p->session, sizeof p->session, "%s", e->sid);
            snprintf(p->type, sizeof p->type, "%s", type);
            snprintf(p->data, sizeof p->data, "%s", data ? data : "");
            p->mono = now(e);
            p->wall = wall(e);
        }
    }
    return rc;
}

/* ---- opening ------------------------------------------------------------ */

static void copy_meta(exam *e, const char *key, char *out, size_t size, const char *dflt)
{
    char *v = store_meta_get(e->st, key);
    snprintf(out, size, "%s", v ? v : dflt);
    free(v);
}

/* store_roster_each callback: reads each roster that verifies */
static int load_roster(void *ctx, const store_roster_row *row)
{
    exam *e = ctx;
    roster *nr = realloc(e->rosters, (size_t)(e->nrosters + 1) * sizeof *nr);
    if (!nr) return 1;
    e->rosters = nr;
    char *why = NULL;
    if (roster_read(row->bytes, row->len, e->pub.sign_pk, &e->rosters[e->nrosters], &why) == 0) e->nrosters++;
    free(why);
    return 0;
}

/* store_pack_each callback: the start screen's list of packs */
static int load_pack(void *ctx, const store_pack_row *row)
{
    exam *e = ctx;
    if (e->npacks >= MAX_PACKS) return 1;
    pack_row *p = &e->packs[e->npacks++];
    snprintf(p->id, sizeof p->id, "%s", row->pack_id);
    snprintf(p->title, sizeof p->title, "%s", row->title);
    p->level = row->level;
    snprintf(p->kind, sizeof p->kind, "%s", row->kind);
    p->duration = row->duration;
    p->questions = row->questions;
    return 0;
}

/* ---- the PIN guard (core/pin.h) ------------------------------------------ */

/* meta pin_guard = "FAILS TOTAL LOCKED": wrong PINs in a row, wrong PINs
 * since the PIN was set, 1 while locked */
static void guard_text(const exam *e, char out[48])
{
    snprintf(out, 48, "%d %d %d", e->pin_fails, e->pin_total, e->pin_locked);
}

/* Commits the guard with its journal entries (N types and data) in one
 * transaction. When the disk refuses, the guard still holds in memory and
 * the entries wait in the journal queue like any other. */
static void guard_commit(exam *e, int n, const char *const types[], const char *const data[])
{
    char v[48];
    guard_text(e, v);
    store_rc rc = flush_journal(e) == 0 ? store_begin(e->st) : STORE_FULL;
    if (rc == STORE_OK) {
        rc = store_meta_set(e->st, "pin_guard", v);
        for (int i = 0; i < n && rc == STORE_OK; i++)
            rc = store_journal_append(e->st, e->sid, types[i], data[i], now(e), wall(e), NULL);
        rc = rc == STORE_OK ? store_commit(e->st) : (store_rollback(e->st), rc);
    }
    if (rc != STORE_OK)
        for (int i = 0; i < n; i++) journal(e, types[i], data[i]);
}

/* The guard as the last run left it: a lockout stays; a delay starts again
 * from now (the time the kiosk was down does not count against it). */
static void load_pin_guard(exam *e)
{
    char *v = store_meta_get(e->st, "pin_guard");
    int f = 0, t = 0, l = 0;
    if (v && sscanf(v, "%d %d %d", &f, &t, &l) == 3 && f >= 0 && t >= f && (l == 0 || l == 1)) {
        e->pin_fails = f;
        e->pin_total = t;
        e->pin_locked = l || f >= PIN_LOCKOUT;
    } else if (v) { /* unreadable: as locked, so an edit cannot lift a lockout */
        e->pin_fails = PIN_LOCKOUT;
        e->pin_total = PIN_LOCKOUT;
        e->pin_locked = 1;
    }
    free(v);
    int64_t d = e->pin_locked ? 0 : pin_delay_ms(e->pin_fails);
    if (d > 0) {
        e->pin_wait_until = now(e) + d;
        char data[64];
        snprintf(data, sizeof data, "ms=%lld fails=%d after restart", (long long)d, e->pin_fails);
        journal(e, "pin_delay", data);
    }
    char *ks = store_meta_get(e->st, "pin_salt");
    size_t got = 0;
    e->have_kiosk_salt = ks && sodium_hex2bin(e->kiosk_salt, sizeof e->kiosk_salt, ks, strlen(ks), NULL, &got, NULL) == 0 &&
                         got == sizeof e->kiosk_salt;
    free(ks);
}

int64_t exam_pin_wait_ms(const exam *e)
{
    int64_t w = e->pin_wait_until - now(e);
    return !e->pin_locked && w > 0 ? w : 0;
}
int exam_pin_locked(const exam *e) { return e->pin_locked; }
int exam_pin_failures(const exam *e) { return e->pin_fails; }
int exam_pin_failures_total(const exam *e) { return e->pin_total; }

int exam_open(exam **out, const char *datadir, const platform *pf, char **why)
{
    *out = NULL;
    exam *e = calloc(1, sizeof *e);
    if (!e) { *why = fileio_fmt("out of memory"); return -1; }
    e->pf = *pf;
    e->pack = -1;
    e->q_item = -1;
    e->kdf_floor = pack_kdf_floor();
    if (store_open(datadir, 0, &e->st, why)) { free(e); return -1; }
    char *pubpath = fileio_fmt("%s/authority.pub", datadir);
    int lp = authority_load_pub(pubpath, &e->pub, why);
    free(pubpath);
    if (lp) { store_close(e->st); free(e); return -1; }
    copy_meta(e, "site", e->site, sizeof e->site, "");
    copy_meta(e, "room", e->room, sizeof e->room, "");
    copy_meta(e, "seat", e->seat, sizeof e->seat, "");
    copy_meta(e, "kiosk_id", e->kiosk_id, sizeof e->kiosk_id, "");
    /* a pack or roster the store cannot list is as if not loaded */
    (void)store_pack_each(e->st, STORE_NEWEST_FIRST, load_pack, e);
    (void)store_roster_each(e->st, STORE_WITH_BYTES, load_roster, e);
    e->phase = PHASE_LOCKED;
    /* an unfinished sitting, or an unlocked pack, survives a restart */
    if (store_session_latest_active(e->st, e->resume_sid, e->resume_pack) != STORE_OK) *e->resume_sid = *e->resume_pack = 0;
    if (!*e->resume_pack && store_unlock_latest(e->st, e->resume_pack) != STORE_OK) *e->resume_pack = 0;
    if (*e->resume_pack) e->phase = PHASE_RESUME;
    journal(e, "kiosk_start", *e->resume_pack ? "restart with unfinished work" : "");
    load_pin_guard(e);
    e->link = roomlink_new();
    if (!e->link) { *why = fileio_fmt("out of memory"); exam_close(e); return -1; }
    *out = e;
    return 0;
}

static void free_sitting(exam *e)
{
    if (e->resp) {
        for (int i = 0; i < e->pp.n; i++) {
            if (e->resp[i]) sodium_memzero(e->resp[i], strlen(e->resp[i])); /* the candidate's answers */
            free(e->resp[i]);
        }
        free(e->resp);
    }
    free(e->flag);
    free(e->saved);
    e->resp = NULL;
    e->flag = e->saved = NULL;
    paper_question_free(&e->q);
    e->q_item = -1;
    free(e->view_blanks);
    free(e->view_blank);
    e->view_blanks = NULL;
    e->view_blank = NULL;
    if (e->have_paper) paper_free(&e->pp);
    e->have_paper = 0;
    e->current = 0;
    e->active_blank = 0;
    e->handin_pending = 0;
    e->handin_checked = 0;
    e->planned_ms = 0;
    *e->integrity = 0;
    e->integrity_findings = 0;
    memset(e->sid, 0, sizeof e->sid);
    memset(e->ticket, 0, sizeof e->ticket);
    memset(e->name, 0, sizeof e->name);
}

void exam_close(exam *e)
{
    if (!e) return;
    free_sitting(e);
    pack_close(e->packdb);
    sodium_memzero(e->key, sizeof e->key);
    sodium_memzero(e->pin_hash, sizeof e->pin_hash);
    for (int i = 0; i < e->nrosters; i++) roster_free(&e->rosters[i]);
    free(e->rosters);
    free(e->pending_log);
    roomlink_free(e->link);
    store_close(e->st);
    free(e);
}

exam_phase exam_get_phase(const exam *e) { return e->phase; }
const char *exam_site(const exam *e) { return e->site; }
const char *exam_room(const exam *e) { return e->room; }
const char *exam_seat(const exam *e) { return e->seat; }
const char *exam_kiosk_id(const exam *e) { return e->kiosk_id; }
int exam_pack_count(const exam *e) { return e->npacks; }
int exam_pack_info(const exam *e, int i, const char **title, int *level, const char **kind, int *duration, int *questions)
{
    if (i < 0 || i >= e->npacks) return -1;
    *title = e->packs[i].title;
    *level = e->packs[i].level;
    *kind = e->packs[i].kind;
    *duration = e->packs[i].duration;
    *questions = e->packs[i].questions;
    return 0;
}
const char *exam_alert(const exam *e) { return *e->alert ? e->alert : *e->integrity ? e->integrity : NULL; }
int exam_focus_losses(const exam *e) { return e->focus_losses; }
#ifdef EXAM_TEST_HOOKS
void exam_fail_writes(exam *e, int n) { store_fail_writes(e->st, n); }
void exam_set_kdf_floor(exam *e, unsigned long long opslimit, size_t memlimit)
{
    e->kdf_floor = (pack_kdf){opslimit, memlimit};
}
#endif

/* ---- unlocking ------------------------------------------------------------ */


/* A stored pack that fails pack_verify_as is never offered the code: the
 * refusal is journaled (pack_refused) and, when nothing unlocks, shown as
 * the alert. */
static void refuse_pack(exam *e, int i, pack_rc vr, const char *why, char *alert, size_t alert_size)
{
    char data[256];
    snprintf(data, sizeof data, "pack=%s reason=%s: %s", e->packs[i].id,
             vr == PACK_ID_MISMATCH ? "replaced" : vr == PACK_WEAK_KDF ? "weak_kdf" : "does_not_verify", why ? why : "");
    journal(e, "pack_refused", data);
    if (*alert) return; /* the first refusal is the one shown */
    snprintf(alert, alert_size, "试卷 %.8s 已拒绝使用：%s", e->packs[i].id,
             vr == PACK_ID_MISMATCH ? "数据与登记的编号不符（被替换）"
             : vr == PACK_WEAK_KDF  ? "加密强度低于规定"
                                    : "签名校验失败（被改动）");
}

/* The pack's max_extra from its signed metadata (BUF passed pack_verify). */
static int pack_max_extra(const uint8_t *buf, size_t len)
{
    pack_info info;
    return pack_parse_header(buf, len, &info, NULL) == PACK_OK ? info.max_extra : BLUEPRINT_MAX_EXTRA_DEFAULT;
}

/* Tries CODE against every stored pack (or only ONLY_ID). Each blob is bound
 * to the id it is stored under (pack_verify_as) before any key is tried.
 * GIVEN (a content key from the room console) instead of CODE: the pack
 * must open with it (EXAM_CODE_WRONG when it does not). */
static exam_rc open_pack(exam *e, const char *code, const char *only_id, const uint8_t *given)
{
    char norm[RELEASECODE_NORM_BYTES];
    releasecode_rc r = given ? RELEASECODE_OK : releasecode_normalize(code, norm);
    sodium_memzero(norm, sizeof norm);
    if (r != RELEASECODE_OK) return EXAM_CODE_TYPO;
    if (e->npacks == 0) return EXAM_NO_PACK;
    char refused[sizeof e->alert] = "";
    for (int i = 0; i < e->npacks; i++) {
        if (only_id && strcmp(only_id, e->packs[i].id)) continue;
        uint8_t *buf = NULL;
        size_t len = 0;
        int grc = store_pack_get(e->st, e->packs[i].id, &buf, &len);
        if (grc != STORE_OK && grc != STORE_NOTFOUND) return EXAM_INTERNAL;
        exam_rc rc = EXAM_CODE_WRONG;
        if (grc == STORE_OK) {
            char *why = NULL;
            uint8_t key[PACK_KEY_BYTES];
            pack_info info;
            pack_rc vr = pack_verify_as(buf, len, e->pub.sign_pk, e->packs[i].id, e->kdf_floor, &info, &why);
            if (vr != PACK_OK) {
                refuse_pack(e, i, vr, why, refused, sizeof refused);
            } else {
                /* the signed facts, not the row's copies, go on screen and into the result */
                pack_row *p = &e->packs[i];
                snprintf(p->title, sizeof p->title, "%s", info.title);
                snprintf(p->kind, sizeof p->kind, "%s", info.kind);
                p->level = info.level;
                p->duration = info.duration;
                p->questions = info.questions;
            }
            if (vr == PACK_OK && (given ? (memcpy(key, given, sizeof key), 1)
                                        : pack_unwrap_key(buf, len, code, key, &why) == PACK_OK)) {
                sqlite3 *db = NULL;
                if (pack_open_with_key(buf, len, e->pub.sign_pk, key, &db, &why) == PACK_OK) {
                    pack_close(e->packdb);
                    e->packdb = db;
                    memcpy(e->key, key, sizeof key);
                    e->pack = i;
                    /* from now on every journal entry is sealed by this pack */
                    journal_key jk;
                    journal_key_derive(&jk, e->packs[i].id, key);
                    store_set_journal_key(e->st, &jk);
                    sodium_memzero(&jk, sizeof jk);
                    e->pack_level = paper_setting(db, "level");
                    e->late_entry = paper_setting(db, "late_entry");
                    e->max_extra = pack_max_extra(buf, len);
                    rc = EXAM_OK;
                } else
                    rc = given ? EXAM_CODE_WRONG : EXAM_INTERNAL; /* a console's key that is not this pack's */
            }
            sodium_memzero(key, sizeof key);
            free(why);
        }
        free(buf);
        if (rc == EXAM_OK || rc == EXAM_INTERNAL) return rc;
    }
    if (*refused) {
        snprintf(e->alert, sizeof e->alert, "%s", refused);
        return EXAM_PACK_REFUSED;
    }
    return EXAM_CODE_WRONG;
}

_Static_assert(STORE_PIN_SALT_BYTES == PIN_SALT_BYTES && STORE_PIN_HASH_BYTES == PIN_HASH_BYTES &&
                   PACK_KEY_BYTES == PIN_KEY_BYTES,
               "the unlock row holds core/pin.h's salt and verifier, keyed by the content key");

/* The verifier of PIN for the current unlock row (OUT): Argon2id
 * (core/pin.h), or for a row an older kiosk made (pin_ops 0) its keyed
 * BLAKE2b, so a sitting that kiosk left can still be resumed. 0 or -1. */
static int pin_digest(const exam *e, const char *pin, uint8_t out[PIN_HASH_BYTES])
{
    if (e->pin_kdf.ops == 0) {
        crypto_generichash_state h;
        crypto_generichash_init(&h, e->key, sizeof e->key, PIN_HASH_BYTES);
        crypto_generichash_update(&h, (const uint8_t *)"exam-pin", 8);
        crypto_generichash_update(&h, e->pin_salt, sizeof e->pin_salt);
        crypto_generichash_update(&h, (const uint8_t *)pin, strlen(pin));
        crypto_generichash_final(&h, out, PIN_HASH_BYTES);
        sodium_memzero(&h, sizeof h);
        return 0;
    }
    if (!e->have_kiosk_salt) return -1;
    return pin_hash(pin, e->key, e->kiosk_salt, e->pin_salt, e->pin_kdf, out);
}

exam_rc exam_unlock(exam *e, const char *code)
{
    if (e->phase != PHASE_LOCKED) return EXAM_BAD_STATE;
    exam_rc rc = open_pack(e, code, NULL, NULL);
    char data[96];
    snprintf(data, sizeof data, "result=%s",
             rc == EXAM_OK ? "ok" : rc == EXAM_CODE_TYPO ? "typo" : rc == EXAM_PACK_REFUSED ? "pack_refused" : "wrong");
    if (rc == EXAM_OK) snprintf(data, sizeof data, "pack=%s", e->packs[e->pack].id);
    journal(e, "unlock", data);
    if (rc == EXAM_OK) e->phase = PHASE_SET_PIN;
    return rc;
}

static int pin_ok_format(const char *pin)
{
    size_t n = strlen(pin);
    if (n < 6 || n > 32) return 0;
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9') return 0;
    return 1;
}

/* The PIN verifier now in E as the unlocked pack's unlock row, with the
 * kiosk salt (when WRITE_KIOSK_SALT), a fresh PIN guard and journal pin_set
 * (data BY), in one commit; on failure the alert says so (the unlock lives
 * in memory only). */
static store_rc save_pin(exam *e, int write_kiosk_salt, const char *by)
{
    char kshex[2 * PIN_SALT_BYTES + 1];
    sodium_bin2hex(kshex, sizeof kshex, e->kiosk_salt, sizeof e->kiosk_salt);
    e->unlock_at = e->last_checkpoint = now(e);
    /* a new PIN: its guard starts from nothing */
    e->pin_fails = e->pin_total = e->pin_locked = 0;
    e->pin_wait_until = 0;
    char guard[48];
    guard_text(e, guard);
    store_rc rc = store_begin(e->st);
    if (rc == STORE_OK) {
        rc = store_unlock_put(e->st, e->packs[e->pack].id, e->pin_salt, e->pin_hash, wall(e));
        if (rc == STORE_OK)
            rc = store_unlock_set_kdf(e->st, e->packs[e->pack].id, e->pin_kdf.ops, (uint64_t)e->pin_kdf.mem);
        if (rc == STORE_OK && write_kiosk_salt) rc = store_meta_set(e->st, "pin_salt", kshex);
        if (rc == STORE_OK) rc = store_meta_set(e->st, "pin_guard", guard);
        if (rc == STORE_OK) rc = store_journal_append(e->st, "", "pin_set", by, now(e), wall(e), NULL);
        rc = rc == STORE_OK ? store_commit(e->st) : (store_rollback(e->st), rc);
    }
    if (rc != STORE_OK) snprintf(e->alert, sizeof e->alert, "无法保存解锁状态：%s", store_strerror(e->st));
    return rc;
}

exam_rc exam_set_pin(exam *e, const char *pin, const char *again)
{
    if (e->phase != PHASE_SET_PIN) return EXAM_BAD_STATE;
    if (!pin_ok_format(pin)) return EXAM_PIN_SHORT;
    if (strcmp(pin, again)) return EXAM_PIN_MISMATCH;
    /* the kiosk's own salt, made with its first PIN and kept in meta */
    int new_kiosk_salt = !e->have_kiosk_salt;
    if (new_kiosk_salt) randombytes_buf(e->kiosk_salt, sizeof e->kiosk_salt);
    e->have_kiosk_salt = 1;
    randombytes_buf(e->pin_salt, sizeof e->pin_salt);
    e->pin_kdf = pin_cost_default();
    if (pin_digest(e, pin, e->pin_hash) != 0) {
        snprintf(e->alert, sizeof e->alert, "无法设置监考密码：内存不足");
        return EXAM_INTERNAL;
    }
    store_rc rc = save_pin(e, new_kiosk_salt, "");
    if (rc != STORE_OK && new_kiosk_salt) e->have_kiosk_salt = 0; /* made again with the next PIN */
    e->phase = PHASE_LOGIN;
    return EXAM_OK;
}

exam_rc exam_check_pin(exam *e, const char *pin)
{
    if (e->pack < 0) return EXAM_BAD_STATE;
    if (e->pin_locked) return EXAM_PIN_LOCKED;
    if (exam_pin_wait_ms(e) > 0) return EXAM_PIN_WAIT; /* not even checked */
    uint8_t h[PIN_HASH_BYTES];
    if (pin_digest(e, pin, h) != 0) {
        sodium_memzero(h, sizeof h);
        return EXAM_INTERNAL;
    }
    int ok = sodium_memcmp(h, e->pin_hash, sizeof h) == 0;
    sodium_memzero(h, sizeof h);
    if (ok) {
        e->pin_wait_until = 0;
        if (e->pin_fails) { /* the count in a row starts again */
            e->pin_fails = 0;
            const char *t[] = {"panel"}, *d[] = {"pin ok"};
            guard_commit(e, 1, t, d);
        } else
            journal(e, "panel", "pin ok");
        return EXAM_OK;
    }
    e->pin_fails++;
    e->pin_total++;
    char wrong[64], more[64];
    snprintf(wrong, sizeof wrong, "fails=%d total=%d", e->pin_fails, e->pin_total);
    const char *t[2] = {"pin_wrong", NULL}, *d[2] = {wrong, more};
    int64_t delay = pin_delay_ms(e->pin_fails);
    if (e->pin_fails >= PIN_LOCKOUT) {
        e->pin_locked = 1;
        e->pin_wait_until = 0;
        t[1] = "pin_lockout";
        snprintf(more, sizeof more, "fails=%d total=%d", e->pin_fails, e->pin_total);
    } else if (delay > 0) {
        e->pin_wait_until = now(e) + delay;
        t[1] = "pin_delay";
        snprintf(more, sizeof more, "ms=%lld fails=%d", (long long)delay, e->pin_fails);
    }
    guard_commit(e, t[1] ? 2 : 1, t, d);
    return e->pin_locked ? EXAM_PIN_LOCKED : EXAM_PIN_WRONG;
}

exam_rc exam_pin_release(exam *e, const char *code)
{
    if (!e->pin_locked) return EXAM_BAD_STATE;
    const char *id = e->pack >= 0 ? e->packs[e->pack].id : e->resume_pack;
    if (!*id) return EXAM_BAD_STATE;
    uint8_t *buf = NULL, key[PACK_KEY_BYTES];
    size_t len = 0;
    char *why = NULL;
    exam_rc rc = EXAM_CODE_WRONG;
    if (store_pack_get(e->st, id, &buf, &len) != STORE_OK) rc = EXAM_INTERNAL;
    else if (pack_verify(buf, len, e->pub.sign_pk, NULL, &why) != PACK_OK) rc = EXAM_INTERNAL;
    else {
        pack_rc pr = pack_unwrap_key(buf, len, code, key, NULL);
        rc = pr == PACK_OK ? EXAM_OK : pr == PACK_CODE_TYPO ? EXAM_CODE_TYPO : EXAM_CODE_WRONG;
    }
    sodium_memzero(key, sizeof key);
    free(why);
    free(buf);
    if (rc != EXAM_OK) {
        journal(e, "pin_release_refused", rc == EXAM_CODE_TYPO ? "code typo" : "code wrong");
        return rc;
    }
    char data[64];
    snprintf(data, sizeof data, "fails=%d total=%d", e->pin_fails, e->pin_total);
    e->pin_locked = 0;
    e->pin_fails = 0;
    e->pin_wait_until = 0;
    const char *t[] = {"pin_release"}, *d[] = {data};
    guard_commit(e, 1, t, d);
    return EXAM_OK;
}

/* ---- sittings: persistence ---------------------------------------------- */

static int alloc_answers(exam *e)
{
    e->resp = calloc((size_t)e->pp.n, sizeof *e->resp);
    e->flag = calloc((size_t)e->pp.n, 1);
    e->saved = calloc((size_t)e->pp.n, 1);
    if (!e->resp || !e->flag || !e->saved) return -1;
    for (int i = 0; i < e->pp.n; i++) {
        e->resp[i] = strdup("");
        e->saved[i] = 1;
        if (!e->resp[i]) return -1;
    }
    return 0;
}

static void save_clock(exam *e)
{
    int rc = store_save_clock(e->st, e->sid, session_elapsed(&e->ss, now(e)), e->ss.extra_ms, e->current);
    if (rc != STORE_OK) snprintf(e->alert, sizeof e->alert, "计时写入失败（%s），答题继续，恢复后自动补存", store_strerror(e->st));
    else e->last_clock_save = now(e);
}

static void save_item(exam *e, int i)
{
    int rc = store_save_answer(e->st, e->sid, i, e->resp[i], e->flag[i], now(e), wall(e));
    e->saved[i] = rc == STORE_OK;
    if (rc != STORE_OK)
        snprintf(e->alert, sizeof e->alert, "答案写入失败（%s），已暂存内存，恢复后自动补存", store_strerror(e->st));
}

/* Retries what the disk refused earlier: journal entries first (in order),
 * then every answer not yet saved. */
static void retry_unsaved(exam *e)
{
    flush_journal(e);
    for (int i = 0; i < e->pp.n; i++)
        if (!e->saved[i]) save_item(e, i);
}

static int unsaved_count(const exam *e)
{
    int n = 0;
    for (int i = 0; e->saved && i < e->pp.n; i++) n += !e->saved[i];
    return n;
}

/* the session row of a sitting being resumed (store_session_get) */
typedef struct resume_row {
    exam *e;
    int ok, state, current;
    int64_t elapsed, extra;
} resume_row;

static int restore_session(void *ctx, const store_session_row *row)
{
    resume_row *rr = ctx;
    exam *e = rr->e;
    if (row->seed_len != PAPER_SEED_BYTES) return 1;
    snprintf(e->ticket, sizeof e->ticket, "%s", row->ticket);
    snprintf(e->name, sizeof e->name, "%s", row->name);
    e->cand_level = row->level;
    snprintf(e->cand_room, sizeof e->cand_room, "%s", row->room);
    e->cand_seat = row->seat;
    memcpy(e->seed, row->seed, PAPER_SEED_BYTES);
    rr->state = session_state_parse(row->state);
    rr->elapsed = row->elapsed_ms;
    rr->extra = row->extra_ms;
    rr->current = row->current;
    e->started_wall = row->started_wall;
    rr->ok = 1;
    return 0;
}

/* store_answer_each callback: a saved answer back into memory */
static int restore_answer(void *ctx, const store_answer_row *row)
{
    exam *e = ctx;
    if (row->item < 0 || row->item >= e->pp.n) return 0;
    free(e->resp[row->item]);
    e->resp[row->item] = strdup(row->response);
    e->flag[row->item] = (uint8_t)row->flagged;
    return 0;
}

/* ---- what the journal proves (resume and hand-in) ------------------------------
 *
 * The rows of kiosk.db are what the kiosk works from; the journal is what
 * proves them. Every answer change journals a keyed digest of the answer
 * (store_save_answer), every extension its minutes, and every
 * CHECKPOINT_MS a "clock" entry the elapsed time, the extra time and how long
 * ago the pack was unlocked. On resume and on hand-in the rows are compared
 * with what the journal proves; each difference is an integrity finding: an
 * "integrity" journal entry, an alert for the invigilator that stays on
 * screen, and an irregularity of category "integrity" in the result. The
 * sitting then goes on from what the journal proves, not from the edited
 * rows: an answer whose digest does not match is cleared (its text is not in
 * the journal), the clock never runs back, extra time is what was journaled,
 * and the late-entry window counts from the journaled unlock age. */

#define CHECKPOINT_MS 10000

static const char *ticket_tag(exam *e); /* (login, below) */

/* the entries of one sitting, as proof */
typedef struct proof {
    int n;
    char (*answer)[STORE_ANSWER_DATA_MAX]; /* per item: the last answer entry's data, "" if none */
    int64_t elapsed;                       /* the most elapsed time any entry records */
    int64_t extend_ms;                     /* the extensions journaled (the planned one included) */
    int64_t planned_ms;                    /* of which the planned accommodation ("accommodation" entry) */
    char started_tag[STORE_TAG_HEX];       /* the ticket tag the "start" entry names */
} proof;

static int64_t field_ll(const char *data, const char *key)
{
    const char *p = strstr(data, key);
    return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static int prove_entry(void *ctx, const journal_entry *je)
{
    proof *pf = ctx;
    if (!strcmp(je->type, "answer")) {
        int item = (int)field_ll(je->data, "item=") - 1;
        if (item >= 0 && item < pf->n) snprintf(pf->answer[item], sizeof pf->answer[item], "%s", je->data);
    } else if (!strcmp(je->type, "clock") || !strcmp(je->type, "resume")) {
        int64_t el = field_ll(je->data, "elapsed_ms=");
        if (el > pf->elapsed) pf->elapsed = el;
    } else if (!strcmp(je->type, "extend") || !strcmp(je->type, "accommodation")) {
        int64_t m = field_ll(je->data, "minutes=");
        if (m > 0) pf->extend_ms += m * 60000;
        if (m > 0 && !strcmp(je->type, "accommodation")) pf->planned_ms += m * 60000;
    } else if (!strcmp(je->type, "start")) {
        snprintf(pf->started_tag, sizeof pf->started_tag, "%s", je->data);
    }
    return 0;
}

/* The roster candidate whose ticket has keyed tag TAG (the journal names
 * candidates by tag), or NULL. */
static const roster_entry *candidate_of_tag(exam *e, const char *tag)
{
    char t[STORE_TAG_HEX];
    for (int r = 0; r < e->nrosters; r++)
        for (size_t i = 0; i < e->rosters[r].n; i++) {
            store_ticket_tag(e->st, e->rosters[r].e[i].ticket, t);
            if (!strcmp(t, tag)) return &e->rosters[r].e[i];
        }
    return NULL;
}

/* the unlock age the journal proves for the unlocked pack: the largest
 * age_ms of its "clock" entries since it was last unlocked */
typedef struct age_proof {
    const char *pack;
    int64_t age;
} age_proof;

static int prove_age(void *ctx, const journal_entry *je)
{
    age_proof *ap = ctx;
    if (strcmp(je->keyid, ap->pack)) return 0;
    if (!strcmp(je->type, "pin_set")) ap->age = 0;
    else if (!strcmp(je->type, "clock")) {
        int64_t a = field_ll(je->data, "age_ms=");
        if (a > ap->age) ap->age = a;
    }
    return 0;
}

/* One finding: journaled (sealed: removing it breaks the chain), shown. */
static void integrity_finding(exam *e, const char *what)
{
    journal(e, "integrity", what);
    e->integrity_findings++;
    snprintf(e->integrity, sizeof e->integrity, "数据完整性警告：本机记录与考试日志不符（%d处），已按日志恢复，请通知考务负责人并记录",
             e->integrity_findings);
}

/* Checks the chain (sealed by the unlocked pack) and, for a sitting, its
 * answers and clock against the journal; with CORRECT (on resume: the
 * answers come from the rows) it corrects what it disproves, without (at
 * hand-in: the answers in memory are the candidate's) it only reports.
 * Returns the number of findings. */
static int integrity_check(exam *e, int64_t *elapsed, int64_t *extra, int correct)
{
    int findings = 0;
    char *why = NULL;
    journal_check jc;
    if (store_journal_verify_keyed(e->st, e->sid, NULL, &jc, &why) != 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "journal: %.160s", why ? why : "unreadable");
        integrity_finding(e, msg);
        findings++;
    }
    free(why);
    if (!*e->sid || !e->have_paper) return findings;
    proof pf = {.n = e->pp.n, .answer = calloc((size_t)e->pp.n + 1, sizeof *pf.answer)};
    if (!pf.answer || store_journal_each(e->st, e->sid, prove_entry, &pf) != STORE_OK) {
        free(pf.answer);
        integrity_finding(e, "journal: unreadable");
        return findings + 1;
    }
    /* the sitting is the candidate's who started it: a session row rewritten
     * to another ticket would hand the work (and the result) to someone else */
    if (*pf.started_tag && strcmp(pf.started_tag, ticket_tag(e))) {
        const roster_entry *en = correct ? candidate_of_tag(e, pf.started_tag) : NULL;
        char msg[200];
        snprintf(msg, sizeof msg, "candidate rewritten: the session row names ticket %.32s, the journal another%s",
                 e->ticket, en ? " (restored from the roster)" : "");
        integrity_finding(e, msg);
        findings++;
        if (en) {
            snprintf(e->ticket, sizeof e->ticket, "%s", en->ticket);
            *e->name = 0; /* sealed under the candidate's own ID number: shown again after their login */
            snprintf(e->cand_room, sizeof e->cand_room, "%s", en->room);
            e->cand_level = en->level;
            e->cand_seat = en->seat;
        }
    }
    char bad[120] = "";
    int nbad = 0;
    for (int i = 0; i < e->pp.n; i++) {
        char now_data[STORE_ANSWER_DATA_MAX] = "";
        int empty = !*e->resp[i] && !e->flag[i];
        int same = !*pf.answer[i] ? empty
                                  : store_answer_data(e->st, e->sid, i, e->resp[i], e->flag[i], now_data) == STORE_OK &&
                                        !strcmp(now_data, pf.answer[i]);
        if (same) continue;
        if (nbad++ < 12) snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "%s%d", nbad > 1 ? "," : "", i + 1);
        if (!correct) continue;
        /* what the journal proves of it is its digest, not its text: cleared */
        free(e->resp[i]);
        e->resp[i] = strdup("");
        e->flag[i] = 0;
        if (!e->resp[i]) { free(pf.answer); return findings + 1; }
        save_item(e, i);
    }
    if (nbad) {
        char msg[200];
        snprintf(msg, sizeof msg, "answers not in the journal: %d item(s) %s%s", nbad, bad, nbad > 12 ? ",…" : "");
        integrity_finding(e, msg);
        findings++;
    }
    if (elapsed && *elapsed < pf.elapsed) {
        char msg[200];
        snprintf(msg, sizeof msg, "clock rewound: saved %lld s, journal proves %lld s", (long long)(*elapsed / 1000),
                 (long long)(pf.elapsed / 1000));
        integrity_finding(e, msg);
        findings++;
        *elapsed = pf.elapsed;
    }
    if (extra && *extra != pf.extend_ms) {
        if (*extra > pf.extend_ms) { /* (less than journaled: a crash between the two writes) */
            char msg[200];
            snprintf(msg, sizeof msg, "extra time not in the journal: saved %lld min, journal proves %lld min",
                     (long long)(*extra / 60000), (long long)(pf.extend_ms / 60000));
            integrity_finding(e, msg);
            findings++;
        }
        *extra = pf.extend_ms;
    }
    e->planned_ms = pf.planned_ms; /* what the journal proves planned stays outside max_extra after a resume */
    free(pf.answer);
    return findings;
}

/* Every CHECKPOINT_MS while a pack is unlocked: the unlock age, the sitting's
 * clock and a "clock" journal entry with both, in one commit. */
static void checkpoint(exam *e, int64_t t)
{
    int sitting = e->phase == PHASE_RUNNING || e->phase == PHASE_PAUSED;
    char data[128];
    int64_t age = t - e->unlock_at, el = sitting ? session_elapsed(&e->ss, t) : 0;
    if (sitting)
        snprintf(data, sizeof data, "age_ms=%lld elapsed_ms=%lld extra_ms=%lld", (long long)age, (long long)el,
                 (long long)e->ss.extra_ms);
    else
        snprintf(data, sizeof data, "age_ms=%lld", (long long)age);
    store_rc rc = flush_journal(e) == 0 ? store_begin(e->st) : STORE_FULL;
    if (rc != STORE_OK) return; /* retried next tick */
    rc = store_unlock_set_age(e->st, e->packs[e->pack].id, age);
    if (rc == STORE_OK && sitting) rc = store_save_clock(e->st, e->sid, el, e->ss.extra_ms, e->current);
    if (rc == STORE_OK) rc = store_journal_append(e->st, sitting ? e->sid : "", "clock", data, t, wall(e), NULL);
    rc = rc == STORE_OK ? store_commit(e->st) : (store_rollback(e->st), rc);
    if (rc == STORE_OK) {
        e->last_checkpoint = e->last_age_save = t;
        if (sitting) e->last_clock_save = t;
    }
}

/* The crashed sitting's pack is open: its unlock row (PIN verifier, age)
 * into E. */
static exam_rc load_unlock_row(exam *e, int64_t *age)
{
    if (store_unlock_get(e->st, e->resume_pack, e->pin_salt, e->pin_hash, age) != STORE_OK) return EXAM_INTERNAL;
    uint64_t kops = 0, kmem = 0;
    if (store_unlock_get_kdf(e->st, e->resume_pack, &kops, &kmem) != STORE_OK) return EXAM_INTERNAL;
    e->pin_kdf = (pin_cost){kops, (size_t)kmem};
    if (kops != 0 && !pin_cost_ok(e->pin_kdf)) return EXAM_INTERNAL; /* an edited row: never a KDF of any cost */
    return EXAM_OK;
}

static exam_rc resume_opened(exam *e, int64_t age);

exam_rc exam_resume(exam *e, const char *code, const char *pin)
{
    if (e->phase != PHASE_RESUME) return EXAM_BAD_STATE;
    if (e->pin_locked) return EXAM_PIN_LOCKED; /* the PIN guard first: no KDF run while it holds */
    if (exam_pin_wait_ms(e) > 0) return EXAM_PIN_WAIT;
    exam_rc rc = open_pack(e, code, e->resume_pack, NULL);
    if (rc != EXAM_OK) {
        journal(e, "resume", rc == EXAM_PACK_REFUSED ? "pack refused" : "code refused");
        return rc;
    }
    int64_t age = 0;
    if ((rc = load_unlock_row(e, &age)) != EXAM_OK) return rc;
    exam_rc prc = exam_check_pin(e, pin);
    if (prc != EXAM_OK) return prc;
    return resume_opened(e, age);
}

exam_rc exam_room_resume(exam *e, const uint8_t key[32])
{
    if (e->phase != PHASE_RESUME) return EXAM_BAD_STATE;
    exam_rc rc = open_pack(e, NULL, e->resume_pack, key);
    if (rc != EXAM_OK) { /* not "resume": the console's counter rides on that entry (core/roomlink.c) */
        journal(e, "resume_refused", rc == EXAM_PACK_REFUSED ? "pack refused" : "room key refused");
        return rc;
    }
    int64_t age = 0;
    if ((rc = load_unlock_row(e, &age)) != EXAM_OK) return rc;
    return resume_opened(e, age);
}

/* the rest of a resume once the pack is open and the PIN (or the console) said yes */
static exam_rc resume_opened(exam *e, int64_t age)
{
    /* the late-entry window counts from the unlock age the journal proves */
    age_proof ap = {e->resume_pack, 0};
    if (store_journal_each(e->st, NULL, prove_age, &ap) == STORE_OK && ap.age > age) {
        char msg[200];
        snprintf(msg, sizeof msg, "unlock time rewound: saved %lld s ago, journal proves %lld s", (long long)(age / 1000),
                 (long long)(ap.age / 1000));
        integrity_finding(e, msg);
        age = ap.age;
    }
    e->unlock_at = now(e) - age;
    e->last_checkpoint = now(e);
    if (!*e->resume_sid) {
        (void)integrity_check(e, NULL, NULL, 1);
        e->phase = PHASE_LOGIN;
        journal(e, "resume", "login");
        return EXAM_OK;
    }
    /* restore the sitting: paper from its seed, answers, clock */
    resume_row rr = {e, 0, SS_RUNNING, 0, 0, 0};
    if (store_session_get(e->st, e->resume_sid, restore_session, &rr) != STORE_OK || !rr.ok) return EXAM_INTERNAL;
    int state = rr.state, current = rr.current;
    int64_t elapsed = rr.elapsed, extra = rr.extra;
    char *why = NULL;
    if (paper_draw(e->packdb, e->seed, &e->pp, &why)) {
        free(why);
        return EXAM_INTERNAL;
    }
    e->have_paper = 1;
    snprintf(e->sid, sizeof e->sid, "%s", e->resume_sid);
    if (alloc_answers(e)) return EXAM_INTERNAL;
    (void)store_answer_each(e->st, e->sid, restore_answer, e);
    (void)integrity_check(e, &elapsed, &extra, 1);
    session_init(&e->ss, e->pp.duration, e->pp.min_submit);
    session_restore(&e->ss, state < 0 ? SS_RUNNING : (session_state)state, elapsed, extra);
    e->current = current >= 0 && current < e->pp.n ? current : 0;
    e->show_score = e->pp.show_score;
    if (e->ss.state == SS_PAUSED && session_go(&e->ss, SS_RUNNING, now(e)) != 0) return EXAM_INTERNAL;
    e->phase = PHASE_RUNNING;
    e->last_clock_save = now(e);
    char data[96];
    snprintf(data, sizeof data, "elapsed_ms=%lld remaining_ms=%lld", (long long)elapsed,
             (long long)session_remaining(&e->ss, now(e)));
    journal(e, "resume", data);
    /* the panel's count of focus losses is the sitting's, not this run's */
    int64_t losses = 0;
    if (store_journal_count(e->st, e->sid, "focus_lost", &losses) == STORE_OK) e->focus_losses = (int)losses;
    *e->resume_sid = 0;
    return EXAM_OK;
}

/* ---- login ------------------------------------------------------------------ */

/* the current candidate as the journal names them: by the ticket's keyed
 * tag, never the ticket (kiosk.db holds no personal data in plaintext) */
static const char *ticket_tag(exam *e)
{
    store_ticket_tag(e->st, e->ticket, e->ticket_tag);
    return e->ticket_tag;
}

/* 1 when TICKET already has a sitting (or an absence) for the unlocked paper */
static int already_sat(exam *e, const char *ticket)
{
    int n = 0;
    return store_session_count(e->st, ticket, e->packs[e->pack].id, &n) == STORE_OK && n > 0;
}

/* the roster entry becomes the current candidate */
static void take_candidate(exam *e, const roster_entry *en)
{
    snprintf(e->ticket, sizeof e->ticket, "%s", en->ticket);
    snprintf(e->name, sizeof e->name, "%s", en->name ? en->name : ""); /* sealed: exam_login fills it in */
    snprintf(e->cand_room, sizeof e->cand_room, "%s", en->room);
    e->cand_level = en->level;
    e->cand_seat = en->seat;
    e->cand_extra = en->extra_minutes;
}

exam_rc exam_login(exam *e, const char *ticket_in, const char *id_in)
{
    if (e->phase != PHASE_LOGIN) return EXAM_BAD_STATE;
    char *ticket = text_trim(ticket_in), *idn = text_trim(id_in);
    char name[ROSTER_NAME_MAX + 1] = ""; /* opened by the candidate's own ticket + ID number */
    exam_rc rc = EXAM_OK;
    if (!ticket || !idn) { rc = EXAM_INTERNAL; goto out; }
    idnumber_normalise(idn);
    if (!idnumber_valid(idn)) { rc = EXAM_ID_CHECKSUM; goto out; }
    const roster_entry *en = NULL;
    for (int i = 0; i < e->nrosters && !en; i++) en = roster_lookup(&e->rosters[i], ticket, idn, name);
    char *spare = en ? store_meta_get(e->st, "spare") : NULL; /* a spare kiosk takes every room of its site */
    int other_room = en && strcmp(en->room, e->room) && !(spare && !strcmp(spare, "1"));
    free(spare);
    if (!en || other_room) { rc = EXAM_NOT_ON_ROSTER; goto out; }
    if (en->level != e->pack_level) { rc = EXAM_LEVEL_MISMATCH; goto out; }
    if (now(e) - e->unlock_at > (int64_t)e->late_entry * 60000) { rc = EXAM_LATE; goto out; }
    if (already_sat(e, en->ticket)) { rc = EXAM_ALREADY_SAT; goto out; }
    if ((rc = roomlink_login_check(e->link, e, en->ticket)) != EXAM_OK) goto out; /* entry closed, or seated elsewhere */
    take_candidate(e, en);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->phase = PHASE_CONFIRM;
out:;
    sodium_memzero(name, sizeof name);
    char data[128];
    char tag[STORE_TAG_HEX];
    store_ticket_tag(e->st, ticket ? ticket : "", tag);
    snprintf(data, sizeof data, "ticket_tag=%s result=%d", tag, rc);
    journal(e, "login", data);
    if (idn) sodium_memzero(idn, strlen(idn));
    free(ticket);
    free(idn);
    return rc;
}

const char *exam_cand_name(const exam *e) { return e->name; }
const char *exam_cand_ticket(const exam *e) { return e->ticket; }
int exam_cand_level(const exam *e) { return e->cand_level; }
int exam_cand_seat(const exam *e) { return e->cand_seat; }
int exam_cand_extra_min(const exam *e) { return *e->ticket ? e->cand_extra : 0; }

exam_rc exam_confirm(exam *e)
{
    if (e->phase != PHASE_CONFIRM) return EXAM_BAD_STATE;
    journal(e, "confirm", ticket_tag(e));
    e->phase = PHASE_INSTRUCTIONS;
    return EXAM_OK;
}

exam_rc exam_back(exam *e)
{
    if (e->phase != PHASE_CONFIRM && e->phase != PHASE_INSTRUCTIONS) return EXAM_BAD_STATE;
    journal(e, "login_cancelled", ticket_tag(e));
    memset(e->ticket, 0, sizeof e->ticket);
    memset(e->name, 0, sizeof e->name);
    e->phase = PHASE_LOGIN;
    return EXAM_OK;
}

/* Inserts the current candidate's session row as ST (running or absent)
 * inside the caller's transaction (running sittings are active; absences
 * are not). */
static int insert_session(exam *e, session_state st)
{
    const char *state = session_state_name(st);
    store_session_row row = {.id = e->sid, .pack_id = e->packs[e->pack].id, .ticket = e->ticket, .name = e->name,
                             .level = e->cand_level, .room = e->cand_room, .seat = e->cand_seat, .seed = e->seed,
                             .seed_len = sizeof e->seed, .state = state, .started_wall = e->started_wall,
                             .active = st == SS_RUNNING};
    return store_session_insert(e->st, &row);
}

/* The candidate's planned extra time (roster extra_minutes), granted as the
 * sitting starts, inside exam_start's transaction: an extension row with
 * the reserved reason at exam time 0, the clock, and its own journal entry
 * ("accommodation", so it is told apart from the invigilator's "extend"
 * and never counted against the pack's max_extra). */
static store_rc grant_planned(exam *e, int64_t t)
{
    char d[48];
    snprintf(d, sizeof d, "minutes=%d", e->cand_extra);
    store_rc rc = store_extension_add(e->st, e->sid, e->cand_extra, EXAM_PLANNED_REASON, 0, t, wall(e));
    if (rc == STORE_OK) rc = store_save_clock(e->st, e->sid, 0, (int64_t)e->cand_extra * 60000, 0);
    if (rc == STORE_OK) rc = store_journal_append(e->st, e->sid, "accommodation", d, t, wall(e), NULL);
    return rc;
}

exam_rc exam_start(exam *e)
{
    if (e->phase != PHASE_INSTRUCTIONS) return EXAM_BAD_STATE;
    uint8_t sidb[16];
    e->pf.random_bytes(e->pf.ctx, sidb, sizeof sidb);
    sodium_bin2hex(e->sid, sizeof e->sid, sidb, sizeof sidb);
    e->pf.random_bytes(e->pf.ctx, e->seed, sizeof e->seed);
    char *why = NULL;
    if (paper_draw(e->packdb, e->seed, &e->pp, &why)) {
        snprintf(e->alert, sizeof e->alert, "组卷失败：%s", why ? why : "");
        free(why);
        return EXAM_INTERNAL;
    }
    e->have_paper = 1;
    if (alloc_answers(e)) return EXAM_INTERNAL;
    e->started_wall = wall(e);
    store_rc rc = store_begin(e->st);
    if (rc == STORE_OK) {
        rc = insert_session(e, SS_RUNNING);
        if (rc == STORE_OK) rc = store_journal_append(e->st, e->sid, "start", ticket_tag(e), now(e), wall(e), NULL);
        if (rc == STORE_OK && e->cand_extra > 0) rc = grant_planned(e, now(e));
        rc = rc == STORE_OK ? store_commit(e->st) : (store_rollback(e->st), rc);
    }
    if (rc != STORE_OK) {
        snprintf(e->alert, sizeof e->alert, "无法开始考试：%s", store_strerror(e->st));
        /* drop the drawn paper but keep the candidate: Return tries again */
        char ticket[sizeof e->ticket], name[sizeof e->name];
        memcpy(ticket, e->ticket, sizeof ticket);
        memcpy(name, e->name, sizeof name);
        free_sitting(e);
        memcpy(e->ticket, ticket, sizeof ticket);
        memcpy(e->name, name, sizeof name);
        return EXAM_SAVE_FAILED;
    }
    session_init(&e->ss, e->pp.duration, e->pp.min_submit);
    if (session_go(&e->ss, SS_RUNNING, now(e))) return EXAM_INTERNAL;
    if (e->cand_extra > 0) {
        e->planned_ms = (int64_t)e->cand_extra * 60000;
        session_extend(&e->ss, e->planned_ms);
    }
    e->show_score = e->pp.show_score;
    e->last_clock_save = now(e);
    e->current = 0;
    e->phase = PHASE_RUNNING;
    return EXAM_OK;
}

/* ---- hand-in ---------------------------------------------------------------- */

/* the irregularities of a sitting, for its result (at most 32) */
typedef struct irr_list {
    result_irregularity irr[32];
    char *text[64];
    int n;
} irr_list;

/* the extensions of a sitting, for its result (all of them: at most
 * max_extra, at least a minute each) */
typedef struct ext_list {
    result_extension *ext;
    char **reason;
    int n, failed;
} ext_list;

static int collect_extension(void *ctx, const store_extension_row *row)
{
    ext_list *el = ctx;
    result_extension *ext = realloc(el->ext, (size_t)(el->n + 1) * sizeof *ext);
    if (ext) el->ext = ext;
    char **reason = ext ? realloc(el->reason, (size_t)(el->n + 1) * sizeof *reason) : NULL;
    if (reason) el->reason = reason;
    char *r = reason ? strdup(row->reason) : NULL;
    if (!r) {
        el->failed = 1;
        return 1;
    }
    el->reason[el->n] = r;
    /* only exam_start writes the reserved reason (exam_extend refuses it) */
    el->ext[el->n] = (result_extension){row->minutes, r, row->exam_ms, !strcmp(row->reason, EXAM_PLANNED_REASON)};
    el->n++;
    return 0;
}

static void ext_list_free(ext_list *el)
{
    for (int i = 0; i < el->n; i++) free(el->reason[i]);
    free(el->reason);
    free(el->ext);
}

static int add_irregularity(irr_list *il, const char *category, const char *note, int64_t mono_ms)
{
    if (il->n >= 32) return 1;
    il->text[2 * il->n] = strdup(category);
    il->text[2 * il->n + 1] = strdup(note);
    il->irr[il->n] = (result_irregularity){il->text[2 * il->n], il->text[2 * il->n + 1], mono_ms};
    il->n++;
    return 0;
}

static int collect_irregularity(void *ctx, const store_irregularity_row *row)
{
    return add_irregularity(ctx, row->category, row->note, row->mono_ms);
}

/* the sitting's integrity findings (journal entries, sealed), as irregularities */
static int collect_integrity(void *ctx, const journal_entry *je)
{
    return strcmp(je->type, "integrity") ? 0 : add_irregularity(ctx, "integrity", je->data, je->mono_ms);
}

/* What only the engine knows of the sitting, for result_build: the paper's
 * items with their answer keys (loaded from the pack; KEYS holds them) and
 * the candidate's responses. */
static result_answer *gather_answers(exam *e, char ***keys)
{
    int n = e->pp.n;
    result_answer *a = calloc(n ? (size_t)n : 1, sizeof *a);
    *keys = calloc(n ? (size_t)n : 1, sizeof **keys);
    if (!a || !*keys) { free(a); free(*keys); *keys = NULL; return NULL; }
    for (int i = 0; i < n; i++) {
        const paper_item *it = &e->pp.items[i];
        paper_question q;
        if (paper_question_load(e->packdb, it->seq, &q) == 0) {
            (*keys)[i] = q.key; /* taken over from q */
            q.key = NULL;
            paper_question_free(&q);
        }
        a[i] = (result_answer){it->id, it->type, (*keys)[i], e->resp[i], it->points, e->flag[i]};
    }
    return a;
}

_Static_assert(JOURNAL_HASH_BYTES == RESULT_HASH_BYTES, "the result record carries the journal head");

/* The sitting's stretch of the journal, copied for the result (issue 12:
 * the hub checks it against the heads a room console mirrored). */
typedef struct jent_list {
    journal_entry *v;
    int n, cap, failed;
} jent_list;

static int collect_jentry(void *ctx, const journal_entry *je)
{
    jent_list *l = ctx;
    if (l->n == RESULT_MAX_JOURNAL) { l->failed = 1; return 1; } /* over the bound: the result carries none */
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 256;
        journal_entry *nv = realloc(l->v, (size_t)cap * sizeof *nv);
        if (!nv) { l->failed = 1; return 1; }
        l->v = nv;
        l->cap = cap;
    }
    journal_entry *e = &l->v[l->n];
    *e = (journal_entry){je->seq, je->mono_ms, je->wall, strdup(je->session), strdup(je->type), strdup(je->data),
                         strdup(je->keyid ? je->keyid : "")};
    l->n++;
    if (!e->session || !e->type || !e->data || !e->keyid) { l->failed = 1; return 1; }
    return 0;
}

static void jent_list_free(jent_list *l)
{
    for (int i = 0; i < l->n; i++) {
        free((char *)l->v[i].session);
        free((char *)l->v[i].type);
        free((char *)l->v[i].data);
        free((char *)l->v[i].keyid);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Puts the sitting's journal (from its first entry through the hand-in,
 * just appended in the open transaction) into RR. A journal that cannot be
 * read or passes the record's bounds is left out rather than holding the
 * hand-in back: the hub then says the result carries none. */
static void attach_journal(exam *e, result_record *rr, jent_list *jl)
{
    uint8_t base[JOURNAL_HASH_BYTES];
    int64_t base_count = 0;
    if (store_journal_range(e->st, e->sid, base, &base_count, collect_jentry, jl) != STORE_OK || jl->failed ||
        result_set_journal_entries(rr, base, base_count, jl->v, jl->n) != 0)
        rr->rec.has_journal = 0;
}

/* Builds, signs and seals the result and commits it with the final state. */
static exam_rc finish(exam *e, session_state status)
{
    int n = e->pp.n;
    char **keys = NULL;
    result_answer *answers = gather_answers(e, &keys);
    if (!answers) return EXAM_INTERNAL;
    /* irregularities of this sitting */
    irr_list il = {.n = 0};
    (void)store_irregularity_each(e->st, e->sid, collect_irregularity, &il);
    if (store_journal_each(e->st, e->sid, collect_integrity, &il) != STORE_OK)
        add_irregularity(&il, "integrity", "journal: unreadable at hand-in", now(e));
    ext_list el = {.n = 0};
    /* a result without all its extensions is not written: the hand-in is retried */
    if (store_extension_each(e->st, e->sid, collect_extension, &el) != STORE_OK || el.failed) {
        ext_list_free(&el);
        snprintf(e->alert, sizeof e->alert, "交卷时读不出延时记录（%s），自动重试", store_strerror(e->st));
        for (int i = 0; i < 2 * il.n; i++) free(il.text[i]);
        for (int i = 0; i < n; i++) free(keys[i]);
        free(keys);
        free(answers);
        return EXAM_SAVE_FAILED;
    }
    result_input in = {
        .head = {.session_id = e->sid, .kiosk_id = e->kiosk_id, .site = e->site, .room = e->cand_room,
                 .seat = e->cand_seat, .pack_id = e->packs[e->pack].id, .title = e->packs[e->pack].title,
                 .kind = e->packs[e->pack].kind, .level = e->cand_level, .ticket = e->ticket, .name = e->name,
                 .status = session_state_name(status), .started_wall = e->started_wall, .submitted_wall = wall(e),
                 .elapsed_ms = e->have_paper ? session_elapsed(&e->ss, now(e)) : 0, .extra_ms = e->ss.extra_ms,
                 .focus_losses = e->focus_losses, .irregularities = il.irr, .nirregularities = il.n, .extensions = el.ext,
                 .nextensions = el.n},
        .total_points = e->pp.total_points, .pass = e->pp.pass, .partial = e->pp.partial, .seed = e->seed,
        .seed_len = sizeof e->seed, .answers = answers, .nanswers = n};
    result_record rr = {.v = 0};
    jent_list jl = {.n = 0};
    exam_rc out = EXAM_SAVE_FAILED;
    uint8_t dsk[crypto_sign_SECRETKEYBYTES];
    char *keypath = NULL, *why = NULL, *json = NULL;
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    if (result_build(&in, &rr) != RESULT_OK) { out = EXAM_INTERNAL; goto done; }
    const result_rec *r = &rr.rec;
    keypath = fileio_fmt("%s/device.key", store_dir(e->st));
    store_rc rc = flush_journal(e) == 0 ? store_begin(e->st) : STORE_FULL;
    if (rc != STORE_OK) goto done;
    char data[128], t[24];
    snprintf(data, sizeof data, "status=%s score=%s", r->head.status, text_format_tenths(r->score, t, sizeof t));
    uint8_t head[JOURNAL_HASH_BYTES];
    int64_t jcount = 0;
    /* an absence's session row is written here, in the same commit as its
     * result: never a row without the result (refused as already sat) */
    if ((status == SS_ABSENT && (rc = insert_session(e, SS_ABSENT)) != STORE_OK) ||
        (rc = store_journal_append(e->st, e->sid, "handin", data, now(e), wall(e), head)) != STORE_OK ||
        (rc = store_journal_head(e->st, head, &jcount)) != STORE_OK) {
        store_rollback(e->st);
        goto done;
    }
    result_set_journal(&rr, head, jcount);
    attach_journal(e, &rr, &jl);
    json = result_json(r);
    if (!json && rr.rec.has_journal) { /* too long with its journal: the record without it */
        rr.rec.has_journal = 0;
        json = result_json(r);
    }
    if (!json || authority_load_device_sk(keypath, dsk, &why) ||
        result_seal(json, dsk, e->pub.box_pk, &sealed, &sealed_len, rid, receipt)) {
        sodium_memzero(dsk, sizeof dsk);
        store_rollback(e->st);
        snprintf(e->alert, sizeof e->alert, "无法签署成绩：%s", why ? why : "内存不足");
        out = EXAM_INTERNAL;
        goto done;
    }
    sodium_memzero(dsk, sizeof dsk);
    rc = store_outbox_add(e->st, rid, e->sid, wall(e), sealed, sealed_len);
    if (rc == STORE_OK)
        rc = store_session_finish(e->st, e->sid, r->head.status, r->head.elapsed_ms, r->head.extra_ms,
                                  r->head.submitted_wall, r->score, r->pending, receipt);
    rc = rc == STORE_OK ? store_commit(e->st) : (store_rollback(e->st), rc);
    if (rc == STORE_OK) {
        memcpy(e->receipt, receipt, sizeof receipt);
        e->score = r->score;
        e->pending = r->pending;
        snprintf(e->status, sizeof e->status, "%s", r->head.status);
        out = EXAM_OK;
    }
done:
    if (out == EXAM_SAVE_FAILED)
        snprintf(e->alert, sizeof e->alert, "交卷写入失败（%s），恢复写入后自动重试", store_strerror(e->st));
    result_record_free(&rr);
    jent_list_free(&jl);
    if (json) sodium_memzero(json, strlen(json)); /* names, responses, score: only the sealed copy stays */
    free(json);
    free(sealed);
    free(keypath);
    free(why);
    for (int i = 0; i < 2 * il.n; i++) free(il.text[i]);
    ext_list_free(&el);
    for (int i = 0; i < n; i++) {
        if (keys[i]) sodium_memzero(keys[i], strlen(keys[i])); /* answer keys */
        free(keys[i]);
    }
    free(keys);
    free(answers);
    return out;
}

static exam_rc hand_in(exam *e, session_state status)
{
    /* unsaved answers first: the result must not hold what the disk lacks */
    for (int i = 0; i < e->pp.n; i++)
        if (!e->saved[i]) save_item(e, i);
    if (unsaved_count(e)) {
        e->handin_pending = 1;
        e->handin_status = status;
        return EXAM_SAVE_FAILED;
    }
    if ((e->ss.state == SS_RUNNING || e->ss.state == SS_PAUSED) && session_go(&e->ss, status, now(e)) != 0)
        return EXAM_INTERNAL;
    /* the journal must prove what is handed in (checked once, not on every retry) */
    if (!e->handin_checked) {
        (void)integrity_check(e, NULL, NULL, 0);
        e->handin_checked = 1;
    }
    exam_rc rc = finish(e, status);
    if (rc != EXAM_OK) {
        e->handin_pending = 1;
        e->handin_status = status;
        return rc;
    }
    e->handin_pending = 0;
    *e->alert = 0;
    e->phase = PHASE_DONE;
    return EXAM_OK;
}

exam_rc exam_handin(exam *e)
{
    if (e->phase != PHASE_RUNNING) return EXAM_BAD_STATE;
    handin_rc h = session_can_hand_in(&e->ss, now(e));
    if (h == HANDIN_TOO_EARLY) {
        journal(e, "handin_refused", "too early");
        return EXAM_TOO_EARLY;
    }
    if (h != HANDIN_OK) return EXAM_BAD_STATE;
    return hand_in(e, SS_SUBMITTED);
}

exam_rc exam_force_handin(exam *e)
{
    if (e->phase != PHASE_RUNNING && e->phase != PHASE_PAUSED) return EXAM_BAD_STATE;
    journal(e, "force_handin", ticket_tag(e));
    return hand_in(e, SS_FORCED);
}

exam_rc exam_mark_absent(exam *e, const char *ticket_in)
{
    if (e->phase != PHASE_LOGIN) return EXAM_BAD_STATE;
    char *ticket = text_trim(ticket_in);
    const roster_entry *en = NULL;
    for (int r = 0; ticket && r < e->nrosters && !en; r++)
        for (size_t i = 0; i < e->rosters[r].n; i++)
            if (!strcmp(e->rosters[r].e[i].ticket, ticket)) { en = &e->rosters[r].e[i]; break; }
    free(ticket);
    if (!en) return EXAM_NOT_ON_ROSTER;
    if (already_sat(e, en->ticket)) return EXAM_ALREADY_SAT;
    take_candidate(e, en);
    exam_rc rc;
    uint8_t sidb[16];
    e->pf.random_bytes(e->pf.ctx, sidb, sizeof sidb);
    sodium_bin2hex(e->sid, sizeof e->sid, sidb, sizeof sidb);
    memset(e->seed, 0, sizeof e->seed);
    e->started_wall = wall(e);
    memset(&e->pp, 0, sizeof e->pp);
    e->pp.pass = paper_setting(e->packdb, "pass");
    e->pp.total_points = paper_setting(e->packdb, "points");
    session_init(&e->ss, 0, 0);
    if (session_go(&e->ss, SS_ABSENT, now(e))) return EXAM_INTERNAL; /* ready → absent: never refused */
    rc = finish(e, SS_ABSENT); /* the session row and the result: one commit */
    /* back to the login screen for the next candidate */
    memset(e->sid, 0, sizeof e->sid);
    memset(e->ticket, 0, sizeof e->ticket);
    memset(e->name, 0, sizeof e->name);
    return rc;
}

/* ---- invigilator actions during a sitting ----------------------------------- */

exam_rc exam_pause(exam *e)
{
    if (e->phase != PHASE_RUNNING || session_go(&e->ss, SS_PAUSED, now(e))) return EXAM_BAD_STATE;
    save_clock(e);
    journal(e, "pause", "");
    e->phase = PHASE_PAUSED;
    return EXAM_OK;
}

exam_rc exam_continue(exam *e)
{
    if (e->phase != PHASE_PAUSED || session_go(&e->ss, SS_RUNNING, now(e))) return EXAM_BAD_STATE;
    journal(e, "continue", "");
    e->phase = PHASE_RUNNING;
    return EXAM_OK;
}

int exam_extra_max_min(const exam *e) { return e->pack >= 0 ? e->max_extra : 0; }
int exam_extra_used_min(const exam *e) { return e->have_paper ? (int)((e->ss.extra_ms - e->planned_ms) / 60000) : 0; }
int exam_extra_planned_min(const exam *e) { return e->have_paper ? (int)(e->planned_ms / 60000) : 0; }
int exam_extra_left_min(const exam *e)
{
    int left = exam_extra_max_min(e) - exam_extra_used_min(e);
    return left > 0 ? left : 0;
}

/* A reason as given (trimmed): 1..EXAM_REASON_MAX bytes of UTF-8 without
 * control characters; malloc'd, or NULL when it is not one. */
static char *extension_reason(const char *reason)
{
    char *r = reason ? text_trim(reason) : NULL;
    size_t n = r ? strlen(r) : 0;
    int ok = n > 0 && n <= EXAM_REASON_MAX && csv_utf8_valid(r, n, NULL);
    for (size_t i = 0; ok && i < n; i++) ok = (unsigned char)r[i] >= 0x20 && r[i] != 0x7f;
    ok = ok && strcmp(r, EXAM_PLANNED_REASON); /* reserved: it marks the planned accommodation in the result */
    if (!ok) { free(r); return NULL; }
    return r;
}

exam_rc exam_extend(exam *e, int minutes, const char *reason)
{
    if ((e->phase != PHASE_RUNNING && e->phase != PHASE_PAUSED) || e->handin_pending) return EXAM_BAD_STATE;
    if (minutes < 1) return EXAM_EXTEND_MINUTES;
    if (minutes > exam_extra_left_min(e)) {
        char d[64];
        snprintf(d, sizeof d, "minutes=%d left=%d", minutes, exam_extra_left_min(e));
        journal(e, "extend_refused", d);
        return EXAM_EXTEND_CAP;
    }
    char *why = extension_reason(reason);
    if (!why) return EXAM_EXTEND_REASON;
    /* the extension, the clock it gives and its journal entry in one commit;
     * the sitting gets the time only once that holds */
    int64_t t = now(e), at = session_elapsed(&e->ss, t), extra = e->ss.extra_ms + (int64_t)minutes * 60000;
    char d[EXAM_REASON_MAX + 64];
    /* the reason is sealed in its row and signed into the result; the
     * journal keeps its keyed tag (a typed reason may name the candidate) */
    char rtag[STORE_TAG_HEX];
    store_tag(e->st, "reason", why, rtag);
    snprintf(d, sizeof d, "minutes=%d total=%lld reason_tag=%.16s", minutes, (long long)(extra / 60000), rtag);
    store_rc rc = flush_journal(e) == 0 ? store_begin(e->st) : STORE_FULL;
    if (rc == STORE_OK) {
        rc = store_extension_add(e->st, e->sid, minutes, why, at, t, wall(e));
        if (rc == STORE_OK) rc = store_save_clock(e->st, e->sid, at, extra, e->current);
        if (rc == STORE_OK) rc = store_journal_append(e->st, e->sid, "extend", d, t, wall(e), NULL);
        rc = rc == STORE_OK ? store_commit(e->st) : (store_rollback(e->st), rc);
    }
    free(why);
    if (rc != STORE_OK) {
        snprintf(e->alert, sizeof e->alert, "延长时间未能保存（%s），请重试", store_strerror(e->st));
        return EXAM_SAVE_FAILED;
    }
    session_extend(&e->ss, (int64_t)minutes * 60000);
    e->last_clock_save = t;
    return EXAM_OK;
}

exam_rc exam_irregularity(exam *e, const char *category, const char *note)
{
    store_rc rc = store_begin(e->st);
    if (rc == STORE_OK) {
        rc = store_irregularity_add(e->st, e->sid, category, note, now(e), wall(e));
        char d[256];
        snprintf(d, sizeof d, "%s", category); /* the note is sealed in its row, not in the journal */
        if (rc == STORE_OK) rc = store_journal_append(e->st, e->sid, "irregularity", d, now(e), wall(e), NULL);
        rc = rc == STORE_OK ? store_commit(e->st) : (store_rollback(e->st), rc);
    }
    return rc == STORE_OK ? EXAM_OK : EXAM_SAVE_FAILED;
}

exam_rc exam_reset(exam *e)
{
    if (e->phase != PHASE_DONE) return EXAM_BAD_STATE;
    journal(e, "reset", "");
    free_sitting(e);
    *e->receipt = 0;
    e->phase = PHASE_LOGIN;
    return EXAM_OK;
}

/* 1 from the PIN's setting (the unlock row exists) until the lock */
static int unlocked(const exam *e)
{
    return e->pack >= 0 && e->phase != PHASE_LOCKED && e->phase != PHASE_SET_PIN && e->phase != PHASE_RESUME;
}

/* Persists how long ago the unlocked pack was unlocked (the late-entry
 * window survives a restart). */
static void save_unlock_age(exam *e, int64_t t)
{
    (void)store_unlock_set_age(e->st, e->packs[e->pack].id, t - e->unlock_at); /* retried next second */
    e->last_age_save = t;
}

exam_rc exam_stop(exam *e, const char *reason)
{
    int64_t t = now(e);
    if (unlocked(e)) save_unlock_age(e, t); /* the late-entry window counts on */
    if (e->phase == PHASE_RUNNING || e->phase == PHASE_PAUSED) {
        retry_unsaved(e);
        save_clock(e);
    }
    journal(e, "kiosk_stop", reason ? reason : "");
    return *e->alert || e->npending || unsaved_count(e) ? EXAM_SAVE_FAILED : EXAM_OK;
}

exam_rc exam_lock(exam *e)
{
    if (e->phase != PHASE_LOGIN && e->phase != PHASE_DONE) return EXAM_BAD_STATE;
    store_rc rc = store_begin(e->st);
    if (rc == STORE_OK) {
        rc = store_unlock_delete(e->st, e->packs[e->pack].id);
        if (rc == STORE_OK) rc = store_journal_append(e->st, "", "lock", e->packs[e->pack].id, now(e), wall(e), NULL);
        rc = rc == STORE_OK ? store_commit(e->st) : (store_rollback(e->st), rc);
    }
    if (rc != STORE_OK) return EXAM_SAVE_FAILED;
    store_set_journal_key(e->st, NULL);
    (void)store_flush_deleted(e->st); /* no PIN verifier left in kiosk.db-wal; a busy reader: the next lock's */
    free_sitting(e);
    *e->receipt = 0;
    pack_close(e->packdb);
    e->packdb = NULL;
    sodium_memzero(e->key, sizeof e->key);
    sodium_memzero(e->pin_hash, sizeof e->pin_hash);
    e->pack = -1;
    e->phase = PHASE_LOCKED;
    return EXAM_OK;
}

exam_rc exam_focus_lost(exam *e)
{
    e->focus_losses++;
    journal(e, "focus_lost", "");
    return EXAM_OK;
}

exam_rc exam_keyboard_lock(exam *e, int held)
{
    journal(e, "keyboard_lock", held ? "taken back" : "held by another program");
    return EXAM_OK;
}

/* ---- the paper and answers ---------------------------------------------------- */

const paper *exam_paper(const exam *e) { return e->have_paper ? &e->pp : NULL; }
int exam_current(const exam *e) { return e->current; }

void exam_goto(exam *e, int item)
{
    if (!e->have_paper || item < 0 || item >= e->pp.n || item == e->current) return;
    e->current = item;
    e->active_blank = 0;
    /* durable at once, so a restart lands on this question */
    if (e->phase == PHASE_RUNNING || e->phase == PHASE_PAUSED) save_clock(e);
}

int exam_image(exam *e, const char *name, uint8_t **png, size_t *len)
{
    if (!e->packdb) return -1;
    return paper_image(e->packdb, name, png, len);
}

const paper_question *exam_question(exam *e)
{
    if (!e->have_paper) return NULL;
    if (e->q_item != e->current) {
        paper_question_free(&e->q);
        e->q_item = -1;
        if (paper_question_load(e->packdb, e->pp.items[e->current].seq, &e->q) != 0) return NULL;
        e->q_item = e->current;
    }
    return &e->q;
}

static exam_rc set_response(exam *e, int i, char *resp /* owned */)
{
    if (!resp) return EXAM_INTERNAL;
    free(e->resp[i]);
    e->resp[i] = resp;
    save_item(e, i);
    return e->saved[i] ? EXAM_OK : EXAM_SAVE_FAILED;
}

/* answers are taken only while the clock runs: not after time is up while a
 * hand-in waits for the disk */
static int running(const exam *e)
{
    return e->phase == PHASE_RUNNING && e->ss.state == SS_RUNNING && !e->handin_pending;
}

static response_map map_of(const exam *e, int i)
{
    const paper_item *it = &e->pp.items[i];
    return (response_map){it->type, it->nopt, it->perm};
}

/* applies a response_* edit to the current item and saves it */
static exam_rc apply(exam *e, response_rc rc, char *resp /* owned */)
{
    if (rc == RESPONSE_REFUSED) return EXAM_BAD_STATE;
    if (rc != RESPONSE_OK) return EXAM_INTERNAL;
    return set_response(e, e->current, resp);
}

exam_rc exam_choose(exam *e, int display)
{
    if (!running(e)) return EXAM_BAD_STATE;
    response_map m = map_of(e, e->current);
    char *r;
    response_rc rc = response_choose(&m, e->resp[e->current], display, &r);
    return apply(e, rc, r);
}

exam_rc exam_order_append(exam *e, int display)
{
    if (!running(e)) return EXAM_BAD_STATE;
    response_map m = map_of(e, e->current);
    char *r;
    response_rc rc = response_order_append(&m, e->resp[e->current], display, &r);
    return apply(e, rc, r);
}

exam_rc exam_match_digit(exam *e, int number)
{
    if (!running(e)) return EXAM_BAD_STATE;
    response_map m = map_of(e, e->current);
    char *r;
    response_rc rc = response_match_digit(&m, e->resp[e->current], number, &r);
    return apply(e, rc, r);
}

static int blanks_of(exam *e)
{
    const paper_item *it = &e->pp.items[e->current];
    if (it->type != QT_FILL) return 1;
    const paper_question *q = exam_question(e);
    return q && q->blanks > 0 ? q->blanks : 1;
}

exam_rc exam_text(exam *e, const char *utf8)
{
    if (!running(e)) return EXAM_BAD_STATE;
    response_map m = map_of(e, e->current);
    char *r;
    response_rc rc = response_text(&m, e->resp[e->current], e->active_blank, blanks_of(e), utf8, &r);
    return apply(e, rc, r);
}

exam_rc exam_newline(exam *e)
{
    if (!running(e)) return EXAM_BAD_STATE;
    response_map m = map_of(e, e->current);
    char *r;
    response_rc rc = response_newline(&m, e->resp[e->current], &r);
    return apply(e, rc, r);
}

exam_rc exam_backspace(exam *e)
{
    if (!running(e)) return EXAM_BAD_STATE;
    if (!*e->resp[e->current]) return EXAM_OK; /* nothing to remove, nothing to save */
    response_map m = map_of(e, e->current);
    char *r;
    response_rc rc = response_backspace(&m, e->resp[e->current], e->active_blank, blanks_of(e), &r);
    return apply(e, rc, r);
}

void exam_next_blank(exam *e)
{
    if (!running(e) || e->pp.items[e->current].type != QT_FILL) return;
    e->active_blank = (e->active_blank + 1) % blanks_of(e);
}

int exam_active_blank(const exam *e) { return e->active_blank; }

exam_rc exam_toggle_flag(exam *e)
{
    if (!running(e)) return EXAM_BAD_STATE;
    e->flag[e->current] ^= 1;
    save_item(e, e->current);
    return e->saved[e->current] ? EXAM_OK : EXAM_SAVE_FAILED;
}

const char *exam_response(const exam *e, int i) { return e->resp && i >= 0 && i < e->pp.n ? e->resp[i] : ""; }
int exam_flagged(const exam *e, int i) { return e->flag && i >= 0 && i < e->pp.n ? e->flag[i] : 0; }
int exam_saved(const exam *e, int i) { return e->saved && i >= 0 && i < e->pp.n ? e->saved[i] : 1; }

int exam_answered_count(const exam *e)
{
    int n = 0;
    for (int i = 0; e->resp && i < e->pp.n; i++) n += e->resp[i][0] != 0;
    return n;
}

void exam_display_response(const exam *e, int i, char *out, size_t size)
{
    out[0] = 0;
    if (!e->have_paper || i < 0 || i >= e->pp.n || size < 2) return;
    response_map m = map_of(e, i);
    response_display(&m, e->resp[i], out, size);
}

int exam_is_selected(const exam *e, int display)
{
    if (!e->have_paper) return 0;
    response_map m = map_of(e, e->current);
    return response_is_selected(&m, e->resp[e->current], display);
}

/* the blanks of the view: a copy of the response cut at each separator */
static int view_blanks(exam *e, const char *resp, int blanks)
{
    free(e->view_blanks);
    free(e->view_blank);
    e->view_blank = NULL;
    e->view_blanks = strdup(resp);
    if (!e->view_blanks) return -1;
    e->view_blank = calloc((size_t)blanks, sizeof *e->view_blank);
    if (!e->view_blank) return -1;
    char *p = e->view_blanks;
    for (int k = 0; k < blanks; k++) {
        e->view_blank[k] = p;
        char *sep = p ? strchr(p, SCORE_BLANK_SEP) : NULL;
        if (sep) *sep = 0;
        p = sep ? sep + 1 : p + strlen(p); /* past the last one: "" */
    }
    return 0;
}

const exam_item_view *exam_view(exam *e)
{
    if (!e->have_paper) return NULL;
    const paper_question *q = exam_question(e);
    if (!q) return NULL;
    const paper_item *it = &e->pp.items[e->current];
    response_map m = map_of(e, e->current);
    const char *r = e->resp[e->current];
    exam_item_view *v = &e->view;
    memset(v, 0, sizeof *v);
    v->type = it->type;
    v->nopt = it->nopt;
    v->text = r;
    v->active_blank = e->active_blank;
    for (int d = 0; d < it->nopt && d < BANK_MAX_OPTIONS; d++) {
        int o = it->perm[d];
        if (it->type == QT_JUDGE) v->option[d] = "";
        else if (it->type == QT_MATCH) v->option[d] = o < q->nright ? q->right[o] : "";
        else v->option[d] = o < q->noptions ? q->options[o] : "";
        v->selected[d] = response_is_selected(&m, r, d);
    }
    if (it->type == QT_ORDER) {
        response_display(&m, r, v->order, sizeof v->order);
        for (int k = 0; v->order[k]; k++) v->step[v->order[k] - 'A'] = k + 1;
    }
    if (it->type == QT_MATCH) {
        char disp[64];
        response_display(&m, r, disp, sizeof disp);
        v->nmatch = response_match_entries(disp, v->match);
    }
    v->nblanks = blanks_of(e);
    if (view_blanks(e, r, v->nblanks) != 0) return NULL;
    v->blank = e->view_blank;
    return v;
}

/* ---- clock ------------------------------------------------------------------------ */

int64_t exam_remaining_ms(const exam *e) { return e->have_paper ? session_remaining(&e->ss, now(e)) : 0; }
int64_t exam_elapsed_ms(const exam *e) { return e->have_paper ? session_elapsed(&e->ss, now(e)) : 0; }

int exam_tick(exam *e)
{
    roomlink_tick(e->link, e); /* the room console's commands, and this seat's status for it */
    int64_t t = now(e);
    int sitting = e->phase == PHASE_RUNNING || e->phase == PHASE_PAUSED;
    if (unlocked(e) && t - e->last_checkpoint >= CHECKPOINT_MS) checkpoint(e, t);
    if (unlocked(e) && !sitting && t - e->last_age_save >= 1000) save_unlock_age(e, t);
    if (!sitting) return 0;
    /* what the disk refused earlier is retried first */
    int was_failing = unsaved_count(e) > 0 || *e->alert || e->npending;
    retry_unsaved(e);
    if (e->handin_pending) {
        if (hand_in(e, e->handin_status) == EXAM_OK) return SESSION_TIMEOUT;
        return 0;
    }
    if (t - e->last_clock_save >= 1000 || was_failing) save_clock(e);
    if (was_failing && unsaved_count(e) == 0 && !e->npending && e->last_clock_save == t) {
        *e->alert = 0;
        journal(e, "storage_ok", "saving resumed");
    }
    int ev = session_tick(&e->ss, t);
    if (ev & SESSION_TIMEOUT) {
        journal(e, "timeout", "");
        hand_in(e, SS_TIMEOUT);
    } else if (ev) {
        journal(e, "warning", ev & SESSION_WARN5 ? "5 minutes" : "15 minutes");
    }
    return ev;
}

/* ---- after hand-in ------------------------------------------------------------------ */

const char *exam_receipt(const exam *e) { return e->receipt; }
int exam_score_tenths(const exam *e) { return e->score; }
int exam_show_score(const exam *e) { return e->show_score; }
int exam_pending_items(const exam *e) { return e->pending; }
const char *exam_final_status(const exam *e) { return e->status; }

int exam_handin_allowed(const exam *e)
{
    return e->phase == PHASE_RUNNING && session_can_hand_in(&e->ss, now(e)) == HANDIN_OK;
}

int exam_late_entry_left_min(const exam *e)
{
    if (e->pack < 0) return 0;
    int64_t left = (int64_t)e->late_entry * 60000 - (now(e) - e->unlock_at);
    return left > 0 ? (int)((left + 59999) / 60000) : 0;
}

const char *exam_unlocked_title(const exam *e) { return e->pack >= 0 ? e->packs[e->pack].title : ""; }

/* ---- the room console's link (core/exam_room.h) ----------------------------------------- */

void exam_room_facts_of(const exam *e, exam_room_facts *f)
{
    memset(f, 0, sizeof *f);
    f->phase = e->phase;
    f->pack_id = e->pack >= 0 ? e->packs[e->pack].id : e->phase == PHASE_RESUME ? e->resume_pack : "";
    f->key = e->pack >= 0 ? e->key : NULL;
    f->sid = e->sid;
    f->ticket = e->ticket;
    f->name = e->name;
    f->site = e->site;
    f->room = e->room;
    f->kiosk_id = e->kiosk_id;
    f->storage_alert = *e->alert != 0 || e->npending > 0;
    f->integrity_alert = *e->integrity != 0;
    f->pin_locked = e->pin_locked;
    f->resume_waiting = e->phase == PHASE_RESUME && *e->resume_sid;
    f->answered = e->have_paper ? exam_answered_count(e) : 0;
    f->total = e->have_paper ? e->pp.n : 0;
    f->time_left_ms = exam_remaining_ms(e);
    f->focus_losses = e->focus_losses;
}

store *exam_room_store(exam *e) { return e->st; }
roomlink *exam_room_link(const exam *e) { return e->link; }
int64_t exam_room_wall_ms(const exam *e) { return wall(e) * 1000; }
void exam_room_journal(exam *e, const char *type, const char *data) { journal(e, type, data); }

exam_rc exam_room_unlock(exam *e, const char *pack_id, const uint8_t key[32], const exam_room_pin *pin)
{
    if (e->phase != PHASE_LOCKED && e->phase != PHASE_SET_PIN) return EXAM_BAD_STATE;
    pin_cost cost = {pin->ops, (size_t)pin->mem};
    if (!pin_cost_ok(cost)) return EXAM_INTERNAL;
    int known = 0;
    for (int i = 0; i < e->npacks; i++) known |= !strcmp(e->packs[i].id, pack_id);
    if (!known) return EXAM_NO_PACK;
    exam_rc rc = open_pack(e, NULL, pack_id, key);
    char data[96];
    snprintf(data, sizeof data, rc == EXAM_OK ? "pack=%s by=room" : "result=%s by=room",
             rc == EXAM_OK ? pack_id : rc == EXAM_PACK_REFUSED ? "pack_refused" : "wrong");
    journal(e, "unlock", data);
    if (rc != EXAM_OK) return rc;
    /* the console's verifier: its kiosk salt becomes this kiosk's (no unlock
     * row is left in the locked phase that the old one would still open) */
    memcpy(e->kiosk_salt, pin->kiosk_salt, sizeof e->kiosk_salt);
    e->have_kiosk_salt = 1;
    memcpy(e->pin_salt, pin->pin_salt, sizeof e->pin_salt);
    memcpy(e->pin_hash, pin->hash, sizeof e->pin_hash);
    e->pin_kdf = cost;
    (void)save_pin(e, 1, "room");
    e->phase = PHASE_LOGIN;
    return EXAM_OK;
}
