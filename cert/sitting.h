/* sitting: which of a candidate's results counts for one paper (README: The
 * certification workflow, "Which sitting counts"). The hub keeps every result
 * it receives; per candidate (ticket) and paper (batch, level, kind) this
 * pure rule decides from the results' kinds, flags and staff decisions:
 *  - a flagged result (it failed a hub check) or a voided one does not count;
 *  - a result staff kept wins over the others (two kept: still a conflict);
 *  - otherwise: one real sitting (submitted, timeout, forced) → that one; an
 *    absence record never overrides a real sitting; only absences → absent;
 *    two or more real sittings → a conflict, until staff decide;
 *  - nothing at all → missing (never absent).
 * The entries come in the hub's order of receipt; no rule here looks at the
 * kiosk's own clock. */
#ifndef SITTING_H
#define SITTING_H

typedef enum sitting_decision { SITTING_UNDECIDED = 0, SITTING_KEEP, SITTING_VOID } sitting_decision;

typedef enum sitting_outcome { SITTING_MISSING = 0, SITTING_ABSENT, SITTING_SAT, SITTING_CONFLICT } sitting_outcome;

/* one stored result of the candidate for the paper, as the rule sees it */
typedef struct sitting_entry {
    int real;                  /* 1: a sitting (submitted, timeout, forced); 0: an absence record */
    int flagged;               /* it failed a hub check (result_flag) */
    sitting_decision decision; /* the latest staff decision on it */
} sitting_entry;

/* The outcome for the N entries E (in order of receipt). *CHOSEN: the index
 * of the entry that counts (SITTING_SAT; SITTING_ABSENT: the first absence
 * record that counts), else -1. */
sitting_outcome sitting_decide(const sitting_entry *e, int n, int *chosen);

/* 1 when the entries hold two or more real sittings that are not flagged,
 * whatever staff decided: a conflict, open or resolved, that
 * `examhub conflicts` lists. */
int sitting_contested(const sitting_entry *e, int n);

/* STATUS of a result: 1 real sitting (submitted, timeout, forced), 0 an
 * absence record (absent), -1 anything else (such a result never counts). */
int sitting_status_real(const char *status);

/* "missing", "absent", "sat", "conflict" */
const char *sitting_outcome_name(sitting_outcome o);

#endif
