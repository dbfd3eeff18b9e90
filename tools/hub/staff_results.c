/* staff_results: the results page of the staff interface (README: The
 * staff pages), per batch: the progress of every paper and room (the rows
 * of examhub progress), the candidates' papers with two or more sittings
 * with a decide form on each result (keep or void with a reason: what
 * examhub resolve journals, by the signed-in user) and the flagged results
 * with their reasons (examhub flagged), the room record (examhub
 * incidents), and the final results with the
 * certificates issued (examhub final). Every decision is in the audit log. */
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "tools/hub/hubstore_checks.h"
#include "tools/hub/incidents.h"
#include "tools/hub/staff_int.h"
#include "tools/hub/textout.h"
#include "tools/hub/workflow_cmd_int.h"

static const char *kind_zh(const char *kind) { return !strcmp(kind, "theory") ? "理论知识" : "操作技能"; }

static const char *outcome_zh(sitting_outcome o)
{
    switch (o) {
    case SITTING_SAT: return "已考";
    case SITTING_ABSENT: return "缺考";
    case SITTING_CONFLICT: return "冲突";
    case SITTING_MISSING: break;
    }
    return "缺成绩";
}

static int hex32(const char *t)
{
    return t && strlen(t) == 32 && strspn(t, "0123456789abcdef") == 32;
}

static void cell(FILE *f, const char *s)
{
    fputs("<td>", f);
    out_html(f, s);
    fputs("</td>", f);
}

static void progress_html(FILE *f, const progress_row *r, int n)
{
    static const char *const H[] = {"级别", "科目", "考点 / 考场", "编排", "收到成绩", "已考", "缺考", "缺成绩", "冲突", "已标记", "未核分"};
    fputs("<table><tr>", f);
    for (size_t i = 0; i < sizeof H / sizeof *H; i++) fprintf(f, "<th>%s</th>", H[i]);
    fputs("</tr>", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "<tr><td class=\"n\">%d</td><td>%s</td><td>", r[i].level, kind_zh(wfc_kind_name(r[i].kind)));
        out_html(f, r[i].site);
        fputs(" / ", f);
        out_html(f, r[i].room);
        const int c[] = {r[i].planned, r[i].results, r[i].sat, r[i].absent, r[i].missing, r[i].conflicts, r[i].flagged, r[i].unscored};
        fputs("</td>", f);
        for (size_t k = 0; k < sizeof c / sizeof *c; k++) fprintf(f, "<td class=\"n\">%d</td>", c[k]);
        fputs("</tr>", f);
    }
    fputs("</table>", f);
}

typedef struct conflict_ctx {
    sreq *q;
    const char *batch;
    int shown;
} conflict_ctx;

static int conflict_one(void *vctx, const paper_view *p)
{
    conflict_ctx *cc = vctx;
    int decided = 0;
    for (int i = 0; i < p->n; i++) decided |= p->v[i].decision != SITTING_UNDECIDED;
    if (!sitting_contested(p->e, p->n) && !decided) return 0;
    FILE *f = cc->q->page;
    if (!cc->shown++)
        fputs("<table><tr><th>准考证号</th><th>姓名</th><th>科目</th><th>成绩编号</th><th>考机</th><th>状态</th>"
              "<th>得分</th><th>收到时间</th><th>裁决</th><th>操作</th></tr>",
              f);
    int open = p->outcome == SITTING_CONFLICT;
    for (int i = 0; i < p->n; i++) {
        const wf_sitting *w = &p->v[i];
        fputs("<tr>", f);
        if (i == 0) {
            /* the candidate's cells span the results of the paper */
            fprintf(f, "<td rowspan=\"%d\">", p->n);
            out_html(f, p->c->ticket);
            fprintf(f, "</td><td rowspan=\"%d\" class=\"nw\">", p->n);
            out_html(f, p->c->name);
            fprintf(f, "</td><td rowspan=\"%d\" class=\"nw\">%d 级 %s<br><b>%s</b>（%s）</td>", p->n, p->c->level, kind_zh(p->kind),
                    open ? "待裁决" : "已裁决", outcome_zh(p->outcome));
        }
        char score[24];
        text_format_tenths(w->score_tenths, score, sizeof score);
        fputs("<td><code>", f);
        out_html(f, w->result_id);
        fputs("</code></td>", f);
        cell(f, w->kiosk_id);
        fputs("<td>", f);
        out_html(f, w->status);
        if (w->flagged > 0) fputs("（已标记）", f);
        fputs("</td>", f);
        fprintf(f, "<td class=\"n\">%s</td><td class=\"nw\">", score);
        sp_time(f, w->received_at);
        fputs("</td><td>", f);
        if (w->decision != SITTING_UNDECIDED) {
            fputs(w->decision == SITTING_KEEP ? "保留" : "作废", f);
            fputs("（", f);
            out_html(f, w->decided_by);
            fputs("：", f);
            out_html(f, w->decided_why);
            fputs("）", f);
        }
        if (p->chosen == i) fputs(" <b>计分</b>", f);
        fputs("</td><td><form class=\"dec\" method=\"post\" action=\"/staff/decide\">", f);
        sp_csrf(cc->q);
        fputs("<input type=\"hidden\" name=\"result\" value=\"", f);
        out_html(f, w->result_id);
        fputs("\"><input type=\"hidden\" name=\"batch\" value=\"", f);
        out_html(f, cc->batch);
        fputs("\"><input type=\"text\" name=\"why\" maxlength=\"200\" required placeholder=\"理由\" class=\"why\">"
              "<button type=\"submit\" name=\"decision\" value=\"keep\">保留</button>"
              "<button type=\"submit\" name=\"decision\" value=\"void\">作废</button></form></td></tr>",
              f);
    }
    return 0;
}

