/* screen_question: the candidate's exam screen: timer, part heading, stem
 * (CJK line breaking, tables), the answer area for each item type, save
 * state, the answer card, and the hand-in confirmation (F10). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "kiosk/app.h"
#include "kiosk/ime.h"

static int is_text_type(qtype t) { return t == QT_FILL || t == QT_NUMERIC || t == QT_ESSAY; }

/* Text input on for fill, numeric and essay questions, off for the rest; in
 * both cases a composition left open on the question being left is dropped
 * with the IME's own state (its candidate window closes), so that nothing
 * typed for one question can be committed into another. */
static void sync_text_input(app *a)
{
    const paper *p = exam_paper(a->ex);
    ime_reset(p && is_text_type(p->items[exam_current(a->ex)].type));
    a->composing[0] = 0;
}

static void enter(app *a)
{
    app_fields(a, 0);
    sync_text_input(a);
}

static void go(app *a, int item)
{
    exam_goto(a->ex, item);
    a->msg[0] = 0;
    a->scroll = 0;
    sync_text_input(a);
}

static void report(app *a, exam_rc rc)
{
    if (rc == EXAM_SAVE_FAILED) app_set_msg(a, exam_message(rc), 1);
    else if (rc == EXAM_OK) a->msg[0] = 0;
}

static void on_event(app *a, const SDL_Event *ev)
{
    const paper *p = exam_paper(a->ex);
    if (!p) return;
    int cur = exam_current(a->ex);
    const paper_item *it = &p->items[cur];
    const ui_target *t = ev->type == SDL_MOUSEBUTTONDOWN ? ui_hit(&a->ui, ev->button.x, ev->button.y) : NULL;
    if (a->handin_confirm) {
        if (app_key_is(ev, SDLK_RETURN) || app_key_is(ev, SDLK_KP_ENTER) || (t && t->action == ACT_CONFIRM_YES)) {
            a->handin_confirm = 0;
            exam_rc rc = exam_handin(a->ex);
            if (rc != EXAM_OK) app_set_msg(a, exam_message(rc), 1);
        } else if (app_key_is(ev, SDLK_ESCAPE) || (t && t->action == ACT_CONFIRM_NO))
            a->handin_confirm = 0;
        return;
    }
    if (t) {
        switch (t->action) {
        case ACT_OPTION:
            if (it->type == QT_ORDER) report(a, exam_order_append(a->ex, t->arg));
            else if (it->type == QT_MATCH) report(a, exam_match_digit(a->ex, t->arg + 1));
            else report(a, exam_choose(a->ex, t->arg));
            return;
        case ACT_GOTO: go(a, t->arg); return;
        case ACT_PREV: go(a, cur - 1); return;
        case ACT_NEXT: go(a, cur + 1); return;
        case ACT_FLAG: report(a, exam_toggle_flag(a->ex)); return;
        case ACT_HANDIN: break;
        case ACT_BLANK:
            while (exam_active_blank(a->ex) != t->arg) exam_next_blank(a->ex);
            sync_text_input(a); /* a composition belongs to the blank it was typed in */
            return;
        default: return;
        }
    }
    if (ev->type == SDL_MOUSEWHEEL) { /* long questions scroll */
        a->scroll -= ev->wheel.y * ui_px(&a->ui, 60);
        if (a->scroll < 0) a->scroll = 0;
        if (a->scroll > a->scroll_max) a->scroll = a->scroll_max;
        return;
    }
    if (ev->type == SDL_KEYDOWN && (ev->key.keysym.sym == SDLK_DOWN || ev->key.keysym.sym == SDLK_UP)) {
        a->scroll += (ev->key.keysym.sym == SDLK_DOWN ? 1 : -1) * ui_px(&a->ui, 60);
        if (a->scroll < 0) a->scroll = 0;
        if (a->scroll > a->scroll_max) a->scroll = a->scroll_max;
        return;
    }
    if (ev->type == SDL_KEYDOWN || (t && t->action == ACT_HANDIN)) {
        SDL_Keycode k = t ? SDLK_F10 : ev->key.keysym.sym;
        Uint16 mod = t ? 0 : ev->key.keysym.mod;
        if (k == SDLK_PAGEDOWN) { go(a, cur + 1); return; }
        if (k == SDLK_PAGEUP) { go(a, cur - 1); return; }
        if (k == SDLK_F9) { report(a, exam_toggle_flag(a->ex)); return; }
        if (k == SDLK_F10) {
            if (!exam_handin_allowed(a->ex)) app_set_msg(a, exam_message(EXAM_TOO_EARLY), 1);
            else a->handin_confirm = 1;
            return;
        }
        if (mod & (KMOD_CTRL | KMOD_ALT | KMOD_GUI)) return;
        if (k == SDLK_BACKSPACE) { report(a, exam_backspace(a->ex)); return; }
        if (is_text_type(it->type)) {
            if (k == SDLK_TAB) {
                exam_next_blank(a->ex);
                sync_text_input(a);
            }
            else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && it->type == QT_ESSAY) report(a, exam_newline(a->ex));
            return; /* characters arrive as SDL_TEXTINPUT */
        }
        if (k >= SDLK_a && k <= SDLK_h) {
            int d = (int)(k - SDLK_a);
            if (d >= it->nopt) return;
            if (it->type == QT_ORDER) report(a, exam_order_append(a->ex, d));
            else if (it->type != QT_MATCH) report(a, exam_choose(a->ex, d));
            return;
        }
        if (it->type == QT_MATCH && ((k >= SDLK_1 && k <= SDLK_9) || (k >= SDLK_KP_1 && k <= SDLK_KP_9))) {
            int n = k >= SDLK_KP_1 ? (int)(k - SDLK_KP_1) + 1 : (int)(k - SDLK_1) + 1;
            report(a, exam_match_digit(a->ex, n));
        }
        return;
    }
    if (ev->type == SDL_TEXTINPUT && is_text_type(it->type)) {
        a->composing[0] = 0;
        report(a, exam_text(a->ex, ev->text.text));
    } else if (ev->type == SDL_TEXTEDITING && is_text_type(it->type))
        snprintf(a->composing, sizeof a->composing, "%s", ev->edit.text);
}

