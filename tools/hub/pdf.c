/* pdf: admission tickets and certificates as A4 PDF pages with cairo and
 * pango (see pdf.h). Units are PDF points; y grows downwards. */
#include "tools/hub/pdf.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "tools/hub/qr.h"

#define SANS "Noto Sans CJK SC"
#define SERIF "Noto Serif CJK SC"
#define MARGIN 51.0 /* 18 mm, as the HTML ticket's @page */
#define CONTENT_W (PDF_A4_W - 2 * MARGIN)

struct pdf_doc {
    dynbuf *out;
    dynbuf_rc wrc; /* the first failed append of the stream */
    cairo_surface_t *surf;
    cairo_t *cr;
    PangoContext *pc; /* one for the document: a context per text would match its fonts again each time */
    char *why; /* the first failure; the document can then only be closed */
};

static cairo_status_t sink(void *closure, const unsigned char *data, unsigned int len)
{
    pdf_doc *d = closure;
    if (!d->wrc) d->wrc = dynbuf_add(d->out, data, len);
    return d->wrc ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* keeps the first failure of D (MSG malloc'd) and gives the caller a copy */
static int failed(pdf_doc *d, char **why, char *msg)
{
    if (!d->why) d->why = msg;
    else free(msg);
    if (why) *why = fileio_fmt("%s", d->why);
    return -1;
}

pdf_doc *pdf_open(dynbuf *out, const char *title, char **why)
{
    pdf_doc *d = calloc(1, sizeof *d);
    if (!d) return *why = fileio_fmt("out of memory"), NULL;
    d->out = out;
    d->surf = cairo_pdf_surface_create_for_stream(sink, d, PDF_A4_W, PDF_A4_H);
    d->cr = cairo_create(d->surf);
    if (cairo_status(d->cr)) {
        *why = fileio_fmt("cairo: %s", cairo_status_to_string(cairo_status(d->cr)));
        cairo_destroy(d->cr);
        cairo_surface_destroy(d->surf);
        free(d);
        return NULL;
    }
    d->pc = pango_cairo_create_context(d->cr);
    cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_TITLE, title ? title : "");
    cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_CREATOR, "examhub");
    return d;
}

int pdf_close(pdf_doc *d, char **why)
{
    if (!d) return 0;
    g_object_unref(d->pc);
    cairo_destroy(d->cr);
    cairo_surface_finish(d->surf); /* writes the rest of the stream: fonts, xref */
    cairo_status_t st = cairo_surface_status(d->surf);
    cairo_surface_destroy(d->surf);
    char *msg = d->why  ? d->why
                : d->wrc ? fileio_fmt("the PDF does not fit: %s", dynbuf_strerror(d->wrc))
                : st     ? fileio_fmt("cairo: %s", cairo_status_to_string(st))
                         : NULL;
    dynbuf *out = d->out;
    free(d);
    if (!msg) return 0;
    dynbuf_free(out); /* never a half-written PDF */
    if (why) *why = msg;
    else free(msg);
    return -1;
}

/* ---- text in a box ------------------------------------------------------------------ */

enum { AL_LEFT = PANGO_ALIGN_LEFT, AL_CENTER = PANGO_ALIGN_CENTER, AL_RIGHT = PANGO_ALIGN_RIGHT };

typedef struct style {
    const char *family;
    int bold, align, middle; /* MIDDLE: centred vertically in the box, else at its top */
    double size, min;        /* points: the size wanted and the floor it may shrink to */
    double gray;             /* 0 black */
    double spacing;          /* letter spacing, points */
    double line;             /* line spacing factor (0: the font's) */
} style;

static const style LABEL = {SANS, 0, AL_CENTER, 1, 12, 12, 0, 0, 0};
static const style VALUE = {SANS, 0, AL_LEFT, 1, 12, 7, 0, 0, 0};

/* Draws TEXT (plain text, never markup) as ST says within the box at X, Y
 * of W x H: wrapped at W, shrunk in half points down to ST->min until it
 * fits H, then cut with an ellipsis; *USED (may be NULL) gets the height
 * drawn. WHAT names the field in a refusal. */
