/* screen_panel: the invigilator panel (Ctrl+Alt+I), drawn over the current
 * screen. Asks for the PIN, then offers: pause / resume, extend time, force
 * hand-in, mark a candidate absent, file an irregularity, reset for the next
 * candidate, exit the kiosk. Every action is journaled by the engine.
 *
 * The PIN is guarded (exam_check_pin): while a delay runs the PIN field
 * takes no input and says how long to wait; after too many wrong PINs the
 * panel shows the lockout screen, which stays (Esc does not close it, and
 * it opens by itself over every screen after a restart) until the release
 * code is typed. The menu shows the wrong PINs so far.
 *
 * Extending time: minutes (any number up to what is left of the pack's cap
 * for this sitting), then a reason: one of four standard reasons or
 * 5 (其他) and a typed note (IME allowed, at most 40 Chinese characters). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/app.h"

enum { P_PIN, P_MENU, P_ABSENT, P_IRR_CAT, P_IRR_NOTE, P_EXIT_CONFIRM, P_FORCE_CONFIRM, P_LOCKOUT, P_EXT_MIN,
       P_EXT_REASON, P_EXT_NOTE };

/* the standard reasons for extra time (5: typed) */
static const char *const EXT_REASON[] = {"", "设备故障", "系统故障或断电后恢复", "考场环境干扰", "考生身体不适"};
#define EXT_OTHER 5

static void lockout(app *a)
{
    a->panel_mode = P_LOCKOUT;
    app_fields_ascii(a, 1);
}

static void enter(app *a)
{
    a->panel_mode = P_PIN;
    app_fields_ascii(a, 1);
    app_set_msg(a, "", 0);
    if (exam_pin_locked(a->ex)) lockout(a);
}

static void to_menu(app *a)
{
    a->panel_mode = P_MENU;
    app_fields(a, 0);
}

