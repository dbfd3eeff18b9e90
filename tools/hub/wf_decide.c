/* wf_decide: which sitting counts, as staff see it (README: The certification
 * workflow, "Which sitting counts"): examhub progress (per paper and room:
 * planned, results, sat, absent, missing, conflicts, flagged), examhub
 * conflicts (two real sittings of one candidate and paper, open or resolved)
 * and examhub resolve (a staff decision, journaled with who, why and when),
 * and the check that final and certificates make first. The rule is
 * cert/sitting.c; the storage hubstore_decide.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "core/text.h"
#include "tools/hub/textout.h"
#include "tools/hub/workflow_cmd_int.h"

static const char *const KINDS[2] = {"theory", "practical"};

typedef struct walk_ctx {
    hubstore *s;
    paper_fn fn;
    void *ctx;
    char *why;
} walk_ctx;

static int walk_cand(void *vctx, const wf_cand *c)
{
    walk_ctx *w = vctx;
    for (int k = 0; k < 2; k++) {
        wf_sitting *v;
        int n;
        if (wf_sittings(w->s, c->ticket, KINDS[k], &v, &n, &w->why)) return 1;
        sitting_entry *e = malloc((size_t)(n ? n : 1) * sizeof *e);
        if (!e) {
            free(v);
            w->why = fileio_fmt("out of memory");
            return 1;
        }
        wf_sitting_entries(v, n, e);
        paper_view p = {c, KINDS[k], v, e, n, -1, SITTING_MISSING};
        p.outcome = sitting_decide(e, n, &p.chosen);
        int stop = w->fn(w->ctx, &p);
        free(e);
        free(v);
        if (stop) {
            if (!w->why) w->why = fileio_fmt("out of memory"); /* the commands below stop only for that */
            return 1;
        }
    }
    return 0;
}

int wfc_each_paper(hubstore *s, const char *batch, paper_fn fn, void *ctx, char **why)
{
    walk_ctx w = {s, fn, ctx, NULL};
    char *ewhy = NULL;
    int rc = wf_each_candidate(s, batch, walk_cand, &w, &ewhy);
    if (!rc && !w.why) return 0;
    if (w.why) {
        free(ewhy);
        ewhy = w.why;
    }
    *why = ewhy ? ewhy : fileio_fmt("stopped");
    return -1;
}

static void iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(out, 32, "%lld", (long long)t);
}

static const char *decision_name(sitting_decision d)
{
    return d == SITTING_KEEP ? "kept" : d == SITTING_VOID ? "void" : "";
}

/* ---- the check before final and certificates ------------------------------------------------------------- */

typedef struct batch_total {
    char batch[8];
    int missing, conflict, unscored;
} batch_total;

typedef struct complete_ctx {
    const char *cmd;
    batch_total *t;
    int nt, cap, shown;
} complete_ctx;

enum { SHOW_AT_MOST = 10 }; /* candidates' papers named one by one; the rest are counted */

static int complete_one(void *vctx, const paper_view *p)
{
    complete_ctx *cc = vctx;
    /* a sitting that counts on the kiosk's own score (its paper not registered,
     * so not rescored by the hub) is not final either */
    int unscored = p->outcome == SITTING_SAT && p->chosen >= 0 && !p->v[p->chosen].scored;
    if (p->outcome != SITTING_MISSING && p->outcome != SITTING_CONFLICT && !unscored) return 0;
    batch_total *t = NULL;
    for (int i = 0; i < cc->nt; i++)
        if (!strcmp(cc->t[i].batch, p->c->batch)) t = &cc->t[i];
    if (!t) {
        if (cc->nt == cc->cap) {
            int cap = cc->cap ? cc->cap * 2 : 4;
            batch_total *nt = realloc(cc->t, (size_t)cap * sizeof *nt);
            if (!nt) return 1;
            cc->t = nt;
            cc->cap = cap;
        }
        t = &cc->t[cc->nt++];
        memset(t, 0, sizeof *t);
        snprintf(t->batch, sizeof t->batch, "%s", p->c->batch);
    }
    if (p->outcome == SITTING_MISSING) t->missing++;
    else if (p->outcome == SITTING_CONFLICT) t->conflict++;
    else t->unscored++;
    if (cc->shown++ < SHOW_AT_MOST)
        fprintf(stderr, "examhub %s: ticket %s %s, level %d %s: %s\n", cc->cmd, p->c->ticket, p->c->name, p->c->level,
                p->kind,
                p->outcome == SITTING_MISSING    ? "missing (no result and no absence received)"
                : p->outcome == SITTING_CONFLICT ? "conflict (two or more sittings: examhub conflicts, examhub resolve)"
                                                 : "unscored (its paper is not registered: examhub papers --add)");
    return 0;
}

