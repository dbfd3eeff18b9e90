/* screen_pin: after unlocking, the invigilator sets the session PIN
 * (at least 6 digits, typed twice, Return after each). */
#include <string.h>

#include "kiosk/app.h"

static void enter(app *a) { app_fields_ascii(a, 2); }

static void on_event(app *a, const SDL_Event *ev)
{
    if (!app_form_event(a, ev, 1)) return;
    exam_rc rc = exam_set_pin(a->ex, a->field[0], a->field[1]);
    if (rc != EXAM_OK) {
        app_set_msg(a, exam_message(rc), 1);
        memset(a->field, 0, sizeof a->field);
        a->focus = 0;
    }
}

static void draw(app *a)
{
    ui *u = &a->ui;
    int y = app_draw_header(a, "设置监考密码") + ui_px(u, 40);
    int x = u->w / 4, w = u->w / 2;
    ui_text(u, x, y, ui_px(u, 26), u->theme.ok, exam_unlocked_title(a->ex));
    y += ui_px(u, 46);
    ui_text(u, x, y, ui_px(u, 22), u->theme.text, "试卷已解锁。请设置本场监考密码（至少6位数字），");
    y += ui_px(u, 36);
    ui_text(u, x, y, ui_px(u, 22), u->theme.text, "用于打开监考面板和故障后恢复考试。");
    y += ui_px(u, 90);
    app_draw_field(a, 0, (SDL_Rect){x, y, w, ui_px(u, 56)}, "监考密码", 1);
    y += ui_px(u, 120);
    app_draw_field(a, 1, (SDL_Rect){x, y, w, ui_px(u, 56)}, "再次输入监考密码", 1);
    app_draw_msg(a, y + ui_px(u, 76));
}

const screen SCREEN_PIN = {"pin", enter, on_event, draw};
