/* screen_instructions: 考生须知. Return starts the exam and its timer.
 * Escape does nothing here: the candidate has confirmed who they are, and
 * going back would make them log in again for no visible reason (a wrong
 * identity is caught on the confirmation screen, or by the invigilator). */
#include <stdio.h>

#include "kiosk/app.h"

static void enter(app *a) { app_fields(a, 0); }

static void on_event(app *a, const SDL_Event *ev)
{
    const ui_target *t = ev->type == SDL_MOUSEBUTTONDOWN ? ui_hit(&a->ui, ev->button.x, ev->button.y) : NULL;
    if (app_key_is(ev, SDLK_RETURN) || app_key_is(ev, SDLK_KP_ENTER) || (t && t->action == ACT_SUBMIT)) {
        exam_rc rc = exam_start(a->ex);
        if (rc != EXAM_OK) app_set_msg(a, exam_message(rc), 1);
    } else if (app_key_is(ev, SDLK_ESCAPE))
        app_set_msg(a, "阅读完毕后按回车键开始考试；如有疑问请举手联系监考员。", 0);
}

static const char RULES[] =
    "1. 考试开始后计时，剩余时间显示在屏幕右上角；时间到时系统自动交卷。\n"
    "2. 每次作答都会立即保存，屏幕显示“已保存”后答案即写入本机，断电或死机不会丢失。\n"
    "3. 用 PageDown / PageUp 翻到下一题 / 上一题，也可点击右侧答题卡直接跳转。\n"
    "4. 选择题按字母键 A、B、C……作答（多选题再按一次取消）；判断题 A 为正确、B 为错误。\n"
    "5. 排序题按正确顺序依次按字母键；匹配题依次为左侧每一项输入右侧对应的编号；按退格键撤销最后一步。\n"
    "6. 填空题、计算题、简答题直接输入文字（可使用输入法），填空题按 Tab 键切换到下一空。\n"
    "7. 按 F9 标记有疑问的题目；按 Ctrl+= / Ctrl+- 放大或缩小字号，按 F11 切换高对比度显示。\n"
    "8. 按 F10 交卷，回车确认、Esc 取消；开考后规定时间内不能交卷。\n"
    "9. 考试期间不得离开座位、不得使用其他程序；如有问题请举手示意监考员。";

static void draw(app *a)
{
    ui *u = &a->ui;
    int y = app_draw_header(a, "考生须知") + ui_px(u, 30);
    int x = u->w / 8, w = u->w * 3 / 4;
    char hello[160];
    snprintf(hello, sizeof hello, "%s 同学，请仔细阅读以下须知：", exam_cand_name(a->ex));
    ui_text(u, x, y, ui_px(u, 26), u->theme.text, hello);
    y += ui_px(u, 56);
    if (exam_cand_extra_min(a->ex) > 0) { /* granted by exam_start with the sitting (roster extra_minutes) */
        char extra[96];
        snprintf(extra, sizeof extra, "本场考试为您延长 %d 分钟（预先批准），开始考试后计入剩余时间。", exam_cand_extra_min(a->ex));
        ui_text(u, x, y, ui_px(u, 22), u->theme.text, extra);
        y += ui_px(u, 44);
    }
    y += ui_paragraph(u, x, y, w, ui_px(u, 21), u->theme.text, RULES, 1);
    y += ui_px(u, 24);
    ui_button(u, (SDL_Rect){u->w / 2 - ui_px(u, 150), y, ui_px(u, 300), ui_px(u, 56)}, "开始考试（回车）", ui_px(u, 24),
              1, ACT_SUBMIT, 0);
    app_draw_msg(a, y + ui_px(u, 70));
}

const screen SCREEN_INSTRUCTIONS = {"instructions", enter, on_event, draw};
