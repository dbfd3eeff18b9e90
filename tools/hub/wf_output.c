/* wf_output: the workflow commands that report from the hub: the markers'
 * export (marking), final results, certificates, mailing, applications. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/pack.h"
#include "core/text.h"
#include "tools/cmdtab.h"
#include "tools/hub/textout.h"
#include "tools/hub/workflow_cmd_int.h"

/* ---- the markers' export ------------------------------------------------------------------------ */

typedef struct essay_ctx {
    FILE *f;
    int n;
    char *out;
} essay_ctx;

static int print_essay(void *vctx, const wf_essay *e)
{
    essay_ctx *ec = vctx;
    char pts[24];
    /* the essay and the rubric are the candidate's and the author's text: cells, never formulas */
    out_csv(ec->f, e->result_id);
    fputc(',', ec->f);
    out_csv(ec->f, e->ticket);
    fprintf(ec->f, ",%d,", e->item);
    out_csv(ec->f, e->question_id);
    fprintf(ec->f, ",%s,", text_format_tenths(e->points, pts, sizeof pts));
    out_csv(ec->f, e->response);
    fputc(',', ec->f);
    out_csv(ec->f, e->reference);
    fputc('\n', ec->f);
    ec->n++;
    return 0;
}

int wf_output_marking(const wopts *o)
{
    if (!o->db || !o->pack || !o->pub || !o->code || !o->out)
        return wfc_usage("marking needs --db, --pack FILE.pack, --pub DIR/authority.pub, --release-code CODE and --out FILE.csv");
    authority_pub pub;
    char *why = NULL, code[128];
    const char *cwhy = NULL;
    /* --release-code - : the code from standard input, not the command line */
    if (cmdtab_secret(o->code, "release code", code, sizeof code, &cwhy)) return wfc_err("--release-code", fileio_fmt("%s", cwhy));
    if (authority_load_pub(o->pub, &pub, &why)) {
        sodium_memzero(code, sizeof code);
        return wfc_err(o->pub, why);
    }
    unsigned char *buf;
    size_t len;
    if (fileio_read(o->pack, 1u << 30, &buf, &len, &why)) {
        sodium_memzero(code, sizeof code);
        return wfc_err(o->pack, why);
    }
    pack_info info;
    struct sqlite3 *pdb;
    int bad = pack_verify(buf, len, pub.sign_pk, &info, &why) != PACK_OK ||
              pack_open(buf, len, pub.sign_pk, code, &pdb, &why) != PACK_OK;
    sodium_memzero(code, sizeof code);
    free(buf);
    if (bad) return wfc_err(o->pack, why);
    hubstore *s = wfc_open_db(o);
    if (!s) { pack_close(pdb); return 1; }
    essay_ctx ec = {NULL, 0, NULL};
    size_t olen = 0;
    ec.f = open_memstream(&ec.out, &olen);
    fprintf(ec.f, "result_id,ticket,item,question_id,points,response,reference\n");
    int rc = 0;
    char *swhy;
    if (wf_each_pending_essay(s, pdb, info.pack_id_hex, print_essay, &ec, &swhy)) rc = wfc_storage(o, s, swhy);
    fclose(ec.f);
    if (!rc && fileio_write_atomic(o->out, ec.out, olen, 0600, 0, &why)) rc = wfc_err(o->out, why);
    else if (!rc)
        printf("%s: %d essay answers to mark (give each to two markers; marks CSV: result_id,item,marker,points)\n", o->out,
               ec.n);
    if (ec.out) sodium_memzero(ec.out, olen); /* candidates' essays and the rubrics */
    free(ec.out);
    hubstore_close(s);
    pack_close(pdb);
    return rc;
}

/* ---- final results, certificates, mailing ---------------------------------------------------------------- */

static void pts(int tenths, char *out, size_t n)
{
    if (tenths < 0) snprintf(out, n, "0");
    else text_format_tenths(tenths, out, n);
}

/* a paper whose result is missing or in conflict: nothing can be decided yet */
static int undecided(sitting_outcome o) { return o == SITTING_MISSING || o == SITTING_CONFLICT; }

/* The pass rule (cert/certrules.h) on a final result: absent scores count 0;
 * nobody passes while an essay is still unmarked, or while a paper's result
 * is missing or in conflict (README: which sitting counts). */
int wfc_final_passed(const wf_final *f)
{
    if (undecided(f->theory_outcome) || undecided(f->practical_outcome)) return 0;
    int t = f->theory < 0 ? 0 : f->theory, p = f->practical < 0 ? 0 : f->practical, r = f->review < 0 ? 0 : f->review;
    return !f->practical_pending && certrules_passes(f->c.level, t, p, r);
}

const char *wfc_final_status(const wf_final *f)
{
    return f->theory_outcome == SITTING_CONFLICT || f->practical_outcome == SITTING_CONFLICT ? "conflict"
           : undecided(f->theory_outcome) || undecided(f->practical_outcome)       ? "missing"
           : f->practical_pending                                                   ? "marking"
           : wfc_final_passed(f)                                                    ? "passed"
                                                                                    : "failed";
}

