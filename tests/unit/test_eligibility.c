/* Unit tests for cert/eligibility.c: the notice's 申报条件 (annex 1, section 二),
 * clause by clause, and the applicants CSV header/row parser.
 *
 * Every clause L.N has a case where it is the lowest-numbered clause that
 * holds (so eligibility_clause returns N) and a case that just fails it (one
 * year short, or one requirement missing). Exception: 2.6 is stricter than
 * 2.3 in every respect (2.3 asks for the same certificate, years and
 * training, without the degree), so an applicant meeting 2.6 always meets
 * 2.3 and 2.3 wins; test_level2_clause6 shows that. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"
#include "core/diag.h"
#include "cert/eligibility.h"

/* ---- helpers ------------------------------------------------------------- */

enum { NO = 0, YES = 1 };

/* The clause number for an applicant for LEVEL with these facts. */
static int clause(int level, double work, edu e, int major, int cert, double cert_years, int training, double grad)
{
    applicant a;
    memset(&a, 0, sizeof a);
    snprintf(a.id_number, sizeof a.id_number, "%s", "11010519491231002X");
    a.level = level;
    a.work_years = work;
    a.education = e;
    a.major_related = major;
    a.cert = cert;
    a.cert_years = cert_years;
    a.training = training;
    a.graduated_years = grad;
    a.line = 2;
    return eligibility_clause(&a);
}

/*            level work  education        major cert cyears train grad */
#define L4(...) clause(4, __VA_ARGS__)
#define L3(...) clause(3, __VA_ARGS__)
#define L2(...) clause(2, __VA_ARGS__)
#define L1(...) clause(1, __VA_ARGS__)

/* ---- 四级/中级工 ------------------------------------------------------------ */

/* 1、在本职业连续工作1年以上。 */
static void test_level4_clause1(void **state)
{
    (void)state;
    assert_int_equal(L4(1, EDU_NONE, NO, 0, 0, 0, 0), 1);    /* exactly 1 year */
    assert_int_equal(L4(7.5, EDU_NONE, NO, 0, 0, 0, 0), 1);
    assert_int_equal(L4(0.99, EDU_NONE, NO, 0, 0, 0, 0), 0); /* just short */
    assert_int_equal(L4(0, EDU_NONE, NO, 0, 0, 0, 0), 0);
}

/* 2、具有以中级技能为培养目标的技工学校和中等职业学校本专业毕业证书。 */
static void test_level4_clause2(void **state)
{
    (void)state;
    assert_int_equal(L4(0.5, EDU_SECONDARY_VOC, YES, 0, 0, 0, 0), 2);
    assert_int_equal(L4(0, EDU_SECONDARY_VOC, YES, 0, 0, 0, 3), 2);
    assert_int_equal(L4(0.5, EDU_SECONDARY_VOC, NO, 0, 0, 0, 0), 0); /* 非本专业 */
    assert_int_equal(L4(0.5, EDU_NONE, YES, 0, 0, 0, 0), 0);         /* no such diploma */
}

/* 3、经本职业电子商务员正规培训达规定标准学时数,并取得结业证书。 */
static void test_level4_clause3(void **state)
{
    (void)state;
    assert_int_equal(L4(0.5, EDU_NONE, NO, 0, 0, 4, 0), 3);
    assert_int_equal(L4(0.5, EDU_SECONDARY_VOC, NO, 0, 0, 4, 0), 3);
    assert_int_equal(L4(0.5, EDU_NONE, NO, 0, 0, 0, 0), 0); /* no training */
    assert_int_equal(L4(0.5, EDU_NONE, NO, 0, 0, 3, 0), 0); /* 助理电子商务师 training, not 电子商务员 */
}

static void test_level4_lowest_wins(void **state)
{
    (void)state;
    assert_int_equal(L4(2, EDU_SECONDARY_VOC, YES, 0, 0, 4, 0), 1); /* 1, 2 and 3 hold */
    assert_int_equal(L4(0, EDU_SECONDARY_VOC, YES, 0, 0, 4, 0), 2); /* 2 and 3 hold */
}

/* ---- 三级/高级工 ------------------------------------------------------------ */

/* 1、在本职业连续工作6年以上。 */
static void test_level3_clause1(void **state)
{
    (void)state;
    assert_int_equal(L3(6, EDU_NONE, NO, 0, 0, 0, 0), 1);    /* exactly 6 years */
    assert_int_equal(L3(5.99, EDU_NONE, NO, 0, 0, 0, 0), 0); /* just short */
    assert_int_equal(L3(5, EDU_NONE, NO, 0, 0, 0, 0), 0);
}

/* 2、具有以高级技能为培养目标的高级技工学校、技师学院和职业技术学院本专业毕业证书。 */
static void test_level3_clause2(void **state)
{
    (void)state;
    assert_int_equal(L3(0.5, EDU_HIGHER_VOC, YES, 0, 0, 0, 0), 2);
    assert_int_equal(L3(5, EDU_HIGHER_VOC, YES, 0, 0, 0, 0), 2);
    assert_int_equal(L3(0.5, EDU_HIGHER_VOC, NO, 0, 0, 0, 0), 0);    /* 非本专业 */
    assert_int_equal(L3(0.5, EDU_SECONDARY_VOC, YES, 0, 0, 0, 0), 0); /* a 中级 school's diploma */
}

