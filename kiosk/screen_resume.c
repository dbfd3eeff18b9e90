/* screen_resume: after a crash or power loss: the invigilator types the
 * release code (Return) and the PIN (Return); the candidate continues
 * where they were, without being charged the downtime. */
#include <string.h>

#include "kiosk/app.h"

static void enter(app *a) { app_fields_ascii(a, 2); }

static void on_event(app *a, const SDL_Event *ev)
{
    if (!app_form_event(a, ev, a->focus == 1)) return; /* the PIN field takes digits only */
    app_set_msg(a, "正在验证……", 0);
    exam_rc rc = exam_resume(a->ex, a->field[0], a->field[1]);
    if (rc != EXAM_OK) {
        app_set_msg(a, exam_message(rc), 1);
        memset(a->field[1], 0, sizeof a->field[1]);
        a->focus = rc == EXAM_PIN_WRONG ? 1 : 0;
    }
}

static void draw(app *a)
{
    ui *u = &a->ui;
    int y = app_draw_header(a, "恢复考试") + ui_px(u, 40);
    int x = u->w / 4, w = u->w / 2;
    ui_text(u, x, y, ui_px(u, 26), u->theme.warn, "考试程序曾中断（故障、断电或关机），考试数据已完整保存。");
    y += ui_px(u, 46);
    ui_text(u, x, y, ui_px(u, 22), u->theme.text, "请监考员输入开考码和监考密码以恢复考试，");
    y += ui_px(u, 36);
    ui_text(u, x, y, ui_px(u, 22), u->theme.text, "中断期间不计入考试时间。");
    y += ui_px(u, 90);
    app_draw_field(a, 0, (SDL_Rect){x, y, w, ui_px(u, 56)}, "开考码", 0);
    y += ui_px(u, 120);
    app_draw_field(a, 1, (SDL_Rect){x, y, w, ui_px(u, 56)}, "监考密码", 1);
    app_draw_msg(a, y + ui_px(u, 76));
}

const screen SCREEN_RESUME = {"resume", enter, on_event, draw};