/* ---- drawing -------------------------------------------------------------------- */

static void fmt_points(int tenths, char *out, size_t n) { text_format_tenths(tenths, out, n); }

/* a text box with the answer, the IME composition and a caret (ui_edit) */
static int text_box(app *a, int x, int y, int w, int h, const char *text, int active, int px, int multiline)
{
    return ui_edit(&a->ui, (SDL_Rect){x, y, w, h}, px, text, a->composing, multiline, active);
}

static int draw_options(app *a, const exam_item_view *v, int x, int y, int w)
{
    ui *u = &a->ui;
    int px = ui_px(u, 22);
    int y0 = y;
    for (int d = 0; d < v->nopt; d++) {
        const char *text = v->type == QT_JUDGE ? (d == 0 ? "正确" : "错误") : v->option[d];
        int sel = v->selected[d];
        char label[8];
        snprintf(label, sizeof label, "%c.", 'A' + d);
        int lw = ui_px(u, 70);
        int th = ui_paragraph(u, 0, 0, w - lw - 24, px, u->theme.text, text, 0);
        SDL_Rect r = {x, y, w, th + ui_px(u, 20)};
        SDL_Color fg = sel ? u->theme.accent_text : u->theme.text;
        ui_fill(u, r, sel ? u->theme.selected_bg : u->theme.panel);
        ui_frame(u, r, sel ? u->theme.selected_bg : u->theme.border, sel ? 3 : 1);
        const char *mark = v->type == QT_MULTI ? (sel ? "■" : "□") : (sel ? "●" : "○");
        ui_text(u, x + 12, y + ui_px(u, 10), px, fg, mark);
        ui_text(u, x + 12 + ui_px(u, 30), y + ui_px(u, 10), px, fg, label);
        ui_paragraph(u, x + lw, y + ui_px(u, 10), w - lw - 24, px, fg, text, 1);
        ui_target_add(u, r, ACT_OPTION, d);
        y += r.h + ui_px(u, 10);
    }
    return y - y0;
}

