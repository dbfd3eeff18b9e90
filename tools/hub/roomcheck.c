/* roomcheck: a result's journal against the heads room consoles mirrored
 * (see roomcheck.h). */
#include "tools/hub/roomcheck.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/journal.h"
#include "core/roomproto.h"
#include "tools/hub/hubstore_checks.h"
#include "tools/hub/hubstore_room.h"

static int flag(hub_eval *ev, char *reason)
{
    if (!reason) return -1;
    if (ev->nflags == HUB_MAX_FLAGS) { free(reason); return 0; }
    for (int i = 0; i < ev->nflags; i++)
        if (!strcmp(ev->flags[i], reason)) { free(reason); return 0; }
    ev->flags[ev->nflags++] = reason;
    return 0;
}

/* Recomputes R's journal: HEADS[i] the head after entry base + 1 + i.
 * Returns 0 (recomputed), 1 with *bad the reason it does not, -1 memory. */
static int recompute(hub *h, const result_rec *r, const uint8_t chain[JOURNAL_KEY_BYTES],
                     uint8_t (*heads)[JOURNAL_HASH_BYTES], char **bad, char **why)
{
    uint8_t prev[JOURNAL_HASH_BYTES], key[JOURNAL_KEY_BYTES];
    *bad = NULL;
    if (sodium_hex2bin(prev, sizeof prev, r->journal_base_hex, strlen(r->journal_base_hex), NULL, NULL, NULL))
        return (*bad = fileio_fmt("the result's journal base head is not hex")) ? 1 : -1;
    for (int i = 0; i < r->njournal; i++) {
        const journal_entry *e = &r->journal[i];
        const uint8_t *k = NULL;
        if (e->keyid && *e->keyid) {
            if (!strcmp(e->keyid, r->head.pack_id)) k = chain;
            else {
                char *kwhy = NULL;
                int got = hub_paper_chain(h, e->keyid, key, &kwhy);
                if (got < 0) { *why = kwhy; return -1; }
                if (got == 1) {
                    *bad = fileio_fmt("entry %lld (%.32s) is sealed by pack %.32s, which is not a registered paper",
                                      (long long)e->seq, e->type, e->keyid);
                    sodium_memzero(key, sizeof key);
                    return *bad ? 1 : -1;
                }
                k = key;
            }
        }
        journal_hash(prev, e, k, heads[i]);
        memcpy(prev, heads[i], sizeof prev);
    }
    sodium_memzero(key, sizeof key);
    char hx[2 * JOURNAL_HASH_BYTES + 1];
    sodium_bin2hex(hx, sizeof hx, prev, sizeof prev);
    if (!r->journal_head_hex || strcmp(hx, r->journal_head_hex))
        return (*bad = fileio_fmt("it does not end at the signed journal_head")) ? 1 : -1;
    return 0;
}

static void short_hex(const char *hex, char out[13])
{
    snprintf(out, 13, "%.12s", hex);
}

