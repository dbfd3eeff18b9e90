/* wf_print: the workflow's printed documents as PDF (README: Printing):
 * admission tickets (examhub tickets --pdf), certificates (examhub
 * print-certificates), the check of a scanned code (examhub
 * verify-certificate) and the hub's public key for checking elsewhere
 * (examhub hub-pub). The pages are drawn by tools/hub/printout.c. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/docsig.h"
#include "core/fileio.h"
#include "core/text.h"
#include "tools/hub/hub.h"
#include "tools/hub/printout.h"
#include "tools/hub/workflow_cmd_int.h"

typedef struct print_ctx {
    const wopts *o;
    const uint8_t *sk;
    int n, failed;
} print_ctx;

/* writes B (emptied) to DIR/NAME.pdf, 0600, or tells WHY (RC non-zero);
 * NAME is a signed number (docsig_number_ok: digits and upper-case letters)
 * or WHAT-YYYY-MM, so never a path */
static void write_pdf(print_ctx *pc, const char *name, dynbuf *b, int rc, char *why)
{
    char *path = fileio_fmt("%s/%s.pdf", pc->o->out, name);
    if (rc || fileio_write_atomic(path, dynbuf_ptr(b), dynbuf_len(b), 0600, 0, &why)) {
        wfc_err(path, why);
        pc->failed = 1;
    } else
        pc->n++;
    free(path);
    dynbuf_free(b);
}

static const char *centre(const wopts *o) { return o->centre ? o->centre : PRINT_CENTRE; }

static int ticket_pdf(void *vctx, const wf_cand *c)
{
    print_ctx *pc = vctx;
    dynbuf b;
    dynbuf_init(&b, PRINT_MAX_BYTES);
    char *why = NULL;
    int rc = print_ticket_pdf(c, centre(pc->o), pc->sk, &b, &why);
    write_pdf(pc, docsig_number_ok(c->ticket) ? c->ticket : "ticket", &b, rc, why);
    return 0;
}

static int cert_pdf(void *vctx, const wf_final *f)
{
    print_ctx *pc = vctx;
    if (!f->certificate[0]) return 0;
    dynbuf b;
    dynbuf_init(&b, PRINT_MAX_BYTES);
    char *why = NULL;
    int rc = print_certificate_pdf(f, centre(pc->o), pc->sk, &b, &why);
    write_pdf(pc, docsig_number_ok(f->certificate) ? f->certificate : "certificate", &b, rc, why);
    return 0;
}

/* the store and the signing key for printing BATCH into o->out */
static hubstore *print_open(const wopts *o, const char *cmd, uint8_t sk[crypto_sign_SECRETKEYBYTES])
{
    char *why = NULL, *msg;
    if (!o->db || !wfc_batch_ok(o->batch) || !o->out) {
        msg = fileio_fmt("%s needs --db, --batch YYYY-MM and --out DIR", cmd);
        wfc_usage(msg);
        free(msg);
        return NULL;
    }
    if (fileio_private_dir(o->out, &why)) return wfc_err(o->out, why), NULL; /* 0700: personal data */
    hubstore *s = wfc_open_db(o);
    if (s && hub_load_sign_key(o->db, sk, &why)) {
        wfc_err(o->db, why);
        hubstore_close(s);
        return NULL;
    }
    return s;
}

/* --one-pdf: the batch's pages in DIR/WHAT-BATCH.pdf; 0 pages: nothing written */
static void one_pdf(print_ctx *pc, hubstore *s, const char *what)
{
    dynbuf b;
    dynbuf_init(&b, PRINT_MAX_BYTES);
    char *why = NULL, name[32];
    const wopts *o = pc->o;
    int n = !strcmp(what, "tickets") ? print_batch_tickets(s, o->batch, centre(o), pc->sk, &b, &why)
                                     : print_batch_certificates(s, o->batch, o->margin, centre(o), pc->sk, &b, &why);
    snprintf(name, sizeof name, "%s-%s", what, o->batch); /* the batch is YYYY-MM (wfc_batch_ok) */
    if (n) write_pdf(pc, name, &b, n < 0, why);
    pc->n = n > 0 ? n : 0; /* pages, not files */
}

int wf_print_tickets(const wopts *o)
{
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    hubstore *s = print_open(o, "tickets", sk);
    if (!s) return o->db && wfc_batch_ok(o->batch) && o->out ? 1 : 2;
    print_ctx pc = {o, sk, 0, 0};
    char *swhy;
    if (o->one_pdf) one_pdf(&pc, s, "tickets");
    else if (wf_each_candidate(s, o->batch, ticket_pdf, &pc, &swhy)) pc.failed = wfc_storage(o, s, swhy);
    sodium_memzero(sk, sizeof sk);
    hubstore_close(s);
    printf("%d admission tickets (PDF%s) written to %s\n", pc.n, o->one_pdf ? ", one file" : "", o->out);
    if (!pc.n && !pc.failed) fprintf(stderr, "examhub tickets: batch %s has no planned candidates (examhub plan)\n", o->batch);
    return pc.failed || !pc.n;
}

int wf_print_certificates(const wopts *o)
{
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    hubstore *s = print_open(o, "print-certificates", sk);
    if (!s) return o->db && wfc_batch_ok(o->batch) && o->out ? 1 : 2;
    print_ctx pc = {o, sk, 0, 0};
    char *swhy;
    if (o->one_pdf) one_pdf(&pc, s, "certificates");
    else if (wf_each_final(s, o->batch, o->margin, cert_pdf, &pc, &swhy)) pc.failed = wfc_storage(o, s, swhy);
    sodium_memzero(sk, sizeof sk);
    hubstore_close(s);
    printf("%d certificates (PDF%s) written to %s\n", pc.n, o->one_pdf ? ", one file" : "", o->out);
    if (!pc.n && !pc.failed)
        fprintf(stderr, "examhub print-certificates: batch %s has no certificates issued (examhub certificates)\n", o->batch);
    return pc.failed || !pc.n;
}