static int draw_order_match(app *a, const exam_item_view *v, const paper_question *q, int x, int y, int w)
{
    ui *u = &a->ui;
    int px = ui_px(u, 22), y0 = y;
    const char *disp = v->order;
    if (v->type == QT_ORDER) {
        for (int d = 0; d < v->nopt; d++) {
            char line[1200], placed[32] = "";
            int at = v->step[d]; /* its place in the candidate's order */
            if (at) snprintf(placed, sizeof placed, "  【第%d步】", at);
            snprintf(line, sizeof line, "%c. %s%s", 'A' + d, v->option[d], placed);
            int h = ui_paragraph(u, x + 12, y + ui_px(u, 6), w - 24, px, at ? u->theme.accent : u->theme.text, line, 1) +
                    ui_px(u, 12);
            ui_frame(u, (SDL_Rect){x, y, w, h}, at ? u->theme.accent : u->theme.border, at ? 2 : 1);
            ui_target_add(u, (SDL_Rect){x, y, w, h}, ACT_OPTION, d);
            y += h + ui_px(u, 6);
        }
        char seq[256] = "你的排序：";
        for (const char *p = disp; *p; p++) {
            char t[16];
            snprintf(t, sizeof t, p == disp ? "%c" : " → %c", *p);
            strcat(seq, t);
        }
        if (!*disp) strcat(seq, "（依次按字母键排列，退格键撤销）");
        y += ui_px(u, 10);
        ui_text(u, x, y, ui_px(u, 24), u->theme.accent, seq);
        return y - y0 + ui_px(u, 40);
    }
    /* match: left-hand items with the chosen number, right-hand items numbered */
    const int *vals = v->match;
    int nv = v->nmatch;
    int half = (w - ui_px(u, 30)) / 2;
    int yl = y, yr = y;
    ui_text(u, x, yl, ui_px(u, 20), u->theme.dim, "左侧项目（依次输入右侧编号）");
    ui_text(u, x + half + ui_px(u, 30), yr, ui_px(u, 20), u->theme.dim, "右侧选项");
    yl += ui_px(u, 36);
    yr += ui_px(u, 36);
    for (int i = 0; i < q->noptions; i++) {
        char line[1200], chosen[32];
        if (i < nv && vals[i] > 0) snprintf(chosen, sizeof chosen, "【%d】", vals[i]);
        else snprintf(chosen, sizeof chosen, "【　】");
        snprintf(line, sizeof line, "%c. %s  %s", 'A' + i, q->options[i], chosen);
        int h = ui_paragraph(u, x + 10, yl + ui_px(u, 6), half - 20, px, i == nv ? u->theme.accent : u->theme.text, line, 1);
        ui_frame(u, (SDL_Rect){x, yl, half, h + ui_px(u, 12)}, i == nv ? u->theme.accent : u->theme.border, i == nv ? 2 : 1);
        yl += h + ui_px(u, 18);
    }
    for (int d = 0; d < v->nopt; d++) {
        char line[1200];
        snprintf(line, sizeof line, "%d. %s", d + 1, v->option[d]);
        int h = ui_paragraph(u, x + half + ui_px(u, 40), yr + ui_px(u, 6), half - 20, px, u->theme.text, line, 1);
        SDL_Rect r = {x + half + ui_px(u, 30), yr, half, h + ui_px(u, 12)};
        ui_frame(u, r, u->theme.border, 1);
        ui_target_add(u, r, ACT_OPTION, d);
        yr += h + ui_px(u, 18);
    }
    return (yl > yr ? yl : yr) - y0;
}

static int draw_text_answer(app *a, const exam_item_view *v, int x, int y, int w, int hmax)
{
    ui *u = &a->ui;
    int px = ui_px(u, 22), y0 = y;
    const char *resp = v->text;
    if (v->type == QT_FILL) {
        for (int k = 0; k < v->nblanks; k++) {
            char label[32];
            snprintf(label, sizeof label, "第%d空", k + 1);
            ui_text(u, x, y + ui_px(u, 14), px, u->theme.dim, label);
            int bh = ui_px(u, 52);
            text_box(a, x + ui_px(u, 90), y, w - ui_px(u, 90), bh, v->blank[k], k == v->active_blank, px, 0);
            ui_target_add(u, (SDL_Rect){x + ui_px(u, 90), y, w - ui_px(u, 90), bh}, ACT_BLANK, k);
            y += bh + ui_px(u, 12);
        }
        ui_text(u, x, y, ui_px(u, 18), u->theme.dim, "按 Tab 键切换到下一空；可使用输入法输入中文。");
        return y - y0 + ui_px(u, 30);
    }
    if (v->type == QT_NUMERIC) {
        ui_text(u, x, y + ui_px(u, 14), px, u->theme.dim, "答：");
        text_box(a, x + ui_px(u, 60), y, w / 2, ui_px(u, 52), resp, 1, px, 0);
        y += ui_px(u, 64);
        ui_text(u, x, y, ui_px(u, 18), u->theme.dim, "只填写数值（可含小数点和负号），不要填写单位。");
        return y - y0 + ui_px(u, 30);
    }
    int h = hmax - ui_px(u, 30);
    if (h < ui_px(u, 120)) h = ui_px(u, 120);
    text_box(a, x, y, w, h, resp, 1, px, 1);
    ui_text(u, x, y + h + 6, ui_px(u, 18), u->theme.dim, "直接输入作答内容，回车换行；本题由评卷人员评分。");
    return h + ui_px(u, 30);
}

