/* hubcheck: what the hub checks in a result before it counts (issue 11):
 * the fields' formats, the score (rescored from the answers and the paper
 * drawn again from its seed), the paper and the batch, the candidate and the
 * place. See hubcheck.h and exam-packs/FORMAT.md §8.3. */
#include "tools/hub/hubcheck.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/journal.h"
#include "core/pack.h"
#include "core/paper.h"
#include "core/score.h"
#include "tools/hub/hubstore_checks.h"
#include "tools/hub/roomcheck.h"

/* one registered paper, opened once: its paper source (paper.h) and every
 * question's answer key, read-only afterwards, so that the server's threads
 * rescore in parallel without a lock */
typedef struct hub_paper {
    hub_paper_row row;
    paper_source *src;
    char **keys; /* by question seq, 1..nkeys-1; NULL: unreadable (scores 0, as at the kiosk) */
    int nkeys;
    uint8_t chain[JOURNAL_KEY_BYTES]; /* the journal chain key of the pack (journal.h), for the room check */
} hub_paper;

struct hub_papers {
    pthread_mutex_t mu;
    hub_paper **v;
    int n;
};

void hub_papers_free(hub_papers *ps)
{
    if (!ps) return;
    for (int i = 0; i < ps->n; i++) {
        hub_paper *p = ps->v[i];
        paper_source_free(p->src);
        sodium_memzero(p->chain, sizeof p->chain);
        for (int k = 0; k < p->nkeys; k++) {
            if (p->keys[k]) sodium_memzero(p->keys[k], strlen(p->keys[k]));
            free(p->keys[k]);
        }
        free(p->keys);
        free(p);
    }
    free(ps->v);
    pthread_mutex_destroy(&ps->mu);
    free(ps);
}

/* ---- formats ---------------------------------------------------------------------------------- */

