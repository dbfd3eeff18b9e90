/* eligibility: clauses of the notice's 申报条件 (see eligibility.h). */
#include "cert/eligibility.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/idnumber.h"
#include "core/text.h"

static const char *EDU_NAMES[] = {"none", "secondary_vocational", "higher_vocational", "junior_college", "bachelor",
                                  "master", "doctor"};

const char *eligibility_edu_name(edu e) { return (unsigned)e < sizeof EDU_NAMES / sizeof *EDU_NAMES ? EDU_NAMES[e] : "?"; }

/* certificate of level L or higher (a smaller number is a higher level) */
static int cert_at_least(const applicant *a, int l) { return a->cert >= 1 && a->cert <= l; }
static int college_plus(const applicant *a) { return a->education >= EDU_JUNIOR_COLLEGE; }
static int bachelor_plus(const applicant *a) { return a->education >= EDU_BACHELOR; }
static int postgrad(const applicant *a) { return a->education == EDU_MASTER || a->education == EDU_DOCTOR; }

int eligibility_clause(const applicant *a)
{
    switch (a->level) {
    case 4: /* 四级/中级工 */
        if (a->work_years >= 1) return 1;
        if (a->education == EDU_SECONDARY_VOC && a->major_related) return 2;
        if (a->training == 4) return 3;
        return 0;
    case 3: /* 三级/高级工 */
        if (a->work_years >= 6) return 1;
        if (a->education == EDU_HIGHER_VOC && a->major_related) return 2;
        if (cert_at_least(a, 4) && a->cert_years >= 4) return 3;
        if (cert_at_least(a, 4) && a->cert_years >= 3 && a->training == 3) return 4;
        if (college_plus(a) && a->major_related) return 5;
        if (college_plus(a) && !a->major_related && a->work_years >= 1) return 6;
        if (college_plus(a) && !a->major_related && a->training == 3) return 7;
        return 0;
    case 2: /* 二级/技师 */
        if (a->work_years >= 13) return 1;
        if (cert_at_least(a, 3) && a->cert_years >= 5) return 2;
        if (cert_at_least(a, 3) && a->cert_years >= 4 && a->training == 2) return 3;
        if (bachelor_plus(a) && a->major_related && cert_at_least(a, 3) && a->cert_years >= 4) return 4;
        if (bachelor_plus(a) && a->major_related && cert_at_least(a, 3) && a->cert_years >= 3 && a->training == 2) return 5;
        if (bachelor_plus(a) && !a->major_related && cert_at_least(a, 3) && a->cert_years >= 4 && a->training == 2)
            return 6;
        if (postgrad(a) && a->work_years >= 2) return 7;
        return 0;
    case 1: /* 一级/高级技师 */
        if (a->work_years >= 19) return 1;
        if (cert_at_least(a, 2) && a->cert_years >= 4) return 2;
        if (cert_at_least(a, 2) && a->cert_years >= 3 && a->training == 1) return 3;
        if ((a->education == EDU_BACHELOR && a->graduated_years >= 13) || (postgrad(a) && a->graduated_years >= 8))
            return 4;
        return 0;
    }
    return 0;
}

/* ---- CSV ------------------------------------------------------------------ */

static const csv_column COLS[] = {
    {"id_number", "身份证号", 1},     {"name", "姓名", 0},       {"applied_level", "申报级别", 1},
    {"work_years", "工作年限", 1},    {"education", "学历", 1},  {"major_related", "本专业", 1},
    {"cert", "证书", 1},              {"cert_years", "取证年限", 1}, {"training", "培训", 1},
    {"graduated_years", "毕业年限", 1},
};
#define NCOLS (sizeof COLS / sizeof *COLS)

const csv_column *eligibility_columns(size_t *n)
{
    *n = NCOLS;
    return COLS;
}

