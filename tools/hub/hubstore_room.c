/* hubstore_room: room consoles and room records at the hub (see hubstore_room.h). */
#include "tools/hub/hubstore_room.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/hub/hubstore_checks.h"
#include "tools/hub/hubstore_int.h"

/* ---- consoles ------------------------------------------------------------------------------ */

int hubstore_console_add(hubstore *s, const char *pk_b64, const char *by, int64_t at)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO room_console(sign_pk, added, by) VALUES(?,?,?)", -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, pk_b64, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    int changed = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return !ok ? -1 : changed ? 0 : 1;
}

int hubstore_console_known(hubstore *s, const char *pk_b64)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM room_console WHERE sign_pk=?", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, pk_b64, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

int hubstore_console_each(hubstore *s, hubstore_console_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT sign_pk, added, by, (SELECT count(*) FROM room_record r WHERE r.console_pk=c.sign_pk)"
                           " FROM room_console c ORDER BY added, sign_pk",
                           -1, &st, NULL))
        return -1;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
               (const char *)sqlite3_column_text(st, 2), sqlite3_column_int(st, 3))) {
            r = SQLITE_DONE;
            break;
        }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : -1;
}

/* ---- records ------------------------------------------------------------------------------- */

static int step_done(sqlite3_stmt *st)
{
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ok ? 0 : -1;
}