static int is_hex(const char *s, size_t n)
{
    if (!s || strlen(s) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

static int is_ticket(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 32) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
            return 0;
    return 1;
}

/* no C0 control character and no DEL (the strings are UTF-8 already) */
static int is_clean(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0;
    return 1;
}

int hub_check_format(const result_rec *r, int64_t now, char **why)
{
    (void)now;
    const result_head *h = &r->head;
    const char *bad = NULL;
    if (!is_hex(h->pack_id, 32)) bad = "pack_id must be 32 lowercase hex digits";
    else if (!is_hex(h->session_id, 32)) bad = "session must be 32 lowercase hex digits";
    else if (strcmp(h->kind, "theory") && strcmp(h->kind, "practical")) bad = "kind must be theory or practical";
    else if (!is_ticket(h->ticket)) bad = "ticket must be 1-32 characters of digits, letters and -";
    else if (!is_clean(h->name)) bad = "name must not hold control characters";
    else if (!is_clean(h->title) || !is_clean(h->site) || !is_clean(h->room)) bad = "title, site and room must not hold control characters";
    else if (h->submitted_wall <= 0) /* (ahead of the hub's clock: stored, flagged: hub_ingest) */
        bad = "submitted_at must be a time after 1970";
    else if (h->started_wall < 0 || h->started_wall > h->submitted_wall) bad = "started_at must be between 0 and submitted_at";
    else if (r->seed_hex && r->seed_hex[0] && !is_hex(r->seed_hex, 2 * PAPER_SEED_BYTES))
        bad = "seed must be 64 lowercase hex digits";
    if (!bad) return 0;
    *why = fileio_fmt("%s", bad);
    return -1;
}

/* ---- papers ---------------------------------------------------------------------------------- */

/* Opens the paper PACK_ID (from the cache, else from the store): 0 with *out,
 * 1 when it is not registered, -1 with *why. */
static int paper_of(hub *h, const char *pack_id, hub_paper **out, char **why)
{
    *out = NULL;
    hub_papers *ps = h->papers;
    pthread_mutex_lock(&ps->mu);
    int rc = -1;
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->v[i]->row.pack_id, pack_id)) { *out = ps->v[i]; rc = 0; goto out; }
    hub_paper_row row;
    uint8_t *pack = NULL, *skey = NULL;
    size_t plen = 0, klen = 0;
    int got = hubstore_paper_get(h->st, pack_id, &row, &pack, &plen, &skey, &klen);
    if (got) {
        if (got < 0) *why = fileio_fmt("storage: %s", hubstore_error(h->st));
        rc = got;
        goto out;
    }
    uint8_t key[PACK_KEY_BYTES];
    hub_paper *p = calloc(1, sizeof *p);
    hub_paper **nv = p ? realloc(ps->v, (size_t)(ps->n + 1) * sizeof *nv) : NULL;
    if (nv) ps->v = nv;
    if (!nv) *why = fileio_fmt("out of memory");
    else if (klen != crypto_box_SEALBYTES + PACK_KEY_BYTES || crypto_box_seal_open(key, skey, klen, h->box_pk, h->box_sk))
        *why = fileio_fmt("paper %s: its content key cannot be opened with this hub's results key", pack_id);
    else {
        struct sqlite3 *db = NULL;
        if (pack_open_with_key(pack, plen, h->authority_sign_pk, key, &db, why) == PACK_OK &&
            paper_source_open(db, &p->src, why) == 0) {
            p->nkeys = paper_source_max_seq(p->src) + 1;
            p->keys = calloc((size_t)p->nkeys, sizeof *p->keys);
            if (!p->keys) *why = fileio_fmt("out of memory");
            for (int seq = 1; p->keys && seq < p->nkeys; seq++) {
                paper_question q;
                if (paper_question_load(db, seq, &q)) continue;
                p->keys[seq] = q.key;
                q.key = NULL;
                paper_question_free(&q);
            }
        }
        pack_close(db);
        if (p->keys) {
            journal_key jk;
            journal_key_derive(&jk, pack_id, key);
            memcpy(p->chain, jk.chain, sizeof p->chain);
            sodium_memzero(&jk, sizeof jk);
            p->row = row;
            ps->v[ps->n++] = p;
            *out = p;
            p = NULL;
            rc = 0;
        } else if (p)
            paper_source_free(p->src);
    }
    free(p);
    sodium_memzero(key, sizeof key);
    if (skey) sodium_memzero(skey, klen);
    free(skey);
    free(pack);
out:
    pthread_mutex_unlock(&ps->mu);
    return rc;
}

int hub_papers_new(hub_papers **out)
{
    hub_papers *ps = calloc(1, sizeof *ps);
    if (!ps) return -1;
    pthread_mutex_init(&ps->mu, NULL);
    *out = ps;
    return 0;
}

int hub_paper_chain(hub *h, const char *pack_id, uint8_t key[JOURNAL_KEY_BYTES], char **why)
{
    hub_paper *p;
    int rc = paper_of(h, pack_id, &p, why);
    if (rc == 0) memcpy(key, p->chain, JOURNAL_KEY_BYTES);
    return rc;
}

/* the answer key of question SEQ (NULL: unreadable) */
static const char *key_of(const hub_paper *p, int seq) { return seq > 0 && seq < p->nkeys ? p->keys[seq] : NULL; }

/* the flag of a result for a pack that is not (yet) a paper of its batch;
 * registering the pack for that batch lifts it */
static char *unregistered_reason(const char *pack_id, const char *batch)
{
    return fileio_fmt("pack %s is not a registered paper of batch %s", pack_id, batch);
}

/* ---- evaluation --------------------------------------------------------------------------------- */

static int add_flag(hub_eval *ev, char *reason)
{
    if (!reason) return -1;
    if (ev->nflags == HUB_MAX_FLAGS) { free(reason); return 0; }
    ev->flags[ev->nflags++] = reason;
    return 0;
}

void hub_eval_free(hub_eval *ev)
{
    for (int i = 0; i < ev->nflags; i++) free(ev->flags[i]);
    memset(ev, 0, sizeof *ev);
}