static int flagged_one(void *ctx, const hub_result *r, const char *reason, int64_t at)
{
    int *shown = ((void **)ctx)[1];
    FILE *f = ((void **)ctx)[0];
    if (!(*shown)++)
        fputs("<table><tr><th>准考证号</th><th>姓名</th><th>科目</th><th>考机</th><th>成绩编号</th><th>原因</th><th>标记时间</th></tr>", f);
    fputs("<tr>", f);
    cell(f, r->ticket);
    cell(f, r->name);
    cell(f, !strcmp(r->kind, "theory") || !strcmp(r->kind, "practical") ? kind_zh(r->kind) : r->kind);
    cell(f, r->kiosk_id);
    fputs("<td><code>", f);
    out_html(f, r->result_id);
    fputs("</code></td>", f);
    cell(f, reason);
    fputs("<td class=\"nw\">", f);
    sp_time(f, at);
    fputs("</td></tr>", f);
    return 0;
}

static const char *status_zh(const char *st)
{
    static const char *const M[][2] = {{"conflict", "冲突待裁决"}, {"missing", "缺成绩"}, {"marking", "阅卷中"},
                                       {"passed", "合格"}, {"failed", "不合格"}};
    for (size_t i = 0; i < sizeof M / sizeof *M; i++)
        if (!strcmp(st, M[i][0])) return M[i][1];
    return st;
}

/* a score of the final results: its points, or "—" when there is none */
static void score_cell(FILE *f, int tenths)
{
    char b[24];
    fprintf(f, "<td class=\"n\">%s</td>", tenths < 0 ? "—" : text_format_tenths(tenths, b, sizeof b));
}

static int final_one(void *ctx, const wf_final *r)
{
    void **fc = ctx;
    FILE *f = fc[0];
    int *shown = fc[1];
    if (!(*shown)++)
        fputs("<table><tr><th>准考证号</th><th>姓名</th><th>级别</th><th>理论知识</th><th>操作技能</th><th>综合评审</th>"
              "<th>结果</th><th>证书编号</th></tr>",
              f);
    fputs("<tr>", f);
    cell(f, r->c.ticket);
    cell(f, r->c.name);
    fprintf(f, "<td class=\"n\">%d</td>", r->c.level);
    score_cell(f, r->theory);
    score_cell(f, r->practical);
    if (r->c.level <= 2) score_cell(f, r->review);
    else fputs("<td></td>", f);
    fprintf(f, "<td class=\"nw\">%s</td>", status_zh(wfc_final_status(r)));
    cell(f, r->certificate);
    fputs("</tr>", f);
    return 0;
}

