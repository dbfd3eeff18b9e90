/* hubstore_workflow: the certification workflow's storage (part of the
 * hubstore module: all hub SQL stays in hubstore*.c). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "tools/hub/hubstore_int.h"
#include "tools/hub/workflow.h"

long long wf_register(hubstore *s, const wf_app *r, const char *batch, int fee, const char *clause, int64_t now)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO person VALUES(?,?,?,?) ON CONFLICT(id_number) DO UPDATE SET"
                                  " name=excluded.name, address=excluded.address, phone=excluded.phone",
                           -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, r->a.id_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->a.name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->address, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->phone, -1, SQLITE_STATIC);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok) return -1;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO application(id_number, level, received, batch, fee, clause, created,"
                                  " extra_minutes) VALUES(?,?,?,?,?,?,?,?)", -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, r->a.id_number, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, r->a.level);
    sqlite3_bind_text(st, 3, r->received, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, batch, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, fee);
    sqlite3_bind_text(st, 6, clause, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_int(st, 8, r->extra_minutes);
    ok = sqlite3_step(st) == SQLITE_DONE;
    int changed = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    if (!ok) return -1;
    return changed ? sqlite3_last_insert_rowid(s->db) : 0;
}

int wf_set_extra(hubstore *s, const wf_app *r, const char *batch)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "UPDATE application SET extra_minutes=?1 WHERE id_number=?2 AND level=?3 AND batch=?4"
                                  " AND extra_minutes<>?1", -1, &st, NULL))
        return -1;
    sqlite3_bind_int(st, 1, r->extra_minutes);
    sqlite3_bind_text(st, 2, r->a.id_number, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, r->a.level);
    sqlite3_bind_text(st, 4, batch, -1, SQLITE_STATIC);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    int changed = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return ok ? (changed > 0) : -1;
}

const char *pay_strerror(pay_rc rc)
{
    switch (rc) {
    case PAY_OK: return "ok";
    case PAY_NO_APPLICATION: return "no such application";
    case PAY_NEEDS_LEVEL: return "several applications match: the level is needed";
    case PAY_ERROR: break;
    }
    return "storage error";
}

pay_rc wf_pay(hubstore *s, const char *id_number, const char *batch, int level, int amount, int64_t now)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM application WHERE id_number=? AND batch=? AND (?=0 OR level=?)", -1, &st,
                           NULL))
        return PAY_ERROR;
    sqlite3_bind_text(st, 1, id_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, batch, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, level);
    sqlite3_bind_int(st, 4, level);
    long long app = 0;
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        app = sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_finalize(st);
    if (n == 0) return PAY_NO_APPLICATION;
    if (n > 1) return PAY_NEEDS_LEVEL; /* one payment pays one application */
    if (sqlite3_prepare_v2(s->db, "INSERT INTO payment(application, amount, paid_at) VALUES(?,?,?)", -1, &st, NULL))
        return PAY_ERROR;
    sqlite3_bind_int64(st, 1, app);
    sqlite3_bind_int(st, 2, amount);
    sqlite3_bind_int64(st, 3, now);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok ? PAY_OK : PAY_ERROR;
}

int wf_room_add(hubstore *s, const char *site, const char *site_code, const char *room, int capacity)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO room(site, site_code, name, capacity) VALUES(?,?,?,?)"
                                  " ON CONFLICT(site, name) DO UPDATE SET site_code=excluded.site_code,"
                                  " capacity=excluded.capacity", -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, site_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, room, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, capacity);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

static int set_sitting(sqlite3 *db, const char *batch, int level, const char *kind, const char *starts)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO sitting VALUES(?,?,?,?)", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, batch, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, level);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, starts, -1, SQLITE_STATIC);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

/* appends one element of SIZE bytes to *V (N used, *CAP allocated); NULL when out of memory */
static void *grow(void *vp, int n, int *cap, size_t size)
{
    void **v = vp;
    if (n < *cap) return (char *)*v + (size_t)n * size;
    int c = *cap ? *cap * 2 : 16;
    void *nv = realloc(*v, (size_t)c * size);
    if (!nv) return NULL;
    *v = nv;
    *cap = c;
    return (char *)nv + (size_t)n * size;
}