/* ---- checking a scanned code ------------------------------------------------------------------ */

/* the hub's public key from hub.db (receipt_pk) or a file of its 64 hex digits (examhub hub-pub) */
static int load_pk(const wopts *o, hubstore *s, uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
    char *hex = NULL, *why = NULL;
    if (s) {
        hex = hubstore_config_get(s, "receipt_pk");
        if (!hex) return wfc_err(o->db, fileio_fmt("no hub key configured (examhub init)"));
    } else {
        unsigned char *buf;
        size_t len;
        if (fileio_read(o->pub, 4096, &buf, &len, &why)) return wfc_err(o->pub, why);
        hex = text_trim((char *)buf);
        free(buf);
    }
    size_t got = 0;
    int bad = !hex || strlen(hex) != 2 * crypto_sign_PUBLICKEYBYTES ||
              sodium_hex2bin(pk, crypto_sign_PUBLICKEYBYTES, hex, strlen(hex), NULL, &got, NULL) ||
              got != crypto_sign_PUBLICKEYBYTES;
    free(hex);
    return bad ? wfc_err(s ? o->db : o->pub, fileio_fmt("not a hub key (64 hex digits, from examhub hub-pub)")) : 0;
}

/* what a scanner gives, without what it adds: "QR-Code:" (zbarimg) and blanks around it */
static char *scanned_text(const wopts *o)
{
    char *raw = NULL, *why = NULL;
    if (!strcmp(o->text, "-")) {
        unsigned char *buf;
        size_t len;
        if (fileio_read("/dev/stdin", 4096, &buf, &len, &why)) return wfc_err("standard input", why), NULL;
        raw = (char *)buf;
    } else
        raw = fileio_fmt("%s", o->text);
    char *t = text_trim(raw);
    free(raw);
    if (t && !strncmp(t, "QR-Code:", 8)) memmove(t, t + 8, strlen(t + 8) + 1);
    return t;
}

typedef struct find_ctx {
    const char *number;
    int found;
    char line[512];
} find_ctx;

static int find_ticket(void *vctx, const wf_cand *c)
{
    find_ctx *fc = vctx;
    if (strcmp(c->ticket, fc->number)) return 0;
    char masked[19];
    wfc_mask_id(c->id_number, masked);
    int named = strstr(c->room, "考场") != NULL;
    snprintf(fc->line, sizeof fc->line, "%s %s, batch %s, level %d, %s %s%s%s seat %d", c->name, masked, c->batch, c->level,
             c->site, named ? "" : "第", c->room, named ? "" : "考场", c->seat);
    fc->found = 1;
    return 1;
}

static int find_cert(void *vctx, const wf_final *f)
{
    find_ctx *fc = vctx;
    if (strcmp(f->certificate, fc->number)) return 0;
    char masked[19];
    wfc_mask_id(f->c.id_number, masked);
    snprintf(fc->line, sizeof fc->line, "%s %s, %s %s, issued %s, batch %s", f->c.name, masked, PRINT_OCCUPATION,
             text_level_name(f->c.level), f->certificate_issued, f->c.batch);
    fc->found = 1;
    return 1;
}

int wf_print_verify(const wopts *o)
{
    if (!o->text || !o->db == !o->pub)
        return wfc_usage("verify-certificate needs the scanned TEXT (or - for standard input) and --db FILE or --pub HUB.pub");
    hubstore *s = NULL;
    if (o->db && !(s = wfc_open_db(o))) return 1;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    char *text = NULL;
    int rc = load_pk(o, s, pk) || !(text = scanned_text(o));
    docsig_kind kind = DOCSIG_TICKET;
    char number[DOCSIG_NUMBER_MAX + 1];
    const char *why = NULL;
    if (!rc && docsig_check(pk, text, strlen(text), &kind, number, &why)) {
        fprintf(stderr, "invalid: %s\n", why);
        rc = 1;
    }
    const char *what = kind == DOCSIG_CERTIFICATE ? "certificate" : "admission ticket";
    if (!rc && s) { /* the hub's own records: whose it is, so that it can be compared with the paper and the person */
        find_ctx fc = {number, 0, ""};
        char *swhy = NULL;
        int e = kind == DOCSIG_CERTIFICATE ? wf_each_final(s, NULL, o->margin, find_cert, &fc, &swhy)
                                           : wf_each_candidate(s, NULL, find_ticket, &fc, &swhy);
        if (e) rc = wfc_storage(o, s, swhy);
        else if (!fc.found) {
            fprintf(stderr, "invalid: %s %s is signed by this hub but not in its records\n", what, number);
            rc = 1;
        } else
            printf("valid %s %s: %s\n", what, number, fc.line);
    } else if (!rc) {
        char hex[17];
        sodium_bin2hex(hex, sizeof hex, pk, 8);
        printf("valid %s %s: signed by hub key %s…\n", what, number, hex);
    }
    free(text);
    hubstore_close(s);
    return rc;
}

int wf_print_hub_pub(const wopts *o)
{
    if (!o->db) return wfc_usage("hub-pub needs --db");
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    int rc = load_pk(o, s, pk);
    hubstore_close(s);
    if (rc) return rc;
    char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    printf("%s\n", hex);
    return 0;
}
