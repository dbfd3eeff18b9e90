/* roomlink: the kiosk's side of the room console (see roomlink.h). */
#include "core/roomlink.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/authority.h"
#include "core/exam_room.h"
#include "core/fileio.h"
#include "core/roomproto.h"
#include "core/store.h"

/* commands taken per tick: a burst from the console is worked off within a
 * few seconds, and a flood of forged ones costs the kiosk a bounded number
 * of commits per second */
#define PER_TICK 8
#define STATUS_EVERY_MS 5000
#define TIME_DRIFT_MS 2000 /* time left off its straight countdown by more: a change (extension, pause) */
/* the front end calls exam_tick on every turn of its loop (each key
 * press): the link looks at kiosk.db once a second, not on every keystroke */
#define RUN_EVERY_MS 1000
/* an active-tickets set further than this from the seat's wall clock is
 * ignored: the console sends a fresh one with every answer, so an old one
 * is a console gone (or a replay), and the seat then works alone */
#define ACTIVE_MAX_AGE_MS (5 * 60 * 1000)

struct roomlink {
    int loaded;
    int broken;                  /* meta room_last_command unreadable: every command refused */
    uint64_t last;               /* the highest command counter accepted (durable: store_room_last_command) */
    char closed_pack[STORE_ID_MAX + 1]; /* meta room_entry_closed */
    uint64_t armed;              /* a command whose action's entry has not committed yet (store_room_arm) */
    int flush;                   /* a row was processed: checkpoint kiosk.db-wal (store_room_inbox_done) */
    int duplicate;               /* the last login was refused as seated elsewhere */
    uint64_t active_gen;         /* the highest active-tickets generation accepted (this run) */
    uint8_t active_refused[16];  /* digest of the last set refused (journaled once) */
    int ran;
    int64_t ran_mono;            /* the engine's clock when the link last looked */
    store_room_status written;   /* the status last written */
    int have_written;
    int64_t written_mono;
    char box_of[2 * STORE_ID_MAX + 2]; /* pack/ticket the cached name box is of */
    uint8_t name_box[ROOMPROTO_NAME_BOX_MAX];
    uint8_t name_box_len;
};

roomlink *roomlink_new(void) { return calloc(1, sizeof(roomlink)); }

void roomlink_free(roomlink *rl)
{
    if (!rl) return;
    sodium_memzero(rl, sizeof *rl); /* the name box's key is gone, its bytes need not stay either */
    free(rl);
}

static void load(roomlink *rl, store *st)
{
    rl->loaded = 1;
    rl->broken = store_room_last_command(st, &rl->last) != STORE_OK;
    char *v = store_meta_get(st, "room_entry_closed");
    snprintf(rl->closed_pack, sizeof rl->closed_pack, "%s", v ? v : "");
    free(v);
}

static int hex16(const char *hex, uint8_t out[16])
{
    size_t got = 0;
    memset(out, 0, 16);
    return hex && strlen(hex) == 32 && sodium_hex2bin(out, 16, hex, 32, NULL, &got, NULL) == 0 && got == 16 ? 0 : -1;
}

/* ---- the outcome of one command ------------------------------------------------ */

/* Journals a command that did not verify, marked refused; its counter is not
 * taken (a forged command with a high counter must not block the real ones).
 * 1 when recorded, 0 to try again next tick (the disk refused). */
static int refuse_forged(exam *e, uint64_t c, const char *why)
{
    store *st = exam_room_store(e);
    exam_room_facts f;
    exam_room_facts_of(e, &f);
    char data[256];
    snprintf(data, sizeof data, "counter=%llu why=%s", (unsigned long long)c, why);
    store_rc rc = store_begin(st);
    if (rc == STORE_OK) {
        rc = store_journal_append(st, f.sid, "room_refused", data, exam_now(e), exam_room_wall_ms(e) / 1000, NULL);
        if (rc == STORE_OK) rc = store_room_inbox_done(st, c, "refused", why);
        rc = rc == STORE_OK ? store_commit(st) : (store_rollback(st), rc);
    }
    return rc == STORE_OK;
}