int wf_plan_read(hubstore *s, const char *batch, wf_plan_input *in, diag *d)
{
    sqlite3_stmt *st = NULL;
    int rcap = 0, acap = 0;
    memset(in, 0, sizeof *in);
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL)) { diag_add(d, 0, "storage busy"); return -1; }
    if (sqlite3_prepare_v2(s->db, "SELECT id, capacity FROM room ORDER BY site, name", -1, &st, NULL)) goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        wf_plan_room *r = grow(&in->rooms, in->nrooms, &rcap, sizeof *r);
        if (!r) goto nomem;
        *r = (wf_plan_room){sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1), 0, 0};
        in->nrooms++;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT room, level, max(seat), count(*) FROM application WHERE batch=? AND room IS NOT NULL"
                                  " GROUP BY room, level", -1, &st, NULL)) goto fail;
    sqlite3_bind_text(st, 1, batch, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < in->nrooms; i++)
            if (in->rooms[i].id == sqlite3_column_int64(st, 0)) {
                in->rooms[i].level = sqlite3_column_int(st, 1);
                in->rooms[i].used = sqlite3_column_int(st, 2);
            }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT a.id, a.level, a.received FROM application a WHERE a.batch=? AND a.room IS NULL"
                           " AND (SELECT coalesce(sum(amount),0) FROM payment WHERE application=a.id) >= a.fee"
                           " ORDER BY a.id", -1, &st, NULL))
        goto fail;
    sqlite3_bind_text(st, 1, batch, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        wf_plan_app *a = grow(&in->apps, in->napps, &acap, sizeof *a);
        if (!a) goto nomem;
        memset(a, 0, sizeof *a);
        a->app = sqlite3_column_int64(st, 0);
        a->level = sqlite3_column_int(st, 1);
        snprintf(a->received, sizeof a->received, "%s", (const char *)sqlite3_column_text(st, 2));
        in->napps++;
    }
    sqlite3_finalize(st);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return 0;
nomem:
    diag_add(d, 0, "out of memory");
fail:
    if (!diag_count(d)) diag_add(d, 0, "storage error: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    wf_plan_input_free(in);
    return -1;
}

void wf_plan_input_free(wf_plan_input *in)
{
    free(in->rooms);
    free(in->apps);
    memset(in, 0, sizeof *in);
}

int wf_plan_store(hubstore *s, const char *batch, const int *levels, int nlevels, const char *theory_starts,
                  const char *practical_starts, const wf_seat *seats, int n, diag *d)
{
    sqlite3_stmt *up = NULL;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) { diag_add(d, 0, "storage busy"); return -1; }
    for (int i = 0; i < nlevels; i++)
        if ((theory_starts && set_sitting(s->db, batch, levels[i], "theory", theory_starts)) ||
            (practical_starts && set_sitting(s->db, batch, levels[i], "practical", practical_starts)))
            goto fail;
    if (sqlite3_prepare_v2(s->db, "UPDATE application SET room=?, seat=?, ticket=? WHERE id=? AND room IS NULL", -1, &up,
                           NULL))
        goto fail;
    for (int i = 0; i < n; i++) {
        sqlite3_reset(up);
        sqlite3_bind_int64(up, 1, seats[i].room);
        sqlite3_bind_int(up, 2, seats[i].seat);
        sqlite3_bind_text(up, 3, seats[i].ticket, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(up, 4, seats[i].app);
        if (sqlite3_step(up) != SQLITE_DONE) goto fail;
        if (sqlite3_changes(s->db) != 1) {
            diag_add(d, 0, "batch %s was planned by someone else meanwhile; run plan again", batch);
            goto fail;
        }
    }
    sqlite3_finalize(up);
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) { sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); return -1; }
    return n;
