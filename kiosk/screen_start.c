/* screen_start: the locked kiosk: its place, the packs loaded (locked), and
 * the release code entry for the invigilator; F2 shows the readiness check
 * of this PC over it (the lines of `examsync check`), F2 or Esc closes it. */
#include <stdio.h>
#include <string.h>

#include "kiosk/app.h"
#include "kiosk/check.h"

static readiness_list checks; /* the F2 overlay's results */
static int showing_checks;

static void enter(app *a)
{
    showing_checks = 0;
    app_fields_ascii(a, 1);
}

/* the overlay below the header (TOP): one coloured line per check, wrapped */
static void draw_checks(app *a, int top)
{
    ui *u = &a->ui;
    SDL_Rect r = {u->w / 16, top + ui_px(u, 12), u->w * 7 / 8, u->h - top - ui_px(u, 24)};
    ui_fill(u, r, u->theme.panel);
    ui_frame(u, r, u->theme.border, 2);
    int x = r.x + ui_px(u, 24), y = r.y + ui_px(u, 16), w = r.w - ui_px(u, 48);
    ui_text(u, x, y, ui_px(u, 26), u->theme.text, "本机就绪检查（F2 或 Esc 关闭）");
    y += ui_px(u, 48);
    char line[READINESS_LINE_MAX];
    for (size_t i = 0; i < checks.n; i++) {
        readiness_format(&checks.item[i], line, sizeof line);
        y += ui_paragraph(u, x, y, w, ui_px(u, 16), checks.item[i].ok ? u->theme.ok : u->theme.danger, line, 1) +
             ui_px(u, 6);
    }
    size_t failed = readiness_failed(&checks);
    snprintf(line, sizeof line, "%zu checks, %zu failed", checks.n, failed);
    ui_text(u, x, y + ui_px(u, 10), ui_px(u, 20), failed ? u->theme.danger : u->theme.ok, line);
}

static void on_event(app *a, const SDL_Event *ev)
{
    if (showing_checks) { /* the overlay takes every key until it closes */
        if (app_key_is(ev, SDLK_F2) || app_key_is(ev, SDLK_ESCAPE)) showing_checks = 0;
        return;
    }
    if (app_key_is(ev, SDLK_F2)) {
        memset(&checks, 0, sizeof checks);
        readiness_run(&checks, a->datadir, NULL);
        kiosk_check_display(a->ui.window, &a->ui, a->lock != NULL, &checks);
        showing_checks = 1;
        return;
    }
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
    int top = app_draw_header(a, "职业技能等级认定 机考系统"), y = top + ui_px(u, 36);
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
    const char *f2 = "F2 本机就绪检查";
    ui_text(u, u->w - 24 - ui_text_width(u, ui_px(u, 16), f2), u->h - ui_px(u, 36), ui_px(u, 16), u->theme.dim, f2);
    if (showing_checks) draw_checks(a, top);
}

const screen SCREEN_START = {"start", enter, on_event, draw};
