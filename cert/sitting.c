/* sitting: which of a candidate's results counts for one paper (see sitting.h). */
#include "cert/sitting.h"

#include <string.h>

sitting_outcome sitting_decide(const sitting_entry *e, int n, int *chosen)
{
    int kept = -1, nkept = 0, real = -1, nreal = 0, absent = -1;
    *chosen = -1;
    for (int i = 0; i < n; i++) {
        if (e[i].decision == SITTING_KEEP) { /* staff let it in: a flag no longer holds it back */
            if (kept < 0) kept = i;
            nkept++;
            continue;
        }
        if (e[i].flagged || e[i].decision == SITTING_VOID) continue;
        if (e[i].real) {
            if (real < 0) real = i;
            nreal++;
        } else if (absent < 0)
            absent = i;
    }
    if (nkept > 1) return SITTING_CONFLICT;
    if (nkept == 1) {
        *chosen = kept;
        return e[kept].real ? SITTING_SAT : SITTING_ABSENT;
    }
    if (nreal > 1) return SITTING_CONFLICT;
    if (nreal == 1) {
        *chosen = real;
        return SITTING_SAT;
    }
    if (absent >= 0) {
        *chosen = absent;
        return SITTING_ABSENT;
    }
    return SITTING_MISSING;
}

int sitting_contested(const sitting_entry *e, int n)
{
    int nreal = 0;
    for (int i = 0; i < n; i++) nreal += e[i].real && !e[i].flagged;
    return nreal > 1;
}

int sitting_status_real(const char *status)
{
    if (!strcmp(status, "submitted") || !strcmp(status, "timeout") || !strcmp(status, "forced")) return 1;
    if (!strcmp(status, "absent")) return 0;
    return -1;
}

const char *sitting_outcome_name(sitting_outcome o)
{
    switch (o) {
    case SITTING_MISSING: return "missing";
    case SITTING_ABSENT: return "absent";
    case SITTING_SAT: return "sat";
    case SITTING_CONFLICT: return "conflict";
    }
    return "?";
}
