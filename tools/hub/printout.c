/* printout: tickets and certificates from the workflow's rows (see printout.h). */
#include "tools/hub/printout.h"

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
