/* hubstore_decide: the storage of "which sitting counts" (issue 11; part of
 * the hubstore module): every result of a candidate for a paper with its
 * flags and staff decisions, and the journal of those decisions. The rule
 * itself is cert/sitting.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "tools/hub/hubstore_int.h"
#include "tools/hub/workflow.h"

static int failed(hubstore *s, char **why)
{
    if (why && !*why) *why = fileio_fmt("%s", sqlite3_errmsg(s->db));
    return -1;
}

/* the columns of a result as wf_sitting holds it, then its flag count and
 * its latest decision (NULL columns when none); the result's own columns
 * unqualified, so that a damaged table is reported by the column's name */
#define SITTING_COLS                                                                                          \
    "result_id, kiosk_id, status, kind, ticket, level, score_tenths,"                                             \
    " (SELECT count(*) FROM result_flag f WHERE f.result_id=result.result_id), received_at, submitted_at,"        \
    " (SELECT decision FROM result_decision d WHERE d.result_id=result.result_id ORDER BY id DESC LIMIT 1),"      \
    " (SELECT by FROM result_decision d WHERE d.result_id=result.result_id ORDER BY id DESC LIMIT 1),"            \
    " (SELECT why FROM result_decision d WHERE d.result_id=result.result_id ORDER BY id DESC LIMIT 1),"           \
    " (SELECT at FROM result_decision d WHERE d.result_id=result.result_id ORDER BY id DESC LIMIT 1),"            \
    " scored"
static const char SITTING_SQL[] = "SELECT " SITTING_COLS " FROM result";

/* A candidate's sittings for a paper: the stored results, then the
 * absences room records hold (schema 6, view room_absence: never flagged,
 * no decision, nothing to score), in the order the hub received them. An
 * absence never overrides a real sitting (cert/sitting.c), so a room's
 * "absent" for a candidate whose result arrives is outweighed by it. */
static const char SITTINGS_OF[] =
    "SELECT " SITTING_COLS ", 0 AS src, rowid AS ord FROM result WHERE ticket=?1 AND kind=?2"
    " UNION ALL SELECT result_id, kiosk_id, status, kind, ticket, level, 0, 0, received_at, submitted_at,"
    " NULL, NULL, NULL, NULL, 1, 1, ord FROM room_absence WHERE ticket=?1 AND kind=?2"
    " ORDER BY 9, 16, 17";

static void fill(sqlite3_stmt *st, wf_sitting *w)
{
    memset(w, 0, sizeof *w);
    char *f[] = {w->result_id, w->kiosk_id, w->status, w->kind, w->ticket};
    size_t sz[] = {sizeof w->result_id, sizeof w->kiosk_id, sizeof w->status, sizeof w->kind, sizeof w->ticket};
    for (int i = 0; i < 5; i++) snprintf(f[i], sz[i], "%s", sqlite3_column_text(st, i));
    w->level = sqlite3_column_int(st, 5);
    w->score_tenths = sqlite3_column_int(st, 6);
    w->flagged = sqlite3_column_int(st, 7);
    w->received_at = sqlite3_column_int64(st, 8);
    w->submitted_at = sqlite3_column_int64(st, 9);
    const char *d = (const char *)sqlite3_column_text(st, 10);
    w->decision = !d ? SITTING_UNDECIDED : !strcmp(d, "keep") ? SITTING_KEEP : SITTING_VOID;
    if (d) {
        snprintf(w->decided_by, sizeof w->decided_by, "%s", sqlite3_column_text(st, 11));
        snprintf(w->decided_why, sizeof w->decided_why, "%s", sqlite3_column_text(st, 12));
        w->decided_at = sqlite3_column_int64(st, 13);
    }
    w->scored = sqlite3_column_int(st, 14);
}

int wf_sittings(hubstore *s, const char *ticket, const char *kind, wf_sitting **out, int *n, char **why)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, SITTINGS_OF, -1, &st, NULL)) return failed(s, why);
    sqlite3_bind_text(st, 1, ticket, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    int step, cap = 0, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            wf_sitting *nv = realloc(*out, (size_t)cap * sizeof *nv);
            if (!nv) {
                if (why && !*why) *why = fileio_fmt("out of memory");
                rc = -1;
                break;
            }
            *out = nv;
        }
        fill(st, &(*out)[(*n)++]);
    }
    if (!rc && step != SQLITE_DONE) rc = failed(s, why); /* a read that failed part-way is an error */
    sqlite3_finalize(st);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void wf_sitting_entries(const wf_sitting *v, int n, sitting_entry *e)
{
    for (int i = 0; i < n; i++) {
        int real = sitting_status_real(v[i].status);
        /* a status outside the format never counts: as if flagged */
        e[i] = (sitting_entry){real == 1, v[i].flagged > 0 || real < 0, v[i].decision};
    }
}

int wf_decide(hubstore *s, const char *result_id, sitting_decision d, const char *why_text, const char *by, int64_t at,
              wf_sitting *r, char **why)
{
    *why = NULL;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) return failed(s, why);
    char sql[1024];
    snprintf(sql, sizeof sql, "%s WHERE result_id=?", SITTING_SQL);
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) { failed(s, why); goto out; }
    sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) { rc = 1; goto out; }
    if (step != SQLITE_ROW) { failed(s, why); goto out; }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO result_decision(result_id, decision, why, by, at) VALUES(?,?,?,?,?)", -1,
                           &st, NULL)) { failed(s, why); goto out; }
    sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d == SITTING_KEEP ? "keep" : "void", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, why_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, at);
    if (sqlite3_step(st) != SQLITE_DONE) { failed(s, why); goto out; }
    sqlite3_finalize(st);
    st = NULL;
    /* read back as stored: the caller prints what the journal now says */
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) { failed(s, why); goto out; }
    sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) { failed(s, why); goto out; }
    fill(st, r);
    rc = 0;
out:
    sqlite3_finalize(st);
    if (rc == 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) rc = failed(s, why);
    if (rc != 0) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
