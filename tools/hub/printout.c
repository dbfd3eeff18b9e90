/* printout: tickets and certificates from the workflow's rows (see printout.h). */
#include "tools/hub/printout.h"

#include <stdlib.h>

#include "core/docsig.h"
#include "core/fileio.h"
#include "core/text.h"
#include "tools/hub/workflow_cmd_int.h"

/* the fields of a page and the strings made for them */
typedef struct ticket_page {
    pdf_ticket_fields f;
    char code[DOCSIG_TEXT_MAX], masked[19];
} ticket_page;
typedef struct cert_page {
    pdf_cert_fields f;
    char code[DOCSIG_TEXT_MAX], masked[19];
} cert_page;

static int ticket_fields(const wf_cand *c, const char *centre, const uint8_t *sk, ticket_page *p, char **why)
{
    if (docsig_make(sk, DOCSIG_TICKET, c->ticket, p->code))
        return *why = fileio_fmt("ticket '%s' is not a number that can be signed", c->ticket), -1;
    wfc_mask_id(c->id_number, p->masked); /* as on the door lists and the HTML tickets */
    p->f = (pdf_ticket_fields){c->batch, c->name, c->ticket, p->masked, text_level_name(c->level), c->theory_starts,
                               c->practical_starts, c->site, c->room, c->seat, centre, p->code};
    return 0;
}

static int cert_fields(const wf_final *f, const char *centre, const uint8_t *sk, cert_page *p, char **why)
{
    if (docsig_make(sk, DOCSIG_CERTIFICATE, f->certificate, p->code))
        return *why = fileio_fmt("ticket %s: certificate number '%s' cannot be signed", f->c.ticket, f->certificate), -1;
    wfc_mask_id(f->c.id_number, p->masked);
    p->f = (pdf_cert_fields){f->certificate, f->c.name, p->masked, PRINT_OCCUPATION, text_level_name(f->c.level),
                             f->certificate_issued, centre, p->code};
    return 0;
}

int print_ticket_page(pdf_doc *d, const wf_cand *c, const char *centre,
                      const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], char **why)
{
    ticket_page p;
    return ticket_fields(c, centre, sign_sk, &p, why) ? -1 : pdf_add_ticket(d, &p.f, why);
}

int print_certificate_page(pdf_doc *d, const wf_final *f, const char *centre,
                           const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], char **why)
{
    cert_page p;
    return cert_fields(f, centre, sign_sk, &p, why) ? -1 : pdf_add_certificate(d, &p.f, why);
}

int print_ticket_pdf(const wf_cand *c, const char *centre, const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], dynbuf *out,
                     char **why)
{
    ticket_page p;
    return ticket_fields(c, centre, sign_sk, &p, why) ? -1 : pdf_ticket(&p.f, out, why);
}

int print_certificate_pdf(const wf_final *f, const char *centre, const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES],
                          dynbuf *out, char **why)
{
    cert_page p;
    return cert_fields(f, centre, sign_sk, &p, why) ? -1 : pdf_certificate(&p.f, out, why);
}

/* ---- a batch in one PDF ---------------------------------------------------------------------- */

typedef struct batch_ctx {
    pdf_doc *d;
    const char *centre;
    const uint8_t *sk;
    int pages;
    char *why; /* the first page that failed */
} batch_ctx;

static int batch_ticket(void *vctx, const wf_cand *c)
{
    batch_ctx *bc = vctx;
    if (print_ticket_page(bc->d, c, bc->centre, bc->sk, &bc->why)) return 1;
    bc->pages++;
    return 0;
}

static int batch_cert(void *vctx, const wf_final *f)
{
    batch_ctx *bc = vctx;
    if (!f->certificate[0]) return 0;
    if (print_certificate_page(bc->d, f, bc->centre, bc->sk, &bc->why)) return 1;
    bc->pages++;
    return 0;
}

/* ends the batch's document: the pages, or -1 with the first failure (a page's, the store's, the PDF's) */
static int batch_end(batch_ctx *bc, int storage_failed, char *swhy, dynbuf *out, char **why)
{
    char *cwhy = NULL;
    int closed = pdf_close(bc->d, &cwhy);
    char *first = bc->why ? bc->why : storage_failed ? swhy : cwhy;
    if (first != swhy) free(swhy);
    if (first != cwhy) free(cwhy);
    if (first != bc->why) free(bc->why);
    if (!first && !closed) {
        if (!bc->pages) dynbuf_free(out); /* an empty document is no download */
        return bc->pages;
    }
    dynbuf_free(out);
    *why = first ? first : fileio_fmt("storage error");
    return -1;
}

int print_batch_tickets(hubstore *s, const char *batch, const char *centre,
                        const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], dynbuf *out, char **why)
{
    char *title = fileio_fmt("准考证 %s", batch);
    batch_ctx bc = {pdf_open(out, title, why), centre, sign_sk, 0, NULL};
    free(title);
    if (!bc.d) return -1;
    char *swhy = NULL;
    int e = wf_each_candidate(s, batch, batch_ticket, &bc, &swhy);
    return batch_end(&bc, e && !bc.why, swhy, out, why);
}

int print_batch_certificates(hubstore *s, const char *batch, int margin, const char *centre,
                             const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], dynbuf *out, char **why)
{
    char *title = fileio_fmt("职业技能等级证书 %s", batch);
    batch_ctx bc = {pdf_open(out, title, why), centre, sign_sk, 0, NULL};
    free(title);
    if (!bc.d) return -1;
    char *swhy = NULL;
    int e = wf_each_final(s, batch, margin, batch_cert, &bc, &swhy);
    return batch_end(&bc, e && !bc.why, swhy, out, why);
}