int wf_decide_complete(const wopts *o, hubstore *s, const char *batch, const char *cmd)
{
    complete_ctx cc = {cmd, NULL, 0, 0, 0};
    char *why = NULL;
    if (wfc_each_paper(s, batch, complete_one, &cc, &why)) {
        free(cc.t);
        return wfc_storage(o, s, why);
    }
    if (cc.shown > SHOW_AT_MOST)
        fprintf(stderr, "examhub %s: ... and %d more\n", cmd, cc.shown - SHOW_AT_MOST);
    for (int i = 0; i < cc.nt; i++) {
        const batch_total *t = &cc.t[i];
        char what[64] = "";
        if (t->missing) snprintf(what, sizeof what, "%d missing", t->missing);
        if (t->conflict)
            snprintf(what + strlen(what), sizeof what - strlen(what), "%s%d conflict%s", t->missing ? ", " : "",
                     t->conflict, t->conflict == 1 ? "" : "s");
        if (t->unscored)
            snprintf(what + strlen(what), sizeof what - strlen(what), "%s%d unscored", *what ? ", " : "", t->unscored);
        fprintf(stderr, "examhub %s: %s in batch %s; run examhub progress; --allow-incomplete to go on\n", cmd, what,
                t->batch);
    }
    int incomplete = cc.nt > 0;
    free(cc.t);
    return incomplete;
}

/* ---- examhub progress --------------------------------------------------------------------------------------- */

typedef struct progress_ctx {
    progress_row *r;
    int n, cap;
} progress_ctx;

static int progress_one(void *vctx, const paper_view *p)
{
    progress_ctx *pc = vctx;
    int kind = p->kind == KINDS[0] ? 0 : 1;
    progress_row *r = NULL;
    for (int i = 0; i < pc->n; i++)
        if (pc->r[i].level == p->c->level && pc->r[i].kind == kind && !strcmp(pc->r[i].site, p->c->site) &&
            !strcmp(pc->r[i].room, p->c->room))
            r = &pc->r[i];
    if (!r) {
        if (pc->n == pc->cap) {
            int cap = pc->cap ? pc->cap * 2 : 8;
            progress_row *nr = realloc(pc->r, (size_t)cap * sizeof *nr);
            if (!nr) return 1;
            pc->r = nr;
            pc->cap = cap;
        }
        r = &pc->r[pc->n++];
        memset(r, 0, sizeof *r);
        r->level = p->c->level;
        r->kind = kind;
        snprintf(r->site, sizeof r->site, "%s", p->c->site);
        snprintf(r->room, sizeof r->room, "%s", p->c->room);
    }
    r->planned++;
    /* a room record's absence (result id "room-N", hubstore_decide.c) is a sitting, not a stored result */
    for (int i = 0; i < p->n; i++) r->results += strncmp(p->v[i].result_id, "room-", 5) != 0;
    for (int i = 0; i < p->n; i++) r->flagged += p->v[i].flagged > 0 && p->v[i].decision != SITTING_KEEP;
    if (p->outcome == SITTING_SAT && p->chosen >= 0 && !p->v[p->chosen].scored) r->unscored++;
    if (p->outcome == SITTING_SAT) r->sat++;
    else if (p->outcome == SITTING_ABSENT) r->absent++;
    else if (p->outcome == SITTING_MISSING) r->missing++;
    else r->conflicts++;
    return 0;
}

static int row_order(const void *a, const void *b)
{
    const progress_row *x = a, *y = b;
    if (x->level != y->level) return y->level - x->level; /* 四级 first, as the plan seats them */
    if (x->kind != y->kind) return x->kind - y->kind;
    int c = strcmp(x->site, y->site);
    return c ? c : strcmp(x->room, y->room);
}

int wfc_progress(hubstore *s, const char *batch, progress_row **rows, int *n, char **why)
{
    progress_ctx pc = {NULL, 0, 0};
    *why = NULL;
    if (wfc_each_paper(s, batch, progress_one, &pc, why)) {
        free(pc.r);
        *rows = NULL;
        *n = 0;
        return -1;
    }
    if (pc.n > 1) qsort(pc.r, (size_t)pc.n, sizeof *pc.r, row_order);
    *rows = pc.r;
    *n = pc.n;
    return 0;
}

const char *wfc_kind_name(int kind) { return KINDS[kind ? 1 : 0]; }

