/* html: every HTML page the hub writes (admission tickets, the per-paper
 * report), beside textout's escaping. Pages go to a caller's FILE; writing
 * the files is the caller's. */
#ifndef HTML_H
#define HTML_H

#include <stdio.h>

#include "tools/hub/hubstore.h"
#include "tools/hub/workflow.h"

/* Writes the A4 admission ticket (准考证) of planned candidate C to F.
 * MASKED_ID: the ID number as printed (first 6 and last 4 digits). */
void html_ticket(FILE *f, const wf_cand *c, const char *masked_id);

/* The figures of one paper's report, gathered by the caller. BINS: scores in
 * tens (90-100 in the last). */
typedef struct html_paper {
    char pack_id[33], title[256], kind[16];
    int level, n, passed, absent, pending, bins[10];
    long long sum; /* of the scores, in tenths */
} html_paper;

/* Writes one table row of result R for the per-paper report to ROWS. */
void html_report_row(FILE *rows, const hub_result *r, int flagged); /* FLAGGED: listed, not counted */
/* Writes the report page of paper P to F: figures, a score histogram (SVG)
 * and the table of ROWS (from html_report_row; NULL for none). */
void html_report(FILE *f, const html_paper *p, const char *rows);

#endif