static void arm(exam *e, uint64_t c, const char *on_type, const char *data, const char *outcome, const char *why)
{
    store_room_arm_spec a = {c, on_type, data ? "room_cmd" : NULL, data, outcome, why};
    store_room_arm(exam_room_store(e), &a);
}

/* After an armed action: 1 when the counter committed with it (then it is
 * the link's), 0 when not. The arm then stays until the next tick: the
 * engine's queue may still write the action's entry (a journal entry the
 * disk refused is written again on the tick), and the counter rides with
 * it; if it did not, the row is still new and taken again. */
static int settle(roomlink *rl, exam *e, uint64_t c)
{
    store *st = exam_room_store(e);
    if (store_room_armed(st)) {
        rl->armed = c;
        return 0;
    }
    int fired = store_room_disarm(st);
    uint64_t last = 0;
    if (!fired || store_room_last_command(st, &last) != STORE_OK || last != c) return 0;
    rl->last = c;
    return 1;
}

/* An authentic command with nothing to do here (no sitting to pause, already
 * unlocked): journaled room_cmd with NOTE, counter taken. */
static int record_done(roomlink *rl, exam *e, uint64_t c, const char *data, const char *note)
{
    exam_room_facts f;
    exam_room_facts_of(e, &f);
    char d[256];
    snprintf(d, sizeof d, "%s noop=%s", data, note);
    arm(e, c, "room_cmd", NULL, "done", NULL);
    if (store_journal(exam_room_store(e), f.sid, "room_cmd", d, exam_now(e), exam_room_wall_ms(e) / 1000) != STORE_OK) {
        (void)store_room_disarm(exam_room_store(e));
        return 0; /* the disk refused: tried again next tick */
    }
    return settle(rl, e, c);
}

/* An authentic command the engine cannot apply (over the cap, a sitting in
 * the way): journaled room_refused with WHY, counter taken. */
static int record_refused(roomlink *rl, exam *e, uint64_t c, const char *data, const char *why)
{
    exam_room_facts f;
    exam_room_facts_of(e, &f);
    char d[256];
    snprintf(d, sizeof d, "%s why=%s", data, why);
    arm(e, c, "room_refused", NULL, "refused", why);
    if (store_journal(exam_room_store(e), f.sid, "room_refused", d, exam_now(e), exam_room_wall_ms(e) / 1000) != STORE_OK) {
        (void)store_room_disarm(exam_room_store(e));
        return 0; /* the disk refused: tried again next tick */
    }
    return settle(rl, e, c);
}

/* ---- applying a verified command ---------------------------------------------------- */

/* UNLOCK and AUTHORISE_RESUME: the key came out of the box; it is the
 * pack's only if the pack opens with it (the engine checks). */
static int apply_unlock(roomlink *rl, exam *e, const roomproto_command *cmd, const roomproto_unlock *u,
                        const char *data)
{
    exam_room_facts f;
    exam_room_facts_of(e, &f);
    uint64_t c = cmd->counter;
    int same_key = f.key && sodium_memcmp(f.key, u->content_key, ROOMPROTO_KEY_BYTES) == 0;
    exam_rc r;
    if (cmd->type == ROOMPROTO_CMD_UNLOCK) {
        /* at the PIN screen (the code was typed here) the console's PIN is as good */
        if (f.phase != PHASE_LOCKED && !(f.phase == PHASE_SET_PIN && same_key))
            return same_key ? record_done(rl, e, c, data, "already unlocked")
                            : refuse_forged(e, c, "unlock: the seat is not locked and its key is another");
        char hex[2 * ROOMPROTO_PACK_ID_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, cmd->pack_id, sizeof cmd->pack_id);
        exam_room_pin pin;
        memcpy(pin.kiosk_salt, u->pin_kiosk_salt, sizeof pin.kiosk_salt);
        memcpy(pin.pin_salt, u->pin_unlock_salt, sizeof pin.pin_salt);
        memcpy(pin.hash, u->pin_hash, sizeof pin.hash);
        pin.ops = u->pin_ops;
        pin.mem = u->pin_mem;
        arm(e, c, "pin_set", data, "done", NULL);
        r = exam_room_unlock(e, hex, u->content_key, &pin);
        sodium_memzero(&pin, sizeof pin);
    } else {
        if (f.phase != PHASE_RESUME)
            return same_key ? record_done(rl, e, c, data, "no sitting waits for a resume")
                            : refuse_forged(e, c, "authorise resume: the seat is not waiting and its key is another");
        arm(e, c, "resume", data, "done", NULL);
        r = exam_room_resume(e, u->content_key);
    }
    if (r == EXAM_OK) return settle(rl, e, c);
    (void)store_room_disarm(exam_room_store(e));
    return refuse_forged(e, c, r == EXAM_CODE_WRONG      ? "the key in the sealed unlock does not open the pack"
                               : r == EXAM_NO_PACK       ? "no such pack on this seat"
                               : r == EXAM_PACK_REFUSED  ? "the stored pack fails its check"
                                                         : "the seat could not take the key");
}

