/* pages: the console's seat map (see console_int.h): the whole page, its
 * live part (GET /seats, every second through /console.js) and the script. */
#include "tools/room/console_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"

static void clock_text(int64_t t, char out_[32])
{
    struct tm tm;
    time_t tt = (time_t)t;
    localtime_r(&tt, &tm);
    strftime(out_, 32, "%H:%M:%S", &tm);
}

static const char *state_zh(const char *st)
{
    return !strcmp(st, SEAT_CONFIRMED) ? "已确认" : !strcmp(st, SEAT_UNCONFIRMED) ? "未确认"
           : !strcmp(st, SEAT_DUPLICATE)  ? "重复"
                                          : st;
}

/* the journal's action, for the page (the journal itself keeps the English word) */
static const char *action_zh(const char *a)
{
    static const char *const MAP[][2] = {
        {"init", "创建控制台"},    {"start", "控制台启动"},     {"stop", "控制台停止"},      {"hello", "考机连接"},
        {"moved", "考机换座"},     {"duplicate", "重复考机"},   {"hello-refused", "拒绝连接"}, {"confirm", "确认座位"},
        {"refused", "拒绝操作"},   {"login", "登录"},           {"logout", "退出登录"},      {"login-failed", "密码错误"},
        {"login-lockout", "登录锁定"}, {"login-locked", "锁定中尝试"}, {"login-refused", "拒绝登录"},
        {"add", "添加文件"},       {"unlock", "解锁"},          {"unlock-refused", "解锁被拒"}, {"key-restored", "恢复密钥"},
        {"key-refused", "密钥无法恢复"}, {"pause_all", "全部暂停"}, {"resume_all", "全部继续"}, {"extend", "延长时间"},
        {"close_entry", "截止入场"}, {"force_handin", "强制收卷"}, {"lock", "锁定考机"},     {"authorise_resume", "授权恢复"},
        {"absent", "缺考"},        {"phase", "考机状态"},       {"alert", "告警"},           {"focus", "切屏"},
        {"diverged", "日志分歧"},  {"record", "考场记录"}};
    for (size_t i = 0; i < sizeof MAP / sizeof *MAP; i++)
        if (!strcmp(a, MAP[i][0])) return MAP[i][1];
    return a;
}

static void journal_row(void *ctx, int64_t at, const char *actor, const char *action, const char *detail)
{
    dynbuf *b = ctx;
    char t[32];
    clock_text(at, t);
    con_out(b, "<tr><td>%s</td><td title=\"", t);
    con_esc(b, actor);
    con_out(b, "\">");
    /* the page says who in a word: the address stays in the journal's actor */
    con_esc(b, !strncmp(actor, "invigilator", 11) ? "监考员" : !strcmp(actor, "seat") ? "考机"
           : !strncmp(actor, "browser", 7)    ? "浏览器"
           : !strncmp(actor, "examroom", 8)   ? "控制台"
                                              : actor);
    con_out(b, "</td><td>");
    con_esc(b, action_zh(action));
    con_out(b, "</td><td>");
    con_esc(b, detail);
    con_out(b, "</td></tr>");
}

/* ---- the seat map ------------------------------------------------------------- */

static const char *phase_zh(int p)
{
    static const char *const P[] = {"未解锁", "设置密码", "待登录", "核对身份", "阅读须知",
                                    "作答中",  "已暂停",   "已交卷",       "等待恢复"};
    return p >= 0 && p <= ROOMPROTO_PHASE_MAX ? P[p] : "?";
}


static void view_status(void *ctx, const room_status *st)
{
    view *w = ctx;
    for (int i = 0; i < w->n; i++) {
        seat_view *sv = &w->v[i];
        if (strcmp(sv->seat.kiosk_id, st->kiosk_id)) continue;
        const char *why = NULL;
        if (roomproto_report_peek(st->report, st->len, &sv->r, &why) != ROOMPROTO_OK) return; /* verified when stored */
        sv->have = 1;
        sv->at_ms = st->at_ms;
        snprintf(sv->diverged, sizeof sv->diverged, "%s", st->diverged);
        return;
    }
}


