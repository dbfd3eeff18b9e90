/* screen_confirm: the candidate checks name, ticket, level, seat and exam
 * title (and the planned extra time, when the roster grants one); Return
 * confirms, Escape goes back to the login. */
#include <stdio.h>

#include "core/text.h"
#include "kiosk/app.h"

static void enter(app *a) { app_fields(a, 0); }

static void on_event(app *a, const SDL_Event *ev)
{
    const ui_target *t = ev->type == SDL_MOUSEBUTTONDOWN ? ui_hit(&a->ui, ev->button.x, ev->button.y) : NULL;
    if (app_key_is(ev, SDLK_RETURN) || app_key_is(ev, SDLK_KP_ENTER) || (t && t->action == ACT_SUBMIT))
        exam_confirm(a->ex);
    else if ((app_key_is(ev, SDLK_ESCAPE) || (t && t->action == ACT_BACK)) && exam_back(a->ex) == EXAM_OK) {
        app_sync_screen(a); /* the login screen, saying why it is back */
        app_set_msg(a, "已返回登录：信息有误或不是本人，请举手报告监考员。", 1);
    }
}


static void draw(app *a)
{
    ui *u = &a->ui;
    int y = app_draw_header(a, "核对考生信息") + ui_px(u, 50);
    int x = u->w / 4, w = u->w / 2;
    SDL_Rect card = {x, y, w, ui_px(u, 330)};
    ui_fill(u, card, u->theme.panel);
    ui_frame(u, card, u->theme.border, 1);
    char seat[32];
    snprintf(seat, sizeof seat, "%d号", exam_cand_seat(a->ex));
    const char *rows[][2] = {{"姓　　名", exam_cand_name(a->ex)}, {"准考证号", exam_cand_ticket(a->ex)},
                             {"报考级别", text_level_name(exam_cand_level(a->ex))}, {"座　　号", seat},
                             {"考试科目", exam_unlocked_title(a->ex)}};
    int yy = y + ui_px(u, 28);
    for (int i = 0; i < 5; i++) {
        ui_text(u, x + 30, yy, ui_px(u, 24), u->theme.dim, rows[i][0]);
        ui_paragraph(u, x + 30 + ui_px(u, 140), yy, w - 60 - ui_px(u, 140), ui_px(u, 24), u->theme.text, rows[i][1], 1);
        yy += ui_px(u, 58);
    }
    y += card.h + ui_px(u, 40);
    if (exam_cand_extra_min(a->ex) > 0) { /* the roster's planned accommodation: the candidate sees it before starting */
        char extra[96];
        snprintf(extra, sizeof extra, "本场考试为您延长 %d 分钟（预先批准）", exam_cand_extra_min(a->ex));
        ui_text_center(u, 0, y, u->w, ui_px(u, 24), u->theme.text, extra);
        y += ui_px(u, 44);
    }
    ui_text_center(u, 0, y, u->w, ui_px(u, 22), u->theme.text, "信息无误请按回车确认；不是本人请按 Esc 返回，并报告监考员。");
    y += ui_px(u, 56);
    ui_button(u, (SDL_Rect){u->w / 2 - ui_px(u, 230), y, ui_px(u, 200), ui_px(u, 52)}, "确认（回车）", ui_px(u, 22), 1,
              ACT_SUBMIT, 0);
    ui_button(u, (SDL_Rect){u->w / 2 + ui_px(u, 30), y, ui_px(u, 200), ui_px(u, 52)}, "返回（Esc）", ui_px(u, 22), 0,
              ACT_BACK, 0);
}

const screen SCREEN_CONFIRM = {"confirm", enter, on_event, draw};