int hub_room_check(hub *h, const char *kiosk_id, const result_rec *r, hub_eval *ev, char **why)
{
    const result_head *hd = &r->head;
    int seats, diverged, dseat;
    char droom[33];
    if (hubstore_room_seat(h->st, kiosk_id, hd->pack_id, &seats, &diverged, &dseat, droom))
        return *why = fileio_fmt("storage: %s", hubstore_error(h->st)), -1;
    if (!seats) return 0; /* no room record covers this kiosk */
    int absent = !strcmp(hd->status, "absent");
    if (absent && !r->has_journal) return 0; /* an absence may carry no journal */
    uint8_t chain[JOURNAL_KEY_BYTES];
    int have = hub_paper_chain(h, hd->pack_id, chain, why);
    if (have) return have;
    int rc = -1;
    hub_room_head *mh = NULL;
    int nm = 0;
    uint8_t (*heads)[JOURNAL_HASH_BYTES] = NULL;
    char *bad = NULL;
    if (diverged &&
        flag(ev, fileio_fmt("room record: the room console saw the journal of kiosk %s (seat %d, room %s) diverge between "
                            "two reports: its history was rewritten or its kiosk.db swapped",
                            kiosk_id, dseat, droom)))
        goto nomem;
    if (!r->has_journal) {
        if (hubstore_room_heads(h->st, kiosk_id, hd->pack_id, 0, r->journal_count, &mh, &nm)) goto storage;
        if (nm && flag(ev, fileio_fmt("room record: the result carries no journal, so the %d heads the room console "
                                      "mirrored off kiosk %s cannot be checked",
                                      nm, kiosk_id)))
            goto nomem;
        rc = 0;
        goto out;
    }
    heads = calloc(r->njournal ? (size_t)r->njournal : 1, sizeof *heads);
    if (!heads) goto nomem;
    int rec = recompute(h, r, chain, heads, &bad, why);
    if (rec < 0) goto out;
    if (rec && flag(ev, fileio_fmt("room record: the result's journal does not recompute: %s", bad))) goto nomem;
    const journal_entry *first = r->njournal ? &r->journal[0] : NULL, *last = r->njournal ? &r->journal[r->njournal - 1] : NULL;
    if ((!first || strcmp(first->session, hd->session_id) || strcmp(last->session, hd->session_id) ||
         strcmp(last->type, "handin")) &&
        flag(ev, fileio_fmt("room record: the result's journal does not run from its sitting's first entry to its hand-in")))
        goto nomem;
    /* every head the console saw in the stretch the result carries, and the one just before it */
    int64_t base = r->journal_base_count;
    if (hubstore_room_heads(h->st, kiosk_id, hd->pack_id, base, r->journal_count, &mh, &nm)) goto storage;
    for (int i = 0; i < nm; i++) {
        const hub_room_head *m = &mh[i];
        roomproto_mirror rm = {.count = (uint64_t)(m->count - base)};
        const char *mwhy = NULL;
        int ok;
        if (sodium_hex2bin(rm.head, sizeof rm.head, m->head_hex, strlen(m->head_hex), NULL, NULL, NULL)) ok = 0;
        else if (m->count == base) ok = !strcmp(m->head_hex, r->journal_base_hex);
        else ok = roomproto_mirror_in_chain(&rm, (const uint8_t(*)[ROOMPROTO_HEAD_BYTES])heads, (uint64_t)r->njournal,
                                            &mwhy) == ROOMPROTO_OK;
        if (ok) continue;
        char theirs[13], ours[13], hx[2 * JOURNAL_HASH_BYTES + 1];
        if (m->count == base) snprintf(hx, sizeof hx, "%s", r->journal_base_hex);
        else sodium_bin2hex(hx, sizeof hx, heads[m->count - base - 1], JOURNAL_HASH_BYTES);
        short_hex(m->head_hex, theirs);
        short_hex(hx, ours);
        if (flag(ev, fileio_fmt("room record: journal rewritten after the room console saw it: at entry %lld of kiosk %s "
                                "(seat %d, room %s) the console mirrored head %s…, the result's journal has %s…",
                                (long long)m->count, kiosk_id, m->seat, m->room, theirs, ours)))
            goto nomem;
        break; /* the first one says it; the others follow from it */
    }
    if (!nm && !absent) {
        int sat = hubstore_room_sat_at(h->st, hd->ticket, hd->pack_id, kiosk_id);
        if (sat < 0) goto storage;
        if (sat && flag(ev, fileio_fmt("room record: the room console saw ticket %s sit at kiosk %s, but none of the heads "
                                       "it mirrored lies in the result's journal (entries %lld-%lld)",
                                       hd->ticket, kiosk_id, (long long)base + 1, (long long)r->journal_count)))
            goto nomem;
    }
    rc = 0;
    goto out;
storage:
    *why = fileio_fmt("storage: %s", hubstore_error(h->st));
    goto out;
nomem:
    *why = fileio_fmt("out of memory");
out:
    sodium_memzero(chain, sizeof chain);
    free(bad);
    free(heads);
    free(mh);
    return rc;
}

int hub_room_recheck(hub *h, int64_t record, int64_t now, int *checked, int *flagged, int *waiting, char **why)
{
    *checked = *flagged = *waiting = 0;
    /* the kiosks of the record's seats, and their results */
    char **ids = NULL;
    int n = 0;
    char **kiosks = NULL;
    int nk = 0;
    if (hubstore_room_kiosks(h->st, record, &kiosks, &nk)) return *why = fileio_fmt("storage: %s", hubstore_error(h->st)), -1;
    int rc = 0;
    for (int k = 0; k < nk && !rc; k++) {
        if (hubstore_room_result_ids(h->st, record, kiosks[k], &ids, &n)) {
            *why = fileio_fmt("storage: %s", hubstore_error(h->st));
            rc = -1;
            break;
        }
        for (int i = 0; i < n && !rc; i++) {
            char *json = NULL, kid[17], *pwhy = NULL;
            result_record rr = {0};
            hub_eval ev = {0};
            if (hubstore_result_json(h->st, ids[i], &json, kid)) {
                *why = fileio_fmt("storage: %s", hubstore_error(h->st));
                rc = -1;
            } else if (result_parse(json, strlen(json), &rr, &pwhy) != RESULT_OK) {
                free(pwhy); /* stored results were parsed at ingest */
            } else {
                int got = hub_room_check(h, kid, &rr.rec, &ev, why);
                if (got < 0) rc = -1;
                else if (got == 1) (*waiting)++;
                else {
                    (*checked)++;
                    *flagged += ev.nflags > 0;
                    for (int f = 0; f < ev.nflags && !rc; f++)
                        if (hubstore_flag_add(h->st, ids[i], ev.flags[f], now)) {
                            *why = fileio_fmt("storage: %s", hubstore_error(h->st));
                            rc = -1;
                        }
                }
            }
            hub_eval_free(&ev);
            result_record_free(&rr);
            if (json) sodium_memzero(json, strlen(json));
            free(json);
        }
        hubstore_ids_free(ids, n);
        ids = NULL;
        n = 0;
    }
    hubstore_ids_free(kiosks, nk);
    return rc;
}