/* the seats and their reports; -1 on a storage error */
int pages_view_load(srv *s, view *w)
{
    memset(w, 0, sizeof *w);
    room_seat *seats;
    int n = roomstore_seats(s->cfg->rs, &seats);
    if (n < 0) return -1;
    w->v = calloc((size_t)(n ? n : 1), sizeof *w->v);
    if (!w->v) {
        free(seats);
        return -1;
    }
    w->n = n;
    for (int i = 0; i < n; i++) w->v[i].seat = seats[i];
    free(seats);
    if (roomstore_statuses(s->cfg->rs, view_status, w) < 0) return -1;
    w->unlocked = roomstate_unlocked(&s->st, w->pack_hex, w->title);
    for (int i = 0; i < n; i++) {
        seat_view *sv = &w->v[i];
        if (!sv->have || con_tag_zero(sv->r.ticket_tag)) continue;
        (void)roomstate_ticket(&s->st, sv->r.ticket_tag, sv->ticket, NULL, &sv->extra_minutes);
        (void)roomstate_name(&s->st, sv->r.name_box, sv->r.name_box_len, sv->name);
        for (int j = 0; j < n; j++)
            if (w->v[j].have && !memcmp(w->v[j].r.ticket_tag, sv->r.ticket_tag, ROOMPROTO_TAG_BYTES)) sv->same_ticket++;
    }
    return 0;
}

static void mmss(uint32_t ms, char out_[24])
{
    uint32_t t = ms / 1000;
    if (t >= 3600) snprintf(out_, 24, "%u:%02u:%02u", t / 3600, t / 60 % 60, t % 60);
    else snprintf(out_, 24, "%u:%02u", t / 60, t % 60);
}

static void chip(dynbuf *b, const char *cls, const char *text)
{
    con_out(b, "<span class=\"chip %s\">", cls);
    con_esc(b, text);
    con_out(b, "</span>");
}

static void seat_form(dynbuf *b, const char *csrf, const char *action, const char *kid, const char *label,
                      const char *cls)
{
    con_out(b, "<form method=\"post\" action=\"/action\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
           "<input type=\"hidden\" name=\"action\" value=\"%s\"><input type=\"hidden\" name=\"seat\" value=\"",
        csrf, action);
    con_esc(b, kid);
    con_out(b, "\"><button type=\"submit\" class=\"%s\">", cls);
    con_esc(b, label);
    con_out(b, "</button></form>");
}

