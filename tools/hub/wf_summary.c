/* wf_summary: the counts of every batch for the staff pages' batch list
 * (README: The staff pages), from the same walks as the commands:
 * applications (examhub applications), the papers of the planned
 * (examhub progress) and the final results (examhub final). No SQL here. */
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "tools/hub/workflow_cmd_int.h"

typedef struct sum_ctx {
    wf_batch_counts *v;
    int n, cap;
    wf_batch_counts *cur; /* the batch the paper and final walks count into */
} sum_ctx;

static wf_batch_counts *batch_of(sum_ctx *sc, const char *batch)
{
    for (int i = 0; i < sc->n; i++)
        if (!strcmp(sc->v[i].batch, batch)) return &sc->v[i];
    if (sc->n == sc->cap) {
        int cap = sc->cap ? sc->cap * 2 : 8;
        wf_batch_counts *nv = realloc(sc->v, (size_t)cap * sizeof *nv);
        if (!nv) return NULL;
        sc->v = nv;
        sc->cap = cap;
    }
    wf_batch_counts *b = &sc->v[sc->n++];
    memset(b, 0, sizeof *b);
    snprintf(b->batch, sizeof b->batch, "%s", batch);
    return b;
}

static int count_app(void *ctx, const wf_cand *c)
{
    wf_batch_counts *b = batch_of(ctx, c->batch);
    if (!b) return 1;
    b->applications++;
    b->eligible += c->clause[0] != 0;
    b->paid += c->paid >= c->fee;
    b->planned += c->ticket[0] != 0;
    return 0;
}

static int count_paper(void *ctx, const paper_view *p)
{
    wf_batch_counts *b = ((sum_ctx *)ctx)->cur;
    b->results += p->n;
    for (int i = 0; i < p->n; i++) b->flagged += p->v[i].flagged > 0 && p->v[i].decision != SITTING_KEEP;
    b->missing += p->outcome == SITTING_MISSING;
    b->conflicts += p->outcome == SITTING_CONFLICT;
    return 0;
}

static int count_final(void *ctx, const wf_final *f)
{
    ((sum_ctx *)ctx)->cur->passed += wfc_final_passed(f);
    return 0;
}

static int newest_first(const void *a, const void *b)
{
    return strcmp(((const wf_batch_counts *)b)->batch, ((const wf_batch_counts *)a)->batch);
}

int wfc_batch_counts(hubstore *s, int margin, wf_batch_counts **out, int *n, char **why)
{
    sum_ctx sc = {NULL, 0, 0, NULL};
    *out = NULL;
    *n = 0;
    *why = NULL;
    if (wf_each_application(s, NULL, count_app, &sc, why)) goto fail;
    if (sc.n > 1) qsort(sc.v, (size_t)sc.n, sizeof *sc.v, newest_first);
    for (int i = 0; i < sc.n; i++) {
        sc.cur = &sc.v[i];
        if (!sc.v[i].planned) continue;
        if (wfc_each_paper(s, sc.v[i].batch, count_paper, &sc, why) ||
            wf_each_final(s, sc.v[i].batch, margin, count_final, &sc, why))
            goto fail;
    }
    *out = sc.v;
    *n = sc.n;
    return 0;
fail:
    if (!*why) *why = fileio_fmt("out of memory");
    free(sc.v);
    return -1;
}