int wf_decide_progress(const wopts *o)
{
    if (!o->db || !wfc_batch_ok(o->batch)) return wfc_usage("progress needs --db and --batch YYYY-MM [--csv]");
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    progress_ctx pc = {NULL, 0, 0};
    char *why = NULL;
    if (wfc_progress(s, o->batch, &pc.r, &pc.n, &why)) {
        int rc = wfc_storage(o, s, why);
        hubstore_close(s);
        return rc;
    }
    hubstore_close(s);
    progress_row tot;
    memset(&tot, 0, sizeof tot);
    if (o->csv) printf("batch,level,kind,site,room,planned,results,sat,absent,missing,conflicts,flagged,unscored\n");
    else
        printf("batch %s\n%-5s %-9s %7s %7s %5s %6s %7s %9s %7s %8s  %s\n", o->batch, "level", "kind", "planned",
               "results", "sat", "absent", "missing", "conflicts", "flagged", "unscored", "site / room");
    for (int i = 0; i < pc.n; i++) {
        const progress_row *r = &pc.r[i];
        if (o->csv) {
            printf("%s,%d,%s,", o->batch, r->level, KINDS[r->kind]);
            out_csv(stdout, r->site);
            putchar(',');
            out_csv(stdout, r->room);
            printf(",%d,%d,%d,%d,%d,%d,%d,%d\n", r->planned, r->results, r->sat, r->absent, r->missing, r->conflicts,
                   r->flagged, r->unscored);
        } else
            printf("%-5d %-9s %7d %7d %5d %6d %7d %9d %7d %8d  %s %s\n", r->level, KINDS[r->kind], r->planned,
                   r->results, r->sat, r->absent, r->missing, r->conflicts, r->flagged, r->unscored, r->site, r->room);
        tot.planned += r->planned;
        tot.results += r->results;
        tot.sat += r->sat;
        tot.absent += r->absent;
        tot.missing += r->missing;
        tot.conflicts += r->conflicts;
        tot.flagged += r->flagged;
        tot.unscored += r->unscored;
    }
    if (!o->csv) {
        printf("%-15s %7d %7d %5d %6d %7d %9d %7d %8d\n", "total", tot.planned, tot.results, tot.sat, tot.absent,
               tot.missing, tot.conflicts, tot.flagged, tot.unscored);
        if (tot.unscored)
            printf("unscored: %d sittings count on the kiosks' own scores until their papers are registered "
                   "(examhub papers --add FILE.pack --batch %s --release-code -)\n",
                   tot.unscored, o->batch);
        if (!tot.planned) printf("nobody is planned in batch %s\n", o->batch);
        else if (tot.missing || tot.conflicts)
            printf("incomplete: %d missing, %d in conflict (examhub conflicts); final and certificates refuse without "
                   "--allow-incomplete\n",
                   tot.missing, tot.conflicts);
        else printf("complete: every planned candidate's papers are accounted for\n");
    }
    free(pc.r);
    return 0;
}

/* ---- examhub conflicts --------------------------------------------------------------------------------------- */

typedef struct conflicts_ctx {
    const wopts *o;
    int open, resolved;
} conflicts_ctx;

static int conflicts_one(void *vctx, const paper_view *p)
{
    conflicts_ctx *cc = vctx;
    int decided = 0;
    for (int i = 0; i < p->n; i++) decided |= p->v[i].decision != SITTING_UNDECIDED;
    if (!sitting_contested(p->e, p->n) && !decided) return 0;
    int open = p->outcome == SITTING_CONFLICT;
    const char *state = open ? "open" : "resolved";
    if (open) cc->open++;
    else cc->resolved++;
    if (!cc->o->csv)
        printf("%s %s %s, level %d %s: %s, %d results, counts: %s\n", p->c->batch, p->c->ticket, p->c->name, p->c->level,
               p->kind, open ? "conflict" : "resolved", p->n,
               p->chosen >= 0 ? p->v[p->chosen].result_id : sitting_outcome_name(p->outcome));
    for (int i = 0; i < p->n; i++) {
        const wf_sitting *w = &p->v[i];
        char score[24], when[32];
        text_format_tenths(w->score_tenths, score, sizeof score);
        iso_time(w->received_at, when);
        if (cc->o->csv) {
            printf("%s,%s,", p->c->batch, p->c->ticket);
            out_csv(stdout, p->c->name);
            printf(",%d,%s,%s,%s,%s,%s,%s,%s,%d,%s,", p->c->level, p->kind, state, w->result_id, w->kiosk_id, w->status,
                   score, when, w->flagged > 0, decision_name(w->decision));
            out_csv(stdout, w->decided_by);
            putchar(',');
            out_csv(stdout, w->decided_why);
            putchar('\n');
        } else {
            printf("  %s kiosk %s %s %s received %s%s", w->result_id, w->kiosk_id, w->status, score, when,
                   w->flagged > 0 ? " flagged" : "");
            if (w->decision != SITTING_UNDECIDED) printf(" %s by %s: %s", decision_name(w->decision), w->decided_by, w->decided_why);
            putchar('\n');
        }
    }
    return 0;
}