static void seat_card(dynbuf *b, const seat_view *sv, const char *csrf, int64_t now)
{
    const room_seat *r = &sv->seat;
    const roomproto_report *p = &sv->r;
    int alert = *sv->diverged || sv->same_ticket > 1 ||
                (sv->have && (p->flags & (ROOMPROTO_FLAG_STORAGE_ALERT | ROOMPROTO_FLAG_INTEGRITY_ALERT |
                                          ROOMPROTO_FLAG_DUPLICATE_LOGIN | ROOMPROTO_FLAG_PIN_LOCKED |
                                          ROOMPROTO_FLAG_RESUME_WAITING)));
    long ago = (long)(now - r->last_contact);
    if (ago < 0) ago = 0;
    int lost = ago > 10;
    int confirmed = !strcmp(r->state, SEAT_CONFIRMED);
    con_out(b, "<div class=\"seat %s\" id=\"seat-", r->state);
    con_esc(b, r->kiosk_id);
    con_out(b, "\" title=\"考机编号 ");
    con_esc(b, r->kiosk_id);
    con_out(b, "\"%s%s><div class=\"top\">", alert ? " data-alert=\"1\"" : "", lost ? " data-lost=\"1\"" : "");
    if (confirmed) {
        con_out(b, "<input type=\"checkbox\" name=\"seat\" form=\"bulk\" title=\"选择此座位\" value=\"");
        con_esc(b, r->kiosk_id);
        con_out(b, "\">");
    }
    con_out(b, "<span class=\"no\">%d 号</span>", r->seat);
    /* a confirmed seat shows what it is doing; the others their pairing state and kiosk id */
    if (confirmed && sv->have) con_out(b, "<span class=\"ph p%d\">%s</span></div>", p->phase, phase_zh(p->phase));
    else con_out(b, "<span class=\"state\">%s</span></div>", state_zh(r->state));
    if (!confirmed) {
        con_out(b, "<div class=\"kid\">");
        con_esc(b, r->kiosk_id);
        con_out(b, "</div>");
        if (sv->have) con_out(b, "<div class=\"meta\">%s</div>", phase_zh(p->phase));
    } else if (!sv->have)
        con_out(b, "<div class=\"meta\">尚无状态报告</div>");
    if (sv->have) {
        if (!con_tag_zero(p->ticket_tag)) {
            con_out(b, "<div class=\"cand\">");
            if (*sv->ticket) con_esc(b, sv->ticket);
            else con_out(b, "考生已登录");
            if (*sv->name) {
                con_out(b, " <span class=\"name\">");
                con_esc(b, sv->name);
                con_out(b, "</span>");
            }
            if (sv->extra_minutes) con_out(b, " <span class=\"extra\" title=\"计划延长时间（名单）\">+%d′</span>", sv->extra_minutes);
            con_out(b, "</div>");
        }
        if (p->total) {
            char left[24];
            mmss(p->time_left_ms, left);
            con_out(b, "<div class=\"meta\">已答 <b class=\"answered\">%u/%u</b> · 剩 <b>%s</b></div>", p->answered,
                p->total, left);
        }
    }
    con_out(b, "<div class=\"meta small%s\" title=\"切屏次数 · 考机已执行的最后一条指令 · 最后联系", lost ? " bad" : "");
    if (sv->have) con_out(b, "（考机日志 %llu 条）", (unsigned long long)p->journal_count);
    con_out(b, "\">");
    if (sv->have) con_out(b, "切屏%u · 指令#%llu · ", p->focus_losses, (unsigned long long)p->last_command);
    con_out(b, "%ld秒前</div>", ago);
    con_out(b, "<div class=\"chips\">");
    if (sv->have) {
        if (p->flags & ROOMPROTO_FLAG_PAUSED && p->phase != 6) chip(b, "warn", "已暂停");
        if (p->focus_losses) chip(b, "warn", "有切屏");
        if (p->flags & ROOMPROTO_FLAG_STORAGE_ALERT) chip(b, "bad", "存储告警");
        if (p->flags & ROOMPROTO_FLAG_INTEGRITY_ALERT) chip(b, "bad", "完整性告警");
        if (p->flags & ROOMPROTO_FLAG_PIN_LOCKED) chip(b, "bad", "监考密码锁定");
        if (p->flags & ROOMPROTO_FLAG_UNFOCUSED) chip(b, "warn", "窗口失焦");
        if (p->flags & ROOMPROTO_FLAG_RESUME_WAITING) chip(b, "bad", "等待恢复授权");
        if (p->flags & ROOMPROTO_FLAG_DUPLICATE_LOGIN) chip(b, "bad", "重复登录被拒");
        if (p->flags & ROOMPROTO_FLAG_ENTRY_CLOSED) chip(b, "info", "入场已截止");
    }
    if (sv->same_ticket > 1) chip(b, "bad", "同一考生在两个座位");
    if (*sv->diverged) chip(b, "bad", "日志分歧");
    if (lost) chip(b, "bad", "失联");
    con_out(b, "</div>");
    if (*r->conflict || *sv->diverged) {
        con_out(b, "<div class=\"why\">");
        con_esc(b, *r->conflict ? r->conflict : sv->diverged);
        con_out(b, "</div>");
    }
    /* a seat's hand-in and lock show when the pointer is on the seat (or a key on them): the map of
     * 40 seats stays on one laptop screen; confirm and authorise resume always show */
    int waiting = sv->have && (p->flags & ROOMPROTO_FLAG_RESUME_WAITING || p->phase == 8);
    con_out(b, "<div class=\"acts%s\">", confirmed && !waiting ? " hov" : "");
    if (!strcmp(r->state, SEAT_UNCONFIRMED)) {
        con_out(b, "<form method=\"post\" action=\"/seat/confirm\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
               "<input type=\"hidden\" name=\"kiosk_id\" value=\"",
            csrf);
        con_esc(b, r->kiosk_id);
        con_out(b, "\"><button type=\"submit\">确认座位</button></form>");
    } else if (!strcmp(r->state, SEAT_CONFIRMED) && sv->have) {
        if (waiting) seat_form(b, csrf, "authorise_resume", r->kiosk_id, "授权恢复", "");
        if (p->phase >= 2 && p->phase <= 6) seat_form(b, csrf, "force_handin", r->kiosk_id, "收卷", "small danger");
        if (p->phase != 0 && p->phase != 7) seat_form(b, csrf, "lock", r->kiosk_id, "锁定", "small");
    }
    con_out(b, "</div></div>");
}


