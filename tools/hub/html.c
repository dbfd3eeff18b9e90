/* html: the hub's HTML pages: admission tickets and the per-paper report. */
#include "tools/hub/html.h"

#include <string.h>

#include "core/text.h"
#include "tools/hub/textout.h"

/* ---- admission tickets ------------------------------------------------------------ */

static const char TICKET_CSS[] =
    "@page{size:A4;margin:18mm}*{box-sizing:border-box}"
    "body{font-family:'Noto Sans CJK SC','Noto Serif CJK SC','Source Han Sans SC','Microsoft YaHei','SimSun',sans-serif;"
    "color:#111;margin:0}.sheet{width:174mm;margin:0 auto}"
    "h1{text-align:center;font-size:22pt;letter-spacing:.3em;margin:0 0 2mm}"
    "h2{text-align:center;font-size:13pt;font-weight:normal;margin:0 0 6mm}"
    "table.info{width:100%;border-collapse:collapse;font-size:12pt}"
    "table.info td{border:1px solid #333;padding:3mm 3mm;height:12mm}"
    "table.info td.k{width:30mm;background:#f2f2f2;text-align:center;white-space:nowrap}"
    "@media screen{body{padding:10mm 0}}"
    ".photo{width:35mm;text-align:center;color:#777;font-size:10pt}"
    ".rules{margin-top:6mm;font-size:10.5pt;line-height:1.7}.rules h3{font-size:12pt;margin:0 0 2mm}"
    ".rules ol{margin:0;padding-left:6mm}.foot{margin-top:6mm;font-size:9pt;color:#555;text-align:right}";

void html_ticket(FILE *f, const wf_cand *c, const char *masked_id)
{
    fprintf(f, "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>准考证 %s</title><style>%s</style>"
               "</head><body><div class=sheet>\n",
            c->ticket, TICKET_CSS);
    fprintf(f, "<h1>准考证</h1><h2>广东省电子商务师职业技能等级认定（%s批次）</h2>\n", c->batch);
    fprintf(f, "<table class=info>\n<tr><td class=k>姓名</td><td>");
    out_html(f, c->name);
    fprintf(f, "</td><td class=photo rowspan=4>（粘贴近期<br>白底免冠<br>彩色照片）</td></tr>\n");
    fprintf(f, "<tr><td class=k>准考证号</td><td>%s</td></tr>\n", c->ticket);
    fprintf(f, "<tr><td class=k>身份证号</td><td>%s</td></tr>\n", masked_id);
    fprintf(f, "<tr><td class=k>报考级别</td><td>电子商务师 %s</td></tr>\n", text_level_name(c->level));
    fprintf(f, "<tr><td class=k>考试科目</td><td colspan=2>理论知识考试：%s<br>操作技能考核：%s</td></tr>\n",
            c->theory_starts[0] ? c->theory_starts : "另行通知", c->practical_starts[0] ? c->practical_starts : "另行通知");
    fprintf(f, "<tr><td class=k>考点</td><td colspan=2>");
    out_html(f, c->site);
    fprintf(f, "</td></tr>\n<tr><td class=k>考场座号</td><td colspan=2>");
    int named = strstr(c->room, "考场") != NULL; /* "第一考场" as given; "01" as 第01考场 */
    fprintf(f, "%s", named ? "" : "第");
    out_html(f, c->room);
    fprintf(f, "%s　%d号座</td></tr>\n</table>\n", named ? "" : "考场", c->seat);
    fprintf(f, "<div class=rules><h3>考生须知</h3><ol>"
               "<li>考生须凭本准考证和有效身份证件原件，于开考前30分钟进入考场，对号入座。</li>"
               "<li>理论考试、实操考试均采用线下机考，百分制，60分（含）以上为合格；开考后30分钟不得入场。</li>"
               "<li>考生未按规定参加考试的，按缺考处理，成绩记为零分，已缴纳费用不予退还。</li>"
               "<li>严禁携带手机、智能手表等电子设备和资料进入考场；严禁替考、抄袭等违纪行为。</li>"
               "<li>考试结束后由系统自动交卷并给出回执码，请妥善记录。</li>"
               "<li>证书按报名时填写的通信地址邮寄（邮资到付），不接受现场申领。</li>"
               "</ol></div><div class=foot>广东省电子商务协会　职业技能等级认定</div>\n</div></body></html>\n");
}

