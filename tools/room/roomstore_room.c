/* roomstore_room: room.db's room protocol tables (see roomstore.h): packs
 * and rosters, the command queue, seat reports with the head mirror, the
 * candidates seen and the absences, the whole journal. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/room/roomstore_int.h"

/* ---- packs and rosters ------------------------------------------------------ */

static int blob_add(roomstore *rs, const char *sql, const char *id, const char *text, int64_t num,
                    const uint8_t *bytes, size_t len, int64_t now)
{
    pthread_mutex_lock(&rs->mu);
    int out = -1;
    sqlite3_stmt *s = rs_prep(rs, sql);
    if (s) {
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        if (text) sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
        else sqlite3_bind_null(s, 2);
        sqlite3_bind_int64(s, 3, num);
        sqlite3_bind_blob64(s, 4, len ? (const void *)bytes : "", len, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, now);
        if (sqlite3_step(s) == SQLITE_DONE) out = sqlite3_changes(rs->db) ? 0 : 1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return out;
}

int roomstore_pack_add(roomstore *rs, const char *pack_id_hex, const char *title, int level, const uint8_t *bytes,
                       size_t len, int64_t now)
{
    return blob_add(rs, "INSERT OR IGNORE INTO pack(pack_id, title, level, bytes, added) VALUES(?1,?2,?3,?4,?5)",
                    pack_id_hex, title, level, bytes, len, now);
}

int roomstore_roster_add(roomstore *rs, const char *roster_id_hex, int candidates, const uint8_t *bytes, size_t len,
                         int64_t now)
{
    return blob_add(rs, "INSERT OR IGNORE INTO roster(roster_id, candidates, bytes, added) VALUES(?1,?3,?4,?5)",
                    roster_id_hex, NULL, candidates, bytes, len, now);
}

int roomstore_packs(roomstore *rs, int (*fn)(void *ctx, const char *id, const char *title, int level,
                                              const uint8_t *bytes, size_t len),
                    void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT pack_id, title, level, bytes FROM pack ORDER BY added, pack_id");
    if (s) {
        int rc;
        n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            n++;
            if (fn(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
                   sqlite3_column_int(s, 2), sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3))) {
                rc = SQLITE_DONE;
                break;
            }
        }
        if (rc != SQLITE_DONE) n = -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return n;
}

int roomstore_rosters(roomstore *rs, int (*fn)(void *ctx, const char *id, const uint8_t *bytes, size_t len), void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT roster_id, bytes FROM roster ORDER BY added, roster_id");
    if (s) {
        int rc;
        n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            n++;
            if (fn(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_blob(s, 1),
                   (size_t)sqlite3_column_bytes(s, 1))) {
                rc = SQLITE_DONE;
                break;
            }
        }
        if (rc != SQLITE_DONE) n = -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return n;
}

/* ---- the command queue --------------------------------------------------------- */