void pages_seen_add(void *ctx, const char *tag, const char *ticket, const char *pack, const char *kiosk_id,
                     int64_t first_ms, int64_t last_ms)
{
    (void)tag, (void)pack, (void)kiosk_id, (void)first_ms, (void)last_ms;
    seen_set *ss = ctx;
    if (!*ticket) return;
    if (ss->n == ss->cap) {
        size_t cap = ss->cap ? ss->cap * 2 : 64;
        void *nv = realloc(ss->tickets, cap * sizeof *ss->tickets);
        if (!nv) return;
        ss->tickets = nv;
        ss->cap = cap;
    }
    snprintf(ss->tickets[ss->n++], ROSTER_TICKET_MAX + 1, "%s", ticket);
}

/* roomstore_absences callback: the absent tickets into a seen_set */
static void absent_add(void *ctx, const char *ticket, int seat, int64_t at, const char *actor)
{
    (void)seat, (void)at, (void)actor;
    pages_seen_add(ctx, "", ticket, "", "", 0, 0);
}

int pages_seen_has(const seen_set *ss, const char *t)
{
    for (size_t i = 0; i < ss->n; i++)
        if (!strcmp(ss->tickets[i], t)) return 1;
    return 0;
}

/* the live part of the page (GET /seats, and inside GET /): summary, seats,
 * candidates not logged in, the journal */
static void live_html(srv *s, dynbuf *b, const session *k)
{
    view w;
    int64_t now = con_now_s();
    if (pages_view_load(s, &w) < 0) {
        con_out(b, "<div class=\"msg\">数据库错误：");
        con_esc(b, roomstore_error(s->cfg->rs));
        con_out(b, "</div>");
        free(w.v);
        return;
    }
    int counts[3] = {0, 0, 0}, phases[ROOMPROTO_PHASE_MAX + 1] = {0}, alerts = 0, lost = 0;
    for (int i = 0; i < w.n; i++) {
        const seat_view *sv = &w.v[i];
        counts[!strcmp(sv->seat.state, SEAT_CONFIRMED) ? 0 : !strcmp(sv->seat.state, SEAT_UNCONFIRMED) ? 1 : 2]++;
        if (sv->have) phases[sv->r.phase]++;
        if (*sv->diverged || sv->same_ticket > 1 ||
            (sv->have && sv->r.flags & (ROOMPROTO_FLAG_STORAGE_ALERT | ROOMPROTO_FLAG_INTEGRITY_ALERT)))
            alerts++;
        if (now - sv->seat.last_contact > 10) lost++;
    }
    con_out(b, "<div class=\"summary\"><span>座位 <b>%d</b></span><span>已确认 <b>%d</b></span><span>未确认 <b>%d</b></span>"
           "<span>重复 <b>%d</b></span><span>作答中 <b>%d</b></span><span>已暂停 <b>%d</b></span>"
           "<span>已交卷 <b>%d</b></span><span class=\"%s\">告警 <b>%d</b></span><span class=\"%s\">失联 <b>%d</b></span>"
           "<span class=\"clock\">更新于 ",
        w.n, counts[0], counts[1], counts[2], phases[5], phases[6], phases[7], alerts ? "bad" : "", alerts,
        lost ? "bad" : "", lost);
    char t[32];
    clock_text(now, t);
    con_out(b, "%s</span></div>", t);
    if (!w.n) con_out(b, "<div class=\"empty\">还没有考机连接。考机运行 examsync room 后会出现在这里。</div>");
    con_out(b, "<div class=\"grid\">");
    for (int i = 0; i < w.n; i++) seat_card(b, &w.v[i], k->csrf, now);
    con_out(b, "</div>");
    free(w.v);
    /* the roster's candidates who have not logged in anywhere in the room */
    room_cand *cands;
    int unlocked = 0;
    size_t nc = roomstate_cands(&s->st, &cands, &unlocked);
    seen_set seen = {0}, absent = {0};
    (void)roomstore_seen(s->cfg->rs, pages_seen_add, &seen);
    (void)roomstore_absences(s->cfg->rs, absent_add, &absent);
    size_t waiting = 0;
    for (size_t i = 0; i < nc; i++) waiting += !pages_seen_has(&seen, cands[i].ticket);
    con_out(b, "<div class=\"cols\"><div class=\"col\"><h2>未登录考生（%zu / %zu）</h2>", waiting, nc);
    if (!nc) con_out(b, "<p class=\"note\">未添加考生名单（examroom add）。</p>");
    else if (!unlocked) con_out(b, "<p class=\"note\">考场解锁后按准考证号显示登录情况。</p>");
    con_out(b, "<div class=\"cands\">");
    for (size_t i = 0; unlocked && i < nc; i++) {
        if (pages_seen_has(&seen, cands[i].ticket)) continue;
        int ab = pages_seen_has(&absent, cands[i].ticket);
        con_out(b, "<span class=\"c%s\" title=\"名单座位 %d 号%s\">", ab ? " absent" : "", cands[i].seat,
            ab ? "，已记缺考" : "");
        con_esc(b, cands[i].ticket);
        if (cands[i].extra_minutes) con_out(b, " +%d′", cands[i].extra_minutes);
        con_out(b, "%s</span>", ab ? " 缺考" : "");
    }
    con_out(b, "</div></div>");
    free(cands);
    free(seen.tickets);
    free(absent.tickets);
    con_out(b, "<div class=\"col\"><h2>考场日志（最近 12 条）</h2><table><tr><th>时间</th><th>来源</th><th>操作</th>"
           "<th>内容</th></tr>");
    roomstore_journal(s->cfg->rs, 12, journal_row, b);
    con_out(b, "</table></div></div>");
}