/* ---- the per-paper report ------------------------------------------------------------ */

/* a result's status as the page says it (the kiosk's words; anything else as it is, escaped) */
static const char *status_zh(const char *s)
{
    return !strcmp(s, "submitted") ? "已交卷"
           : !strcmp(s, "timeout") ? "到时交卷"
           : !strcmp(s, "forced")  ? "强制收卷"
           : !strcmp(s, "absent")  ? "缺考"
                                   : NULL;
}

void html_report_row(FILE *rows, const hub_result *r, int flagged)
{
    char score[24];
    fprintf(rows, "<tr%s><td>", flagged ? " class=flagged" : "");
    out_html(rows, r->ticket);
    fprintf(rows, "</td><td>");
    out_html(rows, r->name);
    fprintf(rows, "</td><td>");
    const char *zh = status_zh(r->status);
    out_html(rows, zh ? zh : r->status);
    fprintf(rows, "</td><td class=n>%s</td><td>%s</td></tr>\n", text_format_tenths(r->score_tenths, score, sizeof score),
            flagged ? "已标记，不计入（examhub flagged）" : r->passed ? "合格" : r->pending ? "待评阅" : "不合格");
}

void html_report(FILE *f, const html_paper *p, const char *rows)
{
    int max = 1;
    for (int i = 0; i < 10; i++)
        if (p->bins[i] > max) max = p->bins[i];
    char mean[24];
    text_format_tenths(p->n ? (int)(p->sum / p->n) : 0, mean, sizeof mean);
    fprintf(f, "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>");
    out_html(f, p->title);
    fprintf(f, " 成绩报告</title><style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;"
               "color:#1a1c24}table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:4px 10px}"
               ".n{text-align:right}.k{font-size:2em;font-weight:bold}tr.flagged td{color:#8a8f99}</style></head><body>\n<h1>");
    out_html(f, p->title);
    fprintf(f, "</h1>\n<p>试卷 ");
    out_html(f, p->pack_id);
    fprintf(f, " · %d级 · %s</p>\n", p->level, strcmp(p->kind, "practical") ? "理论知识" : "操作技能");
    fprintf(f, "<p>考生 <span class=k>%d</span> 人，合格 <span class=k>%d</span> 人，合格率 <span class=k>%.1f%%</span>，"
               "平均分 %s，缺考 %d 人，待人工评阅 %d 人</p>\n",
            p->n, p->passed, p->n ? 100.0 * p->passed / p->n : 0.0, mean, p->absent, p->pending);
    int W = 620, H = 260, bw = 52;
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' role='img' aria-label='成绩分布'>\n", W, H + 40);
    for (int i = 0; i < 10; i++) {
        int h = p->bins[i] * (H - 20) / max;
        int x = 40 + i * (bw + 6);
        fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='%s'/>", x, H - h, bw, h, i >= 6 ? "#165db4" : "#c0c6d2");
        fprintf(f, "<text x='%d' y='%d' font-size='12' text-anchor='middle'>%d</text>", x + bw / 2, H - h - 4, p->bins[i]);
        fprintf(f, "<text x='%d' y='%d' font-size='12' text-anchor='middle'>%d-%d</text>\n", x + bw / 2, H + 16, i * 10,
                i == 9 ? 100 : i * 10 + 9);
    }
    fprintf(f, "<line x1='36' y1='%d' x2='%d' y2='%d' stroke='#555'/></svg>\n", H, W - 10, H);
    fprintf(f, "<table><tr><th>准考证号</th><th>姓名</th><th>状态</th><th>成绩</th><th>结果</th></tr>\n%s</table>\n"
               "</body></html>\n",
            rows ? rows : "");
}