static void extend(app *a, const char *reason)
{
    exam_rc rc = exam_extend(a->ex, a->ext_minutes, reason);
    to_menu(a);
    if (rc == EXAM_OK) {
        char m[128];
        snprintf(m, sizeof m, "已延长%d分钟（本场已延长%d分钟，上限%d分钟）", a->ext_minutes, exam_extra_used_min(a->ex),
                 exam_extra_max_min(a->ex));
        app_set_msg(a, m, 0);
    } else
        app_set_msg(a, exam_message(rc), 1);
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
        if (ph != PHASE_RUNNING && ph != PHASE_PAUSED) break;
        if (exam_extra_left_min(a->ex) < 1) {
            char m[128];
            snprintf(m, sizeof m, "本场考试已延长%d分钟，达到上限%d分钟，不能再延长", exam_extra_used_min(a->ex),
                     exam_extra_max_min(a->ex));
            app_set_msg(a, m, 1);
            return;
        }
        a->panel_mode = P_EXT_MIN;
        app_fields_ascii(a, 1);
        a->msg[0] = 0;
        return;
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
        if (a->panel_mode == P_LOCKOUT) return; /* only the release code opens it */
        if (a->panel_mode == P_PIN || a->panel_mode == P_MENU) close_panel(a);
        else { a->panel_mode = P_MENU; app_fields(a, 0); a->msg[0] = 0; }
        return;
    }
    switch (a->panel_mode) {
    case P_PIN:
        if (exam_pin_wait_ms(a->ex) > 0) { /* the field takes nothing while the delay runs */
            if (ret) app_set_msg(a, exam_message(EXAM_PIN_WAIT), 1);
            return;
        }
        if (ret) {
            exam_rc rc = exam_check_pin(a->ex, a->field[0]);
            sodium_memzero(a->field[0], sizeof a->field[0]);
            if (rc == EXAM_OK) {
                to_menu(a);
                a->msg[0] = 0;
            } else if (rc == EXAM_PIN_LOCKED) {
                lockout(a);
                a->msg[0] = 0;
            } else
                app_set_msg(a, exam_message(rc), 1);
        } else
            app_field_event(a, ev, 1);
        return;
    case P_LOCKOUT:
        if (ret) {
            exam_rc rc = exam_pin_release(a->ex, a->field[0]);
            sodium_memzero(a->field[0], sizeof a->field[0]);
            if (rc == EXAM_OK) {
                a->panel_mode = P_PIN;
                app_fields_ascii(a, 1);
                app_set_msg(a, "已解除锁定，请输入监考密码", 0);
            } else
                app_set_msg(a, exam_message(rc), 1);
        } else
            app_field_event(a, ev, 0);
        return;
    case P_EXT_MIN:
        if (ret) {
            int m = atoi(a->field[0]);
            int left = exam_extra_left_min(a->ex);
            if (m < 1) app_set_msg(a, exam_message(EXAM_EXTEND_MINUTES), 1);
            else if (m > left) {
                char msg[160];
                snprintf(msg, sizeof msg, "超出延时上限：本场上限%d分钟，已延长%d分钟，最多还可延长%d分钟",
                         exam_extra_max_min(a->ex), exam_extra_used_min(a->ex), left);
                app_set_msg(a, msg, 1);
            } else {
                a->ext_minutes = m;
                a->panel_mode = P_EXT_REASON;
                app_fields(a, 0);
                a->msg[0] = 0;
            }
            if (a->panel_mode == P_EXT_MIN) memset(a->field[0], 0, sizeof a->field[0]);
        } else if (strlen(a->field[0]) < 3 || app_key_is(ev, SDLK_BACKSPACE))
            app_field_event(a, ev, 1);
        return;
    case P_EXT_REASON: {
        int r = 0;
        if (t && t->action == ACT_PANEL) r = t->arg;
        else if (ev->type == SDL_KEYDOWN && ev->key.keysym.sym >= SDLK_1 && ev->key.keysym.sym <= SDLK_5)
            r = (int)(ev->key.keysym.sym - SDLK_0);
        if (r == EXT_OTHER) {
            a->panel_mode = P_EXT_NOTE;
            app_fields(a, 1);
        } else if (r)
            extend(a, EXT_REASON[r]);
        return;
    }
    case P_EXT_NOTE:
        if (ret) {
            char reason[APP_FIELD_MAX + 16];
            snprintf(reason, sizeof reason, "其他：%s", a->field[0]);
            if (!a->field[0][strspn(a->field[0], " ")]) app_set_msg(a, exam_message(EXAM_EXTEND_REASON), 1);
            else if (strlen(reason) > EXAM_REASON_MAX) app_set_msg(a, exam_message(EXAM_EXTEND_REASON), 1);
            else extend(a, reason);
        } else
            app_field_event(a, ev, 0);
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
    int wrong = exam_pin_failures_total(a->ex);
    snprintf(info, sizeof info, "离开本窗口 %d 次  监考密码输错 %d 次", exam_focus_losses(a->ex), wrong);
    if (a->panel_mode == P_PIN) /* the PIN count for the invigilator once in (and on the lockout screen) */
        snprintf(info, sizeof info, "离开本窗口 %d 次", exam_focus_losses(a->ex));
    ui_text(u, box.x + w - 40 - ui_text_width(u, ui_px(u, 18), info), y + 8, ui_px(u, 18),
            exam_focus_losses(a->ex) || wrong ? u->theme.danger : u->theme.dim, info);
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
    case P_PIN: {
        y += ui_px(u, 50);
        app_draw_field(a, 0, (SDL_Rect){x, y, bw, ui_px(u, 56)}, "请输入监考密码，按回车", 1);
        y += ui_px(u, 80);
        int64_t wait = exam_pin_wait_ms(a->ex);
        if (wait > 0) {
            snprintf(info, sizeof info, "监考密码已连续输错 %d 次：请等待 %lld 秒后再输入", exam_pin_failures(a->ex),
                     (long long)((wait + 999) / 1000));
            ui_text(u, x, y, ui_px(u, 20), u->theme.danger, info);
            y += ui_px(u, 40);
        }
        break;
    }
    case P_LOCKOUT:
        ui_text(u, x, y, ui_px(u, 26), u->theme.danger, "监考密码已锁定");
        y += ui_px(u, 50);
        snprintf(info, sizeof info, "监考密码已连续输错 %d 次（共输错 %d 次），监考面板已锁定。", exam_pin_failures(a->ex),
                 exam_pin_failures_total(a->ex));
        y += ui_paragraph(u, x, y, bw, ui_px(u, 22), u->theme.text, info, 1) + 10;
        y += ui_paragraph(u, x, y, bw, ui_px(u, 22), u->theme.text, "请监考员输入本场开考码解除锁定（此事已记入日志）。", 1) + 10;
        y += ui_px(u, 50);
        app_draw_field(a, 0, (SDL_Rect){x, y, bw, ui_px(u, 56)}, "开考码，按回车", 0);
        y += ui_px(u, 80);
        break;
    case P_EXT_MIN:
        snprintf(info, sizeof info, "本场考试延时上限 %d 分钟，已延长 %d 分钟，最多还可延长 %d 分钟。", exam_extra_max_min(a->ex),
                 exam_extra_used_min(a->ex), exam_extra_left_min(a->ex));
        y += ui_paragraph(u, x, y, bw, ui_px(u, 22), u->theme.text, info, 1) + 10;
        if (exam_extra_planned_min(a->ex) > 0) { /* the roster's accommodation: already granted, outside the cap */
            snprintf(info, sizeof info, "另有预先批准的延长时间 %d 分钟（不计入上限，开考时已计入）。", exam_extra_planned_min(a->ex));
            y += ui_paragraph(u, x, y, bw, ui_px(u, 22), u->theme.dim, info, 1) + 10;
        }
        y += ui_px(u, 50);
        app_draw_field(a, 0, (SDL_Rect){x, y, bw, ui_px(u, 56)}, "延长多少分钟？输入分钟数，按回车", 0);
        y += ui_px(u, 80);
        break;
    case P_EXT_REASON: {
        snprintf(info, sizeof info, "延长 %d 分钟。选择原因：", a->ext_minutes);
        ui_text(u, x, y, ui_px(u, 22), u->theme.text, info);
        y += ui_px(u, 46);
        for (int i = 1; i <= EXT_OTHER; i++) {
            char label[96];
            snprintf(label, sizeof label, "%d  %s", i, i < EXT_OTHER ? EXT_REASON[i] : "其他（须填写说明）");
            ui_button(u, (SDL_Rect){x, y, bw, ui_px(u, 50)}, label, ui_px(u, 22), 0, ACT_PANEL, i);
            y += ui_px(u, 60);
        }
        break;
    }
    case P_EXT_NOTE:
        y += ui_px(u, 50);
        app_draw_field(a, 0, (SDL_Rect){x, y, bw, ui_px(u, 56)}, "延时原因（可用输入法，不超过40个汉字），按回车保存", 0);
        y += ui_px(u, 80);
        break;
    case P_MENU: {
        char ext_item[96];
        snprintf(ext_item, sizeof ext_item, "2  延长考试时间（已延长%d分钟，上限%d分钟）", exam_extra_used_min(a->ex),
                 exam_extra_max_min(a->ex));
        const char *items[8] = {ph == PHASE_PAUSED ? "1  恢复考试" : "1  暂停考试", ext_item,
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