static int text_box_used(pdf_doc *d, const char *what, const char *text, double x, double y, double w, double h,
                         const style *st, double *used, char **why)
{
    if (!text) text = "";
    if (!g_utf8_validate(text, -1, NULL)) return failed(d, why, fileio_fmt("%s is not UTF-8 text", what));
    PangoLayout *L = pango_layout_new(d->pc);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, st->family);
    pango_font_description_set_weight(fd, st->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_text(L, text, -1);
    pango_layout_set_width(L, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(L, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(L, (PangoAlignment)st->align);
    if (st->line > 0) pango_layout_set_line_spacing(L, (float)st->line);
    if (st->spacing > 0) {
        PangoAttrList *al = pango_attr_list_new();
        pango_attr_list_insert(al, pango_attr_letter_spacing_new((int)(st->spacing * PANGO_SCALE)));
        pango_layout_set_attributes(L, al);
        pango_attr_list_unref(al);
    }
    PangoRectangle ink, log;
    for (double size = st->size;; size -= 0.5) {
        pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
        pango_layout_set_font_description(L, fd);
        pango_layout_get_extents(L, &ink, &log);
        if (log.height <= h * PANGO_SCALE || size - 0.5 < st->min) break;
    }
    if (log.height > h * PANGO_SCALE) { /* at the floor and still too long: the box's lines and an ellipsis */
        pango_layout_set_height(L, (int)(h * PANGO_SCALE));
        pango_layout_set_ellipsize(L, PANGO_ELLIPSIZE_END);
        pango_layout_get_extents(L, &ink, &log);
    }
    int unknown = pango_layout_get_unknown_glyphs_count(L);
    if (used) *used = (double)log.height / PANGO_SCALE;
    if (!unknown) {
        double top = st->middle ? y + (h - (double)log.height / PANGO_SCALE) / 2 : y;
        cairo_save(d->cr);
        cairo_set_source_rgb(d->cr, st->gray, st->gray, st->gray);
        cairo_move_to(d->cr, x, top);
        pango_cairo_show_layout(d->cr, L);
        cairo_restore(d->cr);
    }
    pango_font_description_free(fd);
    g_object_unref(L);
    if (unknown)
        return failed(d, why, fileio_fmt("%s has %d character%s that no installed font has (fonts-noto-cjk: %s)", what, unknown,
                                         unknown == 1 ? "" : "s", SANS));
    return 0;
}

static int text_box(pdf_doc *d, const char *what, const char *text, double x, double y, double w, double h,
                    const style *st, char **why)
{
    return text_box_used(d, what, text, x, y, w, h, st, NULL, why);
}

static void rect(pdf_doc *d, double x, double y, double w, double h, double fill_gray, double line)
{
    cairo_t *cr = d->cr;
    cairo_rectangle(cr, x, y, w, h);
    if (fill_gray < 1) {
        cairo_set_source_rgb(cr, fill_gray, fill_gray, fill_gray);
        cairo_fill_preserve(cr);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, line);
    cairo_stroke(cr);
}

/* a table row: the label cell (grey) and the value cell; the text inset by 6 pt */
static int row(pdf_doc *d, const char *label, const char *what, const char *value, const style *vs, double x, double y,
               double lw, double vw, double h, char **why)
{
    rect(d, x, y, lw, h, 0.94, 0.8);
    rect(d, x + lw, y, vw, h, 1, 0.8);
    if (text_box(d, label, label, x + 4, y + 3, lw - 8, h - 6, &LABEL, why)) return -1;
    return text_box(d, what, value, x + lw + 6, y + 3, vw - 12, h - 6, vs ? vs : &VALUE, why);
}

static int qr_box(pdf_doc *d, const char *code, double x, double y, double side, const char *caption, char **why)
{
    char *qwhy = NULL;
    if (!code || !*code) return failed(d, why, fileio_fmt("no signed code for the QR code"));
    if (qr_draw(d->cr, code, x, y, side, &qwhy)) return failed(d, why, qwhy);
    static const style CAP = {SANS, 0, AL_CENTER, 0, 9, 7, 0.25, 0, 0};
    return text_box(d, "the QR caption", caption, x - 20, y + side + 2, side + 40, 28, &CAP, why);
}

static int page_done(pdf_doc *d, char **why)
{
    cairo_show_page(d->cr);
    cairo_status_t st = cairo_status(d->cr);
    return st ? failed(d, why, fileio_fmt("cairo: %s", cairo_status_to_string(st))) : 0;
}

static const char *or_default(const char *s, const char *dflt) { return s && *s ? s : dflt; }

/* ---- the admission ticket ------------------------------------------------------------ */

static const char *const RULES[] = {
    "考生须凭本准考证和有效身份证件原件，于开考前30分钟进入考场，对号入座。",
    "理论考试、实操考试均采用线下机考，百分制，60分（含）以上为合格；开考后30分钟不得入场。",
    "考生未按规定参加考试的，按缺考处理，成绩记为零分，已缴纳费用不予退还。",
    "严禁携带手机、智能手表等电子设备和资料进入考场；严禁替考、抄袭等违纪行为。",
    "考试结束后由系统自动交卷并给出回执码，请妥善记录。",
    "证书按报名时填写的通信地址邮寄（邮资到付），不接受现场申领。",
};

int pdf_add_ticket(pdf_doc *d, const pdf_ticket_fields *t, char **why)
{
    if (d->why) return failed(d, why, fileio_fmt("%s", d->why));
    static const style TITLE = {SANS, 1, AL_CENTER, 0, 26, 26, 0, 8, 0};
    static const style SUB = {SANS, 0, AL_CENTER, 0, 13, 9, 0, 0, 0};
    static const style NAME = {SANS, 1, AL_LEFT, 1, 15, 7, 0, 0, 0};
    static const style PHOTO = {SANS, 0, AL_CENTER, 1, 10, 10, 0.45, 0, 1.3};
    static const style H3 = {SANS, 1, AL_LEFT, 0, 12, 12, 0, 0, 0};
    static const style RULE = {SANS, 0, AL_LEFT, 0, 10.5, 8, 0, 0, 1.15};
    static const style FOOT = {SANS, 0, AL_RIGHT, 0, 9, 7, 0.35, 0, 0};
    char *sub = fileio_fmt("广东省电子商务师职业技能等级认定（%s批次）", or_default(t->batch, "—"));
    int rc = text_box(d, "the title", "准考证", MARGIN, 54, CONTENT_W, 40, &TITLE, why) ||
             text_box(d, "the batch", sub, MARGIN, 98, CONTENT_W, 22, &SUB, why);
    free(sub);
    if (rc) return -1;
    /* the table: rows 1-4 leave room for the photo (35 mm wide) on the right */
    const double x = MARGIN, lw = 86, pw = 100, top = 132, rh = 38;
    const double vw4 = CONTENT_W - lw - pw, vw = CONTENT_W - lw;
    char *level = fileio_fmt("电子商务师　%s", or_default(t->level, ""));
    char *times = fileio_fmt("理论知识考试：%s\n操作技能考核：%s", or_default(t->theory_starts, "另行通知"),
                             or_default(t->practical_starts, "另行通知"));
    const char *room = or_default(t->room, "");
    int named = strstr(room, "考场") != NULL; /* "第一考场" as given; "01" as 第01考场 */
    char *seat = fileio_fmt("%s%s%s　%d号座", named ? "" : "第", room, named ? "" : "考场", t->seat);
    double y = top;
    rc = row(d, "姓名", "the name", t->name, &NAME, x, y, lw, vw4, rh, why) ||
         row(d, "准考证号", "the ticket", t->ticket, NULL, x, y += rh, lw, vw4, rh, why) ||
         row(d, "身份证号", "the ID number", t->masked_id, NULL, x, y += rh, lw, vw4, rh, why) ||
         row(d, "报考级别", "the level", level, NULL, x, y += rh, lw, vw4, rh, why) ||
         row(d, "考试科目", "the exam times", times, NULL, x, y += rh, lw, vw, 52, why) ||
         row(d, "考点", "the site", t->site, NULL, x, y += 52, lw, vw, 46, why) ||
         row(d, "考场座号", "the room and seat", seat, NULL, x, y += 46, lw, vw, rh, why);
    free(level);
    free(times);
    free(seat);
    if (rc) return -1;
    y += rh;
    rect(d, x + lw + vw4, top, pw, 4 * rh, 1, 0.8);
    if (text_box(d, "the photo box", "（粘贴近期\n白底免冠\n彩色照片）", x + lw + vw4 + 4, top + 4, pw - 8, 4 * rh - 8, &PHOTO, why))
        return -1;
    /* the rules on the left, the signed code on the right */
    const double qs = 128, ry = y + 22, rw = CONTENT_W - qs - 24;
    if (text_box(d, "the rules", "考生须知", x, ry, rw, 20, &H3, why)) return -1;
    double yy = ry + 24, used = 0;
    for (size_t i = 0; i < sizeof RULES / sizeof *RULES; i++) {
        char *li = fileio_fmt("%zu. %s", i + 1, RULES[i]);
        rc = text_box_used(d, "the rules", li, x + 2, yy, rw - 2, 40, &RULE, &used, why);
        free(li);
        if (rc) return -1;
        yy += used + 6;
    }
    char *cap = fileio_fmt("准考证核验码\n%s", or_default(t->ticket, ""));
    rc = qr_box(d, t->code, x + CONTENT_W - qs, ry + 4, qs, cap, why);
    free(cap);
    if (rc) return -1;
    char *foot = fileio_fmt("%s　职业技能等级认定", or_default(t->centre, ""));
    rc = text_box(d, "the centre", foot, x, PDF_A4_H - MARGIN - 14, CONTENT_W, 16, &FOOT, why);
    free(foot);
    return rc ? -1 : page_done(d, why);
}

/* ---- the certificate ------------------------------------------------------------------- */

int pdf_add_certificate(pdf_doc *d, const pdf_cert_fields *c, char **why)
{
    if (d->why) return failed(d, why, fileio_fmt("%s", d->why));
    static const style TITLE = {SERIF, 1, AL_CENTER, 0, 32, 32, 0, 6, 0};
    static const style SUB = {SANS, 0, AL_CENTER, 0, 14, 9, 0.3, 2, 0};
    static const style BODY = {SERIF, 0, AL_LEFT, 0, 15, 9, 0, 0, 1.5};
    static const style NAME = {SANS, 1, AL_LEFT, 1, 14, 7, 0, 0, 0};
    static const style SEAL = {SERIF, 0, AL_LEFT, 0, 13, 8, 0, 0, 1.4};
    static const style FOOT = {SANS, 0, AL_CENTER, 0, 8, 7, 0.4, 0, 0};
    cairo_t *cr = d->cr;
    /* a double frame in the colour of a seal */
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.55, 0.12, 0.1);
    cairo_set_line_width(cr, 3);
    cairo_rectangle(cr, 28, 28, PDF_A4_W - 56, PDF_A4_H - 56);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, 35, 35, PDF_A4_W - 70, PDF_A4_H - 70);
    cairo_stroke(cr);
    cairo_restore(cr);
    const double x = MARGIN + 10, w = CONTENT_W - 20;
    const char *occ = or_default(c->occupation, "电子商务师"), *level = or_default(c->level, "");
    /* (no Latin subtitle: the Latin glyphs of Noto CJK take cairo's subset of the font from 0.2 to 1 MB) */
    char *sub = fileio_fmt("%s　%s", occ, level);
    int trc = text_box(d, "the title", "职业技能等级证书", x, 96, w, 50, &TITLE, why) ||
              text_box(d, "the level", sub, x, 150, w, 20, &SUB, why);
    free(sub);
    if (trc) return -1;
    char *body = fileio_fmt("　　%s参加%s职业技能等级认定，经考核合格，职业技能等级为%s%s，特发此证。", or_default(c->name, ""),
                            occ, occ, level);
    int rc = text_box(d, "the certificate's text", body, x + 10, 200, w - 20, 110, &BODY, why);
    free(body);
    if (rc) return -1;
    const double lw = 110, vw = w - lw, rh = 34;
    double y = 330;
    rc = row(d, "姓名", "the name", c->name, &NAME, x, y, lw, vw, rh, why) ||
         row(d, "身份证号", "the ID number", c->masked_id, NULL, x, y += rh, lw, vw, rh, why) ||
         row(d, "职业（工种）", "the occupation", occ, NULL, x, y += rh, lw, vw, rh, why) ||
         row(d, "职业技能等级", "the level", level, NULL, x, y += rh, lw, vw, rh, why) ||
         row(d, "证书编号", "the certificate number", c->number, NULL, x, y += rh, lw, vw, rh, why) ||
         row(d, "发证日期", "the date", c->issued, NULL, x, y += rh, lw, vw, rh, why) ||
         row(d, "评价机构", "the centre", c->centre, NULL, x, y += rh, lw, vw, 44, why);
    if (rc) return -1;
    y += 44;
    const double qs = 120;
    char *seal = fileio_fmt("评价机构（盖章）\n%s\n%s", or_default(c->centre, ""), or_default(c->issued, ""));
    rc = text_box(d, "the centre", seal, x, y + 50, w - qs - 40, 110, &SEAL, why);
    free(seal);
    if (rc) return -1;
    char *cap = fileio_fmt("扫码核验证书\n%s", or_default(c->number, ""));
    rc = qr_box(d, c->code, x + w - qs - 10, y + 36, qs, cap, why);
    free(cap);
    if (rc ||
        text_box(d, "the footer", "扫描二维码，可向发证机构核验本证书的真伪（二维码含证书编号及发证机构的电子签名）。", x,
                 PDF_A4_H - 70, w, 16, &FOOT, why))
        return -1;
    return page_done(d, why);
}

/* ---- one-page documents ---------------------------------------------------------------- */

int pdf_ticket(const pdf_ticket_fields *t, dynbuf *out, char **why)
{
    char *title = fileio_fmt("准考证 %s", or_default(t->ticket, ""));
    pdf_doc *d = pdf_open(out, title, why);
    free(title);
    if (!d) return -1;
    int rc = pdf_add_ticket(d, t, why); /* its failure is the one told: closing then only cleans up */
    return pdf_close(d, rc ? NULL : why) || rc ? -1 : 0;
}

int pdf_certificate(const pdf_cert_fields *c, dynbuf *out, char **why)
{
    char *title = fileio_fmt("职业技能等级证书 %s", or_default(c->number, ""));
    pdf_doc *d = pdf_open(out, title, why);
    free(title);
    if (!d) return -1;
    int rc = pdf_add_certificate(d, c, why); /* its failure is the one told: closing then only cleans up */
    return pdf_close(d, rc ? NULL : why) || rc ? -1 : 0;
}