fail:
    if (!diag_count(d)) diag_add(d, 0, "storage error: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(up);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static const char CAND_SQL[] =
    "SELECT a.id, coalesce(a.ticket,''), a.id_number, p.name, p.address, p.phone, a.batch, a.clause,"
    " coalesce(r.site,''), coalesce(r.site_code,''), coalesce(r.name,''), a.level, coalesce(a.seat,0),"
    " coalesce(r.id, 0),"
    " a.fee, (SELECT coalesce(sum(amount),0) FROM payment WHERE application=a.id),"
    " coalesce((SELECT starts FROM sitting WHERE batch=a.batch AND level=a.level AND kind='theory'),''),"
    " coalesce((SELECT starts FROM sitting WHERE batch=a.batch AND level=a.level AND kind='practical'),''),"
    " a.extra_minutes"
    " FROM application a JOIN person p ON p.id_number=a.id_number LEFT JOIN room r ON r.id=a.room";

static void fill_cand(sqlite3_stmt *st, wf_cand *c)
{
    memset(c, 0, sizeof *c);
    c->app = sqlite3_column_int64(st, 0);
    char *f[] = {c->ticket, c->id_number, c->name, c->address, c->phone, c->batch, c->clause, c->site, c->site_code, c->room};
    size_t sz[] = {sizeof c->ticket, sizeof c->id_number, sizeof c->name, sizeof c->address, sizeof c->phone,
                   sizeof c->batch, sizeof c->clause, sizeof c->site, sizeof c->site_code, sizeof c->room};
    for (int i = 0; i < 10; i++) snprintf(f[i], sz[i], "%s", sqlite3_column_text(st, i + 1));
    c->level = sqlite3_column_int(st, 11);
    c->seat = sqlite3_column_int(st, 12);
    c->room_index = sqlite3_column_int(st, 13);
    c->fee = sqlite3_column_int(st, 14);
    c->paid = sqlite3_column_int(st, 15);
    snprintf(c->theory_starts, sizeof c->theory_starts, "%s", sqlite3_column_text(st, 16));
    snprintf(c->practical_starts, sizeof c->practical_starts, "%s", sqlite3_column_text(st, 17));
    c->extra_minutes = sqlite3_column_int(st, 18);
}

/* Puts the store's message of the call that just failed into *WHY (when
 * WHY is given and still empty: the first failure is the one to tell);
 * returns -1. Call it before any other call on the handle. */
static int failed(hubstore *s, char **why)
{
    if (why && !*why) *why = fileio_fmt("%s", sqlite3_errmsg(s->db));
    return -1;
}

static int each(hubstore *s, const char *where, const char *batch, wf_cand_fn fn, void *ctx, char **why)
{
    char sql[2048];
    snprintf(sql, sizeof sql, "%s WHERE %s%s ORDER BY a.batch, r.site, r.name, a.seat, a.received, a.id", CAND_SQL, where,
             batch ? " AND a.batch=?" : "");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) return failed(s, why);
    if (batch) sqlite3_bind_text(st, 1, batch, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        wf_cand c;
        fill_cand(st, &c);
        if (fn(ctx, &c)) { step = SQLITE_DONE; break; }
    }
    int rc = step == SQLITE_DONE ? 0 : failed(s, why); /* a read that failed part-way is an error, not the end */
    sqlite3_finalize(st);
    return rc;
}

int wf_each_candidate(hubstore *s, const char *batch, wf_cand_fn fn, void *ctx, char **why)
{
    if (why) *why = NULL;
    return each(s, "a.ticket IS NOT NULL", batch, fn, ctx, why);
}

int wf_each_application(hubstore *s, const char *batch, wf_cand_fn fn, void *ctx, char **why)
{
    if (why) *why = NULL;
    return each(s, "1", batch, fn, ctx, why);
}

int wf_mark(hubstore *s, const char *result_id, int item, const char *marker, int points)
{
    /* the item must be an essay of that result, and the points within its maximum */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT json FROM result WHERE result_id=?", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    int rc = 1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        json_error_t e;
        json_t *j = json_loads((const char *)sqlite3_column_text(st, 0), 0, &e);
        json_t *it = json_array_get(json_object_get(j, "items"), (size_t)item - 1);
        const char *type = json_string_value(json_object_get(it, "type"));
        json_int_t max = json_integer_value(json_object_get(it, "points"));
        rc = type && !strcmp(type, "essay") && points >= 0 && points <= max ? 0 : 2;
        json_decref(j);
    }
    sqlite3_finalize(st);
    if (rc) return rc;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO mark VALUES(?,?,?,?)", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, item);
    sqlite3_bind_text(st, 3, marker, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, points);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

int wf_review(hubstore *s, const char *ticket, int score)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO review SELECT id, ? FROM application WHERE ticket=?", -1, &st,
                           NULL))
        return -1;
    sqlite3_bind_int(st, 1, score);
    sqlite3_bind_text(st, 2, ticket, -1, SQLITE_STATIC);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    int changed = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return !ok ? -1 : changed ? 0 : 1;
}

/* The mark of one essay from its markers: one mark stands; two within MARGIN
 * are averaged; further apart they need a third, and then the two closest are
 * averaged. -1 while undecided. Averages round half up to a tenth. */
