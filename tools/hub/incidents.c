/* incidents: examhub incidents, the room record (考场记录) of a batch: every
 * irregularity the invigilator recorded, every integrity finding of a kiosk,
 * every time extension, forced hand-in and absence, per room and seat, from
 * the results the hub holds (FORMAT.md §8). CSV through textout's one cell
 * writer, or an HTML page with every field escaped. */
#include "tools/hub/incidents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/result.h"
#include "tools/hub/textout.h"
#include "tools/hub/workflow_cmd_int.h"

/* one line of the room record */
typedef struct incident {
    const wf_record *si;
    const char *event, *category, *detail;
    int minutes;      /* an extension's; -1 otherwise */
    int64_t at_ms;    /* exam time; -1 when unknown */
} incident;

typedef struct inc_ctx {
    FILE *f;
    int html, n, sittings;
    char room[200]; /* the room of the last HTML heading */
} inc_ctx;

static const char CSV_HEADER[] = "site,room,seat,ticket,name,paper,kind,pack_id,kiosk,result_id,event,category,minutes,"
                                 "exam_time,at_ms,detail\n";

static void exam_time(int64_t ms, char out[24])
{
    if (ms < 0) { out[0] = 0; return; }
    long long s = ms / 1000;
    snprintf(out, 24, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

static const char *event_zh(const char *ev)
{
    if (!strcmp(ev, "irregularity")) return "异常情况";
    if (!strcmp(ev, "integrity")) return "完整性问题（考试机发现）";
    if (!strcmp(ev, "extension")) return "延长时间";
    if (!strcmp(ev, "accommodation")) return "预先批准延时";
    if (!strcmp(ev, "forced")) return "强制收卷";
    if (!strcmp(ev, "focus_losses")) return "离开考试窗口";
    if (!strcmp(ev, "absent")) return "缺考";
    return "记录无法读取";
}

/* the kiosk panel's irregularity categories (kiosk/screen_panel.c), as the
 * panel shows them; others (integrity, a future one) as they are */
static const char *category_zh(const char *c)
{
    if (!c) return "";
    if (!strcmp(c, "environment")) return "考场环境";
    if (!strcmp(c, "technical")) return "设备故障";
    if (!strcmp(c, "candidate")) return "考生行为";
    if (!strcmp(c, "integrity")) return "数据完整性";
    return c;
}

static void room_heading(inc_ctx *ic, const wf_cand *c)
{
    char key[200];
    snprintf(key, sizeof key, "%s\x1f%s", c->site, c->room);
    if (ic->n && !strcmp(key, ic->room)) return;
    if (ic->n) fputs("</table>\n", ic->f);
    snprintf(ic->room, sizeof ic->room, "%s", key);
    fputs("<h2>", ic->f);
    out_html(ic->f, c->site);
    fputs(" · 考场 ", ic->f);
    out_html(ic->f, c->room);
    fputs("</h2>\n<table><tr><th>座号</th><th>准考证号</th><th>姓名</th><th>试卷</th><th>事项</th><th>类别</th>"
          "<th>延长（分钟）</th><th>考试时间</th><th>说明</th><th>考试机</th><th>结果编号</th></tr>\n",
          ic->f);
}

static void put(inc_ctx *ic, const incident *in)
{
    const wf_record *si = in->si;
    const wf_cand *c = si->c;
    char when[24], mins[16];
    exam_time(in->at_ms, when);
    if (in->minutes >= 0) snprintf(mins, sizeof mins, "%d", in->minutes);
    else mins[0] = 0;
    if (ic->html) {
        room_heading(ic, c);
        fprintf(ic->f, "<tr class=\"%s\"><td>%d</td><td>", strcmp(in->event, "integrity") ? "" : "integrity", c->seat);
        const char *cells[] = {c->ticket, c->name, si->title, event_zh(in->event), category_zh(in->category), mins, when,
                               in->detail,
                               si->kiosk_id, si->result_id};
        for (int i = 0; i < 10; i++) {
            if (i) fputs("</td><td>", ic->f);
            out_html(ic->f, cells[i] ? cells[i] : "");
            if (i == 2) fputs(si->kind[0] == 'p' ? "（操作技能）" : "（理论知识）", ic->f);
        }
        fputs("</td></tr>\n", ic->f);
    } else {
        /* the numbers (seat, minutes, at_ms, the exam time) are the program's own; every text cell goes
         * through out_csv: a note or a reason typed at a kiosk cannot become a formula or a row */
        const char *a[] = {c->site, c->room};
        out_csv_cells(ic->f, a, 2);
        fprintf(ic->f, ",%d,", c->seat);
        const char *b[] = {c->ticket, c->name, si->title, si->kind, si->pack_id, si->kiosk_id, si->result_id, in->event,
                           in->category};
        out_csv_cells(ic->f, b, 9);
        fprintf(ic->f, ",%s,%s,", mins, when);
        if (in->at_ms >= 0) fprintf(ic->f, "%lld", (long long)in->at_ms);
        fputc(',', ic->f);
        out_csv(ic->f, in->detail ? in->detail : "");
        fputc('\n', ic->f);
    }
    ic->n++;
}

static int one_sitting(void *vctx, const wf_record *si)
{
    inc_ctx *ic = vctx;
    ic->sittings++;
    result_record r;
    char *why = NULL;
    if (result_parse(si->json, strlen(si->json), &r, &why) != RESULT_OK) {
        /* the hub parsed it when it came in: a record it cannot read now is itself worth a line */
        incident in = {si, "unreadable", "", why ? why : "", -1, -1};
        put(ic, &in);
        free(why);
        return 0;
    }
    const result_head *h = &r.rec.head;
    if (!strcmp(si->status, "absent")) {
        incident in = {si, "absent", "", "", -1, -1};
        put(ic, &in);
    }
    for (int i = 0; i < h->nirregularities; i++) {
        const result_irregularity *g = &h->irregularities[i];
        incident in = {si, strcmp(g->category, "integrity") ? "irregularity" : "integrity", g->category, g->note, -1,
                       g->mono_ms};
        put(ic, &in);
    }
    for (int i = 0; i < h->nextensions; i++) {
        const result_extension *x = &h->extensions[i];
        /* the planned accommodation (roster extra_minutes) is its own kind: not the invigilator's */
        incident in = {si, x->planned ? "accommodation" : "extension", "", x->reason, x->minutes, x->at_ms};
        put(ic, &in);
    }
    if (h->focus_losses > 0) { /* one line with the count: the kiosk journals each loss, the result counts them */
        char n[24];
        snprintf(n, sizeof n, "%d", h->focus_losses);
        incident in = {si, "focus_losses", "", n, -1, -1};
        put(ic, &in);
    }
    if (!strcmp(si->status, "forced")) {
        incident in = {si, "forced", "", "", -1, h->elapsed_ms};
        put(ic, &in);
    }
    result_record_free(&r);
    return 0;
}

int incidents_write(hubstore *s, const char *batch, FILE *f, int html, int *entries, int *sittings, char **why)
{
    inc_ctx ic = {f, html, 0, 0, ""};
    *why = NULL;
    int rc = wf_each_sitting(s, batch, one_sitting, &ic, why) ? -1 : 0;
    if (html && ic.n) fputs("</table>\n", f);
    *entries = ic.n;
    *sittings = ic.sittings;
    return rc;
}

int incidents_run(const wopts *o, int html)
{
    if (!o->db || !wfc_batch_ok(o->batch) || (!o->csv == !html) || (html && !o->out) || (!html && o->out))
        return wfc_usage("incidents needs --db, --batch YYYY-MM and either --csv or --html --out FILE.html");
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    char *buf = NULL, *why = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int entries = 0, sittings = 0;
    if (!f) { hubstore_close(s); return wfc_err(o->db, fileio_fmt("out of memory")); }
    if (html)
        fprintf(f, "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>考场记录 %s</title><style>"
                      "body{font-family:'Noto Sans CJK SC',sans-serif;margin:1em}table{border-collapse:collapse;"
                      "margin-bottom:1.5em}td,th{border:1px solid #999;padding:.25em .5em;text-align:left}"
                      "tr.integrity td{background:#fdd}</style></head><body><h1>考场记录（%s批次）</h1>\n",
                o->batch, o->batch);
    else
        fputs(CSV_HEADER, f);
    int rc = incidents_write(s, o->batch, f, html, &entries, &sittings, &why) ? wfc_storage(o, s, why) : 0;
    hubstore_close(s);
    if (html) {
        if (!entries) fputs("<p>本批次没有异常情况、延长时间、强制收卷或缺考记录。</p>\n", f);
        fputs("<p>“离开考试窗口”：考试机失去屏幕或键盘的次数（每次都记入考试机日志）。</p></body></html>\n", f);
    }
    fclose(f);
    if (!rc && html) {
        if (fileio_write_atomic(o->out, buf, len, 0600, 0, &why)) rc = wfc_err(o->out, why);
        else printf("%s: %d entries from %d results of batch %s\n", o->out, entries, sittings, o->batch);
    } else if (!rc)
        fwrite(buf, 1, len, stdout); /* nothing from a partial read */
    free(buf);
    return rc;
}
