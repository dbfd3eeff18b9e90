/* hubstore_checks: SQLite side of the hub's checks (hubstore_checks.h). */
#include "tools/hub/hubstore_checks.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/hub/hubstore_int.h"

static void col_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, n, "%s", t ? (const char *)t : "");
}

static int blob_dup(sqlite3_stmt *st, int i, uint8_t **out, size_t *len)
{
    int n = sqlite3_column_bytes(st, i);
    const void *b = sqlite3_column_blob(st, i);
    *out = malloc(n > 0 ? (size_t)n : 1);
    if (!*out) return -1;
    if (n > 0) memcpy(*out, b, (size_t)n);
    *len = (size_t)n;
    return 0;
}

/* a statement of the ingest path, prepared once (with s->mu held) and reset */
static sqlite3_stmt *cached(hubstore *s, sqlite3_stmt **slot, const char *sql)
{
    if (!*slot && sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL)) {
        sqlite3_finalize(*slot);
        *slot = NULL;
        return NULL;
    }
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    return *slot;
}

/* ---- papers --------------------------------------------------------------------------------- */

int hubstore_paper_add(hubstore *s, const hub_paper_row *p, const uint8_t *pack, size_t pack_len, const uint8_t *sealed_key,
                       size_t key_len)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO paper VALUES(?,?,?,?,?,?,?,?,?)", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, p->pack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->batch, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, p->level);
    sqlite3_bind_text(st, 4, p->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->title, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 6, pack, pack_len, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 7, sealed_key, key_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, p->added);
    sqlite3_bind_text(st, 9, p->by, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int changed = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return rc != SQLITE_DONE ? -1 : changed ? 0 : 1;
}

static void paper_row(sqlite3_stmt *st, hub_paper_row *p)
{
    memset(p, 0, sizeof *p);
    col_text(st, 0, p->pack_id, sizeof p->pack_id);
    col_text(st, 1, p->batch, sizeof p->batch);
    p->level = sqlite3_column_int(st, 2);
    col_text(st, 3, p->kind, sizeof p->kind);
    col_text(st, 4, p->title, sizeof p->title);
    p->added = sqlite3_column_int64(st, 5);
    col_text(st, 6, p->by, sizeof p->by);
}

int hubstore_paper_get(hubstore *s, const char *pack_id, hub_paper_row *row, uint8_t **pack, size_t *pack_len,
                       uint8_t **sealed_key, size_t *key_len)
{
    sqlite3_stmt *st;
    const char *sql = pack ? "SELECT pack_id, batch, level, kind, title, added, by, pack, sealed_key FROM paper WHERE pack_id=?"
                           : "SELECT pack_id, batch, level, kind, title, added, by FROM paper WHERE pack_id=?";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, pack_id, -1, SQLITE_STATIC);
    int r = sqlite3_step(st), rc = -1;
    if (r == SQLITE_DONE) rc = 1;
    else if (r == SQLITE_ROW) {
        paper_row(st, row);
        rc = 0;
        if (pack) {
            if (blob_dup(st, 7, pack, pack_len)) rc = -1;
            else if (blob_dup(st, 8, sealed_key, key_len)) { free(*pack); *pack = NULL; rc = -1; }
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int hubstore_paper_each(hubstore *s, hubstore_paper_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT p.pack_id, p.batch, p.level, p.kind, p.title, p.added, p.by,"
                           " (SELECT count(*) FROM result r WHERE r.pack_id=p.pack_id),"
                           " (SELECT count(*) FROM result r WHERE r.pack_id=p.pack_id AND r.scored=0),"
                           " (SELECT count(DISTINCT f.result_id) FROM result_flag f JOIN result r USING(result_id)"
                           "  WHERE r.pack_id=p.pack_id)"
                           " FROM paper p ORDER BY p.batch, p.level, p.kind, p.pack_id",
                           -1, &st, NULL))
        return -1;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        hub_paper_row p;
        paper_row(st, &p);
        if (fn(ctx, &p, sqlite3_column_int(st, 7), sqlite3_column_int(st, 8), sqlite3_column_int(st, 9))) { r = SQLITE_DONE; break; }
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : -1;
}

int hubstore_flag_lift(hubstore *s, const char *pack_id, const char *reason)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "DELETE FROM result_flag WHERE reason=? AND result_id IN (SELECT result_id FROM result WHERE pack_id=?)",
                           -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pack_id, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : -1;
}

int hubstore_batch_has_papers(hubstore *s, const char *batch)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM paper WHERE batch=? LIMIT 1", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, batch, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