int roomstore_commands_add(roomstore *rs, int n, int (*seal)(void *ctx, int i, room_cmd_row *row), void *ctx,
                           int64_t now_ms, const char *actor, uint64_t *first)
{
    pthread_mutex_lock(&rs->mu);
    int out = -1;
    room_cmd_row *row = calloc(1, sizeof *row);
    sqlite3_stmt *s = NULL;
    if (!row || rs_begin(rs)) goto done;
    uint64_t next = 1;
    s = rs_prep(rs, "SELECT COALESCE(MAX(counter), 0) + 1 FROM command");
    if (!s || sqlite3_step(s) != SQLITE_ROW) goto rollback;
    next = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    *first = next;
    for (int i = 0; i < n; i++) {
        memset(row, 0, sizeof *row);
        row->counter = next + (uint64_t)i;
        if (seal(ctx, i, row)) {
            out = 1;
            goto rollback;
        }
        s = rs_prep(rs, "INSERT INTO command(counter, type, target, bytes, made_ms, actor, detail) VALUES(?,?,?,?,?,?,?)");
        if (!s) goto rollback;
        sqlite3_bind_int64(s, 1, (int64_t)row->counter);
        sqlite3_bind_text(s, 2, row->type, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, row->target, -1, SQLITE_STATIC);
        sqlite3_bind_blob64(s, 4, row->bytes, row->len, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, now_ms);
        sqlite3_bind_text(s, 6, actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7, row->detail, -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        s = NULL;
        char line[480];
        snprintf(line, sizeof line, "#%llu %s", (unsigned long long)row->counter, row->detail);
        if (rc != SQLITE_DONE || rs_log_locked(rs, now_ms / 1000, actor, row->type, line)) goto rollback;
    }
    if (rs_commit(rs)) goto rollback;
    out = 0;
    goto done;
rollback:
    sqlite3_finalize(s);
    rs_rollback(rs);
done:
    free(row);
    pthread_mutex_unlock(&rs->mu);
    return out;
}

int roomstore_commands_for(roomstore *rs, const char *kiosk_id, uint64_t after, int max,
                           void (*fn)(void *ctx, uint64_t counter, const uint8_t *bytes, size_t len), void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT counter, bytes FROM command WHERE counter > ? AND target IN ('', ?)"
                               " ORDER BY counter LIMIT ?");
    if (s) {
        sqlite3_bind_int64(s, 1, after > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)after);
        sqlite3_bind_text(s, 2, kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, max);
        int rc;
        n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            fn(ctx, (uint64_t)sqlite3_column_int64(s, 0), sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1));
            n++;
        }
        if (rc != SQLITE_DONE) n = -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return n;
}

int roomstore_commands(roomstore *rs,
                       void (*fn)(void *ctx, uint64_t counter, const char *type, const char *target, int64_t made_ms,
                                  const char *actor, const char *detail),
                       void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT counter, type, target, made_ms, actor, detail FROM command ORDER BY counter");
    if (s) {
        int rc;
        n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            fn(ctx, (uint64_t)sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
               (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3),
               (const char *)sqlite3_column_text(s, 4), (const char *)sqlite3_column_text(s, 5));
            n++;
        }
        if (rc != SQLITE_DONE) n = -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return n;
}