/* the results page of BATCH (NULL: the newest), with NOTE (or NULL) above; OK: the note is good news */
static enum MHD_Result results(sreq *q, const char *batch, const char *note, int ok, unsigned status)
{
    hubstore *s = staff_store(q);
    if (!s) return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "成绩", "数据库错误，成绩无法读取。");
    wf_batch_counts *bv = NULL;
    int nb = 0;
    char *why = NULL;
    wopts d;
    workflow_defaults(&d);
    if (wfc_batch_counts(s, d.margin, &bv, &nb, &why)) goto fail;
    char chosen[8] = "";
    for (int i = 0; i < nb; i++)
        if ((batch && !strcmp(bv[i].batch, batch)) || (!batch && !chosen[0] && bv[i].planned)) snprintf(chosen, sizeof chosen, "%s", bv[i].batch);
    FILE *f = sp_begin(q, "成绩");
    if (!f) {
        free(bv);
        hubstore_close(s);
        return MHD_NO;
    }
    if (note) {
        fprintf(f, "<div class=\"%s\"><p>", ok ? "ok" : "err");
        out_html(f, note);
        fputs("</p></div>", f);
    }
    fputs("<p>批次：", f);
    for (int i = 0; i < nb; i++) {
        if (!bv[i].planned) continue;
        fputs(strcmp(bv[i].batch, chosen) ? "<a href=\"/staff/results?batch=" : "<b><a href=\"/staff/results?batch=", f);
        out_html(f, bv[i].batch);
        fputs("\">", f);
        out_html(f, bv[i].batch);
        fputs(strcmp(bv[i].batch, chosen) ? "</a> " : "</a></b> ", f);
    }
    fputs("</p>", f);
    free(bv);
    if (!chosen[0]) {
        fputs(batch ? "<p>没有这个已编排考场的批次。</p>" : "<p>尚无已编排考场的批次。</p>", f);
        hubstore_close(s);
        return sp_send(q, status);
    }
    progress_row *pr = NULL;
    int np = 0;
    if (wfc_progress(s, chosen, &pr, &np, &why)) goto fail_page;
    fputs("<h2>进度</h2>", f);
    progress_html(f, pr, np);
    free(pr);
    fputs("<h2>冲突（同一考生同一科目有两次以上作答）</h2>", f);
    conflict_ctx cc = {q, chosen, 0};
    if (wfc_each_paper(s, chosen, conflict_one, &cc, &why)) goto fail_page;
    if (cc.shown) fputs("</table><p><small>保留：该成绩计分，并优先于该考生的其他成绩（已标记的也可保留）；作废：视为不存在。"
                        "裁决记入日志，最后一次裁决有效。</small></p>", f);
    else fputs("<p>无。</p>", f);
    fputs("<h2>已标记的成绩（未通过中心核查，暂不计分）</h2>", f);
    int shown = 0;
    void *fc[2] = {f, &shown};
    if (hubstore_flagged_each(s, chosen, flagged_one, fc)) goto fail_page;
    fputs(shown ? "</table>" : "<p>无。</p>", f);
    fputs("<h2>考场记录（异常情况、延长时间、强制收卷、缺考）</h2><div class=\"box\">", f);
    int entries = 0, sittings = 0;
    if (incidents_write(s, chosen, f, 1, &entries, &sittings, &why)) goto fail_page;
    fputs(entries ? "</div>" : "<p>本批次没有异常情况、延长时间、强制收卷或缺考记录。</p></div>", f);
    fputs("<h2>最终成绩与证书</h2>", f);
    shown = 0;
    if (wf_each_final(s, chosen, d.margin, final_one, fc, &why)) goto fail_page;
    fputs(shown ? "</table><p><small>与 examhub final --allow-incomplete 相同：缺考记 0 分；有科目缺成绩或冲突待裁决的考生不判合格。"
                  "证书编号由 examhub certificates 发放。</small></p>"
                : "<p>无。</p>",
          f);
    hubstore_close(s);
    return sp_send(q, status);
fail_page:
    fclose(q->page);
    free(q->buf);
    q->page = NULL;
    q->buf = NULL;
fail:
    free(why);
    hubstore_close(s);
    return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "成绩", "数据库错误，成绩无法读取。");
}

enum MHD_Result staff_page_results(sreq *q)
{
    const char *b = squery(q, "batch");
    return results(q, b && *b ? b : NULL, NULL, 0, MHD_HTTP_OK);
}

enum MHD_Result staff_decide(sreq *q)
{
    const char *rid = sform_get(q, "result", NULL, NULL), *dec = sform_get(q, "decision", NULL, NULL),
               *text = sform_get(q, "why", NULL, NULL), *batch = sform_get(q, "batch", NULL, NULL);
    const char *bad = NULL, *twhy = NULL;
    if (batch && !wfc_batch_ok(batch)) batch = NULL;
    if (!hex32(rid)) bad = "成绩编号无效。";
    else if (!dec || (strcmp(dec, "keep") && strcmp(dec, "void"))) bad = "请选择保留或作废。";
    else if (!text || !*text || text_field_check(text, 200, &twhy)) bad = "请填写理由（1-200 字节，不含控制字符）。";
    if (bad) return results(q, batch, bad, 0, MHD_HTTP_UNPROCESSABLE_CONTENT);
    hubstore *s = staff_store(q);
    if (!s) return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误。");
    wf_sitting r;
    char *why = NULL;
    int keep = !strcmp(dec, "keep");
    int rc = wf_decide(s, rid, keep ? SITTING_KEEP : SITTING_VOID, text, q->u.name, q->now, &r, &why);
    hubstore_close(s);
    free(why);
    if (rc == 1) return results(q, batch, "没有这个成绩。", 0, MHD_HTTP_UNPROCESSABLE_CONTENT);
    if (rc) return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误，裁决未保存。");
    char detail[320];
    snprintf(detail, sizeof detail, "result %s (ticket %s %s): %s: %s", rid, r.ticket, r.kind, keep ? "keep" : "void", text);
    if (sp_audit(q, "decide", detail)) return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误。");
    char note[160];
    snprintf(note, sizeof note, "已裁决：准考证号 %s 的成绩 %.8s… %s。", r.ticket, rid, keep ? "保留" : "作废");
    return results(q, batch, note, 1, MHD_HTTP_OK);
}