int hubstore_planned_ticket(hubstore *s, const char *ticket, hub_planned *out)
{
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    sqlite3_stmt *st = cached(s, &s->planned,
                              "SELECT a.batch, a.level, a.seat, r.site, r.name, a.extra_minutes FROM application a"
                              " JOIN room r ON r.id=a.room"
                              " WHERE a.ticket=?");
    if (st) {
        sqlite3_bind_text(st, 1, ticket, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        rc = r == SQLITE_DONE ? 1 : -1;
        if (r == SQLITE_ROW) {
            memset(out, 0, sizeof *out);
            col_text(st, 0, out->batch, sizeof out->batch);
            out->level = sqlite3_column_int(st, 1);
            out->seat = sqlite3_column_int(st, 2);
            col_text(st, 3, out->site, sizeof out->site);
            col_text(st, 4, out->room, sizeof out->room);
            out->extra_minutes = sqlite3_column_int(st, 5);
            rc = 0;
        }
        sqlite3_reset(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- results: stored with their flags, scored ---------------------------------------------------- */

/* with s->mu held */
static int add_flags(hubstore *s, const char *result_id, char *const *flags, int nflags, int64_t now)
{
    for (int i = 0; i < nflags; i++) {
        sqlite3_stmt *st = cached(s, &s->flag, "INSERT OR IGNORE INTO result_flag(result_id, reason, at) VALUES(?,?,?)");
        if (!st) return -1;
        sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, flags[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE) return -1;
    }
    return 0;
}

int hubstore_put_checked(hubstore *s, const hub_result *r, char *const *flags, int nflags, int64_t now)
{
    if (!nflags) return hubstore_put_result(s, r); /* one statement: its own transaction */
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    if (!sqlite3_exec(s->db, "SAVEPOINT ingest", NULL, NULL, NULL)) {
        rc = hubstore_put_locked(s, r);
        if (rc == 0 && add_flags(s, r->result_id, flags, nflags, now)) rc = -1;
        if (rc < 0) sqlite3_exec(s->db, "ROLLBACK TO ingest", NULL, NULL, NULL);
        if (sqlite3_exec(s->db, "RELEASE ingest", NULL, NULL, NULL)) rc = -1;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_set_score(hubstore *s, const char *result_id, int score_tenths, int passed, int pending, char *const *flags,
                       int nflags, int64_t now)
{
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    sqlite3_stmt *st = NULL;
    if (!sqlite3_exec(s->db, "SAVEPOINT score", NULL, NULL, NULL)) {
        if (!sqlite3_prepare_v2(s->db, "UPDATE result SET score_tenths=?, passed=?, pending=?, scored=1 WHERE result_id=?",
                                -1, &st, NULL)) {
            sqlite3_bind_int(st, 1, score_tenths);
            sqlite3_bind_int(st, 2, passed);
            sqlite3_bind_int(st, 3, pending);
            sqlite3_bind_text(st, 4, result_id, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_DONE && !add_flags(s, result_id, flags, nflags, now)) rc = 0;
        }
        sqlite3_finalize(st);
        if (rc) sqlite3_exec(s->db, "ROLLBACK TO score", NULL, NULL, NULL);
        if (sqlite3_exec(s->db, "RELEASE score", NULL, NULL, NULL)) rc = -1;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_result_scored(hubstore *s, const char *result_id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT scored FROM result WHERE result_id=?", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) != 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

void hubstore_ids_free(char **ids, int n)
{
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids);
}

int hubstore_unscored_ids(hubstore *s, char ***ids, int *n)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT result_id FROM result WHERE scored=0 ORDER BY received_at, result_id", -1, &st, NULL))
        return -1;
    int r, cap = 0, bad = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
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

int hubstore_result_json(hubstore *s, const char *result_id, char **json, char kiosk_id[17])
{
    sqlite3_stmt *st;
    *json = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT json, kiosk_id FROM result WHERE result_id=?", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    int rc = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *json = strdup((const char *)sqlite3_column_text(st, 0));
        snprintf(kiosk_id, 17, "%s", sqlite3_column_text(st, 1));
        rc = *json ? 0 : -1;
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- kiosks: revocation and admission ----------------------------------------------------------- */

int hubstore_kiosk_revoke(hubstore *s, const char *kiosk_id, const char *why, const char *by, int64_t at)
{
    hub_kiosk k;
    kiosk_rc have = hubstore_kiosk(s, kiosk_id, &k);
    if (have == KIOSK_ERROR) return -1;
    if (have == KIOSK_NOT_ENROLLED) return 1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO kiosk_revocation VALUES(?,?,?,?)", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, at);
    int r = sqlite3_step(st);
    int changed = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return r != SQLITE_DONE ? -1 : changed ? 0 : 2;
}

int hubstore_kiosk_revoked(hubstore *s, const char *kiosk_id, char why[256], char by[64], int64_t *at)
{
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    sqlite3_stmt *st = cached(s, &s->revoked, "SELECT why, by, at FROM kiosk_revocation WHERE kiosk_id=?");
    if (st) {
        sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        rc = r == SQLITE_DONE ? 0 : -1;
        if (r == SQLITE_ROW) {
            if (why) col_text(st, 0, why, 256);
            if (by) col_text(st, 1, by, 64);
            if (at) *at = sqlite3_column_int64(st, 2);
            rc = 1;
        }
        sqlite3_reset(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_kiosk_each(hubstore *s, hubstore_kiosk_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT k.kiosk_id, k.device_pk, k.site, k.room, k.seat, k.enrolled, v.at, v.why, v.by,"
                           " (SELECT count(*) FROM result r WHERE r.kiosk_id=k.kiosk_id)"
                           " FROM kiosk k LEFT JOIN kiosk_revocation v USING(kiosk_id) ORDER BY k.site, k.room, k.seat, k.kiosk_id",
                           -1, &st, NULL))
        return -1;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        hub_kiosk_row k;
        memset(&k, 0, sizeof k);
        col_text(st, 0, k.k.kiosk_id, sizeof k.k.kiosk_id);
        col_text(st, 1, k.k.device_pk_hex, sizeof k.k.device_pk_hex);
        col_text(st, 2, k.k.site, sizeof k.k.site);
        col_text(st, 3, k.k.room, sizeof k.k.room);
        k.k.seat = sqlite3_column_int(st, 4);
        k.enrolled = sqlite3_column_int64(st, 5);
        k.revoked_at = sqlite3_column_int64(st, 6);
        col_text(st, 7, k.why, sizeof k.why);
        col_text(st, 8, k.by, sizeof k.by);
        k.results = sqlite3_column_int(st, 9);
        if (fn(ctx, &k)) { r = SQLITE_DONE; break; }
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : -1;
}

int hubstore_admission_add(hubstore *s, const char *result_id, const char *kiosk_id, const char *why, const char *by,
                           int64_t at)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO result_admission VALUES(?,?,?,?,?)", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, why, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, at);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : -1;
}

/* ---- the flagged list ------------------------------------------------------------------------- */

int hubstore_flagged_each(hubstore *s, const char *batch, hubstore_flagged_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT r.result_id, r.kiosk_id, r.ticket, r.pack_id, r.name, r.kind, r.status, r.level,"
                           " r.score_tenths, r.passed, r.scored, r.received_at, f.reason, f.at"
                           " FROM result_flag f JOIN result r USING(result_id)"
                           " WHERE ?1 IS NULL OR r.ticket IN (SELECT ticket FROM application WHERE batch=?1 AND ticket IS NOT NULL)"
                           " OR r.pack_id IN (SELECT pack_id FROM paper WHERE batch=?1)"
                           " ORDER BY f.at, r.received_at, r.result_id, f.reason",
                           -1, &st, NULL))
        return -1;
    if (batch) sqlite3_bind_text(st, 1, batch, -1, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        hub_result h;
        memset(&h, 0, sizeof h);
        col_text(st, 0, h.result_id, sizeof h.result_id);
        col_text(st, 1, h.kiosk_id, sizeof h.kiosk_id);
        col_text(st, 2, h.ticket, sizeof h.ticket);
        col_text(st, 3, h.pack_id, sizeof h.pack_id);
        col_text(st, 4, h.name, sizeof h.name);
        col_text(st, 5, h.kind, sizeof h.kind);
        col_text(st, 6, h.status, sizeof h.status);
        h.level = sqlite3_column_int(st, 7);
        h.score_tenths = sqlite3_column_int(st, 8);
        h.passed = sqlite3_column_int(st, 9);
        h.scored = sqlite3_column_int(st, 10);
        h.received_at = sqlite3_column_int64(st, 11);
        if (fn(ctx, &h, (const char *)sqlite3_column_text(st, 12), sqlite3_column_int64(st, 13))) { r = SQLITE_DONE; break; }
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : -1;
}
