/* screen_start: the locked kiosk: its place, the packs loaded (locked), and
 * the release code entry for the invigilator. */
#include <stdio.h>
#include <string.h>

#include "app.h"

static void enter(app *a) { app_fields(a, 1); }

static void on_event(app *a, const SDL_Event *ev)
{
    if (app_key_is(ev, SDLK_RETURN) || app_key_is(ev, SDLK_KP_ENTER)) {
        app_set_msg(a, "正在验证开考码……", 0);
        exam_rc rc = exam_unlock(a->ex, a->field[0]);
        if (rc != EXAM_OK) {
            app_set_msg(a, exam_message(rc), 1);
            if (rc != EXAM_CODE_TYPO) memset(a->field[0], 0, sizeof a->field[0]);
        }
        return;
    }
    app_field_event(a, ev, 0);
}

static void draw(app *a)
{
    ui *u = &a->ui;
    int y = app_draw_header(a, "职业技能等级认定 机考系统") + ui_px(u, 36);
    int x = u->w / 8, w = u->w * 3 / 4;
    ui_text(u, x, y, ui_px(u, 30), u->theme.text, "本机试卷（未解锁）");
    y += ui_px(u, 56);
    int n = exam_pack_count(a->ex);
    if (!n) {
        ui_text(u, x, y, ui_px(u, 22), u->theme.danger, "尚未载入试卷：请考点技术人员用 examsync add 载入试卷包");
        y += ui_px(u, 40);
    }
    for (int i = 0; i < n; i++) {
        const char *title, *kind;
        int level, duration, questions;
        if (exam_pack_info(a->ex, i, &title, &level, &kind, &duration, &questions)) continue;
        SDL_Rect r = {x, y, w, ui_px(u, 76)};
        ui_fill(u, r, u->theme.panel);
        ui_frame(u, r, u->theme.border, 1);
        ui_text(u, x + 20, y + ui_px(u, 10), ui_px(u, 24), u->theme.text, title);
        char line[160];
        snprintf(line, sizeof line, "%s级 · %s · 考试时长%d分钟 · 共%d题 · 已锁定", level == 4 ? "四" : level == 3 ? "三" : level == 2 ? "二" : level == 1 ? "一" : "五",
                 strcmp(kind, "practical") ? "理论知识" : "操作技能", duration, questions);
        ui_text(u, x + 20, y + ui_px(u, 44), ui_px(u, 18), u->theme.dim, line);
        y += ui_px(u, 90);
    }
    y += ui_px(u, 30);
    ui_text(u, x, y, ui_px(u, 22), u->theme.text, "监考员：开考时输入公布的开考码，按回车解锁。");
    y += ui_px(u, 80);
    app_draw_field(a, 0, (SDL_Rect){x, y, w, ui_px(u, 56)}, "开考码（不区分大小写，可省略短横线）", 0);
    app_draw_msg(a, y + ui_px(u, 72));
    char id[64];
    snprintf(id, sizeof id, "终端编号 %s", exam_kiosk_id(a->ex));
    ui_text(u, 24, u->h - ui_px(u, 36), ui_px(u, 16), u->theme.dim, id);
}

const screen SCREEN_START = {"start", enter, on_event, draw};