/* 3、取得本职业电子商务员职业资格证书后,连续从事本职业工作4年以上。 */
static void test_level3_clause3(void **state)
{
    (void)state;
    assert_int_equal(L3(4, EDU_NONE, NO, 4, 4, 0, 0), 3);       /* exactly 4 years */
    assert_int_equal(L3(4, EDU_NONE, NO, 4, 3.99, 0, 0), 0);    /* just short */
    assert_int_equal(L3(4, EDU_NONE, NO, 0, 4, 0, 0), 0);       /* no certificate */
    assert_int_equal(L3(5, EDU_HIGHER_VOC, NO, 4, 5, 0, 0), 3); /* 非本专业 higher_voc is not 3.2 */
}

/* 4、取得本职业电子商务员职业资格证书后,连续从事本职业工作3年以上,经本职业
 *    助理电子商务师正规培训达规定标准学时数,并取得结业证书。 */
static void test_level3_clause4(void **state)
{
    (void)state;
    assert_int_equal(L3(3, EDU_NONE, NO, 4, 3, 3, 0), 4);    /* exactly 3 years */
    assert_int_equal(L3(3.5, EDU_NONE, NO, 4, 3.5, 3, 0), 4);
    assert_int_equal(L3(3, EDU_NONE, NO, 4, 2.99, 3, 0), 0); /* just short */
    assert_int_equal(L3(3, EDU_NONE, NO, 4, 3, 0, 0), 0);    /* no training */
    assert_int_equal(L3(3, EDU_NONE, NO, 4, 3, 4, 0), 0);    /* 电子商务员 training, not 助理 */
    assert_int_equal(L3(3, EDU_NONE, NO, 4, 3, 2, 0), 0);    /* 电子商务师 training, not 助理 */
    assert_int_equal(L3(3, EDU_NONE, NO, 0, 3, 3, 0), 0);    /* no certificate */
}

/* 5、具有本专业大学专科及以上毕业证书。 */
static void test_level3_clause5(void **state)
{
    (void)state;
    assert_int_equal(L3(0, EDU_JUNIOR_COLLEGE, YES, 0, 0, 0, 0), 5);
    assert_int_equal(L3(0, EDU_BACHELOR, YES, 0, 0, 0, 0), 5);
    assert_int_equal(L3(0, EDU_MASTER, YES, 0, 0, 0, 0), 5);
    assert_int_equal(L3(0, EDU_DOCTOR, YES, 0, 0, 0, 0), 5);
    assert_int_equal(L3(0.5, EDU_JUNIOR_COLLEGE, NO, 0, 0, 0, 0), 0); /* 非本专业, under 1 year */
    assert_int_equal(L3(0.5, EDU_NONE, YES, 0, 0, 0, 0), 0);          /* no diploma */
}

/* 6、具有非本专业大学专科及以上毕业证书,连续从事本职业工作1年以上。 */
static void test_level3_clause6(void **state)
{
    (void)state;
    assert_int_equal(L3(1, EDU_JUNIOR_COLLEGE, NO, 0, 0, 0, 0), 6);    /* exactly 1 year */
    assert_int_equal(L3(1, EDU_DOCTOR, NO, 0, 0, 0, 0), 6);
    assert_int_equal(L3(0.99, EDU_JUNIOR_COLLEGE, NO, 0, 0, 0, 0), 0); /* just short */
    assert_int_equal(L3(1, EDU_HIGHER_VOC, NO, 0, 0, 0, 0), 0);        /* not 大学专科 */
    assert_int_equal(L3(1, EDU_SECONDARY_VOC, NO, 0, 0, 0, 0), 0);
}

/* 7、具有非本专业大学专科及以上毕业证书,经本职业助理电子商务师正规培训达规定
 *    标准学时数,并取得结业证书。 */
static void test_level3_clause7(void **state)
{
    (void)state;
    assert_int_equal(L3(0.5, EDU_JUNIOR_COLLEGE, NO, 0, 0, 3, 0), 7);
    assert_int_equal(L3(0, EDU_BACHELOR, NO, 0, 0, 3, 0), 7);
    assert_int_equal(L3(0.5, EDU_JUNIOR_COLLEGE, NO, 0, 0, 4, 0), 0); /* 电子商务员 training */
    assert_int_equal(L3(0.5, EDU_JUNIOR_COLLEGE, NO, 0, 0, 0, 0), 0); /* no training */
    assert_int_equal(L3(0.5, EDU_HIGHER_VOC, NO, 0, 0, 3, 0), 0);     /* not 大学专科 */
}