static void tenths(int t, char *out, size_t n) { snprintf(out, n, "%d.%d", t / 10, t % 10); }

/* rescoring: the paper drawn again from the record's seed,
 * each item marked by score.c, then compared with what the kiosk claimed.
 * A record whose items are not the paper of its seed is flagged and left
 * unscored; otherwise EV gets the hub's score and a flag per difference. */
static int rescore(const hub_paper *p, const result_rec *r, hub_eval *ev)
{
    char item_diff[200] = "";
    int total = 0, pending = 0, pass = 60, absent = !strcmp(r->head.status, "absent");
    if (absent) {
        if (r->nitems) return add_flag(ev, fileio_fmt("an absence record with %d answered items", r->nitems));
    } else {
        uint8_t seed[PAPER_SEED_BYTES];
        paper pp;
        char *dwhy = NULL;
        if (!r->seed_hex || strlen(r->seed_hex) != 2 * PAPER_SEED_BYTES ||
            sodium_hex2bin(seed, sizeof seed, r->seed_hex, strlen(r->seed_hex), NULL, NULL, NULL))
            return add_flag(ev, fileio_fmt("the record has no paper seed, so the hub cannot rescore it"));
        if (paper_source_draw(p->src, seed, &pp, &dwhy)) {
            int rc = add_flag(ev, fileio_fmt("the paper cannot be drawn from the record's seed: %s", dwhy ? dwhy : "?"));
            free(dwhy);
            return rc;
        }
        pass = pp.pass;
        char *structural = NULL;
        if (pp.n != r->nitems)
            structural = fileio_fmt("the record has %d items, the paper drawn from its seed %d", r->nitems, pp.n);
        for (int i = 0; i < pp.n && !structural; i++) {
            const paper_item *it = &pp.items[i];
            const result_item *ri = &r->items[i];
            if (!ri->id || strcmp(ri->id, it->id) || ri->type != it->type || ri->points != it->points) {
                structural = fileio_fmt("item %d is not question %s of the paper drawn from its seed", i + 1, it->id);
                break;
            }
            const char *key = key_of(p, it->seq);
            int pend = 0, sc = 0;
            if (key) {
                score_item si = {it->type, key, ri->response, it->points, pp.partial};
                sc = score_item_tenths(&si, &pend);
            }
            total += sc;
            pending += pend;
            if ((sc != ri->score || pend != (ri->pending != 0)) && !item_diff[0]) {
                char a[16], b[16];
                tenths(ri->score, a, sizeof a);
                tenths(sc, b, sizeof b);
                snprintf(item_diff, sizeof item_diff, "item %d (%s) scored %s by the kiosk, %s by the hub", i + 1, it->id, a, b);
            }
        }
        paper_free(&pp);
        if (structural) return add_flag(ev, structural);
    }
    ev->scored = 1;
    ev->score = total;
    ev->pending = pending;
    ev->passed = !absent && pending == 0 && total >= pass * 10;
    if (item_diff[0] && add_flag(ev, fileio_fmt("item scores differ from the hub's rescoring: %s", item_diff))) return -1;
    if (r->score != total) {
        char a[16], b[16];
        tenths(r->score, a, sizeof a);
        tenths(total, b, sizeof b);
        if (add_flag(ev, fileio_fmt("score differs from the hub's rescoring: the kiosk claims %s points, the hub counts %s", a, b)))
            return -1;
    }
    if (r->passed != ev->passed &&
        add_flag(ev, fileio_fmt("passed differs from the hub's rescoring: the kiosk claims %d, the hub finds %d", r->passed,
                                ev->passed)))
        return -1;
    if (r->pending != pending &&
        add_flag(ev, fileio_fmt("pending differs from the hub's rescoring: the kiosk claims %d, the hub finds %d", r->pending,
                                pending)))
        return -1;
    return 0;
}

