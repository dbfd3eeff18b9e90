/* template: the .xlsx templates of `exampack template` (libxlsxwriter): a
 * question bank (题库: one example row per question type), a room roster
 * (考生名单) or the hub's applications (报名表), each a first sheet with the
 * Chinese header names the readers take (the column tables of core/bank.c,
 * core/roster.c and cert/eligibility.c), the widths set, the identifier
 * columns formatted as text, and a second sheet 说明 on the columns. The
 * readers (core/xlsx.h) read every template back as it is. */
#ifndef TEMPLATE_H
#define TEMPLATE_H

/* The kinds: "bank", "roster", "applications"; NULL when K is none of them. */
const char *template_kind(const char *k);

/* Writes the template of KIND to PATH (through a temporary file beside it,
 * renamed: nothing half-written). 0, or -1 with *why (caller frees). */
int template_write(const char *path, const char *kind, char **why);

#endif