static void test_level3_lowest_wins(void **state)
{
    (void)state;
    assert_int_equal(L3(6, EDU_JUNIOR_COLLEGE, YES, 4, 6, 3, 0), 1); /* 1, 3, 4, 5 hold */
    assert_int_equal(L3(4, EDU_HIGHER_VOC, YES, 4, 4, 0, 0), 2);     /* 2 and 3 hold */
    assert_int_equal(L3(4, EDU_NONE, NO, 4, 4, 3, 0), 3);            /* 3 and 4 hold */
    assert_int_equal(L3(3, EDU_JUNIOR_COLLEGE, YES, 4, 3, 3, 0), 4); /* 4 and 5 hold */
    assert_int_equal(L3(2, EDU_BACHELOR, NO, 0, 0, 3, 0), 6);        /* 6 and 7 hold */
}

static void test_level3_higher_certificate(void **state)
{
    (void)state;
    /* 3.3 and 3.4 name 电子商务员 (4): 助理 (3), 电子商务师 (2) and 高级 (1) do too */
    for (int cert = 1; cert <= 3; cert++) {
        assert_int_equal(L3(4, EDU_NONE, NO, cert, 4, 0, 0), 3);
        assert_int_equal(L3(3, EDU_NONE, NO, cert, 3, 3, 0), 4);
    }
}

/* ---- 二级/技师 -------------------------------------------------------------- */

/* 1、在本职业连续工作13年以上。 */
static void test_level2_clause1(void **state)
{
    (void)state;
    assert_int_equal(L2(13, EDU_NONE, NO, 0, 0, 0, 0), 1);     /* exactly 13 years */
    assert_int_equal(L2(12.99, EDU_NONE, NO, 0, 0, 0, 0), 0);  /* just short */
    assert_int_equal(L2(12, EDU_NONE, NO, 4, 12, 0, 0), 0);    /* 电子商务员 is not enough */
}

/* 2、取得本职业助理电子商务师职业资格证书后,连续从事本职业工作5年以上。 */
static void test_level2_clause2(void **state)
{
    (void)state;
    assert_int_equal(L2(5, EDU_NONE, NO, 3, 5, 0, 0), 2);      /* exactly 5 years */
    assert_int_equal(L2(5, EDU_NONE, NO, 3, 4.99, 0, 0), 0);   /* just short */
    assert_int_equal(L2(5, EDU_NONE, NO, 4, 5, 0, 0), 0);      /* certificate one level too low */
    assert_int_equal(L2(8, EDU_NONE, NO, 4, 8, 0, 0), 0);
}

/* 3、取得本职业助理电子商务师职业资格证书后,连续从事本职业工作4年以上,经本职业
 *    电子商务师正规培训达规定标准学时数,并取得结业证书。 */
static void test_level2_clause3(void **state)
{
    (void)state;
    assert_int_equal(L2(4, EDU_NONE, NO, 3, 4, 2, 0), 3);      /* exactly 4 years */
    assert_int_equal(L2(4, EDU_NONE, NO, 3, 3.99, 2, 0), 0);   /* just short */
    assert_int_equal(L2(4, EDU_NONE, NO, 3, 4, 3, 0), 0);      /* 助理 training, not 电子商务师 */
    assert_int_equal(L2(4, EDU_NONE, NO, 3, 4, 1, 0), 0);      /* 高级 training, not 电子商务师 */
    assert_int_equal(L2(4, EDU_NONE, NO, 3, 4, 0, 0), 0);      /* no training */
    assert_int_equal(L2(4, EDU_NONE, NO, 4, 4, 2, 0), 0);      /* certificate one level too low */
}

/* 4、具有本专业大学本科学历,取得本职业助理电子商务师职业资格证书后,连续从事
 *    本职业工作4年以上。 */
static void test_level2_clause4(void **state)
{
    (void)state;
    assert_int_equal(L2(4, EDU_BACHELOR, YES, 3, 4, 0, 0), 4);       /* exactly 4 years */
    assert_int_equal(L2(4, EDU_BACHELOR, YES, 3, 3.99, 0, 0), 0);    /* just short */
    assert_int_equal(L2(4, EDU_BACHELOR, NO, 3, 4, 0, 0), 0);        /* 非本专业 */
    assert_int_equal(L2(4, EDU_JUNIOR_COLLEGE, YES, 3, 4, 0, 0), 0); /* 大学专科 is not 本科 */
    assert_int_equal(L2(4, EDU_BACHELOR, YES, 4, 4, 0, 0), 0);       /* certificate one level too low */
    assert_int_equal(L2(4, EDU_BACHELOR, YES, 0, 4, 0, 0), 0);       /* no certificate */
}

/* 5、具有本专业大学本科学历,取得助理电子商务师职业资格证书后,连续从事本职业工作
 *    3年以上,经本职业电子商务师正规培训达规定标准学时数,并取得结业证书。 */
static void test_level2_clause5(void **state)
{
    (void)state;
    assert_int_equal(L2(3, EDU_BACHELOR, YES, 3, 3, 2, 0), 5);       /* exactly 3 years */
    assert_int_equal(L2(3, EDU_BACHELOR, YES, 3, 2.99, 2, 0), 0);    /* just short */
    assert_int_equal(L2(3, EDU_BACHELOR, YES, 3, 3, 3, 0), 0);       /* 助理 training */
    assert_int_equal(L2(3, EDU_BACHELOR, YES, 3, 3, 0, 0), 0);       /* no training */
    assert_int_equal(L2(3, EDU_BACHELOR, NO, 3, 3, 2, 0), 0);        /* 非本专业 */
    assert_int_equal(L2(3, EDU_JUNIOR_COLLEGE, YES, 3, 3, 2, 0), 0); /* 大学专科 */
    assert_int_equal(L2(3, EDU_BACHELOR, YES, 4, 3, 2, 0), 0);       /* certificate one level too low */
}