static void draw_card(app *a, const paper *p, int x, int y, int w, int h)
{
    ui *u = &a->ui;
    ui_fill(u, (SDL_Rect){x, y, w, h}, u->theme.panel);
    ui_frame(u, (SDL_Rect){x, y, w, h}, u->theme.border, 1);
    char prog[64];
    snprintf(prog, sizeof prog, "已答 %d/%d", exam_answered_count(a->ex), p->n);
    ui_text(u, x + 16, y + 12, ui_px(u, 22), u->theme.text, "答题卡");
    int pw = ui_text_width(u, ui_px(u, 22), prog);
    ui_text(u, x + w - pw - 16, y + 12, ui_px(u, 22), u->theme.accent, prog);
    int cols = 10;
    int cell = (w - 32) / cols;
    int btn_h = ui_px(u, 46);
    int grid_h = h - ui_px(u, 56) - 2 * (btn_h + 10) - ui_px(u, 40);
    int rows = (p->n + cols - 1) / cols;
    if (rows * cell > grid_h && rows > 0) { /* many questions: smaller cells, more columns */
        cols = 15;
        cell = (w - 32) / cols;
    }
    int cur = exam_current(a->ex);
    int fpx = cell > 34 ? ui_px(u, 16) : 12;
    for (int i = 0; i < p->n; i++) {
        SDL_Rect r = {x + 16 + (i % cols) * cell, y + ui_px(u, 52) + (i / cols) * cell, cell - 4, cell - 4};
        if (r.y + r.h > y + ui_px(u, 52) + grid_h) break;
        int answered = exam_response(a->ex, i)[0] != 0;
        ui_fill(u, r, answered ? u->theme.accent : u->theme.panel);
        ui_frame(u, r, i == cur ? u->theme.text : u->theme.border, i == cur ? 3 : 1);
        if (exam_flagged(a->ex, i)) ui_fill(u, (SDL_Rect){r.x + r.w - 10, r.y + 2, 8, 8}, u->theme.flagged);
        if (!exam_saved(a->ex, i)) ui_fill(u, (SDL_Rect){r.x + 2, r.y + r.h - 6, r.w - 4, 4}, u->theme.danger);
        char n[16];
        snprintf(n, sizeof n, "%d", i + 1);
        ui_text_center(u, r.x, r.y + (r.h - TTF_FontHeight(ui_font(u, fpx))) / 2, r.w, fpx,
                       answered ? u->theme.accent_text : u->theme.text, n);
        ui_target_add(u, r, ACT_GOTO, i);
    }
    int ly = y + h - 2 * (btn_h + 10) - ui_px(u, 36);
    int lx = x + 16;
    ui_fill(u, (SDL_Rect){lx, ly + 4, 16, 16}, u->theme.accent);
    lx += 22 + ui_text(u, lx + 22, ly, ui_px(u, 16), u->theme.dim, "已答") + 16;
    ui_frame(u, (SDL_Rect){lx, ly + 4, 16, 16}, u->theme.border, 1);
    lx += 22 + ui_text(u, lx + 22, ly, ui_px(u, 16), u->theme.dim, "未答") + 16;
    ui_fill(u, (SDL_Rect){lx, ly + 4, 16, 16}, u->theme.flagged);
    ui_text(u, lx + 22, ly, ui_px(u, 16), u->theme.dim, "已标记");
    int bw = (w - 48) / 2, by = y + h - 2 * (btn_h + 10);
    ui_button(u, (SDL_Rect){x + 16, by, bw, btn_h}, "上一题 PgUp", ui_px(u, 18), 0, ACT_PREV, 0);
    ui_button(u, (SDL_Rect){x + 32 + bw, by, bw, btn_h}, "下一题 PgDn", ui_px(u, 18), 0, ACT_NEXT, 0);
    by += btn_h + 10;
    ui_button(u, (SDL_Rect){x + 16, by, bw, btn_h}, exam_flagged(a->ex, cur) ? "取消标记 F9" : "标记 F9", ui_px(u, 18), 0,
              ACT_FLAG, 0);
    ui_button(u, (SDL_Rect){x + 32 + bw, by, bw, btn_h}, "交卷 F10", ui_px(u, 18), 1, ACT_HANDIN, 0);
}