static int essay_mark(const int *m, int n, int margin)
{
    if (n == 0) return -1;
    if (n == 1) return m[0];
    if (n == 2) return abs(m[0] - m[1]) <= margin ? (m[0] + m[1] + 1) / 2 : -1;
    int best = -1, bi = 0, bj = 1;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (best < 0 || abs(m[i] - m[j]) < best) { best = abs(m[i] - m[j]); bi = i; bj = j; }
    return (m[bi] + m[bj] + 1) / 2;
}

/* score of the result of TICKET for KIND that counts (cert/sitting.h: one
 * real sitting; never the kiosk's clock): objective score plus essay marks;
 * *pending counts essays still undecided; *outcome and status say which
 * (the result's status, or absent, missing, conflict); -1 unless sat */
static int kind_score(hubstore *s, const char *ticket, const char *kind, int margin, int *pending, sitting_outcome *outcome,
                      char status[16], char **why)
{
    *pending = 0;
    *outcome = SITTING_MISSING;
    snprintf(status, 16, "missing");
    wf_sitting *v;
    int nv, chosen;
    if (wf_sittings(s, ticket, kind, &v, &nv, why)) return -1;
    sitting_entry *ent = malloc((size_t)(nv ? nv : 1) * sizeof *ent);
    if (!ent) {
        free(v);
        if (why && !*why) *why = fileio_fmt("out of memory");
        return -1;
    }
    wf_sitting_entries(v, nv, ent);
    *outcome = sitting_decide(ent, nv, &chosen);
    char rid_chosen[33];
    snprintf(rid_chosen, sizeof rid_chosen, "%s", *outcome == SITTING_SAT ? v[chosen].result_id : "");
    free(ent);
    free(v);
    if (*outcome != SITTING_SAT) {
        snprintf(status, 16, "%s", sitting_outcome_name(*outcome));
        return -1;
    }
    sqlite3_stmt *st, *mk;
    if (sqlite3_prepare_v2(s->db, "SELECT result_id, score_tenths, status, json FROM result WHERE result_id=?", -1, &st, NULL))
        return failed(s, why);
    sqlite3_bind_text(st, 1, rid_chosen, -1, SQLITE_STATIC);
    int score = -1, step = sqlite3_step(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) failed(s, why);
    if (step == SQLITE_ROW) {
        score = sqlite3_column_int(st, 1);
        snprintf(status, 16, "%s", sqlite3_column_text(st, 2));
        json_error_t e;
        json_t *j = json_loads((const char *)sqlite3_column_text(st, 3), 0, &e);
        json_t *items = json_object_get(j, "items");
        const char *rid = (const char *)sqlite3_column_text(st, 0);
        if (sqlite3_prepare_v2(s->db, "SELECT points FROM mark WHERE result_id=? AND item=? ORDER BY marker", -1, &mk,
                               NULL) == SQLITE_OK) {
            for (size_t i = 0; i < json_array_size(items); i++) {
                json_t *it = json_array_get(items, i);
                if (!json_integer_value(json_object_get(it, "pending"))) continue;
                int m[8], n = 0;
                sqlite3_reset(mk);
                sqlite3_bind_text(mk, 1, rid, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(mk, 2, (int)i + 1);
                int ms;
                while ((ms = sqlite3_step(mk)) == SQLITE_ROW && n < 8) m[n++] = sqlite3_column_int(mk, 0);
                if (ms != SQLITE_ROW && ms != SQLITE_DONE) failed(s, why);
                int got = essay_mark(m, n, margin);
                if (got < 0) (*pending)++;
                else score += got;
            }
            sqlite3_finalize(mk);
        } else
            failed(s, why);
        json_decref(j);
    }
    sqlite3_finalize(st);
    return score;
}

typedef struct final_ctx {
    hubstore *s;
    int margin;
    wf_final_fn fn;
    void *ctx;
    char *why; /* the first storage failure: wf_each_final returns -1 */
} final_ctx;

/* one row of a one-column lookup by application id: 1 row, 0 none, -1 error */
static int app_lookup(hubstore *s, const char *sql, long long app, char *text, size_t size, int *num, char **why)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) return failed(s, why);
    sqlite3_bind_int64(st, 1, app);
    int step = sqlite3_step(st), rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : failed(s, why);
    if (rc == 1 && text) snprintf(text, size, "%s", sqlite3_column_text(st, 0));
    if (rc == 1 && num) *num = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc;
}