int hub_evaluate(hub *h, const hub_kiosk *k, const result_rec *r, hub_eval *ev, char **why)
{
    memset(ev, 0, sizeof *ev);
    const result_head *hd = &r->head;
    hub_paper *p = NULL;
    int have = paper_of(h, hd->pack_id, &p, why);
    if (have < 0) return -1;
    hub_planned pl;
    int planned = 1;
    if (have == 1) {
        planned = hubstore_planned_ticket(h->st, hd->ticket, &pl);
        if (planned < 0) { *why = fileio_fmt("storage: %s", hubstore_error(h->st)); return -1; }
        /* not a registered paper: a check only once the ticket's batch has papers */
        if (planned == 0) {
            int hp = hubstore_batch_has_papers(h->st, pl.batch);
            if (hp < 0) { *why = fileio_fmt("storage: %s", hubstore_error(h->st)); return -1; }
            if (hp && add_flag(ev, unregistered_reason(hd->pack_id, pl.batch)))
                goto nomem;
        }
        return 0;
    }
    int rc = rescore(p, r, ev);
    if (rc) goto nomem;
    /* the lookups after the work: the store is shared with the other threads' commits */
    planned = hubstore_planned_ticket(h->st, hd->ticket, &pl);
    if (planned < 0) {
        hub_eval_free(ev);
        *why = fileio_fmt("storage: %s", hubstore_error(h->st));
        return -1;
    }
    const hub_paper_row *pr = &p->row;
    char *f = NULL;
    if (hd->level != pr->level || strcmp(hd->kind, pr->kind))
        f = fileio_fmt("the record says level %d %s, its paper is level %d %s", hd->level, hd->kind, pr->level, pr->kind);
    if (f && add_flag(ev, f)) goto nomem;
    f = NULL;
    if (planned == 1) f = fileio_fmt("ticket %s is not on a roster the hub made for batch %s", hd->ticket, pr->batch);
    else if (strcmp(pl.batch, pr->batch))
        f = fileio_fmt("ticket %s is on a roster of batch %s, not of the paper's batch %s", hd->ticket, pl.batch, pr->batch);
    else if (pl.level != pr->level)
        f = fileio_fmt("ticket %s is planned for level %d, the paper is level %d", hd->ticket, pl.level, pr->level);
    else if (strcmp(pl.room, k->room) || strcmp(pl.site, k->site))
        f = fileio_fmt("ticket %s is planned in room %s of %s, the kiosk is enrolled in room %s of %s", hd->ticket, pl.room,
                       pl.site, k->room, k->site);
    if (f && add_flag(ev, f)) goto nomem;
    /* the planned accommodation is outside any cap; it must be what the hub signed into the roster */
    int granted = 0;
    for (int i = 0; i < hd->nextensions; i++)
        if (hd->extensions[i].planned) granted += hd->extensions[i].minutes;
    if (planned == 0 && strcmp(hd->status, "absent") && granted != pl.extra_minutes &&
        add_flag(ev, fileio_fmt("planned extra time differs from the plan: the kiosk granted %d minutes as planned, the "
                                "roster of ticket %s has %d", granted, hd->ticket, pl.extra_minutes)))
        goto nomem;
    if ((!hd->room || strcmp(hd->room, k->room)) &&
        add_flag(ev, fileio_fmt("the record's room %s is not the kiosk's enrolled room %s", hd->room ? hd->room : "", k->room)))
        goto nomem;
    /* the room records (issue 12): the journal it carries against the heads a console mirrored */
    if (hub_room_check(h, k->kiosk_id, r, ev, why) < 0) {
        hub_eval_free(ev);
        return -1;
    }
    return 0;
nomem:
    hub_eval_free(ev);
    *why = fileio_fmt("out of memory");
    return -1;
}

/* ---- registering a paper ----------------------------------------------------------------------- */

