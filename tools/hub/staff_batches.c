/* staff_batches: the batches page of the staff interface (README: The staff
 * pages): every batch with its counts (wf_summary.c: applications,
 * eligible, paid, planned, results, missing, conflicts, flagged, passed) and
 * the upload forms of the applications, payments and rooms CSV files. An
 * upload runs the very command (examhub register, pay, rooms) on the file's
 * bytes, with the same FILE:LINE checks: a file with any error changes
 * nothing, and the page lists every message the command gave. The planner
 * plans a batch with its exam times from here too (examhub plan). Each
 * upload and plan, taken or refused, is in the audit log. */
#include <stdlib.h>
#include <string.h>

#include "tools/hub/staff_int.h"
#include "tools/hub/textout.h"
#include "tools/hub/workflow_cmd_int.h"

/* what an upload said, for the page */
typedef struct upload_note {
    int rc;            /* the command's exit status; -1: no file was sent */
    const char *what;  /* 报名表, 缴费记录, 考场, 考场编排 */
    const char *done;  /* what the page says when it worked: 已导入, 已完成 */
    const char *file;  /* its name in the messages */
    char *msg, *out;   /* the command's messages and output */
} upload_note;

typedef struct upload_kind {
    const char *path, *what, *label, *hint;
    int for_clerk; /* 1: the clerk's form, 0: the planner's (the routes of staff.c decide who may post) */
} upload_kind;

static const upload_kind KINDS[] = {
    {"/staff/upload/applications", "报名表", "上传报名表",
     "列：id_number, name, applied_level, work_years, education, major_related, cert, cert_years, training,"
     " graduated_years, received, address, phone（与 examhub register 相同）", 1},
    {"/staff/upload/payments", "缴费记录", "上传缴费记录", "列：id_number, batch, amount[, level]（与 examhub pay 相同）", 1},
    {"/staff/upload/rooms", "考场", "上传考场", "列：site, site_code, room, capacity（与 examhub rooms 相同）", 0},
};

static void lines_html(FILE *f, const char *text)
{
    fputs("<ul>", f);
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p, n);
        if (line && *line) {
            fputs("<li>", f);
            out_html(f, line);
            fputs("</li>", f);
        }
        free(line);
        p += n + (nl != NULL);
    }
    fputs("</ul>", f);
}

static void note_html(FILE *f, const upload_note *u)
{
    if (u->rc < 0) {
        fprintf(f, "<div class=\"err\"><p>请选择要上传的%s文件（CSV）。</p></div>", u->what);
        return;
    }
    fprintf(f, "<div class=\"%s\"><p>", u->rc ? "err" : "ok");
    out_html(f, u->file);
    if (u->rc) fprintf(f, "：%s有错误，<b>未做任何更改</b>。请改正以下每一处后重新提交：</p>", u->what);
    else fprintf(f, "：%s%s。</p>", u->what, u->done);
    lines_html(f, u->msg);
    if (!u->rc && u->out) lines_html(f, u->out);
    fputs("</div>", f);
}

static const char *const HEADS[] = {"批次", "报名", "符合条件", "已缴费", "已编排", "已收成绩", "缺成绩", "冲突", "已标记", "合格"};

