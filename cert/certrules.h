/* certrules: the notice's fixed certification rules: fees by level, the
 * registration cut-off on the 15th, ticket and certificate numbers, the pass
 * rule. Pure functions (used by the hub's workflow, unit-tested here). */
#ifndef CERTRULES_H
#define CERTRULES_H

int certrules_fee(int level);                                   /* 元: 410, 460, 800, 1200 */
/* Batch of a registration received on DATE (YYYY-MM-DD): that month when the
 * day is the 15th or earlier, else the next month. Returns 0 and "YYYY-MM". */
int certrules_batch_of(const char *date, char batch[8]);
int certrules_date_valid(const char *date);                     /* YYYY-MM-DD, a real day */
/* Ticket number: YYYYMM(batch) ‖ 44 ‖ room index (2) ‖ seat (3): 13 digits. */
void certrules_ticket(const char *batch, int room_index, int seat, char out[16]);
/* Certificate number, 22 characters: S ‖ body(4) ‖ 44 ‖ site(6) ‖ YY ‖ level ‖ serial(6). */
int certrules_certificate_number(const char *body, const char *site_code, int year, int level, int serial, char out[23]);
/* Final verdict: theory ≥ 60 and practical ≥ 60 (tenths), plus review ≥ 60 for levels 2 and 1. */
int certrules_passes(int level, int theory, int practical, int review);

#endif