/* The other commands: verified with the unlocked pack's key. */
static int apply(roomlink *rl, exam *e, const roomproto_command *cmd, const char *data)
{
    exam_room_facts f;
    exam_room_facts_of(e, &f);
    uint64_t c = cmd->counter;
    int sitting = f.phase == PHASE_RUNNING || f.phase == PHASE_PAUSED;
    exam_rc r;
    switch (cmd->type) {
    case ROOMPROTO_CMD_PAUSE_ALL:
        if (f.phase != PHASE_RUNNING) return record_done(rl, e, c, data, sitting ? "already paused" : "no sitting");
        arm(e, c, "pause", data, "done", NULL);
        r = exam_pause(e);
        break;
    case ROOMPROTO_CMD_RESUME_ALL:
        if (f.phase != PHASE_PAUSED) return record_done(rl, e, c, data, sitting ? "not paused" : "no sitting");
        arm(e, c, "continue", data, "done", NULL);
        r = exam_continue(e);
        break;
    case ROOMPROTO_CMD_EXTEND: {
        if (!sitting) return record_refused(rl, e, c, data, "no sitting to extend");
        int left = exam_extra_left_min(e);
        if (cmd->minutes > left) {
            char why[96];
            snprintf(why, sizeof why, "over the cap: %d minutes asked, %d left of max_extra %d", cmd->minutes, left,
                     exam_extra_max_min(e));
            return record_refused(rl, e, c, data, why);
        }
        arm(e, c, "extend", data, "done", NULL);
        r = exam_extend(e, cmd->minutes, cmd->reason);
        if (r == EXAM_EXTEND_REASON) {
            (void)store_room_disarm(exam_room_store(e));
            return record_refused(rl, e, c, data, "the reason is not 1-120 bytes of text");
        }
        break;
    }
    case ROOMPROTO_CMD_CLOSE_ENTRY: {
        store *st = exam_room_store(e);
        arm(e, c, "room_cmd", NULL, "done", NULL);
        store_rc rc = store_begin(st);
        if (rc == STORE_OK) {
            rc = store_meta_set(st, "room_entry_closed", f.pack_id);
            if (rc == STORE_OK)
                rc = store_journal_append(st, f.sid, "room_cmd", data, exam_now(e), exam_room_wall_ms(e) / 1000, NULL);
            rc = rc == STORE_OK ? store_commit(st) : (store_rollback(st), rc);
        }
        if (!settle(rl, e, c)) return 0;
        snprintf(rl->closed_pack, sizeof rl->closed_pack, "%s", f.pack_id);
        return 1;
    }
    case ROOMPROTO_CMD_FORCE_HANDIN:
        if (!sitting) return record_done(rl, e, c, data, "no sitting");
        arm(e, c, "handin", data, "done", NULL);
        r = exam_force_handin(e);
        break;
    case ROOMPROTO_CMD_LOCK:
        if (f.phase == PHASE_LOCKED) return record_done(rl, e, c, data, "already locked");
        if (f.phase != PHASE_LOGIN && f.phase != PHASE_DONE)
            return record_refused(rl, e, c, data, "not at the login or hand-in screen (a candidate is logged in, or the PIN is being set)");
        arm(e, c, "lock", data, "done", NULL);
        r = exam_lock(e);
        break;
    default: return refuse_forged(e, c, "unknown command");
    }
    (void)r; /* the engine's own outcome: what counts is whether the counter committed with its entry */
    return settle(rl, e, c);
}