static enum MHD_Result batches(sreq *q, const upload_note *u)
{
    wf_batch_counts *v = NULL;
    int n = 0;
    char *why = NULL;
    wopts d;
    workflow_defaults(&d);
    hubstore *s = staff_store(q);
    int bad = !s || wfc_batch_counts(s, d.margin, &v, &n, &why);
    hubstore_close(s);
    free(why);
    if (bad) return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "批次", "数据库错误，批次无法读取。");
    FILE *f = sp_begin(q, "批次");
    if (!f) {
        free(v);
        return MHD_NO;
    }
    if (u) note_html(f, u);
    int clerk = q->u.role == ROLE_ADMIN || q->u.role == ROLE_CLERK;
    int planner = q->u.role == ROLE_ADMIN || q->u.role == ROLE_PLANNER;
    fputs("<div class=\"box\">", f);
    for (size_t k = 0; k < sizeof KINDS / sizeof *KINDS; k++) {
        if (!(KINDS[k].for_clerk ? clerk : planner)) continue;
        fprintf(f, "<form class=\"up\" method=\"post\" action=\"%s\" enctype=\"multipart/form-data\">", KINDS[k].path);
        sp_csrf(q);
        fprintf(f, "<label>%s（CSV）</label><input type=\"file\" name=\"file\" accept=\".csv,text/csv\" required>"
                   "<button type=\"submit\">%s</button><br><small>",
                KINDS[k].what, KINDS[k].label);
        out_html(f, KINDS[k].hint);
        fputs("</small></form>", f);
    }
    fputs("<p><small>上传的文件先整体检查：任何一行有错，整个文件都不导入，并列出每一处错误（文件名:行号: 原因）。</small></p></div>", f);
    if (planner) {
        /* planning: every paid, unplanned candidate of the batch gets a room, seat and ticket (examhub plan) */
        fputs("<div class=\"box\"><form method=\"post\" action=\"/staff/plan\">", f);
        sp_csrf(q);
        fputs("<label for=\"pb\">编排批次</label><input type=\"text\" id=\"pb\" name=\"batch\" class=\"why\" required"
              " pattern=\"[0-9]{4}-[0-9]{2}\" placeholder=\"YYYY-MM\" value=\"", f);
        for (int i = 0; i < n; i++)
            if (v[i].paid > v[i].planned) { /* the newest batch with someone to plan */
                out_html(f, v[i].batch);
                break;
            }
        fputs("\"> <label for=\"pt\">理论知识考试</label><input type=\"datetime-local\" id=\"pt\" name=\"theory\">"
              " <label for=\"pp\">操作技能考试</label><input type=\"datetime-local\" id=\"pp\" name=\"practical\">"
              " <button type=\"submit\">编排考场</button><br><small>为该批次已缴清费用、尚未编排的考生分配考场、座位和准考证号"
              "（与 examhub plan 相同；考场不够时不编排任何人）。</small></form></div>", f);
    }
    fputs("<h2>批次一览</h2>", f);
    if (!n) fputs("<p>尚无报名。</p>", f);
    else {
        fputs("<table><tr>", f);
        for (size_t i = 0; i < sizeof HEADS / sizeof *HEADS; i++) fprintf(f, "<th>%s</th>", HEADS[i]);
        if (planner) fputs("<th></th>", f);
        fputs("</tr>", f);
        for (int i = 0; i < n; i++) {
            const wf_batch_counts *b = &v[i];
            fputs("<tr><td>", f);
            out_html(f, b->batch);
            fputs("</td>", f);
            const int c[] = {b->applications, b->eligible, b->paid, b->planned, b->results,
                             b->missing, b->conflicts, b->flagged, b->passed};
            for (size_t k = 0; k < sizeof c / sizeof *c; k++) fprintf(f, "<td class=\"n\">%d</td>", c[k]);
            /* the batch is YYYY-MM (stored by the rules): safe in a query, escaped all the same */
            if (planner && b->planned) {
                fputs("<td class=\"nw\"><a href=\"/staff/results?batch=", f);
                out_html(f, b->batch);
                fputs("\">成绩</a> <a href=\"/staff/doorlist?batch=", f);
                out_html(f, b->batch);
                fputs("\">门贴名单 CSV</a></td>", f);
            } else if (planner)
                fputs("<td></td>", f);
            fputs("</tr>", f);
        }
        fputs("</table><p><small>报名：已登记的报名（不符合申报条件者不登记）；已编排：已分配考场、座位和准考证号；"
              "缺成绩：既无成绩也无缺考记录的科目；已标记：未通过中心核查、暂不计分的成绩；合格：按成绩规则已合格的考生。</small></p>",
              f);
    }
    free(v);
    return sp_send(q, u && u->rc ? MHD_HTTP_UNPROCESSABLE_CONTENT : MHD_HTTP_OK);
}

enum MHD_Result staff_page_batches(sreq *q) { return batches(q, NULL); }

/* the uploaded file's name as the messages give it: its last path part,
 * when it is short plain text; else a fixed name */
static void file_name(const char *sent, const char *fallback, char out[96])
{
    const char *base = sent ? strrchr(sent, '/') : NULL;
    base = base ? base + 1 : sent;
    if (base && (base = strrchr(base, '\\') ? strrchr(base, '\\') + 1 : base) && *base && strlen(base) < 96) {
        int plain = 1;
        for (const unsigned char *p = (const unsigned char *)base; *p; p++) plain &= *p >= 0x20 && *p != 0x7f;
        if (plain) {
            snprintf(out, 96, "%s", base);
            return;
        }
    }
    snprintf(out, 96, "%s", fallback);
}

/* Runs CMD on O as the page's command, its output and messages into U. 0, or -1 when out of memory. */
static int run_captured(int (*cmd)(const wopts *o), const wopts *o, upload_note *u)
{
    size_t ml = 0, ol = 0;
    FILE *msg = open_memstream(&u->msg, &ml), *out = open_memstream(&u->out, &ol);
    if (!msg || !out) {
        if (msg) fclose(msg);
        if (out) fclose(out);
        free(u->msg);
        free(u->out);
        u->msg = u->out = NULL;
        return -1;
    }
    workflow_streams(out, msg);
    u->rc = cmd(o);
    workflow_streams(NULL, NULL);
    fclose(msg);
    fclose(out);
    return 0;
}

/* The audit row of a command run from a page: ITEM, then the command's last
 * line (its count, or that nothing was recorded) from TEXT. */