static void draw_confirm(app *a, const paper *p)
{
    ui *u = &a->ui;
    SDL_SetRenderDrawBlendMode(u->renderer, SDL_BLENDMODE_BLEND);
    ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, (SDL_Color){0, 0, 0, 150});
    int w = ui_px(u, 640), h = ui_px(u, 300);
    SDL_Rect box = {(u->w - w) / 2, (u->h - h) / 2, w, h};
    ui_fill(u, box, u->theme.panel);
    ui_frame(u, box, u->theme.accent, 3);
    ui_text_center(u, box.x, box.y + ui_px(u, 30), w, ui_px(u, 30), u->theme.text, "确认交卷？");
    char line[128];
    int answered = exam_answered_count(a->ex);
    snprintf(line, sizeof line, "已答 %d 题，未答 %d 题。交卷后不能再修改答案。", answered, p->n - answered);
    ui_text_center(u, box.x, box.y + ui_px(u, 96), w, ui_px(u, 22), answered < p->n ? u->theme.warn : u->theme.text, line);
    int bw = ui_px(u, 220), bh = ui_px(u, 56), by = box.y + h - bh - ui_px(u, 36);
    ui_button(u, (SDL_Rect){box.x + w / 2 - bw - 20, by, bw, bh}, "确认交卷（回车）", ui_px(u, 22), 1, ACT_CONFIRM_YES, 0);
    ui_button(u, (SDL_Rect){box.x + w / 2 + 20, by, bw, bh}, "继续答题（Esc）", ui_px(u, 22), 0, ACT_CONFIRM_NO, 0);
}

