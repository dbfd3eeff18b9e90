/* paper: one candidate's paper drawn from an opened pack (pack.h) and a
 * 32-byte seed stored with the session: which questions, in which order,
 * and in which order their options are shown (FORMAT.md §2). The same pack and
 * seed always give the same paper. */
#ifndef PAPER_H
#define PAPER_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/bank.h"
#include "core/blueprint.h"

#define PAPER_SEED_BYTES 32

typedef struct paper_item {
    int seq;        /* question.seq in the pack */
    int part;       /* 0-based index into paper.parts */
    qtype type;
    int points;     /* tenths */
    int nopt;       /* options shown (match: right-hand items) */
    int perm[BANK_MAX_OPTIONS]; /* display position i shows original option / right-hand item perm[i] */
    char id[BANK_ID_MAX + 1];
} paper_item;

typedef struct paper_part {
    char heading[96]; /* 一、判断题 */
    qtype type;
    int first, count; /* items [first, first+count) */
    int points_each;  /* tenths; -1 when the part mixes points */
} paper_part;

typedef struct paper {
    paper_item *items;
    int n;
    paper_part *parts;
    int nparts;
    /* exam settings from the pack */
    char title[256];
    char kind[16];
    int level, duration, pass, min_submit, late_entry, show_score;
    multi_partial partial;
    int total_points; /* tenths */
} paper;

/* Draws the paper. Returns 0, or -1 with *why (caller frees). Free with paper_free. */
int paper_draw(sqlite3 *pack, const uint8_t seed[PAPER_SEED_BYTES], paper *out, char **why)
    __attribute__((warn_unused_result));
void paper_free(paper *p);

/* A pack's papers as a source to draw many from (the hub, rescoring every
 * result): the settings, parts, pools and the questions' draw information,
 * read once. paper_source_draw then draws exactly what paper_draw draws from
 * the same seed, without reading the pack: one source may be used by several
 * threads at once. Returns 0, or -1 with *why (caller frees). */
typedef struct paper_source paper_source;
int paper_source_open(sqlite3 *pack, paper_source **out, char **why) __attribute__((warn_unused_result));
int paper_source_draw(const paper_source *src, const uint8_t seed[PAPER_SEED_BYTES], paper *out, char **why)
    __attribute__((warn_unused_result));
/* The highest question seq of the pack (questions are 1..this). */
int paper_source_max_seq(const paper_source *src);
void paper_source_free(paper_source *src);

/* The content of one question, read from the pack (all malloc'd, caller frees
 * with paper_question_free). Options are in ORIGINAL order; for match,
 * options are the left-hand items and right[] the right-hand items in the
 * answer key's order. */
typedef struct paper_question {
    char *stem;
    char *options[BANK_MAX_OPTIONS];
    int noptions;
    char *right[BANK_MAX_OPTIONS];
    int nright;
    char *key; /* normalised answer key */
    int blanks; /* fill: number of blanks */
} paper_question;

int paper_question_load(sqlite3 *pack, int seq, paper_question *q) __attribute__((warn_unused_result));

/* The PNG named NAME from the pack (malloc'd copy in *png; caller frees).
 * Returns 0, or -1 when the pack has no such image. */
int paper_image(sqlite3 *pack, const char *name, uint8_t **png, size_t *len);
void paper_question_free(paper_question *q);

/* An integer exam setting of the unlocked pack's `exam` table (level,
 * late_entry, pass, points, …); 0 when absent. */
int paper_setting(sqlite3 *pack, const char *key);

/* One draw rule of the unlocked pack (a part of every paper drawn from it)
 * with its pool, as the packager checks it (exampack inspect). The strings
 * belong to the pack and live until FN returns. */
typedef struct paper_rule {
    const char *heading; /* 一、判断题 */
    const char *type;    /* as stored: "judge", … */
    const char *section; /* "" when the rule takes any section */
    int count;           /* questions drawn */
    int pool;            /* questions to draw from */
    int min_points, max_points, sum_points; /* tenths, over the pool */
} paper_rule;
typedef int (*paper_rule_fn)(void *ctx, const paper_rule *r);
/* Calls FN for each rule of PACK in paper order; stops when FN returns
 * non-zero. Returns 0, or -1 with *WHY (caller frees) when the pack could
 * not be read (the rules seen so far are then not all of them). */
int paper_each_rule(sqlite3 *pack, paper_rule_fn fn, void *ctx, char **why) __attribute__((warn_unused_result));

#endif