static int final_one(void *vctx, const wf_cand *c)
{
    final_ctx *fc = vctx;
    wf_final f;
    memset(&f, 0, sizeof f);
    f.c = *c;
    int tp = 0;
    f.theory = kind_score(fc->s, c->ticket, "theory", fc->margin, &tp, &f.theory_outcome, f.theory_status, &fc->why);
    f.practical = kind_score(fc->s, c->ticket, "practical", fc->margin, &f.practical_pending, &f.practical_outcome,
                             f.practical_status, &fc->why);
    f.review = -1;
    if (!fc->why) app_lookup(fc->s, "SELECT score FROM review WHERE application=?", c->app, NULL, 0, &f.review, &fc->why);
    if (!fc->why)
        app_lookup(fc->s, "SELECT number FROM certificate WHERE application=?", c->app, f.certificate, sizeof f.certificate,
                   NULL, &fc->why);
    if (!fc->why && f.certificate[0]) /* the date printed on the certificate */
        app_lookup(fc->s, "SELECT date(issued, 'unixepoch', 'localtime') FROM certificate WHERE application=?", c->app,
                   f.certificate_issued, sizeof f.certificate_issued, NULL, &fc->why);
    if (fc->why) return 1; /* never hand on a result computed from a partial read */
    f.practical_pending += tp; /* essays of either paper still unmarked */
    return fc->fn(fc->ctx, &f);
}

int wf_each_final(hubstore *s, const char *batch, int margin, wf_final_fn fn, void *ctx, char **why)
{
    final_ctx fc = {s, margin, fn, ctx, NULL};
    char *ewhy = NULL;
    int rc = wf_each_candidate(s, batch, final_one, &fc, &ewhy);
    if (!rc && !fc.why) return 0;
    if (fc.why) { /* the first failure happened inside */
        free(ewhy);
        ewhy = fc.why;
    }
    if (why) *why = ewhy;
    else free(ewhy);
    return -1;
}

typedef struct cert_ctx {
    hubstore *s;
    const wf_cert_rules *rules;
    int year, issued, failed;
    int64_t now;
    diag *d;
} cert_ctx;

