/* screen_login: the candidate logs in with admission ticket number, Tab,
 * 18-digit ID number, Return. */
#include <stdio.h>
#include <string.h>

#include "core/roomlink.h"
#include "kiosk/app.h"
#include "kiosk/ime.h"

/* a new candidate: the fields take ASCII only, and the input method starts
 * in Latin mode whatever the last candidate left it in */
static void enter(app *a)
{
    app_fields_ascii(a, 2);
    ime_deactivate();
}

static void on_event(app *a, const SDL_Event *ev)
{
    if (!app_form_event(a, ev, 0)) return;
    exam_rc rc = exam_login(a->ex, a->field[0], a->field[1]);
    if (rc != EXAM_OK) {
        app_set_msg(a, exam_message(rc), 1);
        memset(a->field[1], 0, sizeof a->field[1]);
    }
}

static void draw(app *a)
{
    ui *u = &a->ui;
    int y = app_draw_header(a, exam_unlocked_title(a->ex)) + ui_px(u, 48);
    int x = u->w / 4, w = u->w / 2;
    ui_text_center(u, 0, y, u->w, ui_px(u, 34), u->theme.text, "考生登录");
    y += ui_px(u, 110);
    app_draw_field(a, 0, (SDL_Rect){x, y, w, ui_px(u, 56)}, "准考证号", 0);
    y += ui_px(u, 124);
    app_draw_field(a, 1, (SDL_Rect){x, y, w, ui_px(u, 56)}, "身份证号（18位）", 0);
    y += ui_px(u, 80);
    ui_text(u, x, y, ui_px(u, 18), u->theme.dim, "输入准考证号后按 Tab 键，再输入身份证号，按回车登录。");
    app_draw_msg(a, y + ui_px(u, 44));
    char late[96];
    int left = exam_late_entry_left_min(a->ex);
    if (roomlink_entry_closed(a->ex)) snprintf(late, sizeof late, "考场已停止入场（监考台）");
    else if (left > 0) snprintf(late, sizeof late, "开考后允许入场时间还剩约 %d 分钟", left);
    else snprintf(late, sizeof late, "已超过允许入场时间");
    ui_text(u, 24, u->h - ui_px(u, 36), ui_px(u, 16), u->theme.dim, late);
}

const screen SCREEN_LOGIN = {"login", enter, on_event, draw};