static void unlock_pack_option(void *ctx, const char *id, const char *title)
{
    dynbuf *b = ctx;
    con_out(b, "<option value=\"");
    con_esc(b, id);
    con_out(b, "\">");
    con_esc(b, title);
    con_out(b, "</option>");
}

static void action_button(dynbuf *b, const char *csrf, const char *action, const char *label, const char *cls)
{
    con_out(b, "<form method=\"post\" action=\"/action\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
           "<input type=\"hidden\" name=\"action\" value=\"%s\"><input type=\"hidden\" name=\"scope\" value=\"all\">"
           "<button type=\"submit\" class=\"%s\">",
        csrf, action, cls);
    con_esc(b, label);
    con_out(b, "</button></form>");
}

enum MHD_Result pages_map(srv *s, struct MHD_Connection *c, const session *k, const char *msg)
{
    dynbuf b;
    dynbuf_init(&b, 4u << 20);
    con_page_head(&b, "考场控制台 · 座位图", 1);
    con_out(&b, "<header><h1>考场控制台</h1><span class=\"where\">");
    con_esc(&b, s->cfg->site);
    con_out(&b, " · 第 ");
    con_esc(&b, s->cfg->room);
    con_out(&b, " 考场</span>");
    char pack[33], title[256];
    int unlocked = roomstate_unlocked(&s->st, pack, title);
    if (unlocked) {
        con_out(&b, "<span class=\"pack\">已解锁：");
        con_esc(&b, title);
        con_out(&b, "</span>");
    }
    con_out(&b, "<a class=\"rec\" href=\"/record\" download=\"room-record.txt\">下载考场记录</a>"
            "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
            "<button type=\"submit\">退出登录</button></form></header><main>",
        k->csrf);
    if (msg) {
        con_out(&b, "<div class=\"msg\">");
        con_esc(&b, msg);
        con_out(&b, "</div>");
    }
    if (!unlocked) {
        char *wrapped = roomstore_config_get(s->cfg->rs, "wrapped_key");
        if (wrapped)
            con_out(&b, "<div class=\"msg\">本考场已解锁，但控制台重启后无法恢复密钥（room.db 中的密钥无法用此密码打开）。"
                    "已发出的指令照常送达；新指令需要重新输入发布码。</div>");
        free(wrapped);
        int npacks = roomstate_packs(&s->st, NULL, NULL);
        if (npacks <= 0)
            con_out(&b, "<div class=\"msg\">尚未添加试卷包：在控制台电脑上运行 examroom add --data 目录 试卷包.pack"
                    "，然后刷新本页（考生名单在下次登录时读入）。</div>");
        else {
            con_out(&b, "<form class=\"unlock\" method=\"post\" action=\"/unlock\"><input type=\"hidden\" "
                        "name=\"csrf\" value=\"%s\"><b>开考解锁</b><label>试卷包 <select name=\"pack\">",
                    k->csrf);
            roomstate_packs(&s->st, unlock_pack_option, &b);
            con_out(&b, "</select></label><label>发布码 <input name=\"code\" autocomplete=\"off\" spellcheck=\"false\" "
                "placeholder=\"XXXX-XXXX-XXXX-XXXX-XXXX\" size=\"26\" required></label>"
                "<label>监考密码 <input type=\"password\" name=\"pin\" inputmode=\"numeric\" autocomplete=\"off\" "
                "size=\"10\" required></label><label>再次输入 <input type=\"password\" name=\"pin2\" "
                "inputmode=\"numeric\" autocomplete=\"off\" size=\"10\" required></label>"
                "<label class=\"ck\"><input type=\"checkbox\" name=\"confirm\" value=\"1\" required>"
                "确认：向全部已确认的座位发送解锁</label><button type=\"submit\">解锁</button></form>");
        }
    } else {
        con_out(&b, "<div class=\"bar\">");
        action_button(&b, k->csrf, "pause_all", "全部暂停", "warn");
        action_button(&b, k->csrf, "resume_all", "全部继续", "");
        action_button(&b, k->csrf, "close_entry", "截止入场", "");
        action_button(&b, k->csrf, "force_handin", "全部收卷", "danger");
        action_button(&b, k->csrf, "lock", "全部锁定", "danger");
        con_out(&b, "<form id=\"bulk\" class=\"ext\" method=\"post\" action=\"/action\"><input type=\"hidden\" "
                "name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"action\" value=\"extend\">"
                "<b>延长时间</b><input type=\"number\" name=\"minutes\" min=\"1\" max=\"%d\" value=\"10\" "
                "required> 分钟 <input name=\"reason\" maxlength=\"120\" placeholder=\"原因（必填）\" required>"
                "<select name=\"scope\"><option value=\"selected\">所选座位</option><option value=\"all\">全部座位"
                "</option></select><button type=\"submit\">延长</button></form></div>",
            k->csrf, ROOMPROTO_EXTEND_MAX);
    }
    con_out(&b, "<div id=\"live\">");
    live_html(s, &b, k);
    con_out(&b, "</div></main><script src=\"/console.js\"></script></body></html>");
    return con_reply_html(c, MHD_HTTP_OK, &b, NULL, NULL, NULL);
}

