/* screen_panel: the invigilator panel (Ctrl+Alt+I), drawn over the current
 * screen. Asks for the PIN, then offers: pause / resume, extend time, force
 * hand-in, mark a candidate absent, file an irregularity, reset for the next
 * candidate, exit the kiosk. Every action is journaled by the engine. */
#include <stdio.h>
#include <string.h>

#include "kiosk/app.h"

enum { P_PIN, P_MENU, P_ABSENT, P_IRR_CAT, P_IRR_NOTE, P_EXIT_CONFIRM, P_FORCE_CONFIRM };

static void enter(app *a)
{
    a->panel_mode = P_PIN;
    app_fields_ascii(a, 1);
    app_set_msg(a, "", 0);
}

static void close_panel(app *a)
{
    a->panel = 0;
    a->msg[0] = 0;
    /* give the screen beneath its own input state back */
    const screen *s = a->scr;
    a->scr = NULL;
    (void)s;
    app_sync_screen(a);
}

static void menu_action(app *a, int n)
{
    exam_phase ph = exam_get_phase(a->ex);
    exam_rc rc = EXAM_BAD_STATE;
    switch (n) {
    case 1:
        rc = ph == PHASE_PAUSED ? exam_continue(a->ex) : exam_pause(a->ex);
        if (rc == EXAM_OK) { close_panel(a); return; }
        break;
    case 2:
        rc = exam_extend(a->ex, 5);
        if (rc == EXAM_OK) { app_set_msg(a, "已延长5分钟", 0); return; }
        break;
    case 3: /* asks first, like item 7: it ends the candidate's sitting */
        if (ph != PHASE_RUNNING && ph != PHASE_PAUSED) break;
        a->panel_mode = P_FORCE_CONFIRM;
        return;
    case 4:
        if (ph != PHASE_LOGIN) break;
        a->panel_mode = P_ABSENT;
        app_fields_ascii(a, 1);
        return;
    case 5:
        a->panel_mode = P_IRR_CAT;
        app_fields(a, 0);
        return;
    case 6:
        rc = exam_reset(a->ex);
        if (rc == EXAM_OK) { close_panel(a); return; }
        break;
    case 7:
        a->panel_mode = P_EXIT_CONFIRM;
        return;
    case 8:
        rc = exam_lock(a->ex);
        if (rc == EXAM_OK) { close_panel(a); return; }
        break;
    }
    app_set_msg(a, exam_message(rc), 1);
}

static void on_event(app *a, const SDL_Event *ev)
{
    const ui_target *t = ev->type == SDL_MOUSEBUTTONDOWN ? ui_hit(&a->ui, ev->button.x, ev->button.y) : NULL;
    int ret = app_key_is(ev, SDLK_RETURN) || app_key_is(ev, SDLK_KP_ENTER);
    if (app_key_is(ev, SDLK_ESCAPE) || (t && t->action == ACT_BACK)) {
        if (a->panel_mode == P_PIN || a->panel_mode == P_MENU) close_panel(a);
        else { a->panel_mode = P_MENU; app_fields(a, 0); a->msg[0] = 0; }
        return;
    }
    switch (a->panel_mode) {
    case P_PIN:
        if (ret) {
            if (exam_check_pin(a->ex, a->field[0]) == EXAM_OK) {
                a->panel_mode = P_MENU;
                app_fields(a, 0);
                a->msg[0] = 0;
            } else {
                app_set_msg(a, exam_message(EXAM_PIN_WRONG), 1);
                memset(a->field[0], 0, sizeof a->field[0]);
            }
        } else
            app_field_event(a, ev, 1);
        return;
    case P_MENU:
        if (t && t->action == ACT_PANEL) menu_action(a, t->arg);
        else if (ev->type == SDL_KEYDOWN && ev->key.keysym.sym >= SDLK_1 && ev->key.keysym.sym <= SDLK_8)
            menu_action(a, (int)(ev->key.keysym.sym - SDLK_0));
        return;
    case P_ABSENT:
        if (ret) {
            exam_rc rc = exam_mark_absent(a->ex, a->field[0]);
            if (rc == EXAM_OK) {
                char m[APP_FIELD_MAX + 32];
                snprintf(m, sizeof m, "已登记 %.64s 缺考", a->field[0]);
                a->panel_mode = P_MENU;
                app_fields(a, 0);
                app_set_msg(a, m, 0);
            } else
                app_set_msg(a, exam_message(rc), 1);
        } else
            app_field_event(a, ev, 0);
        return;
    case P_IRR_CAT: {
        int cat = 0;
        if (t && t->action == ACT_PANEL) cat = t->arg;
        else if (ev->type == SDL_KEYDOWN && ev->key.keysym.sym >= SDLK_1 && ev->key.keysym.sym <= SDLK_3)
            cat = (int)(ev->key.keysym.sym - SDLK_0);
        if (cat) {
            a->irr_category = cat;
            a->panel_mode = P_IRR_NOTE;
            app_fields(a, 1);
        }
        return;
    }
    case P_IRR_NOTE:
        if (ret) {
            static const char *CAT[] = {"", "environment", "technical", "candidate"};
            exam_rc rc = exam_irregularity(a->ex, CAT[a->irr_category], a->field[0]);
            a->panel_mode = P_MENU;
            app_fields(a, 0);
            app_set_msg(a, rc == EXAM_OK ? "异常情况已记录" : exam_message(rc), rc != EXAM_OK);
        } else
            app_field_event(a, ev, 0);
        return;
    case P_EXIT_CONFIRM:
        if (ret) {
            a->quit = 1;
        } else if (ev->type == SDL_KEYDOWN)
            a->panel_mode = P_MENU;
        return;
    case P_FORCE_CONFIRM:
        if (ret) {
            exam_rc rc = exam_force_handin(a->ex);
            if (rc == EXAM_OK) close_panel(a);
            else {
                a->panel_mode = P_MENU;
                app_set_msg(a, exam_message(rc), 1);
            }
        } else if (ev->type == SDL_KEYDOWN) {
            a->panel_mode = P_MENU;
            app_set_msg(a, "已取消强制收卷", 0);
        }
        return;
    }
}