/* 6、具有非本专业大学本科学历,取得本职业助理电子商务师职业资格证书后,连续从事
 *    本职业工作4年以上,经本职业电子商务师正规培训达规定标准学时数,并取得结业证书。
 * Whoever meets 6 also meets 3 (same certificate, years and training), so 3
 * is the lowest-numbered clause that holds: eligibility_clause never returns 6. */
static void test_level2_clause6(void **state)
{
    (void)state;
    assert_int_equal(L2(4, EDU_BACHELOR, NO, 3, 4, 2, 0), 3);       /* 6 holds, and so does 3 */
    assert_int_equal(L2(4, EDU_BACHELOR, NO, 3, 3.99, 2, 0), 0);    /* just short */
    assert_int_equal(L2(4, EDU_BACHELOR, NO, 3, 4, 3, 0), 0);       /* 助理 training */
    assert_int_equal(L2(4, EDU_BACHELOR, NO, 4, 4, 2, 0), 0);       /* certificate one level too low */
    /* no applicant of the notice's model gets 2.6 */
    const edu E[] = {EDU_NONE, EDU_SECONDARY_VOC, EDU_HIGHER_VOC, EDU_JUNIOR_COLLEGE, EDU_BACHELOR, EDU_MASTER, EDU_DOCTOR};
    const double Y[] = {0, 1.99, 2, 2.99, 3, 3.99, 4, 4.99, 5, 12.99, 13};
    for (size_t e = 0; e < sizeof E / sizeof *E; e++)
        for (int major = 0; major <= 1; major++)
            for (int cert = 0; cert <= 4; cert++)
                for (int tr = 0; tr <= 4; tr++)
                    for (size_t y = 0; y < sizeof Y / sizeof *Y; y++)
                        assert_int_not_equal(L2(Y[y], E[e], major, cert, Y[y], tr, Y[y]), 6);
}

/* 7、具有硕士研究生及以上学历,连续从事本职业工作2年以上。 */
static void test_level2_clause7(void **state)
{
    (void)state;
    assert_int_equal(L2(2, EDU_MASTER, NO, 0, 0, 0, 0), 7);    /* exactly 2 years */
    assert_int_equal(L2(2, EDU_DOCTOR, YES, 0, 0, 0, 0), 7);
    assert_int_equal(L2(1.99, EDU_MASTER, NO, 0, 0, 0, 0), 0); /* just short */
    assert_int_equal(L2(2, EDU_BACHELOR, YES, 0, 0, 0, 0), 0); /* 本科 is not 硕士 */
}

static void test_level2_lowest_wins(void **state)
{
    (void)state;
    assert_int_equal(L2(13, EDU_MASTER, YES, 3, 5, 2, 0), 1);    /* 1, 2, 3, 4, 5, 7 hold */
    assert_int_equal(L2(5, EDU_BACHELOR, YES, 3, 5, 2, 0), 2);   /* 2, 3, 4, 5 hold */
    assert_int_equal(L2(4, EDU_BACHELOR, YES, 3, 4, 2, 0), 3);   /* 3, 4, 5 hold */
    assert_int_equal(L2(4, EDU_MASTER, YES, 3, 4, 0, 0), 4);     /* 4 and 7 hold */
    assert_int_equal(L2(3, EDU_DOCTOR, YES, 3, 3, 2, 0), 5);     /* 5 and 7 hold */
}

static void test_level2_higher_certificate(void **state)
{
    (void)state;
    /* 2.2-2.6 name 助理电子商务师 (3): 电子商务师 (2) and 高级电子商务师 (1) do too */
    for (int cert = 1; cert <= 2; cert++) {
        assert_int_equal(L2(5, EDU_NONE, NO, cert, 5, 0, 0), 2);
        assert_int_equal(L2(4, EDU_NONE, NO, cert, 4, 2, 0), 3);
        assert_int_equal(L2(4, EDU_BACHELOR, YES, cert, 4, 0, 0), 4);
        assert_int_equal(L2(3, EDU_BACHELOR, YES, cert, 3, 2, 0), 5);
    }
}

/* 本科学历 is bachelor, master or doctor; 大学专科 is not */
static void test_bachelor_vs_junior_college(void **state)
{
    (void)state;
    assert_int_equal(L2(4, EDU_BACHELOR, YES, 3, 4, 0, 0), 4);
    assert_int_equal(L2(4, EDU_DOCTOR, YES, 3, 4, 0, 0), 4);
    assert_int_equal(L2(4, EDU_JUNIOR_COLLEGE, YES, 3, 4, 0, 0), 0);
    assert_int_equal(L2(3, EDU_MASTER, YES, 3, 3, 2, 0), 5);
    assert_int_equal(L2(3, EDU_JUNIOR_COLLEGE, YES, 3, 3, 2, 0), 0);
    assert_int_equal(L2(3, EDU_HIGHER_VOC, YES, 3, 3, 2, 0), 0);
    /* while for 三级 a 大学专科 is enough */
    assert_int_equal(L3(0, EDU_JUNIOR_COLLEGE, YES, 0, 0, 0, 0), 5);
}

