/* incidents: `examhub incidents`, the room record (考场记录) of a batch
 * (README: The room record). */
#ifndef INCIDENTS_H
#define INCIDENTS_H

#include "tools/hub/workflow_cmd.h"

/* Prints the batch's room record as CSV (o->csv, to standard output) or,
 * with HTML, writes it as an HTML page to o->out (0600). Returns the exit
 * status: 0, 1 on a storage failure, 2 on misuse. */
int incidents_run(const wopts *o, int html);

#endif