static int certify_one(void *vctx, const wf_final *f)
{
    cert_ctx *cc = vctx;
    if (f->certificate[0] || !cc->rules->passes(cc->rules->ctx, f)) return 0;
    sqlite3_stmt *st;
    int serial = 0;
    if (sqlite3_prepare_v2(cc->s->db, "SELECT coalesce(max(serial),0)+1 FROM certificate WHERE year=? AND level=?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int(st, 1, cc->year);
        sqlite3_bind_int(st, 2, f->c.level);
        if (sqlite3_step(st) == SQLITE_ROW) serial = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (serial < 1) {
        diag_add(cc->d, 0, "storage error: %s", sqlite3_errmsg(cc->s->db));
        cc->failed = 1;
        return 1;
    }
    char num[23];
    if (cc->rules->number(cc->rules->ctx, f, cc->year, serial, num, cc->d)) {
        cc->failed = 1;
        return 1;
    }
    if (sqlite3_prepare_v2(cc->s->db, "INSERT INTO certificate VALUES(?,?,?,?,?,?)", -1, &st, NULL)) { cc->failed = 1; return 1; }
    sqlite3_bind_text(st, 1, num, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, f->c.app);
    sqlite3_bind_int(st, 3, cc->year);
    sqlite3_bind_int(st, 4, f->c.level);
    sqlite3_bind_int(st, 5, serial);
    sqlite3_bind_int64(st, 6, cc->now);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok) {
        diag_add(cc->d, 0, "cannot store certificate %s: %s", num, sqlite3_errmsg(cc->s->db));
        cc->failed = 1;
        return 1;
    }
    cc->issued++;
    return 0;
}

int wf_certify(hubstore *s, const char *batch, int year, int margin, const wf_cert_rules *rules, diag *d)
{
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) return -1;
    cert_ctx cc = {s, rules, year, 0, 0, (int64_t)time(NULL), d};
    char *why = NULL;
    if (wf_each_final(s, batch, margin, certify_one, &cc, &why) && !cc.failed) {
        diag_add(d, 0, "storage error: %s", why);
        cc.failed = 1;
    }
    free(why);
    if (cc.failed || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return cc.issued;
}

/* ---- marking export ---------------------------------------------------------------- */

int wf_each_pending_essay(hubstore *s, struct sqlite3 *pack, const char *pack_id, wf_essay_fn fn, void *ctx, char **why)
{
    sqlite3_stmt *st = NULL, *q = NULL;
    *why = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT result_id, ticket, json FROM result WHERE pack_id=? ORDER BY ticket", -1, &st,
                           NULL))
        return failed(s, why);
    if (sqlite3_prepare_v2(pack, "SELECT answer FROM question WHERE id=?", -1, &q, NULL)) {
        *why = fileio_fmt("pack: %s", sqlite3_errmsg(pack));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_text(st, 1, pack_id, -1, SQLITE_STATIC);
    int step, stop = 0;
    while (!stop && (step = sqlite3_step(st)) == SQLITE_ROW) {
        json_error_t e;
        json_t *j = json_loads((const char *)sqlite3_column_text(st, 2), 0, &e);
        json_t *items = json_object_get(j, "items");
        for (size_t i = 0; !stop && i < json_array_size(items); i++) {
            json_t *it = json_array_get(items, i);
            if (!json_integer_value(json_object_get(it, "pending"))) continue;
            wf_essay es;
            es.result_id = (const char *)sqlite3_column_text(st, 0);
            es.ticket = (const char *)sqlite3_column_text(st, 1);
            es.item = (int)i + 1;
            es.question_id = json_string_value(json_object_get(it, "id"));
            if (!es.question_id) es.question_id = "";
            es.points = (int)json_integer_value(json_object_get(it, "points"));
            es.response = json_string_value(json_object_get(it, "response"));
            if (!es.response) es.response = "";
            sqlite3_reset(q);
            sqlite3_bind_text(q, 1, es.question_id, -1, SQLITE_TRANSIENT);
            int qs = sqlite3_step(q);
            if (qs != SQLITE_ROW && qs != SQLITE_DONE) {
                *why = fileio_fmt("pack: %s", sqlite3_errmsg(pack));
                stop = 2;
                break;
            }
            es.reference = qs == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : "";
            if (fn(ctx, &es)) stop = 1;
        }
        json_decref(j);
    }
    int rc = stop == 2 ? -1 : !stop && step != SQLITE_DONE ? failed(s, why) : 0;
    sqlite3_finalize(st);
    sqlite3_finalize(q);
    return rc;
}

/* ---- the room record (examhub incidents) -------------------------------------------------------- */

typedef struct sitting_ctx {
    hubstore *s;
    sqlite3_stmt *q;
    wf_record_fn fn;
    void *ctx;
    char **why;
    int failed;
} sitting_ctx;

static int sitting_one(void *vctx, const wf_cand *c)
{
    sitting_ctx *sc = vctx;
    sqlite3_reset(sc->q);
    sqlite3_bind_text(sc->q, 1, c->ticket, -1, SQLITE_TRANSIENT);
    int step, stop = 0;
    while (!stop && (step = sqlite3_step(sc->q)) == SQLITE_ROW) {
        wf_record si = {.c = c};
        const char **f[] = {&si.result_id, &si.kiosk_id, &si.pack_id, &si.title, &si.kind, &si.status, &si.json};
        for (int i = 0; i < 7; i++) *f[i] = (const char *)sqlite3_column_text(sc->q, i);
        si.received_at = sqlite3_column_int64(sc->q, 7);
        if (sc->fn(sc->ctx, &si)) stop = 1;
    }
    if (!stop && step != SQLITE_DONE) {
        sc->failed = failed(sc->s, sc->why);
        stop = 1;
    }
    sqlite3_reset(sc->q);
    return stop;
}

int wf_each_sitting(hubstore *s, const char *batch, wf_record_fn fn, void *ctx, char **why)
{
    if (why) *why = NULL;
    sitting_ctx sc = {s, NULL, fn, ctx, why, 0};
    if (sqlite3_prepare_v2(s->db, "SELECT result_id, kiosk_id, pack_id, title, kind, status, json, received_at FROM result"
                                  " WHERE ticket=? ORDER BY kind DESC, received_at, result_id", -1, &sc.q, NULL))
        return failed(s, why);
    int rc = wf_each_candidate(s, batch, sitting_one, &sc, why);
    sqlite3_finalize(sc.q);
    return rc || sc.failed ? -1 : 0;
}