int roomstore_command_exists(roomstore *rs, const char *type, const char *target)
{
    pthread_mutex_lock(&rs->mu);
    int out = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT 1 FROM command WHERE type=? AND target=? LIMIT 1");
    if (s) {
        sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, target, -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        out = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return out;
}

/* ---- seat reports ------------------------------------------------------------------ */

int roomstore_report(roomstore *rs, const room_report_in *in, const char **why)
{
    pthread_mutex_lock(&rs->mu);
    int out = -1;
    sqlite3_stmt *s = NULL;
    *why = NULL;
    if (rs_begin(rs)) goto done;
    s = rs_prep(rs, "SELECT counter, diverged FROM status WHERE kiosk_id=?");
    if (!s) goto rollback;
    sqlite3_bind_text(s, 1, in->kiosk_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto rollback;
    uint64_t last = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
    char diverged[200] = "";
    if (rc == SQLITE_ROW) rs_copy(diverged, sizeof diverged, sqlite3_column_text(s, 1));
    sqlite3_finalize(s);
    s = NULL;
    if (in->counter <= last) {
        *why = "replayed or old report: its counter is not above the last one accepted";
        out = ROOM_REPORT_REPLAY;
        goto rollback;
    }
    /* the mirror rule against the latest head kept */
    roomproto_mirror now = {.count = in->count, .console_ms = (uint64_t)in->at_ms}, prev = {0};
    snprintf(now.kiosk_id, sizeof now.kiosk_id, "%s", in->kiosk_id);
    memcpy(now.head, in->head, ROOMPROTO_HEAD_BYTES);
    s = rs_prep(rs, "SELECT count, head FROM mirror WHERE kiosk_id=? ORDER BY id DESC LIMIT 1");
    if (!s) goto rollback;
    sqlite3_bind_text(s, 1, in->kiosk_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto rollback;
    int have_prev = rc == SQLITE_ROW && sqlite3_column_bytes(s, 1) == ROOMPROTO_HEAD_BYTES;
    if (have_prev) {
        snprintf(prev.kiosk_id, sizeof prev.kiosk_id, "%s", in->kiosk_id);
        prev.count = (uint64_t)sqlite3_column_int64(s, 0);
        memcpy(prev.head, sqlite3_column_blob(s, 1), ROOMPROTO_HEAD_BYTES);
    }
    sqlite3_finalize(s);
    s = NULL;
    int changed = !have_prev || prev.count != now.count || sodium_memcmp(prev.head, now.head, ROOMPROTO_HEAD_BYTES);
    const char *mwhy = NULL;
    int newly = 0;
    if (have_prev && roomproto_mirror_follows(&prev, &now, &mwhy) != ROOMPROTO_OK) {
        if (!*diverged) {
            snprintf(diverged, sizeof diverged, "%s (count %llu after %llu)", mwhy ? mwhy : "journal heads diverge",
                     (unsigned long long)now.count, (unsigned long long)prev.count);
            newly = 1;
        }
        *why = mwhy ? mwhy : "journal heads diverge";
    }
    if (changed) {
        s = rs_prep(rs, "INSERT INTO mirror(kiosk_id, count, head, at_ms) VALUES(?,?,?,?)");
        if (!s) goto rollback;
        sqlite3_bind_text(s, 1, in->kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, (int64_t)in->count);
        sqlite3_bind_blob(s, 3, in->head, ROOMPROTO_HEAD_BYTES, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, in->at_ms);
        rc = sqlite3_step(s);
        sqlite3_finalize(s);
        s = NULL;
        if (rc != SQLITE_DONE) goto rollback;
    }
    s = rs_prep(rs, "INSERT OR REPLACE INTO status(kiosk_id, counter, report, at_ms, diverged) VALUES(?,?,?,?,?)");
    if (!s) goto rollback;
    sqlite3_bind_text(s, 1, in->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (int64_t)in->counter);
    sqlite3_bind_blob64(s, 3, in->bytes, in->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, in->at_ms);
    sqlite3_bind_text(s, 5, diverged, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    s = NULL;
    if (rc != SQLITE_DONE) goto rollback;
    if (*in->tag_hex) {
        s = rs_prep(rs, "INSERT INTO seen(tag, kiosk_id, ticket, pack_id, first_ms, last_ms) VALUES(?1,?2,?3,?4,?5,?5)"
                     " ON CONFLICT(tag, kiosk_id) DO UPDATE SET last_ms=?5,"
                     " ticket=CASE WHEN ?3<>'' THEN ?3 ELSE ticket END");
        if (!s) goto rollback;
        sqlite3_bind_text(s, 1, in->tag_hex, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, in->kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, in->ticket, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, in->pack_hex, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, in->at_ms);
        rc = sqlite3_step(s);
        sqlite3_finalize(s);
        s = NULL;
        if (rc != SQLITE_DONE) goto rollback;
    }
    if (rs_exec_bind(rs, "UPDATE seat SET last_contact=?3 WHERE kiosk_id=?1", in->kiosk_id, NULL, in->at_ms / 1000, NULL))
        goto rollback;
    if (newly) {
        char line[400];
        snprintf(line, sizeof line, "kiosk %s: %s", in->kiosk_id, diverged);
        if (rs_log_locked(rs, in->at_ms / 1000, "seat", "diverged", line)) goto rollback;
    }
    if (rs_commit(rs)) goto rollback;
    out = newly ? ROOM_REPORT_DIVERGED : ROOM_REPORT_OK;
    goto done;
rollback:
    sqlite3_finalize(s);
    rs_rollback(rs);
done:
    pthread_mutex_unlock(&rs->mu);
    return out;
}

int roomstore_statuses(roomstore *rs, void (*fn)(void *ctx, const room_status *st), void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    room_status *st = calloc(1, sizeof *st);
    sqlite3_stmt *s = st ? rs_prep(rs, "SELECT kiosk_id, counter, report, at_ms, diverged FROM status ORDER BY kiosk_id") : NULL;
    if (s) {
        int rc;
        n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            memset(st, 0, sizeof *st);
            rs_copy(st->kiosk_id, sizeof st->kiosk_id, sqlite3_column_text(s, 0));
            st->counter = (uint64_t)sqlite3_column_int64(s, 1);
            size_t len = (size_t)sqlite3_column_bytes(s, 2);
            if (len > sizeof st->report) continue; /* never written by roomstore_report */
            memcpy(st->report, sqlite3_column_blob(s, 2), len);
            st->len = len;
            st->at_ms = sqlite3_column_int64(s, 3);
            rs_copy(st->diverged, sizeof st->diverged, sqlite3_column_text(s, 4));
            fn(ctx, st);
            n++;
        }
        if (rc != SQLITE_DONE) n = -1;
        sqlite3_finalize(s);
    }
    free(st);
    pthread_mutex_unlock(&rs->mu);
    return n;
}

int roomstore_heads(roomstore *rs, const char *kiosk_id,
                    void (*fn)(void *ctx, uint64_t count, const uint8_t *head, int64_t at_ms), void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT count, head, at_ms FROM mirror WHERE kiosk_id=? ORDER BY id");
    if (s) {
        sqlite3_bind_text(s, 1, kiosk_id, -1, SQLITE_STATIC);
        int rc;
        n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (sqlite3_column_bytes(s, 1) != ROOMPROTO_HEAD_BYTES) continue;
            fn(ctx, (uint64_t)sqlite3_column_int64(s, 0), sqlite3_column_blob(s, 1), sqlite3_column_int64(s, 2));
            n++;
        }
        if (rc != SQLITE_DONE) n = -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return n;
}

/* ---- candidates ------------------------------------------------------------------- */

int roomstore_seen(roomstore *rs,
                   void (*fn)(void *ctx, const char *tag, const char *ticket, const char *pack, const char *kiosk_id,
                              int64_t first_ms, int64_t last_ms),
                   void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT tag, ticket, pack_id, kiosk_id, first_ms, last_ms FROM seen ORDER BY first_ms, tag");
    if (s) {
        int rc;
        n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            fn(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
               (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
               sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5));
            n++;
        }
        if (rc != SQLITE_DONE) n = -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return n;
}

int roomstore_seen_resolve(roomstore *rs, const char *tag_hex, const char *ticket)
{
    pthread_mutex_lock(&rs->mu);
    int rc = rs_exec_bind(rs, "UPDATE seen SET ticket=?2 WHERE tag=?1 AND ticket=''", tag_hex, ticket, 0, NULL);
    pthread_mutex_unlock(&rs->mu);
    return rc;
}

int roomstore_absent_add(roomstore *rs, const char *ticket, int seat, int64_t now, const char *actor)
{
    pthread_mutex_lock(&rs->mu);
    int out = -1;
    if (rs_begin(rs)) goto done;
    sqlite3_stmt *s = rs_prep(rs, "INSERT OR IGNORE INTO absent(ticket, seat, at, actor) VALUES(?,?,?,?)");
    if (!s) goto rollback;
    sqlite3_bind_text(s, 1, ticket, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, seat);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) goto rollback;
    if (!sqlite3_changes(rs->db)) {
        out = 1;
        goto rollback;
    }
    char line[160];
    snprintf(line, sizeof line, "ticket %s (roster seat %d) absent at close of entry", ticket, seat);
    if (rs_log_locked(rs, now, actor, "absent", line) || rs_commit(rs)) goto rollback;
    out = 0;
    goto done;
rollback:
    rs_rollback(rs);
done:
    pthread_mutex_unlock(&rs->mu);
    return out;
}

int roomstore_absences(roomstore *rs, void (*fn)(void *ctx, const char *ticket, int seat, int64_t at, const char *actor),
                       void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT ticket, seat, at, actor FROM absent ORDER BY seat, ticket");
    if (s) {
        int rc;
        n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            fn(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 1), sqlite3_column_int64(s, 2),
               (const char *)sqlite3_column_text(s, 3));
            n++;
        }
        if (rc != SQLITE_DONE) n = -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return n;
}

int roomstore_journal_all(roomstore *rs,
                          void (*fn)(void *ctx, int64_t at, const char *actor, const char *action, const char *detail),
                          void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT at, actor, action, detail FROM journal ORDER BY id");
    if (s) {
        int rc;
        n = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            fn(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
               (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3));
            n++;
        }
        if (rc != SQLITE_DONE) n = -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return n;
}
