/* incidents: `examhub incidents`, the room record (考场记录) of a batch
 * (README: The room record). */
#ifndef INCIDENTS_H
#define INCIDENTS_H

#include <stdio.h>

#include "tools/hub/hubstore.h"
#include "tools/hub/workflow_cmd.h"

/* Prints the batch's room record as CSV (o->csv, to standard output) or,
 * with HTML, writes it as an HTML page to o->out (0600). Returns the exit
 * status: 0, 1 on a storage failure, 2 on misuse. */
int incidents_run(const wopts *o, int html);

/* The room record of BATCH in S into F: the CSV rows (no header) or, with
 * HTML, a heading (h2) and a table per room (every field escaped; a row of
 * an integrity finding has class "integrity"), for the command's page and
 * the staff pages' results page. *ENTRIES and *SITTINGS: the lines written
 * and the results read. 0, or -1 with *WHY (a storage failure). */
int incidents_write(hubstore *s, const char *batch, FILE *f, int html, int *entries, int *sittings, char **why);

#endif