static void draw(app *a)
{
    ui *u = &a->ui;
    const paper *p = exam_paper(a->ex);
    if (!p) return;
    int cur = exam_current(a->ex);
    const paper_item *it = &p->items[cur];
    const paper_part *part = &p->parts[it->part];
    int top = app_draw_header_plain(a, p->title);
    /* timer over the header's right side */
    int64_t r = exam_remaining_ms(a->ex);
    char timer[64], hms[16];
    snprintf(timer, sizeof timer, "剩余时间 %s", text_format_remaining(r, hms, sizeof hms));
    int tpx = ui_px(u, 28);
    int tw = ui_text_width(u, tpx, timer) + 32;
    int hh = ui_px(u, 64);
    SDL_Color tbg = r <= 5 * 60000 ? u->theme.danger : r <= 15 * 60000 ? u->theme.warn : u->theme.accent;
    ui_fill(u, (SDL_Rect){u->w - tw - 16, 6, tw, hh - 12}, tbg);
    SDL_Color tfg = r > 15 * 60000 ? u->theme.accent_text : (SDL_Color){255, 255, 255, 255};
    if (u->high_contrast) tfg = (SDL_Color){0, 0, 0, 255}; /* black on yellow / orange / red */
    ui_text(u, u->w - tw, (hh - TTF_FontHeight(ui_font(u, tpx))) / 2, tpx, tfg, timer);
    if (a->banner[0]) {
        int bh = ui_px(u, 44);
        ui_fill(u, (SDL_Rect){0, top, u->w, bh}, u->theme.warn);
        ui_text_center(u, 0, top + (bh - TTF_FontHeight(ui_font(u, ui_px(u, 24)))) / 2, u->w, ui_px(u, 24),
                       (SDL_Color){255, 255, 255, 255}, a->banner);
        top += bh;
    }
    int cardw = u->w * 3 / 10;
    if (cardw < 320) cardw = 320;
    int mx = 28, mw = u->w - cardw - 3 * 28, y = top + 18;
    draw_card(a, p, u->w - cardw - 28, top + 18, cardw, u->h - top - 18 - ui_px(u, 44));
    /* part heading and question number */
    char head[200], each[16];
    if (part->points_each >= 0) {
        fmt_points(part->points_each, each, sizeof each);
        char tot[16];
        fmt_points(part->points_each * part->count, tot, sizeof tot);
        snprintf(head, sizeof head, "%s（共%d题，每题%s分，共%s分）", part->heading, part->count, each, tot);
    } else
        snprintf(head, sizeof head, "%s（共%d题）", part->heading, part->count);
    /* the question area scrolls (↑/↓, wheel) when a question is taller than it */
    int area_top = y, area_bottom = u->h - ui_px(u, 48);
    SDL_Rect area = {0, area_top, mx + mw + 8, area_bottom - area_top};
    SDL_RenderSetClipRect(u->renderer, &area);
    int first_target = u->ntargets;
    y -= a->scroll;
    ui_text(u, mx, y, ui_px(u, 22), u->theme.dim, head);
    y += ui_px(u, 40);
    char num[96], pts[16];
    fmt_points(it->points, pts, sizeof pts);
    snprintf(num, sizeof num, "第 %d 题（%s分）%s", cur + 1, pts, exam_flagged(a->ex, cur) ? "　★已标记" : "");
    ui_text(u, mx, y, ui_px(u, 26), exam_flagged(a->ex, cur) ? u->theme.flagged : u->theme.text, num);
    y += ui_px(u, 48);
    const paper_question *q = exam_question(a->ex);
    const exam_item_view *v = q ? exam_view(a->ex) : NULL;
    if (!q || !v) {
        ui_text(u, mx, y, ui_px(u, 22), u->theme.danger, "题目读取失败，请通知监考员");
        return;
    }
    y += ui_paragraph(u, mx, y, mw, ui_px(u, 24), u->theme.text, q->stem, 1) + ui_px(u, 16);
    int bottom = u->h - ui_px(u, 44);
    switch (it->type) {
    case QT_JUDGE: case QT_SINGLE: case QT_MULTI: y += draw_options(a, v, mx, y, mw); break;
    case QT_ORDER: case QT_MATCH: y += draw_order_match(a, v, q, mx, y, mw); break;
    default: y += draw_text_answer(a, v, mx, y, mw, bottom - y - ui_px(u, 20)); break;
    }
    SDL_RenderSetClipRect(u->renderer, NULL);
    /* only what is visible can be clicked */
    for (int i = first_target; i < u->ntargets; i++) {
        SDL_Rect tr = u->targets[i].r, c;
        if (SDL_IntersectRect(&tr, &area, &c)) u->targets[i].r = c;
        else u->targets[i].r = (SDL_Rect){0, 0, 0, 0};
    }
    int content = y + a->scroll - area_top;
    a->scroll_max = content > area.h ? content - area.h + ui_px(u, 12) : 0;
    if (a->scroll > a->scroll_max) a->scroll = a->scroll_max;
    if (a->scroll < a->scroll_max) {
        static const char MORE[] = "↓ 下面还有内容（方向键↓ 或滚轮）";
        int fh = TTF_FontHeight(ui_font(u, ui_px(u, 18))), mw2 = ui_text_width(u, ui_px(u, 18), MORE);
        SDL_Rect tag = {mx + mw - mw2 - 16, area_bottom - fh - 8, mw2 + 16, fh + 6};
        ui_fill(u, tag, u->theme.bg);
        ui_frame(u, tag, u->theme.accent, 1);
        ui_text(u, tag.x + 8, tag.y + 3, ui_px(u, 18), u->theme.accent, MORE);
    }
    /* status line: saved state, message, key hints */
    int sy = u->h - ui_px(u, 38);
    const char *resp = exam_response(a->ex, cur);
    if (!exam_saved(a->ex, cur)) ui_text(u, mx, sy, ui_px(u, 20), u->theme.danger, "未保存（已暂存，恢复写入后自动保存）");
    else if (*resp) ui_text(u, mx, sy, ui_px(u, 20), u->theme.ok, "已保存");
    else ui_text(u, mx, sy, ui_px(u, 20), u->theme.dim, "未作答");
    if (a->msg[0]) ui_text(u, mx + ui_px(u, 200), sy, ui_px(u, 20), a->msg_error ? u->theme.danger : u->theme.ok, a->msg);
    else {
        const char *hint = it->type == QT_MULTI ? "按字母键选择/取消（可多选）" : it->type == QT_ORDER ? "按字母键依次排序，退格撤销"
                         : it->type == QT_MATCH ? "按数字键依次为左侧各项选择右侧编号，退格撤销"
                         : is_text_type(it->type) ? "直接输入答案" : "按字母键选择答案";
        ui_text(u, mx + ui_px(u, 200), sy, ui_px(u, 18), u->theme.dim, hint);
    }
    if (a->handin_confirm) draw_confirm(a, p);
}

const screen SCREEN_QUESTION = {"question", enter, on_event, draw};
