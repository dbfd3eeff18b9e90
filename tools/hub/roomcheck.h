/* roomcheck: the hub's check of a result against the room records
 * (issue 12; exam-packs/FORMAT.md §17). A room console mirrored every
 * seat's journal head with each report; the result carries its sitting's
 * journal (FORMAT.md §8). With the paper registered (its content key gives
 * the journal's chain key) the hub recomputes that journal and flags the
 * result ("room record: …") when
 *  - the chain does not recompute from its base to the signed journal_head,
 *    or does not run from the sitting's first entry to its hand-in;
 *  - a head the console mirrored off the result's kiosk with
 *    base.count ≤ count ≤ journal_count is not the journal's head after
 *    entry count (roomproto_mirror_in_chain): history rewritten after the
 *    console saw it, even by someone holding the seat's disk, its device key
 *    and the release code;
 *  - the console saw the seat's journal diverge between two reports;
 *  - the result carries no journal while the console mirrored heads of its
 *    kiosk, or the console saw the candidate sit at that kiosk but none of
 *    its heads lies in the result's journal.
 * Only records that apply count: a record applies to a result of pack P
 * when it names P among its packs, or names no pack. */
#ifndef ROOMCHECK_H
#define ROOMCHECK_H

#include "core/result.h"
#include "tools/hub/hub.h"
#include "tools/hub/hubcheck.h"

/* Adds to EV the room flags of R from kiosk KIOSK_ID. Returns 0 (checked,
 * or no record covers the kiosk), 1 when the paper is not registered yet
 * (nothing checked: registering it runs the check), -1 with *why. */
int hub_room_check(hub *h, const char *kiosk_id, const result_rec *r, hub_eval *ev, char **why);

/* Checks again every stored result the room record RECORD applies to (its
 * seats' kiosks), adding the new flags: *checked results checked, *flagged
 * of them flagged, *waiting whose paper is not registered; flags raised at
 * NOW. 0 or -1. */
int hub_room_recheck(hub *h, int64_t record, int64_t now, int *checked, int *flagged, int *waiting, char **why);

#endif
