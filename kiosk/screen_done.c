/* screen_done: after hand-in: the receipt code and, when the blueprint
 * says so, the score. The invigilator resets the kiosk from the panel. */
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "kiosk/app.h"

static void enter(app *a) { app_fields(a, 0); }
static void on_event(app *a, const SDL_Event *ev) { (void)a; (void)ev; }

static void draw(app *a)
{
    ui *u = &a->ui;
    int y = app_draw_header(a, "交卷完成") + ui_px(u, 60);
    const char *st = exam_final_status(a->ex);
    const char *what = !strcmp(st, "timeout") ? "考试时间到，系统已自动交卷。"
                       : !strcmp(st, "forced") ? "监考员已为您收卷。"
                                               : "您已成功交卷。";
    ui_text_center(u, 0, y, u->w, ui_px(u, 34), u->theme.ok, what);
    y += ui_px(u, 80);
    char line[128];
    snprintf(line, sizeof line, "%s　%s", exam_cand_name(a->ex), exam_cand_ticket(a->ex));
    ui_text_center(u, 0, y, u->w, ui_px(u, 24), u->theme.text, line);
    y += ui_px(u, 70);
    ui_text_center(u, 0, y, u->w, ui_px(u, 22), u->theme.dim, "交卷回执码（请记录）");
    y += ui_px(u, 40);
    ui_text_center(u, 0, y, u->w, ui_px(u, 48), u->theme.text, exam_receipt(a->ex));
    y += ui_px(u, 90);
    if (exam_show_score(a->ex)) {
        char s[24], line2[160];
        int t = exam_score_tenths(a->ex);
        text_format_tenths(t, s, sizeof s);
        if (exam_pending_items(a->ex))
            snprintf(line2, sizeof line2, "客观题得分：%s 分（另有%d道题待人工评阅）", s, exam_pending_items(a->ex));
        else
            snprintf(line2, sizeof line2, "本次考试得分：%s 分", s);
        ui_text_center(u, 0, y, u->w, ui_px(u, 30), u->theme.text, line2);
        y += ui_px(u, 60);
    }
    ui_text_center(u, 0, y, u->w, ui_px(u, 20), u->theme.dim, "请安静离开考场。成绩以认定机构公布为准。");
}

const screen SCREEN_DONE = {"done", enter, on_event, draw};
