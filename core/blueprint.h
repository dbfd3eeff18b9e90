/* blueprint: the paper plan (组卷方案) read from INI with libinih, and its
 * resolution against a bank: which questions each draw rule may take, with
 * the checks that the paper totals exactly 100 points and that every rule can
 * always be satisfied. */
#ifndef BLUEPRINT_H
#define BLUEPRINT_H

#include <stddef.h>

#include "core/bank.h"
#include "core/diag.h"

#define BLUEPRINT_MAX_RULES 64
#define BLUEPRINT_MAX_BYTES (1u << 20)
#define BLUEPRINT_MAX_EXTRA_DEFAULT 30 /* max_extra when the blueprint (or an older pack) has none */
#define BLUEPRINT_MAX_EXTRA_LIMIT 600

typedef enum { KIND_THEORY, KIND_PRACTICAL } exam_kind;
typedef enum { PARTIAL_NONE, PARTIAL_HALF } multi_partial;

typedef struct bp_rule {
    qtype type;
    char *section;  /* NULL: any section */
    int count;
    int points;     /* tenths per question; -1: every question brings its own */
    long line;
} bp_rule;

typedef struct blueprint {
    char *title;
    int level;           /* 1..5 */
    exam_kind kind;
    int duration;        /* minutes */
    int pass;            /* points */
    int min_submit;      /* minutes after start */
    int late_entry;      /* minutes after unlock */
    int max_extra;       /* minutes of time extensions one sitting may get in all */
    int shuffle_questions, shuffle_options, show_score;
    multi_partial partial;
    bp_rule rules[BLUEPRINT_MAX_RULES];
    size_t nrules;
    long draw_line;      /* line of [draw] */
} blueprint;

/* Per rule, the bank indexes (ascending) it may draw from. */
typedef struct bp_plan {
    size_t *pool[BLUEPRINT_MAX_RULES];
    size_t npool[BLUEPRINT_MAX_RULES];
    int total_points;    /* tenths; 1000 when valid */
    int questions;       /* questions on every candidate's paper */
} bp_plan;

/* Parses INI bytes. Mistakes go to D, one line each; returns 0 or -1.
 * Free with blueprint_free. */
int blueprint_parse(const char *buf, size_t len, blueprint *out, diag *d) __attribute__((warn_unused_result));
void blueprint_free(blueprint *bp);

/* Resolves BP against B (see file comment). Returns 0 or -1 with D filled. */
int blueprint_resolve(const blueprint *bp, const bank *b, bp_plan *plan, diag *d)
    __attribute__((warn_unused_result));
void blueprint_plan_free(bp_plan *plan);

/* Effective points (tenths) of bank question Q under rule R. */
int blueprint_points(const bp_rule *r, const question *q);

const char *exam_kind_name(exam_kind k);

#endif
