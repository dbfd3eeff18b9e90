/* screen_pause: the exam is paused by the invigilator: the timer stands
 * still and the questions are covered. */
#include <stdio.h>

#include "core/text.h"
#include "kiosk/app.h"

static void enter(app *a) { app_fields(a, 0); }
static void on_event(app *a, const SDL_Event *ev) { (void)a; (void)ev; }

static void draw(app *a)
{
    ui *u = &a->ui;
    app_draw_header(a, "考试已暂停");
    int y = u->h / 3;
    ui_text_center(u, 0, y, u->w, ui_px(u, 40), u->theme.text, "考试已暂停");
    y += ui_px(u, 80);
    ui_text_center(u, 0, y, u->w, ui_px(u, 24), u->theme.dim, "计时已停止，请在座位上等候监考员恢复考试。");
    y += ui_px(u, 60);
    char t[64], hms[16];
    snprintf(t, sizeof t, "剩余时间 %s", text_format_remaining(exam_remaining_ms(a->ex), hms, sizeof hms));
    ui_text_center(u, 0, y, u->w, ui_px(u, 28), u->theme.text, t);
}

const screen SCREEN_PAUSE = {"pause", enter, on_event, draw};
