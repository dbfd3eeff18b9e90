/* checks_cmd: examhub's commands of the hub's checks (issue 11; README,
 * "What the hub checks"). Each returns the exit status: 0; 1 on bad input or
 * a storage failure (one line on stderr); 2 on a usage error. */
#ifndef CHECKS_CMD_H
#define CHECKS_CMD_H

/* papers --db FILE: lists the registered papers (CSV); with ADD (a pack),
 * CODE (its release code, "-" from stdin) and BATCH: registers it, then
 * rescores the stored results. */
int checks_papers(const char *db, const char *add, const char *code, const char *batch);
/* flagged --db FILE [--batch B]: every flag with its reason (CSV). */
int checks_flagged(const char *db, const char *batch);
/* kiosks --db FILE: the enrolled kiosks (CSV), revoked ones with why. */
int checks_kiosks(const char *db);
/* revoke --db FILE KIOSK --why TEXT */
int checks_revoke(const char *db, const char *kiosk, const char *why);
/* The user running the command, as recorded with a staff decision. */
void checks_who(char out[64]);

#endif