static int audit_run(sreq *q, const char *action, const char *item, int refused, const char *text)
{
    size_t sl = text ? strlen(text) : 0;
    while (sl && text[sl - 1] == '\n') sl--;
    const char *last = text ? text + sl : "";
    while (text && last > text && last[-1] != '\n') last--;
    int n = (int)(text ? text + sl - last : 0);
    size_t il = strlen(item);
    /* register's and the refusals' lines already begin with the file's name */
    int named = (size_t)n > il && !strncmp(last, item, il) && last[il] == ':';
    char detail[400];
    snprintf(detail, sizeof detail, "%s%s%s%.*s", named ? "" : item, named ? "" : ": ", refused ? "refused: " : "", n, last);
    return sp_audit(q, action, detail);
}

static enum MHD_Result upload(sreq *q, const char *action, const char *what, const char *fallback,
                              int (*cmd)(const wopts *o), int show_out)
{
    size_t len = 0;
    const char *sent = NULL;
    const char *data = sform_get(q, "file", &len, &sent);
    char name[96];
    file_name(sent, fallback, name);
    upload_note u = {-1, what, "已导入", name, NULL, NULL};
    if (!data || !len) {
        if (sp_audit(q, action, "refused: no file")) return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误。");
        return batches(q, &u);
    }
    wopts o;
    workflow_defaults(&o);
    o.db = q->sf->db;
    o.csv = name;
    o.csv_data = data;
    o.csv_len = len;
    if (run_captured(cmd, &o, &u)) return MHD_NO;
    if (!show_out) { /* register's output: a line per person registered, with the ID number: the count is in its messages */
        free(u.out);
        u.out = NULL;
    }
    enum MHD_Result rc = audit_run(q, action, name, u.rc, u.rc || !show_out ? u.msg : u.out)
                             ? sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误。")
                             : batches(q, &u);
    free(u.msg);
    free(u.out);
    return rc;
}

/* an exam time from the form: "YYYY-MM-DD HH:MM" (a datetime-local field sends a T for the space), or NULL when empty */
static const char *exam_time(const char *v, char out[20])
{
    if (!v || !*v) return NULL;
    snprintf(out, 20, "%s", v);
    if (strlen(out) == 16 && out[10] == 'T') out[10] = ' ';
    return out;
}

enum MHD_Result staff_plan(sreq *q)
{
    const char *batch = sform_get(q, "batch", NULL, NULL);
    char th[20], pr[20], item[80];
    wopts o;
    workflow_defaults(&o);
    o.db = q->sf->db;
    o.batch = batch && *batch ? batch : "";
    o.theory = exam_time(sform_get(q, "theory", NULL, NULL), th);
    o.practical = exam_time(sform_get(q, "practical", NULL, NULL), pr);
    /* the batch is checked by the command (YYYY-MM) before it goes into the audit row */
    snprintf(item, sizeof item, "batch %.8s", wfc_batch_ok(o.batch) ? o.batch : "?");
    upload_note u = {-1, "考场编排", "已完成", item, NULL, NULL};
    if (run_captured(wf_plan_run, &o, &u)) return MHD_NO;
    enum MHD_Result rc = audit_run(q, "plan", item, u.rc, u.rc ? u.msg : u.out)
                             ? sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误。")
                             : batches(q, &u);
    free(u.msg);
    free(u.out);
    return rc;
}

enum MHD_Result staff_upload_applications(sreq *q)
{
    return upload(q, "upload-applications", "报名表", "applications.csv", wf_import_register, 0);
}

enum MHD_Result staff_upload_payments(sreq *q)
{
    return upload(q, "upload-payments", "缴费记录", "payments.csv", wf_import_pay, 1);
}

enum MHD_Result staff_upload_rooms(sreq *q) { return upload(q, "upload-rooms", "考场", "rooms.csv", wf_import_rooms, 1); }

/* the door list of a batch: every planned candidate by site, room and seat, as the door lists of
 * examhub rosters (the ID number masked), with the site and room first; a download, in the audit log */
static int door_one(void *ctx, const wf_cand *c)
{
    FILE *f = ctx;
    out_csv(f, c->site);
    fputc(',', f);
    out_csv(f, c->room);
    fputc(',', f);
    wfc_door_row(f, c);
    return 0;
}

enum MHD_Result staff_doorlist(sreq *q)
{
    const char *batch = squery(q, "batch");
    if (!wfc_batch_ok(batch)) return sp_message(q, MHD_HTTP_BAD_REQUEST, "门贴名单", "批次须为 YYYY-MM。");
    hubstore *s = staff_store(q);
    if (!s) return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "门贴名单", "数据库错误。");
    char *buf = NULL, *why = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int bad = !f;
    if (f) {
        fprintf(f, "site,room,%s\n", WFC_DOOR_HEADER);
        bad = wf_each_candidate(s, batch, door_one, f, &why) != 0;
        bad |= fclose(f) != 0;
    }
    hubstore_close(s);
    free(why);
    char name[40], detail[40];
    snprintf(name, sizeof name, "door-%s.csv", batch);
    snprintf(detail, sizeof detail, "batch %s", batch);
    if (bad || sp_audit(q, "download-doorlist", detail)) {
        free(buf);
        return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "门贴名单", "数据库错误，名单无法读取。");
    }
    return sp_send_csv(q, name, buf, len);
}