/* GET /seats: the live part alone, fetched every second by /console.js */
enum MHD_Result pages_seats(srv *s, struct MHD_Connection *c, const session *k)
{
    dynbuf b;
    dynbuf_init(&b, 4u << 20);
    live_html(s, &b, k);
    return con_reply_html(c, MHD_HTTP_OK, &b, NULL, NULL, NULL);
}

/* the page's one script: the live part again every second (same origin, CSP
 * script-src 'self'); the seats ticked for an extension stay ticked */
static const char CONSOLE_JS[] =
    "(function(){var live=document.getElementById('live');if(!live||!window.fetch)return;var busy=false;\n"
    "function tick(){if(busy)return;busy=true;var sel=[];\n"
    "document.querySelectorAll('#live input[name=seat]:checked').forEach(function(e){sel.push(e.value)});\n"
    "fetch('/seats',{credentials:'same-origin',cache:'no-store'}).then(function(r){\n"
    "if(r.status!==200)throw new Error('HTTP '+r.status);return r.text()}).then(function(t){live.innerHTML=t;\n"
    "document.querySelectorAll('#live input[name=seat]').forEach(function(e){if(sel.indexOf(e.value)>=0)e.checked=true});\n"
    "document.body.classList.remove('stale')}).catch(function(){document.body.classList.add('stale')})\n"
    ".then(function(){busy=false})}\n"
    "setInterval(tick,1000)})();\n";

enum MHD_Result pages_js(struct MHD_Connection *c)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof CONSOLE_JS - 1, (void *)CONSOLE_JS, MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "text/javascript; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}