static int print_final(void *ctx, const wf_final *f)
{
    (void)ctx;
    char t[24], p[24], r[24];
    pts(f->theory, t, sizeof t);
    pts(f->practical, p, sizeof p);
    if (f->c.level <= 2) pts(f->review, r, sizeof r);
    else r[0] = 0;
    int passed = wfc_final_passed(f);
    const char *status = wfc_final_status(f);
    /* text cells through the one CSV cell writer; the numbers are the program's own */
    const char *who[] = {f->c.batch, f->c.ticket, f->c.id_number};
    for (int i = 0; i < 3; i++) out_csv(stdout, who[i]), putchar(',');
    printf("%d,", f->c.level);
    out_csv(stdout, f->c.name);
    printf(",%s,%s,%s,", t, p, r);
    out_csv(stdout, f->theory_status[0] ? f->theory_status : "absent");
    putchar(',');
    out_csv(stdout, f->practical_status[0] ? f->practical_status : "absent");
    printf(",%d,%s,", passed, status);
    out_csv(stdout, f->certificate);
    putchar('\n');
    return 0;
}

int wf_output_final(const wopts *o)
{
    if (!o->db || !o->csv) return wfc_usage("final needs --db and --csv [--batch YYYY-MM]");
    if (o->batch && !wfc_batch_ok(o->batch)) return wfc_usage("--batch must be YYYY-MM");
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    if (!o->allow_incomplete && wf_decide_complete(o, s, o->batch, "final")) {
        hubstore_close(s);
        return 1;
    }
    printf("batch,ticket,id_number,level,name,theory,practical,review,theory_status,practical_status,passed,status,certificate\n");
    char *swhy;
    int rc = wf_each_final(s, o->batch, o->margin, print_final, NULL, &swhy) ? wfc_storage(o, s, swhy) : 0;
    hubstore_close(s);
    return rc;
}

static int cert_passes(void *ctx, const wf_final *f)
{
    (void)ctx;
    return wfc_final_passed(f);
}

/* the national number: CTX is the certification body's code */
static int cert_number(void *ctx, const wf_final *f, int year, int serial, char num[23], diag *d)
{
    if (!certrules_certificate_number(ctx, f->c.site_code, year, f->c.level, serial, num)) return 0;
    diag_add(d, 0, "ticket %s: site code '%s' must be 6 digits and body code 4 digits", f->c.ticket, f->c.site_code);
    return -1;
}

int wf_output_certificates(const wopts *o)
{
    if (!o->db || !wfc_batch_ok(o->batch)) return wfc_usage("certificates needs --db and --batch YYYY-MM [--body-code 0000] [--year YYYY]");
    int year = o->year;
    if (!year) sscanf(o->batch, "%4d", &year);
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    if (!o->allow_incomplete && wf_decide_complete(o, s, o->batch, "certificates")) {
        hubstore_close(s);
        return 1;
    }
    diag d;
    diag_init(&d);
    wf_cert_rules rules = {cert_passes, cert_number, (void *)o->body};
    int n = wf_certify(s, o->batch, year, o->margin, &rules, &d);
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "examhub certificates: %s\n", d.v[i].msg);
    diag_free(&d);
    hubstore_close(s);
    if (n < 0) return 1;
    printf("batch %s: %d certificates issued\n", o->batch, n);
    return 0;
}

static int print_mail(void *ctx, const wf_final *f)
{
    (void)ctx;
    if (!f->certificate[0]) return 0;
    FILE *out = stdout;
    out_csv(out, f->c.name);
    fputc(',', out);
    out_csv(out, f->c.address);
    fputc(',', out);
    out_csv(out, f->c.phone); /* a phone of "+86…" is written '+86… (README: CSV exports) */
    fputc(',', out);
    out_csv(out, f->certificate);
    fputc('\n', out);
    return 0;
}

int wf_output_mailing(const wopts *o)
{
    if (!o->db || !o->csv) return wfc_usage("mailing needs --db and --csv [--batch YYYY-MM]");
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    printf("name,address,phone,certificate\n");
    char *swhy;
    int rc = wf_each_final(s, o->batch, o->margin, print_mail, NULL, &swhy) ? wfc_storage(o, s, swhy) : 0;
    hubstore_close(s);
    return rc;
}

static int print_app(void *ctx, const wf_cand *c)
{
    (void)ctx;
    out_csv(stdout, c->batch);
    putchar(',');
    out_csv(stdout, c->id_number);
    putchar(',');
    out_csv(stdout, c->name);
    printf(",%d,", c->level);
    out_csv(stdout, c->clause);
    printf(",%d,%d,", c->fee, c->paid);
    out_csv(stdout, c->ticket);
    putchar('\n');
    return 0;
}

int wf_output_applications(const wopts *o)
{
    if (!o->db) return wfc_usage("applications needs --db [--batch YYYY-MM]");
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    printf("batch,id_number,name,level,clause,fee,paid,ticket\n");
    char *swhy;
    int rc = wf_each_application(s, o->batch, print_app, NULL, &swhy) ? wfc_storage(o, s, swhy) : 0;
    hubstore_close(s);
    return rc;
}