/* One inbox row: 1 when it is settled (done or refused), 0 to try again next tick. */
static int take(roomlink *rl, exam *e, uint64_t c, const uint8_t *buf, size_t len)
{
    if (rl->broken) return refuse_forged(e, c, "meta room_last_command is unreadable: no command is taken");
    if (roomproto_frame_kind(buf, len) != ROOMPROTO_FRAME_COMMAND) return refuse_forged(e, c, "not a console command");
    roomproto_command cmd, ok;
    const char *why = "?";
    if (roomproto_command_peek(buf, len, &cmd, &why) != ROOMPROTO_OK) return refuse_forged(e, c, why);
    if (cmd.counter != c) return refuse_forged(e, c, "filed under another counter than it carries");
    exam_room_facts f;
    exam_room_facts_of(e, &f);
    roomproto_keys k;
    roomproto_unlock u;
    memset(&u, 0, sizeof u);
    uint8_t pack[ROOMPROTO_PACK_ID_BYTES];
    int carries = cmd.type == ROOMPROTO_CMD_UNLOCK || cmd.type == ROOMPROTO_CMD_AUTHORISE_RESUME;
    if (carries) {
        /* the box is opened first: only its key can check the MAC */
        uint8_t sk[crypto_sign_SECRETKEYBYTES];
        char *kwhy = NULL, *path = fileio_fmt("%s/device.key", store_dir(exam_room_store(e)));
        int bad = !path || authority_load_device_sk(path, sk, &kwhy) != 0;
        free(path);
        free(kwhy);
        roomproto_rc orc = bad ? ROOMPROTO_SEALED : roomproto_unlock_open(cmd.sealed, sizeof cmd.sealed, sk, cmd.pack_id, &u, &why);
        sodium_memzero(sk, sizeof sk);
        if (bad) return refuse_forged(e, c, "the device key cannot be read");
        if (orc != ROOMPROTO_OK) return refuse_forged(e, c, why);
        roomproto_keys_derive(u.content_key, &k);
        memcpy(pack, cmd.pack_id, sizeof pack);
    } else {
        if (!f.key || hex16(f.pack_id, pack)) return refuse_forged(e, c, "no pack unlocked: no key to check the command with");
        roomproto_keys_derive(f.key, &k);
    }
    roomproto_expect x = {pack, f.site, f.room, f.kiosk_id, rl->last};
    roomproto_rc vrc = roomproto_command_verify(buf, len, &k, &x, &ok, &why);
    sodium_memzero(&k, sizeof k);
    int settled;
    if (vrc != ROOMPROTO_OK) {
        settled = refuse_forged(e, c, why);
    } else {
        char data[160];
        int n = snprintf(data, sizeof data, "cmd=%s counter=%llu target=%s", roomproto_cmd_name(ok.type),
                         (unsigned long long)ok.counter, ok.target_all ? "all" : "seat");
        if (ok.type == ROOMPROTO_CMD_EXTEND && n > 0 && (size_t)n < sizeof data)
            snprintf(data + n, sizeof data - (size_t)n, " minutes=%d", ok.minutes);
        settled = carries ? apply_unlock(rl, e, &ok, &u, data) : apply(rl, e, &ok, data);
    }
    sodium_memzero(&u, sizeof u);
    sodium_memzero(&ok, sizeof ok);
    return settled;
}

/* ---- the status ------------------------------------------------------------------------ */