/* ---- 一级/高级技师 ---------------------------------------------------------- */

/* 1、在本职业连续工作19年以上。 */
static void test_level1_clause1(void **state)
{
    (void)state;
    assert_int_equal(L1(19, EDU_NONE, NO, 0, 0, 0, 0), 1);    /* exactly 19 years */
    assert_int_equal(L1(18.99, EDU_NONE, NO, 0, 0, 0, 0), 0); /* just short */
    assert_int_equal(L1(18, EDU_NONE, NO, 3, 18, 0, 0), 0);   /* 助理 is not enough */
}

/* 2、取得本职业电子商务师职业资格证书后,连续从事本职业工作4年以上。 */
static void test_level1_clause2(void **state)
{
    (void)state;
    assert_int_equal(L1(4, EDU_NONE, NO, 2, 4, 0, 0), 2);    /* exactly 4 years */
    assert_int_equal(L1(4, EDU_NONE, NO, 1, 4, 0, 0), 2);    /* a higher certificate */
    assert_int_equal(L1(4, EDU_NONE, NO, 2, 3.99, 0, 0), 0); /* just short */
    assert_int_equal(L1(4, EDU_NONE, NO, 3, 4, 0, 0), 0);    /* certificate one level too low */
}

/* 3、取得本职业电子商务师职业资格证书后,连续从事本职业工作3年以上,经本职业高级
 *    电子商务师正规培训达规定标准学时数,并取得结业证书。 */
static void test_level1_clause3(void **state)
{
    (void)state;
    assert_int_equal(L1(3, EDU_NONE, NO, 2, 3, 1, 0), 3);    /* exactly 3 years */
    assert_int_equal(L1(3, EDU_NONE, NO, 1, 3, 1, 0), 3);    /* a higher certificate */
    assert_int_equal(L1(3, EDU_NONE, NO, 2, 2.99, 1, 0), 0); /* just short */
    assert_int_equal(L1(3, EDU_NONE, NO, 2, 3, 2, 0), 0);    /* 电子商务师 training, not 高级 */
    assert_int_equal(L1(3, EDU_NONE, NO, 2, 3, 0, 0), 0);    /* no training */
    assert_int_equal(L1(3, EDU_NONE, NO, 3, 3, 1, 0), 0);    /* certificate one level too low */
}

/* 4、本科生毕业13年以上,硕士、博士研究生毕业8年以上。 */
static void test_level1_clause4(void **state)
{
    (void)state;
    assert_int_equal(L1(0, EDU_BACHELOR, NO, 0, 0, 0, 13), 4);   /* bachelor, exactly 13 years */
    assert_int_equal(L1(0, EDU_BACHELOR, YES, 0, 0, 0, 12.9), 0); /* just short */
    assert_int_equal(L1(0, EDU_MASTER, NO, 0, 0, 0, 8), 4);      /* master, exactly 8 years */
    assert_int_equal(L1(0, EDU_MASTER, NO, 0, 0, 0, 7), 0);
    assert_int_equal(L1(0, EDU_MASTER, NO, 0, 0, 0, 7.99), 0);
    assert_int_equal(L1(0, EDU_DOCTOR, YES, 0, 0, 0, 8), 4);     /* doctor, exactly 8 years */
    assert_int_equal(L1(0, EDU_DOCTOR, YES, 0, 0, 0, 7), 0);
    assert_int_equal(L1(0, EDU_MASTER, NO, 0, 0, 0, 13), 4);
    assert_int_equal(L1(0, EDU_JUNIOR_COLLEGE, YES, 0, 0, 0, 20), 0); /* 大学专科, however long */
    assert_int_equal(L1(0, EDU_HIGHER_VOC, YES, 0, 0, 0, 20), 0);
    assert_int_equal(L1(0, EDU_NONE, NO, 0, 0, 0, 30), 0);
    assert_int_equal(L1(12, EDU_BACHELOR, NO, 0, 0, 0, 8), 0); /* the master's 8 years do not apply */
}

static void test_level1_lowest_wins(void **state)
{
    (void)state;
    assert_int_equal(L1(19, EDU_DOCTOR, YES, 1, 10, 1, 10), 1); /* all four hold */
    assert_int_equal(L1(4, EDU_BACHELOR, NO, 2, 4, 1, 13), 2);  /* 2, 3, 4 hold */
    assert_int_equal(L1(3, EDU_MASTER, NO, 2, 3, 1, 8), 3);     /* 3 and 4 hold */
}

/* ---- the applied level ------------------------------------------------------ */

