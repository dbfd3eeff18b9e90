/* eligibility: 申报条件 of the Guangdong e-commerce technician notice,
 * level by level and clause by clause (the notice's annex 1). Pure logic.
 *
 * Reading of the clauses (issue 5): "N年以上" includes N; a clause naming a
 * certificate is met by that certificate or a higher one (levels: 4 电子商务员
 * < 3 助理电子商务师 < 2 电子商务师 < 1 高级电子商务师); "大学专科及以上" is
 * junior_college or higher; "本科学历" is bachelor or higher; training names
 * the level whose formal training was completed, and a clause naming a
 * training is met by exactly that training; "本专业" is major_related = yes and
 * "非本专业" is major_related = no. */
#ifndef ELIGIBILITY_H
#define ELIGIBILITY_H

#include "core/csv.h"
#include "core/diag.h"

typedef enum edu {
    EDU_NONE, EDU_SECONDARY_VOC, EDU_HIGHER_VOC, EDU_JUNIOR_COLLEGE, EDU_BACHELOR, EDU_MASTER, EDU_DOCTOR
} edu;

typedef struct applicant {
    char id_number[19];
    char name[72];
    int level;            /* applied: 4, 3, 2 or 1 */
    double work_years;    /* continuous years in this occupation */
    edu education;
    int major_related;
    int cert;             /* highest certificate level held, 0 = none */
    double cert_years;    /* continuous years in the occupation since obtaining it */
    int training;         /* level of completed formal training, 0 = none */
    double graduated_years;
    long line;
} applicant;

/* Returns the number N of the lowest-numbered clause of A's applied level
 * that holds (the clause is "level.N"), or 0 when none holds. */
int eligibility_clause(const applicant *a);

/* Parses one row of an applicants CSV with the header map from
 * eligibility_header. Returns 0, or -1 after adding one diagnostic. */
typedef struct elig_cols {
    int id, name, level, work, edu, major, cert, cert_years, training, grad;
} elig_cols;
int eligibility_header(const csv_row *h, elig_cols *c, diag *d) __attribute__((warn_unused_result));
/* The eligibility columns (English and Chinese header names), for templates; *N their number. */
const csv_column *eligibility_columns(size_t *n);
int eligibility_row(const csv_row *r, const elig_cols *c, applicant *a, diag *d) __attribute__((warn_unused_result));

/* The CSV name of education level E ("bachelor"), "?" when out of range. */
const char *eligibility_edu_name(edu e);

#endif