static void draw(app *a)
{
    ui *u = &a->ui;
    SDL_SetRenderDrawBlendMode(u->renderer, SDL_BLENDMODE_BLEND);
    ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, u->theme.bg); /* the panel covers the exam */
    int w = ui_px(u, 760) < u->w - 40 ? ui_px(u, 760) : u->w - 40;
    int h = u->h - ui_px(u, 80);
    SDL_Rect box = {(u->w - w) / 2, ui_px(u, 40), w, h};
    ui_fill(u, box, u->theme.panel);
    ui_frame(u, box, u->theme.accent, 3);
    int x = box.x + 40, y = box.y + 30, bw = w - 80;
    ui_text(u, x, y, ui_px(u, 30), u->theme.text, "监考面板");
    char info[256];
    snprintf(info, sizeof info, "离开本窗口 %d 次", exam_focus_losses(a->ex));
    ui_text(u, box.x + w - 40 - ui_text_width(u, ui_px(u, 18), info), y + 8, ui_px(u, 18),
            exam_focus_losses(a->ex) ? u->theme.danger : u->theme.dim, info);
    y += ui_px(u, 60);
    const char *alert = exam_alert(a->ex);
    if (alert) {
        y += ui_paragraph(u, x, y, bw, ui_px(u, 20), u->theme.danger, alert, 1) + 10;
    }
    exam_phase ph = exam_get_phase(a->ex);
    if (*exam_cand_ticket(a->ex)) {
        snprintf(info, sizeof info, "考生：%s（%s）", exam_cand_name(a->ex), exam_cand_ticket(a->ex));
        ui_text(u, x, y, ui_px(u, 20), u->theme.dim, info);
        y += ui_px(u, 36);
    }
    switch (a->panel_mode) {
    case P_PIN:
        y += ui_px(u, 50);
        app_draw_field(a, 0, (SDL_Rect){x, y, bw, ui_px(u, 56)}, "请输入监考密码，按回车", 1);
        y += ui_px(u, 80);
        break;
    case P_MENU: {
        const char *items[8] = {ph == PHASE_PAUSED ? "1  恢复考试" : "1  暂停考试", "2  延长考试时间5分钟",
                                "3  强制收卷", "4  登记缺考", "5  记录异常情况", "6  重置，迎接下一位考生",
                                "7  退出考试程序", "8  锁定本机（更换试卷）"};
        int bh = ui_px(u, 44);
        for (int i = 0; i < 8; i++) {
            ui_button(u, (SDL_Rect){x, y, bw, bh}, items[i], ui_px(u, 22), 0, ACT_PANEL, i + 1);
            y += bh + ui_px(u, 8);
        }
        ui_text(u, x, y, ui_px(u, 18), u->theme.dim, "按数字键选择，Esc 关闭面板");
        y += ui_px(u, 36);
        break;
    }
    case P_ABSENT:
        y += ui_px(u, 50);
        app_draw_field(a, 0, (SDL_Rect){x, y, bw, ui_px(u, 56)}, "缺考考生的准考证号，按回车登记（成绩记0分）", 0);
        y += ui_px(u, 80);
        break;
    case P_IRR_CAT: {
        const char *c[3] = {"1  考场环境", "2  设备故障", "3  考生行为"};
        ui_text(u, x, y, ui_px(u, 22), u->theme.text, "选择异常类别：");
        y += ui_px(u, 46);
        for (int i = 0; i < 3; i++) {
            ui_button(u, (SDL_Rect){x, y, bw, ui_px(u, 50)}, c[i], ui_px(u, 22), 0, ACT_PANEL, i + 1);
            y += ui_px(u, 60);
        }
        break;
    }
    case P_IRR_NOTE:
        y += ui_px(u, 50);
        app_draw_field(a, 0, (SDL_Rect){x, y, bw, ui_px(u, 56)}, "情况说明（可用输入法），按回车保存", 0);
        y += ui_px(u, 80);
        break;
    case P_EXIT_CONFIRM:
        ui_text(u, x, y, ui_px(u, 24), u->theme.danger, "确认退出考试程序？按回车退出，其他键取消。");
        y += ui_px(u, 50);
        break;
    case P_FORCE_CONFIRM:
        ui_text(u, x, y, ui_px(u, 24), u->theme.danger, "确认强制收卷？考生将不能再作答。按回车收卷，其他键取消。");
        y += ui_px(u, 50);
        break;
    }
    if (a->msg[0]) ui_text(u, x, y, ui_px(u, 20), a->msg_error ? u->theme.danger : u->theme.ok, a->msg);
}

const screen SCREEN_PANEL = {"panel", enter, on_event, draw};