static void test_clauses_are_per_level(void **state)
{
    (void)state;
    /* 1 year in the occupation is 4.1 but nothing at 三级 */
    assert_int_equal(L4(1, EDU_NONE, NO, 0, 0, 0, 0), 1);
    assert_int_equal(L3(1, EDU_NONE, NO, 0, 0, 0, 0), 0);
    /* 6 years: 3.1, not 2.x */
    assert_int_equal(L3(6, EDU_NONE, NO, 0, 0, 0, 0), 1);
    assert_int_equal(L2(6, EDU_NONE, NO, 0, 0, 0, 0), 0);
    /* 13 years: 2.1, not 1.x */
    assert_int_equal(L2(13, EDU_NONE, NO, 0, 0, 0, 0), 1);
    assert_int_equal(L1(13, EDU_NONE, NO, 0, 0, 0, 0), 0);
    /* not a level at all */
    assert_int_equal(clause(5, 30, EDU_DOCTOR, YES, 1, 30, 1, 30), 0);
    assert_int_equal(clause(0, 30, EDU_DOCTOR, YES, 1, 30, 1, 30), 0);
}

/* ---- eligibility_header / eligibility_row ------------------------------------ */

/* GB 11643-1999 check character, computed here independently of core/. */
static void make_id(const char *prefix17, char out[19])
{
    static const int W[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    assert_int_equal(strlen(prefix17), 17);
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (prefix17[i] - '0') * W[i];
    memcpy(out, prefix17, 17);
    out[17] = "10X98765432"[sum % 11];
    out[18] = 0;
}

static char ID1[19], ID2[19], IDX[19], IDBAD[19];

static int group_setup(void **state)
{
    (void)state;
    make_id("44010619900101123", ID1);
    make_id("44030419851212456", ID2);
    make_id("11010519491231002", IDX); /* the textbook example, check character X */
    if (IDX[17] != 'X') return -1;
    memcpy(IDBAD, ID1, 19);
    IDBAD[17] = ID1[17] == '0' ? '1' : '0'; /* wrong check character */
    return 0;
}

typedef struct parsed {
    csv_table t;
    elig_cols c;
    diag d;
    int hrc;
} parsed;

static void parse_csv(const char *text, parsed *p)
{
    long errline = 0;
    char *why = NULL;
    memset(p, 0, sizeof *p);
    diag_init(&p->d);
    csv_rc rc = csv_parse(text, strlen(text), &p->t, &errline, &why);
    if (rc != CSV_OK) fail_msg("csv_parse: line %ld: %s", errline, why ? why : csv_strerror(rc));
    assert_true(p->t.nrows >= 1);
    p->hrc = eligibility_header(&p->t.rows[0], &p->c, &p->d);
}

static void parsed_free(parsed *p)
{
    csv_free(&p->t);
    diag_free(&p->d);
}

static void dump_diag(const diag *d)
{
    for (size_t i = 0; i < d->n; i++) print_message("  diag line %ld: %s\n", d->v[i].line, d->v[i].msg);
}

#define EN_HDR "id_number,name,applied_level,work_years,education,major_related,cert,cert_years,training,graduated_years\n"

static void test_row_english_header(void **state)
{
    (void)state;
    char *csv = NULL;
    assert_true(asprintf(&csv, EN_HDR "%s,张三,3,6,none,no,,,,\n"
                                      "%s,李四,2,4.5,bachelor,yes,3,4.5,2,6\n",
                         ID1, IDX) > 0);
    parsed p;
    parse_csv(csv, &p);
    assert_int_equal(p.hrc, 0);
    assert_int_equal(p.t.nrows, 3);
    applicant a;
    assert_int_equal(eligibility_row(&p.t.rows[1], &p.c, &a, &p.d), 0);
    assert_string_equal(a.id_number, ID1);
    assert_string_equal(a.name, "张三");
    assert_int_equal(a.level, 3);
    assert_true(a.work_years == 6);
    assert_int_equal(a.education, EDU_NONE);
    assert_int_equal(a.major_related, 0);
    assert_int_equal(a.cert, 0);
    assert_int_equal(a.training, 0);
    assert_int_equal(a.line, 2);
    assert_int_equal(eligibility_clause(&a), 1);
    assert_int_equal(eligibility_row(&p.t.rows[2], &p.c, &a, &p.d), 0);
    assert_string_equal(a.id_number, IDX);
    assert_int_equal(a.level, 2);
    assert_true(a.work_years == 4.5);
    assert_int_equal(a.education, EDU_BACHELOR);
    assert_int_equal(a.major_related, 1);
    assert_int_equal(a.cert, 3);
    assert_true(a.cert_years == 4.5);
    assert_int_equal(a.training, 2);
    assert_true(a.graduated_years == 6);
    assert_int_equal(a.line, 3);
    assert_int_equal(eligibility_clause(&a), 3);
    if (diag_count(&p.d)) dump_diag(&p.d);
    assert_int_equal(diag_count(&p.d), 0);
    parsed_free(&p);
    free(csv);
}

static void test_row_chinese_header(void **state)
{
    (void)state;
    char *csv = NULL;
    assert_true(asprintf(&csv, "身份证号,姓名,申报级别,工作年限,学历,本专业,证书,取证年限,培训,毕业年限\n"
                               "%s,王五,1,2,master,no,,,,8\n",
                         ID2) > 0);
    parsed p;
    parse_csv(csv, &p);
    if (p.hrc) dump_diag(&p.d);
    assert_int_equal(p.hrc, 0);
    applicant a;
    assert_int_equal(eligibility_row(&p.t.rows[1], &p.c, &a, &p.d), 0);
    assert_string_equal(a.id_number, ID2);
    assert_string_equal(a.name, "王五");
    assert_int_equal(a.level, 1);
    assert_int_equal(a.education, EDU_MASTER);
    assert_true(a.graduated_years == 8);
    assert_int_equal(eligibility_clause(&a), 4);
    assert_int_equal(diag_count(&p.d), 0);
    parsed_free(&p);
    free(csv);
}

static void test_row_order_free_extra_columns(void **state)
{
    (void)state;
    char *csv = NULL;
    assert_true(asprintf(&csv, "note,training,graduated_years,cert_years,cert,major_related,education,work_years,"
                               "applied_level,remark,name,id_number,phone\n"
                               "first,3,,3,4,no,none,3,3,x,赵六,%s,13800000000\n",
                         ID1) > 0);
    parsed p;
    parse_csv(csv, &p);
    if (p.hrc) dump_diag(&p.d);
    assert_int_equal(p.hrc, 0);
    applicant a;
    assert_int_equal(eligibility_row(&p.t.rows[1], &p.c, &a, &p.d), 0);
    assert_string_equal(a.id_number, ID1);
    assert_string_equal(a.name, "赵六");
    assert_int_equal(a.level, 3);
    assert_true(a.work_years == 3);
    assert_int_equal(a.education, EDU_NONE);
    assert_int_equal(a.major_related, 0);
    assert_int_equal(a.cert, 4);
    assert_true(a.cert_years == 3);
    assert_int_equal(a.training, 3);
    assert_int_equal(eligibility_clause(&a), 4);
    assert_int_equal(diag_count(&p.d), 0);
    parsed_free(&p);
    free(csv);
}

static void test_header_missing_column(void **state)
{
    (void)state;
    parsed p;
    parse_csv("id_number,name,applied_level,work_years,major_related,cert,cert_years,training,graduated_years\n", &p);
    assert_int_equal(p.hrc, -1);
    assert_int_equal(diag_count(&p.d), 1);
    assert_int_equal(p.d.v[0].line, 1);
    assert_non_null(strstr(p.d.v[0].msg, "education"));
    parsed_free(&p);
}

/* Parses HDR + a row on line 3 (line 2 is a valid row) and expects that row
 * to be refused with one diagnostic on line 3 mentioning WANT. */
static void expect_bad_row(const char *row3, const char *want)
{
    char *csv = NULL;
    assert_true(asprintf(&csv, EN_HDR "%s,甲,4,1,none,no,,,,\n%s\n", ID2, row3) > 0);
    parsed p;
    parse_csv(csv, &p);
    assert_int_equal(p.hrc, 0);
    applicant a;
    assert_int_equal(eligibility_row(&p.t.rows[1], &p.c, &a, &p.d), 0);
    int rc = eligibility_row(&p.t.rows[2], &p.c, &a, &p.d);
    if (rc != -1 || diag_count(&p.d) != 1) {
        dump_diag(&p.d);
        fail_msg("row \"%s\": expected one diagnostic, got rc %d and %zu diagnostics", row3, rc, diag_count(&p.d));
    }
    if (p.d.v[0].line != 3) fail_msg("diagnostic \"%s\" is on line %ld, expected 3", p.d.v[0].msg, p.d.v[0].line);
    if (want && !strstr(p.d.v[0].msg, want)) fail_msg("diagnostic \"%s\" does not mention \"%s\"", p.d.v[0].msg, want);
    parsed_free(&p);
    free(csv);
}

static void test_row_invalid_id(void **state)
{
    (void)state;
    char row[128];
    snprintf(row, sizeof row, "%s,乙,4,1,none,no,,,,", IDBAD);
    expect_bad_row(row, NULL);
    snprintf(row, sizeof row, "%.17s,乙,4,1,none,no,,,,", ID1); /* 17 characters */
    expect_bad_row(row, NULL);
    expect_bad_row(",乙,4,1,none,no,,,,", NULL); /* empty */
}

static void test_row_unknown_education(void **state)
{
    (void)state;
    char row[128];
    snprintf(row, sizeof row, "%s,乙,3,1,phd,no,,,,", ID1);
    expect_bad_row(row, "phd");
    snprintf(row, sizeof row, "%s,乙,3,1,本科,no,,,,", ID1);
    expect_bad_row(row, "本科");
}

static void test_row_bad_level(void **state)
{
    (void)state;
    char row[128];
    snprintf(row, sizeof row, "%s,乙,5,1,none,no,,,,", ID1);
    expect_bad_row(row, "5");
    snprintf(row, sizeof row, "%s,乙,0,1,none,no,,,,", ID1);
    expect_bad_row(row, NULL);
    snprintf(row, sizeof row, "%s,乙,,1,none,no,,,,", ID1);
    expect_bad_row(row, NULL);
}

static void test_row_other_bad_values(void **state)
{
    (void)state;
    static const char *rows[] = {
        ",乙,3,six,none,no,,,,",       /* work_years */
        ",乙,3,-1,none,no,,,,",        /* negative years */
        ",乙,3,1,none,maybe,,,,",      /* major_related */
        ",乙,3,1,none,no,5,4,,",       /* cert */
        ",乙,3,1,none,no,4,4,0,",      /* training */
        ",乙,3,1,none,no,4,four,,",    /* cert_years */
        ",乙,1,1,bachelor,no,,,,long", /* graduated_years */
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        char row[128];
        snprintf(row, sizeof row, "%s%s", ID1, rows[i]);
        expect_bad_row(row, NULL);
    }
}

static void test_row_empty_cert(void **state)
{
    (void)state;
    char *csv = NULL;
    assert_true(asprintf(&csv, EN_HDR "%s,丙,3,4,none,no,,,,\n"
                                      "%s,丁,3,4,none,no,4,4,,\n",
                         ID1, ID2) > 0);
    parsed p;
    parse_csv(csv, &p);
    assert_int_equal(p.hrc, 0);
    applicant a;
    assert_int_equal(eligibility_row(&p.t.rows[1], &p.c, &a, &p.d), 0);
    assert_int_equal(a.cert, 0);
    assert_int_equal(a.training, 0);
    assert_int_equal(eligibility_clause(&a), 0);
    assert_int_equal(eligibility_row(&p.t.rows[2], &p.c, &a, &p.d), 0);
    assert_int_equal(a.cert, 4);
    assert_int_equal(eligibility_clause(&a), 3);
    assert_int_equal(diag_count(&p.d), 0);
    parsed_free(&p);
    free(csv);
}

/* "N年以上" includes N, through the CSV path as well (decimal years) */
static void test_row_years_boundary(void **state)
{
    (void)state;
    char *csv = NULL;
    assert_true(asprintf(&csv, EN_HDR "%s,戊,3,6,none,no,,,,\n"
                                      "%s,己,3,5.99,none,no,,,,\n"
                                      "%s,庚,1,0,bachelor,no,,,,13\n"
                                      "%s,辛,1,0,bachelor,no,,,,12.9\n",
                         ID1, ID2, IDX, ID1) > 0);
    parsed p;
    parse_csv(csv, &p);
    assert_int_equal(p.hrc, 0);
    const int want[] = {1, 0, 4, 0};
    for (int i = 0; i < 4; i++) {
        applicant a;
        assert_int_equal(eligibility_row(&p.t.rows[1 + i], &p.c, &a, &p.d), 0);
        if (eligibility_clause(&a) != want[i])
            fail_msg("row %d: clause %d, expected %d", i + 2, eligibility_clause(&a), want[i]);
    }
    assert_int_equal(diag_count(&p.d), 0);
    parsed_free(&p);
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level4_clause1),
        cmocka_unit_test(test_level4_clause2),
        cmocka_unit_test(test_level4_clause3),
        cmocka_unit_test(test_level4_lowest_wins),
        cmocka_unit_test(test_level3_clause1),
        cmocka_unit_test(test_level3_clause2),
        cmocka_unit_test(test_level3_clause3),
        cmocka_unit_test(test_level3_clause4),
        cmocka_unit_test(test_level3_clause5),
        cmocka_unit_test(test_level3_clause6),
        cmocka_unit_test(test_level3_clause7),
        cmocka_unit_test(test_level3_lowest_wins),
        cmocka_unit_test(test_level3_higher_certificate),
        cmocka_unit_test(test_level2_clause1),
        cmocka_unit_test(test_level2_clause2),
        cmocka_unit_test(test_level2_clause3),
        cmocka_unit_test(test_level2_clause4),
        cmocka_unit_test(test_level2_clause5),
        cmocka_unit_test(test_level2_clause6),
        cmocka_unit_test(test_level2_clause7),
        cmocka_unit_test(test_level2_lowest_wins),
        cmocka_unit_test(test_level2_higher_certificate),
        cmocka_unit_test(test_bachelor_vs_junior_college),
        cmocka_unit_test(test_level1_clause1),
        cmocka_unit_test(test_level1_clause2),
        cmocka_unit_test(test_level1_clause3),
        cmocka_unit_test(test_level1_clause4),
        cmocka_unit_test(test_level1_lowest_wins),
        cmocka_unit_test(test_clauses_are_per_level),
        cmocka_unit_test(test_row_english_header),
        cmocka_unit_test(test_row_chinese_header),
        cmocka_unit_test(test_row_order_free_extra_columns),
        cmocka_unit_test(test_header_missing_column),
        cmocka_unit_test(test_row_invalid_id),
        cmocka_unit_test(test_row_unknown_education),
        cmocka_unit_test(test_row_bad_level),
        cmocka_unit_test(test_row_other_bad_values),
        cmocka_unit_test(test_row_empty_cert),
        cmocka_unit_test(test_row_years_boundary),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