int wf_decide_conflicts(const wopts *o)
{
    if (!o->db) return wfc_usage("conflicts needs --db [--batch YYYY-MM] [--csv]");
    if (o->batch && !wfc_batch_ok(o->batch)) return wfc_usage("--batch must be YYYY-MM");
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    conflicts_ctx cc = {o, 0, 0};
    if (o->csv)
        printf("batch,ticket,name,level,kind,state,result_id,kiosk,status,score,received_at,flagged,decision,decided_by,"
               "why\n");
    char *why = NULL;
    int rc = wfc_each_paper(s, o->batch, conflicts_one, &cc, &why) ? wfc_storage(o, s, why) : 0;
    hubstore_close(s);
    if (!rc && !o->csv)
        printf("%d conflict%s open, %d resolved%s\n", cc.open, cc.open == 1 ? "" : "s", cc.resolved,
               cc.open ? " (examhub resolve --result ID --keep|--void --why TEXT)" : "");
    return rc;
}

/* ---- examhub resolve ------------------------------------------------------------------------------------------ */

/* 1 when T is printable text of at most MAX bytes (no control characters) */
static int plain_text(const char *t, size_t max)
{
    size_t n = strlen(t);
    if (!n || n > max) return 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return 0;
    return 1;
}

static int hex32(const char *t)
{
    if (strlen(t) != 32) return 0;
    for (const char *p = t; *p; p++)
        if (!strchr("0123456789abcdef", *p)) return 0;
    return 1;
}

int wf_decide_resolve(const wopts *o)
{
    if (!o->db || !o->result || o->keep == o->void_ || !o->why_text)
        return wfc_usage("resolve needs --db, --result ID, one of --keep and --void, and --why TEXT [--by NAME]");
    if (!hex32(o->result)) return wfc_usage("--result must be a result id (32 hex digits, as examhub conflicts lists)");
    if (!plain_text(o->why_text, 200)) return wfc_usage("--why must be 1-200 bytes of text without control characters");
    const char *by = o->by ? o->by : getenv("USER");
    if (!by || !*by) return wfc_usage("resolve needs --by NAME (USER is not set)");
    if (!plain_text(by, 63)) return wfc_usage("--by must be 1-63 bytes of text without control characters");
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    wf_sitting r;
    char *why = NULL;
    int rc = wf_decide(s, o->result, o->keep ? SITTING_KEEP : SITTING_VOID, o->why_text, by, (int64_t)time(NULL), &r, &why);
    if (rc == 1) {
        hubstore_close(s);
        return wfc_err(o->result, fileio_fmt("no such result at %s (examhub conflicts lists the result ids)", o->db));
    }
    if (rc) {
        rc = wfc_storage(o, s, why);
        hubstore_close(s);
        return rc;
    }
    /* what counts now for that candidate's paper */
    wf_sitting *v;
    int n, chosen = -1;
    sitting_outcome out = SITTING_MISSING;
    if (wf_sittings(s, r.ticket, r.kind, &v, &n, &why)) {
        rc = wfc_storage(o, s, why);
        hubstore_close(s);
        return rc;
    }
    sitting_entry *e = malloc((size_t)(n ? n : 1) * sizeof *e);
    int nomem = !e;
    if (e) {
        wf_sitting_entries(v, n, e);
        out = sitting_decide(e, n, &chosen);
    }
    printf("result %s (ticket %s, level %d %s, kiosk %s, %s): %s by %s: %s\n", r.result_id, r.ticket, r.level, r.kind,
           r.kiosk_id, r.status, decision_name(r.decision), r.decided_by, r.decided_why);
    if (e && out == SITTING_SAT)
        printf("ticket %s %s: counts %s from kiosk %s\n", r.ticket, r.kind, v[chosen].result_id, v[chosen].kiosk_id);
    else if (e)
        printf("ticket %s %s: %s\n", r.ticket, r.kind, sitting_outcome_name(out));
    free(e);
    free(v);
    hubstore_close(s);
    return nomem ? wfc_err(o->db, fileio_fmt("out of memory")) : 0;
}