int hub_paper_register(hub *h, const uint8_t *pack, size_t len, const char *code, const char *batch, const char *by,
                       int64_t now, pack_info *info, char **why)
{
    if (pack_verify(pack, len, h->authority_sign_pk, info, why) != PACK_OK) return -1;
    uint8_t key[PACK_KEY_BYTES], sealed[crypto_box_SEALBYTES + PACK_KEY_BYTES];
    if (pack_unwrap_key(pack, len, code, key, why) != PACK_OK) return -1;
    struct sqlite3 *db = NULL;
    /* the code unwraps the key; the content must also open with it */
    int rc = -1;
    if (pack_open_with_key(pack, len, h->authority_sign_pk, key, &db, why) != PACK_OK) goto out;
    pack_close(db);
    if (crypto_box_seal(sealed, key, sizeof key, h->box_pk)) { *why = fileio_fmt("cannot seal the content key"); goto out; }
    hub_paper_row row;
    memset(&row, 0, sizeof row);
    snprintf(row.pack_id, sizeof row.pack_id, "%s", info->pack_id_hex);
    snprintf(row.batch, sizeof row.batch, "%s", batch);
    snprintf(row.kind, sizeof row.kind, "%s", info->kind);
    snprintf(row.title, sizeof row.title, "%s", info->title);
    snprintf(row.by, sizeof row.by, "%s", by);
    row.level = info->level;
    row.added = now;
    int put = hubstore_paper_add(h->st, &row, pack, len, sealed, sizeof sealed);
    char *lift = put == 0 ? unregistered_reason(row.pack_id, batch) : NULL;
    if (put == 0 && (!lift || hubstore_flag_lift(h->st, row.pack_id, lift))) put = -1;
    free(lift);
    if (put < 0) *why = fileio_fmt("storage: %s", hubstore_error(h->st));
    else if (put == 1) {
        hub_paper_row old;
        if (hubstore_paper_get(h->st, row.pack_id, &old, NULL, NULL, NULL, NULL) == 0 && strcmp(old.batch, batch))
            *why = fileio_fmt("pack %s is already registered, for batch %s", row.pack_id, old.batch), put = -1;
    }
    rc = put < 0 ? -1 : put;
out:
    sodium_memzero(key, sizeof key);
    return rc;
}

int hub_rescore_stored(hub *h, int64_t now, int *scored, int *flagged, char **why)
{
    *scored = *flagged = 0;
    char **ids;
    int n;
    if (hubstore_unscored_ids(h->st, &ids, &n)) { *why = fileio_fmt("storage: %s", hubstore_error(h->st)); return -1; }
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        char *json = NULL, kid[17];
        result_record rr = {0};
        hub_kiosk k;
        hub_eval ev;
        char *pwhy = NULL;
        if (hubstore_result_json(h->st, ids[i], &json, kid) || hubstore_kiosk(h->st, kid, &k) != KIOSK_FOUND) {
            *why = fileio_fmt("storage: %s", hubstore_error(h->st));
            rc = -1;
        } else if (result_parse(json, strlen(json), &rr, &pwhy) != RESULT_OK) {
            free(pwhy); /* stored results were parsed at ingest: this one stays unscored */
        } else if (hub_evaluate(h, &k, &rr.rec, &ev, why)) {
            rc = -1;
        } else {
            int st = 0;
            if (ev.scored) {
                st = hubstore_set_score(h->st, ids[i], ev.score, ev.passed, ev.pending, ev.flags, ev.nflags, now);
                *scored += !st;
            } else
                for (int f = 0; f < ev.nflags && !st; f++) st = hubstore_flag_add(h->st, ids[i], ev.flags[f], now);
            *flagged += ev.nflags > 0;
            if (st) { *why = fileio_fmt("storage: %s", hubstore_error(h->st)); rc = -1; }
            hub_eval_free(&ev);
        }
        result_record_free(&rr);
        if (json) sodium_memzero(json, strlen(json));
        free(json);
    }
    hubstore_ids_free(ids, n);
    return rc;
}
