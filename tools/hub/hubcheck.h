/* hubcheck: what the hub checks in a result before it counts (issue 11;
 * exam-packs/FORMAT.md §8.3). Formats are checked at ingest and a malformed
 * result is refused; the score, the paper, the candidate and the place are
 * checked against the hub's own records, and a result failing one is stored
 * but flagged (result_flag). */
#ifndef HUBCHECK_H
#define HUBCHECK_H

#include <stdint.h>

#include "core/pack.h"
#include "core/result.h"
#include "tools/hub/hub.h"

/* How far a result's times may be ahead of the hub's clock (seconds). */
#define HUB_CLOCK_SKEW 600
#define HUB_MAX_FLAGS 8

/* 0 when every field of R has its format (pack id and session 32 hex
 * digits, kind theory|practical, ticket 1-32 of [0-9A-Za-z-], name/title/
 * site/room without control characters, 0 < submitted_at ≤ NOW +
 * 0 < submitted_at (ahead of the clock by more than HUB_CLOCK_SKEW is
 * flagged at ingest, not refused), 0 ≤ started_at ≤ submitted_at, seed 64
 * hex digits);
 * else -1 with *why naming the first field that is not. */
int hub_check_format(const result_rec *r, int64_t now, char **why);

/* The checks of a result against the hub's records. SCORED: the hub scored
 * it from its registered paper (SCORE, PASSED, PENDING are the hub's);
 * FLAGS: why it does not count (malloc'd). */
typedef struct hub_eval {
    int scored, score, passed, pending;
    char *flags[HUB_MAX_FLAGS];
    int nflags;
} hub_eval;
/* Evaluates R from kiosk K: 0 with EV filled (hub_eval_free), or -1 with
 * *why (storage, memory). Thread-safe: papers are opened once and shared.
 * With its paper registered, this includes the room check (roomcheck.h). */
int hub_evaluate(hub *h, const hub_kiosk *k, const result_rec *r, hub_eval *ev, char **why);
void hub_eval_free(hub_eval *ev);

/* Registers the paper PACK (verified against the hub's authority.pub; CODE
 * must unwrap its content key and open it) for BATCH: 0 registered, 1
 * already registered for that batch, -1 with *why. INFO is filled. */
int hub_paper_register(hub *h, const uint8_t *pack, size_t len, const char *code, const char *batch, const char *by,
                       int64_t now, pack_info *info, char **why);
/* Evaluates every stored unscored result again (after a registration):
 * counts of those now scored and of those flagged. 0 or -1 with *why. */
int hub_rescore_stored(hub *h, int64_t now, int *scored, int *flagged, char **why);

/* The journal chain key (journal.h) of the registered paper PACK_ID: 0
 * with KEY, 1 when it is not registered, -1 with *why. */
int hub_paper_chain(hub *h, const char *pack_id, uint8_t key[32], char **why);

/* the cache of opened papers (hub_open makes it, hub_close frees it) */
int hub_papers_new(hub_papers **out);
void hub_papers_free(hub_papers *ps);

#endif