int eligibility_header(const csv_row *h, elig_cols *c, diag *d)
{
    int map[NCOLS];
    int rc = csv_header_map(h, COLS, NCOLS, map, 0, d); /* the same file may carry other commands' columns */
    int *to[NCOLS] = {&c->id, &c->name, &c->level, &c->work, &c->edu, &c->major, &c->cert, &c->cert_years, &c->training,
                      &c->grad};
    for (size_t k = 0; k < NCOLS; k++) *to[k] = map[k];
    return rc;
}

static const char *cell(const csv_row *r, int i) { return i >= 0 && (size_t)i < r->ncells ? r->cells[i] : ""; }

static int years(const char *s, double *out)
{
    int64_t v;
    if (!*s) { *out = 0; return 0; }
    if (text_decimal(s, &v) || v < 0 || v > 100 * TEXT_DECIMAL_SCALE) return -1;
    *out = (double)v / TEXT_DECIMAL_SCALE;
    return 0;
}

static int level_of(const char *s, int allow_empty, int *out)
{
    if (!*s && allow_empty) { *out = 0; return 0; }
    if (strlen(s) == 1 && s[0] >= '1' && s[0] <= '4') { *out = s[0] - '0'; return 0; }
    return -1;
}

int eligibility_row(const csv_row *r, const elig_cols *c, applicant *a, diag *d)
{
    memset(a, 0, sizeof *a);
    a->line = r->line;
    char *v[10];
    int idx[10] = {c->id, c->name, c->level, c->work, c->edu, c->major, c->cert, c->cert_years, c->training, c->grad};
    for (int i = 0; i < 10; i++) v[i] = text_trim(cell(r, idx[i]));
    int rc = -1;
    for (int i = 0; i < 10; i++)
        if (!v[i]) { diag_add(d, r->line, "out of memory"); goto out; }
    idnumber_normalise(v[0]);
    if (!idnumber_valid(v[0])) { diag_add_at(d, r->line, c->id, "ID number '%s' fails the GB 11643-1999 checksum", v[0]); goto out; }
    snprintf(a->id_number, sizeof a->id_number, "%s", v[0]);
    snprintf(a->name, sizeof a->name, "%s", v[1]);
    if (level_of(v[2], 0, &a->level)) { diag_add_at(d, r->line, c->level, "applied_level '%s' must be 4, 3, 2 or 1", v[2]); goto out; }
    if (years(v[3], &a->work_years)) { diag_add_at(d, r->line, c->work, "work_years '%s' is not a number of years", v[3]); goto out; }
    int e = -1;
    for (int k = 0; k < (int)(sizeof EDU_NAMES / sizeof *EDU_NAMES); k++)
        if (!strcasecmp(v[4], EDU_NAMES[k])) e = k;
    if (!*v[4]) e = EDU_NONE;
    if (e < 0) {
        diag_add_at(d, r->line, c->edu, "education '%s' is unknown (none, secondary_vocational, higher_vocational, junior_college, "
                             "bachelor, master, doctor)", v[4]);
        goto out;
    }
    a->education = (edu)e;
    if (!strcasecmp(v[5], "yes") || !strcmp(v[5], "是")) a->major_related = 1;
    else if (!strcasecmp(v[5], "no") || !strcmp(v[5], "否") || !*v[5]) a->major_related = 0;
    else { diag_add_at(d, r->line, c->major, "major_related '%s' must be yes or no", v[5]); goto out; }
    if (level_of(v[6], 1, &a->cert)) { diag_add_at(d, r->line, c->cert, "cert '%s' must be 4, 3, 2, 1 or empty", v[6]); goto out; }
    if (years(v[7], &a->cert_years)) { diag_add_at(d, r->line, c->cert_years, "cert_years '%s' is not a number of years", v[7]); goto out; }
    if (level_of(v[8], 1, &a->training)) { diag_add_at(d, r->line, c->training, "training '%s' must be 4, 3, 2, 1 or empty", v[8]); goto out; }
    if (years(v[9], &a->graduated_years)) { diag_add_at(d, r->line, c->grad, "graduated_years '%s' is not a number of years", v[9]); goto out; }
    rc = 0;
out:
    for (int i = 0; i < 10; i++) free(v[i]);
    return rc;
}