static void status_of(roomlink *rl, exam *e, store_room_status *s)
{
    exam_room_facts f;
    exam_room_facts_of(e, &f);
    memset(s, 0, sizeof *s);
    s->updated_ms = exam_room_wall_ms(e);
    s->phase = (int)f.phase;
    s->flags = (f.storage_alert ? ROOMPROTO_FLAG_STORAGE_ALERT : 0) | (f.integrity_alert ? ROOMPROTO_FLAG_INTEGRITY_ALERT : 0) |
               (f.phase == PHASE_PAUSED ? ROOMPROTO_FLAG_PAUSED : 0) | (f.pin_locked ? ROOMPROTO_FLAG_PIN_LOCKED : 0) |
               (f.resume_waiting ? ROOMPROTO_FLAG_RESUME_WAITING : 0) | (rl->duplicate ? ROOMPROTO_FLAG_DUPLICATE_LOGIN : 0) |
               (roomlink_entry_closed(e) ? ROOMPROTO_FLAG_ENTRY_CLOSED : 0);
    (void)hex16(f.pack_id, s->pack_id);
    if (f.key && f.ticket[0]) {
        roomproto_keys k;
        roomproto_keys_derive(f.key, &k);
        if (roomproto_ticket_tag(&k, f.ticket, s->ticket_tag) != ROOMPROTO_OK) memset(s->ticket_tag, 0, sizeof s->ticket_tag);
        /* one box per candidate (a new nonce every tick would be a change every tick) */
        char of[sizeof rl->box_of];
        snprintf(of, sizeof of, "%s/%s", f.pack_id, f.ticket);
        if (strcmp(of, rl->box_of)) {
            const char *why;
            memcpy(rl->box_of, of, sizeof of);
            if (!f.name[0] || roomproto_name_seal(&k, f.name, rl->name_box, &rl->name_box_len, &why) != ROOMPROTO_OK)
                rl->name_box_len = 0;
        }
        sodium_memzero(&k, sizeof k);
        if (rl->name_box_len) {
            memcpy(s->name_box, rl->name_box, sizeof s->name_box);
            s->name_box_len = rl->name_box_len;
        }
    } else {
        rl->box_of[0] = 0;
    }
    s->answered = (uint32_t)(f.answered > 0 ? f.answered : 0);
    s->total = (uint32_t)(f.total > 0 ? f.total : 0);
    s->time_left_ms = f.time_left_ms <= 0 ? 0 : f.time_left_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)f.time_left_ms;
    s->focus_losses = (uint32_t)(f.focus_losses > 0 ? f.focus_losses : 0);
    int64_t count = 0;
    if (store_journal_head(exam_room_store(e), s->journal_head, &count) == STORE_OK && count > 0)
        s->journal_count = (uint64_t)count;
    else
        memset(s->journal_head, 0, sizeof s->journal_head);
    s->last_command = rl->last;
}

/* 1 when S is worth writing: something changed, the time left left its
 * straight countdown, or STATUS_EVERY_MS passed */
static int status_due(const roomlink *rl, const store_room_status *s, int64_t now)
{
    if (!rl->have_written || now - rl->written_mono >= STATUS_EVERY_MS) return 1;
    store_room_status a = rl->written, b = *s;
    int64_t expect = (int64_t)a.time_left_ms - (a.phase == PHASE_RUNNING ? now - rl->written_mono : 0);
    int64_t drift = (int64_t)b.time_left_ms - (expect > 0 ? expect : 0);
    a.updated_ms = b.updated_ms = 0;
    a.time_left_ms = b.time_left_ms = 0;
    return memcmp(&a, &b, sizeof a) != 0 || drift > TIME_DRIFT_MS || drift < -TIME_DRIFT_MS;
}

/* ---- the tick --------------------------------------------------------------------------- */

void roomlink_tick(roomlink *rl, exam *e)
{
    if (!rl) return;
    int64_t now = exam_now(e);
    if (rl->ran && now - rl->ran_mono < RUN_EVERY_MS && now >= rl->ran_mono) return;
    rl->ran = 1;
    rl->ran_mono = now;
    store *st = exam_room_store(e);
    if (!rl->loaded) load(rl, st);
    if (rl->armed) { /* left armed by the last tick: did the entry commit since? */
        uint64_t c = rl->armed, last = 0;
        rl->armed = 0;
        if (!store_room_armed(st) && store_room_disarm(st) && store_room_last_command(st, &last) == STORE_OK && last == c)
            rl->last = c;
        else
            (void)store_room_disarm(st);
    }
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    for (int i = 0; i < PER_TICK; i++) {
        uint64_t c = 0;
        size_t len = 0;
        store_rc rc = store_room_inbox_next(st, 0, &c, buf, sizeof buf, &len);
        if (rc == STORE_CONSTRAINT) { /* longer than any command */
            if (!refuse_forged(e, c, "longer than any console command")) break;
            continue;
        }
        if (rc != STORE_OK) break;
        rl->flush = 1; /* any row: an unlock's box may be in it, and commands are few */
        int settled = take(rl, e, c, buf, len);
        sodium_memzero(buf, len);
        if (!settled) break;
    }
    /* the box's bytes are gone from the row; no older page keeps them in the
     * WAL either (a reader in the way: tried again next tick) */
    if (rl->flush && store_flush_deleted(st) == STORE_OK) rl->flush = 0;
    store_room_status s;
    status_of(rl, e, &s);
    if (status_due(rl, &s, now) && store_room_status_put(st, &s) == STORE_OK) {
        rl->written = s;
        rl->have_written = 1;
        rl->written_mono = now;
    }
}