static int put_rows(hubstore *s, const roomrec *r, int64_t id)
{
    sqlite3_stmt *pk = NULL, *seat = NULL, *head = NULL, *cand = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO room_record_pack VALUES(?,?)", -1, &pk, NULL) ||
        sqlite3_prepare_v2(s->db, "INSERT INTO room_seat VALUES(?,?,?,?,?,?,?,?,?)", -1, &seat, NULL) ||
        sqlite3_prepare_v2(s->db, "INSERT INTO room_head VALUES(?,?,?,?,?,?)", -1, &head, NULL) ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO room_candidate(record, ticket, pack_id, state, kiosk_id, seat, first_seen_ms,"
                           " last_seen_ms, extra_minutes) VALUES(?,?,?,?,?,?,?,?,?)",
                           -1, &cand, NULL))
        goto out;
    for (int i = 0; i < r->npacks; i++) {
        sqlite3_bind_int64(pk, 1, id);
        sqlite3_bind_text(pk, 2, r->packs[i], -1, SQLITE_STATIC);
        if (step_done(pk)) goto out;
    }
    for (int i = 0; i < r->nseats; i++) {
        const roomrec_seat *t = &r->seats[i];
        char pkhex[65];
        sodium_bin2hex(pkhex, sizeof pkhex, t->device_pk, sizeof t->device_pk);
        sqlite3_bind_int64(seat, 1, id);
        sqlite3_bind_text(seat, 2, t->kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(seat, 3, t->seat);
        sqlite3_bind_text(seat, 4, pkhex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(seat, 5, t->state, -1, SQLITE_STATIC);
        sqlite3_bind_int64(seat, 6, t->first_contact);
        sqlite3_bind_int64(seat, 7, t->last_contact);
        sqlite3_bind_int(seat, 8, t->diverged);
        sqlite3_bind_int(seat, 9, t->nheads);
        if (step_done(seat)) goto out;
        for (int k = 0; k < t->nheads; k++) {
            char hx[65];
            sodium_bin2hex(hx, sizeof hx, t->heads[k].head, 32);
            sqlite3_bind_int64(head, 1, id);
            sqlite3_bind_text(head, 2, t->kiosk_id, -1, SQLITE_STATIC);
            sqlite3_bind_int(head, 3, t->seat);
            sqlite3_bind_int64(head, 4, t->heads[k].count);
            sqlite3_bind_text(head, 5, hx, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(head, 6, t->heads[k].at_ms);
            if (step_done(head)) goto out;
        }
    }
    for (int i = 0; i < r->ncands; i++) {
        const roomrec_candidate *c = &r->cands[i];
        sqlite3_bind_int64(cand, 1, id);
        sqlite3_bind_text(cand, 2, c->ticket, -1, SQLITE_STATIC);
        sqlite3_bind_text(cand, 3, c->pack_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(cand, 4, c->state, -1, SQLITE_STATIC);
        sqlite3_bind_text(cand, 5, c->kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(cand, 6, c->seat);
        sqlite3_bind_int64(cand, 7, c->first_seen_ms);
        sqlite3_bind_int64(cand, 8, c->last_seen_ms);
        sqlite3_bind_int(cand, 9, c->extra_minutes);
        if (step_done(cand)) goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(pk);
    sqlite3_finalize(seat);
    sqlite3_finalize(head);
    sqlite3_finalize(cand);
    return rc;
}

int hubstore_room_put(hubstore *s, const roomrec *r, const uint8_t *file, size_t len, const char *by, int64_t at,
                      int64_t *id)
{
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) return -1;
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR IGNORE INTO room_record(digest, console_pk, site, room, made_at, imported_at, by, file)"
                           " VALUES(?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, r->digest_hex, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->console_pk_b64, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->site, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, r->room, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, r->made_at);
        sqlite3_bind_int64(st, 6, at);
        sqlite3_bind_text(st, 7, by, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 8, file, (int)len, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE) {
            if (!sqlite3_changes(s->db)) rc = 1;
            else {
                *id = sqlite3_last_insert_rowid(s->db);
                rc = put_rows(s, r, *id);
            }
        }
        sqlite3_finalize(st);
    }
    if (rc == 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) rc = -1;
    if (rc != 0) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* the records that apply to a result of pack ?P: those naming it, and those naming no pack */
#define APPLIES(rec, p)                                                                                           \
    "(NOT EXISTS (SELECT 1 FROM room_record_pack x WHERE x.record=" rec ") OR EXISTS (SELECT 1 FROM room_record_pack x" \
    " WHERE x.record=" rec " AND x.pack_id=" p "))"

int hubstore_room_heads(hubstore *s, const char *kiosk_id, const char *pack_id, int64_t lo, int64_t hi,
                        hub_room_head **out, int *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT h.count, h.head, h.seat, r.room, r.id, r.made_at FROM room_head h JOIN room_record r"
                           " ON r.id=h.record WHERE h.kiosk_id=?1 AND h.count BETWEEN ?3 AND ?4 AND " APPLIES("r.id", "?2")
                           " ORDER BY h.count, r.id",
                           -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pack_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, lo);
    sqlite3_bind_int64(st, 4, hi);
    int r, cap = 0, bad = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            hub_room_head *g = realloc(*out, (size_t)cap * sizeof *g);
            if (!g) { bad = 1; break; }
            *out = g;
        }
        hub_room_head *h = &(*out)[(*n)++];
        memset(h, 0, sizeof *h);
        h->count = sqlite3_column_int64(st, 0);
        snprintf(h->head_hex, sizeof h->head_hex, "%s", sqlite3_column_text(st, 1));
        h->seat = sqlite3_column_int(st, 2);
        snprintf(h->room, sizeof h->room, "%s", sqlite3_column_text(st, 3));
        h->record = sqlite3_column_int64(st, 4);
        h->made_at = sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    if (bad || r != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

int hubstore_room_seat(hubstore *s, const char *kiosk_id, const char *pack_id, int *seats, int *diverged, int *dseat,
                       char droom[33])
{
    *seats = *diverged = *dseat = 0;
    droom[0] = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT t.diverged, t.seat, r.room FROM room_seat t JOIN room_record r ON r.id=t.record"
                           " WHERE t.kiosk_id=?1 AND " APPLIES("r.id", "?2") " ORDER BY t.diverged DESC, r.id",
                           -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pack_id, -1, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (!*seats && sqlite3_column_int(st, 0)) {
            *diverged = 1;
            *dseat = sqlite3_column_int(st, 1);
            snprintf(droom, 33, "%s", sqlite3_column_text(st, 2));
        }
        (*seats)++;
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : -1;
}

int hubstore_room_sat_at(hubstore *s, const char *ticket, const char *pack_id, const char *kiosk_id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM room_candidate WHERE ticket=? AND pack_id=? AND kiosk_id=? AND state='sat' LIMIT 1",
                           -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, ticket, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kiosk_id, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

/* the first column of every row of ST (prepared and bound) as strings */
static int collect_ids(sqlite3_stmt *st, char ***ids, int *n)
{
    *ids = NULL;
    *n = 0;
    int r, cap = 0, bad = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **g = realloc(*ids, (size_t)cap * sizeof *g);
            if (!g) { bad = 1; break; }
            *ids = g;
        }
        if (!((*ids)[*n] = strdup((const char *)sqlite3_column_text(st, 0)))) { bad = 1; break; }
        (*n)++;
    }
    sqlite3_finalize(st);
    if (bad || r != SQLITE_DONE) {
        hubstore_ids_free(*ids, *n);
        *ids = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

int hubstore_room_kiosks(hubstore *s, int64_t record, char ***ids, int *n)
{
    sqlite3_stmt *st;
    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT kiosk_id FROM room_seat WHERE record=? ORDER BY kiosk_id", -1, &st, NULL))
        return -1;
    sqlite3_bind_int64(st, 1, record);
    return collect_ids(st, ids, n);
}

int hubstore_room_result_ids(hubstore *s, int64_t record, const char *kiosk_id, char ***ids, int *n)
{
    sqlite3_stmt *st;
    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT result_id FROM result WHERE kiosk_id=?1 AND " APPLIES("?2", "result.pack_id")
                           " ORDER BY received_at, result_id",
                           -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, record);
    return collect_ids(st, ids, n);
}
