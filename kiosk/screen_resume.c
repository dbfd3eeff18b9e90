/* screen_resume: after a crash or power loss: the invigilator types the
 * release code (Return) and the PIN (Return); the candidate continues
 * where they were, without being charged the downtime. The PIN is guarded
 * as on the panel (exam_check_pin): during a delay the PIN field takes no
 * input and shows how long to wait; after too many wrong PINs the screen
 * asks only for the release code, which lifts the lockout. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "kiosk/app.h"

static void enter(app *a) { app_fields_ascii(a, exam_pin_locked(a->ex) ? 1 : 2); }

static void on_event(app *a, const SDL_Event *ev)
{
    int ret = app_key_is(ev, SDLK_RETURN) || app_key_is(ev, SDLK_KP_ENTER);
    if (exam_pin_locked(a->ex)) { /* the lockout: the release code only */
        if (a->nfields != 1) app_fields_ascii(a, 1);
        if (!ret) {
            app_field_event(a, ev, 0);
            return;
        }
        exam_rc rc = exam_pin_release(a->ex, a->field[0]);
        if (rc == EXAM_OK) {
            app_fields_ascii(a, 2);
            app_set_msg(a, "已解除锁定，请输入开考码和监考密码", 0);
        } else {
            sodium_memzero(a->field[0], sizeof a->field[0]);
            app_set_msg(a, exam_message(rc), 1);
        }
        return;
    }
    if (a->focus == 1 && exam_pin_wait_ms(a->ex) > 0 && (ret || ev->type == SDL_TEXTINPUT || ev->type == SDL_KEYDOWN)) {
        if (ret) app_set_msg(a, exam_message(EXAM_PIN_WAIT), 1);
        if (!app_key_is(ev, SDLK_TAB)) return; /* the PIN field takes nothing while the delay runs */
    }
    if (!app_form_event(a, ev, a->focus == 1)) return; /* the PIN field takes digits only */
    app_set_msg(a, "正在验证……", 0);
    exam_rc rc = exam_resume(a->ex, a->field[0], a->field[1]);
    if (rc != EXAM_OK) {
        app_set_msg(a, exam_message(rc), 1);
        sodium_memzero(a->field[1], sizeof a->field[1]);
        a->focus = rc == EXAM_PIN_WRONG || rc == EXAM_PIN_WAIT ? 1 : 0;
        if (rc == EXAM_PIN_LOCKED) app_fields_ascii(a, 1);
    }
}

static void draw(app *a)
{
    ui *u = &a->ui;
    int y = app_draw_header(a, "恢复考试") + ui_px(u, 40);
    int x = u->w / 4, w = u->w / 2;
    ui_text(u, x, y, ui_px(u, 26), u->theme.warn, "考试程序曾中断（故障、断电或关机），考试数据已完整保存。");
    y += ui_px(u, 46);
    char info[256];
    if (exam_pin_locked(a->ex)) {
        ui_text(u, x, y, ui_px(u, 26), u->theme.danger, "监考密码已锁定");
        y += ui_px(u, 46);
        snprintf(info, sizeof info, "监考密码已连续输错 %d 次（共输错 %d 次），请监考员输入开考码解除锁定。",
                 exam_pin_failures(a->ex), exam_pin_failures_total(a->ex));
        ui_text(u, x, y, ui_px(u, 22), u->theme.text, info);
        y += ui_px(u, 90);
        app_draw_field(a, 0, (SDL_Rect){x, y, w, ui_px(u, 56)}, "开考码", 0);
        app_draw_msg(a, y + ui_px(u, 76));
        return;
    }
    ui_text(u, x, y, ui_px(u, 22), u->theme.text, "请监考员输入开考码和监考密码以恢复考试，");
    y += ui_px(u, 36);
    ui_text(u, x, y, ui_px(u, 22), u->theme.text, "中断期间不计入考试时间。");
    y += ui_px(u, 90);
    app_draw_field(a, 0, (SDL_Rect){x, y, w, ui_px(u, 56)}, "开考码", 0);
    y += ui_px(u, 120);
    app_draw_field(a, 1, (SDL_Rect){x, y, w, ui_px(u, 56)}, "监考密码", 1);
    int64_t wait = exam_pin_wait_ms(a->ex);
    if (wait > 0) {
        snprintf(info, sizeof info, "监考密码已连续输错 %d 次：请等待 %lld 秒后再输入", exam_pin_failures(a->ex),
                 (long long)((wait + 999) / 1000));
        ui_text(u, x, y + ui_px(u, 64), ui_px(u, 20), u->theme.danger, info);
    }
    app_draw_msg(a, y + ui_px(u, 106));
}

const screen SCREEN_RESUME = {"resume", enter, on_event, draw};