/* ---- login ------------------------------------------------------------------------------- */

int roomlink_entry_closed(const exam *e)
{
    roomlink *rl = exam_room_link(e);
    if (!rl || !rl->closed_pack[0]) return 0;
    exam_room_facts f;
    exam_room_facts_of(e, &f);
    return !strcmp(rl->closed_pack, f.pack_id);
}

exam_rc roomlink_login_check(roomlink *rl, exam *e, const char *ticket)
{
    if (!rl) return EXAM_OK;
    if (!rl->loaded) load(rl, exam_room_store(e));
    if (roomlink_entry_closed(e)) return EXAM_ENTRY_CLOSED;
    exam_room_facts f;
    exam_room_facts_of(e, &f);
    uint8_t buf[ROOMPROTO_ACTIVE_MAX_BYTES], pack[ROOMPROTO_PACK_ID_BYTES];
    size_t len = 0;
    if (!f.key || hex16(f.pack_id, pack) || store_room_active_get(exam_room_store(e), buf, sizeof buf, &len) != STORE_OK) {
        rl->duplicate = 0;
        return EXAM_OK; /* no console, or nothing from it yet: the kiosk works alone */
    }
    roomproto_keys k;
    roomproto_keys_derive(f.key, &k);
    roomproto_expect x = {pack, f.site, f.room, f.kiosk_id, rl->active_gen};
    roomproto_active a;
    const char *why = "?";
    roomproto_rc vrc = roomproto_active_verify(buf, len, &k, &x, &a, &why);
    int64_t age = vrc == ROOMPROTO_OK ? exam_room_wall_ms(e) - (int64_t)a.wall_ms : 0;
    if (age > ACTIVE_MAX_AGE_MS || age < -ACTIVE_MAX_AGE_MS) {
        vrc = ROOMPROTO_REPLAY;
        why = "active tickets: more than 5 minutes from this seat's clock (console gone?)";
    }
    uint8_t tag[ROOMPROTO_TAG_BYTES];
    int tagged = vrc == ROOMPROTO_OK && roomproto_ticket_tag(&k, ticket, tag) == ROOMPROTO_OK;
    sodium_memzero(&k, sizeof k);
    if (vrc != ROOMPROTO_OK) {
        /* ignored, as if there were no console; journaled once per stored set */
        uint8_t h[16];
        crypto_generichash(h, sizeof h, buf, len, NULL, 0);
        if (memcmp(h, rl->active_refused, sizeof h)) {
            memcpy(rl->active_refused, h, sizeof h);
            exam_room_journal(e, "room_active_refused", why);
        }
        rl->duplicate = 0;
        return EXAM_OK;
    }
    rl->active_gen = a.generation;
    for (int i = 0; tagged && i < a.n; i++)
        if (!sodium_memcmp(a.e[i].ticket_tag, tag, sizeof tag) && strcmp(a.e[i].kiosk_id, f.kiosk_id)) {
            char data[64];
            snprintf(data, sizeof data, "on=%s generation=%llu", a.e[i].kiosk_id, (unsigned long long)a.generation);
            exam_room_journal(e, "room_duplicate", data);
            rl->duplicate = 1;
            return EXAM_DUPLICATE_LOGIN;
        }
    rl->duplicate = 0;
    return EXAM_OK;
}
