/* console: the room console's HTTP server (see console.h). */
#include "tools/room/console.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/dynbuf.h"
#include "core/fileio.h"
#include "tools/hub/connwatch.h"
#include "tools/room/hello.h"

#define COOKIE_SESSION "room_session"
#define COOKIE_PRE "room_pre" /* before log-in: the log-in form's CSRF token is its MAC */
#define TOKEN_HEX 65          /* 32 random bytes as hex */

typedef struct session {
    char token[TOKEN_HEX], csrf[TOKEN_HEX];
    int64_t expires; /* wall clock, s */
    int used;
} session;

typedef struct srv {
    const console_cfg *cfg;
    pthread_mutex_t mu; /* sessions, log-in failures, the refused-hello window */
    connwatch w;        /* the connections and their deadlines, MHD's log (as the hub's) */
    session sessions[CONSOLE_SESSIONS];
    int fails;
    int64_t locked_until;
    uint8_t login_key[crypto_auth_KEYBYTES]; /* MACs the log-in form's token; new at every start */
    int64_t refused_window; /* refused hellos: at most 20 a minute in the journal */
    long refused;
    pthread_mutex_t login_mu; /* one password check at a time (Argon2id takes 64 MiB) */
} srv;

typedef struct req {
    dynbuf body;
    int too_large;
} req;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now_s(void) { return (int64_t)time(NULL); }

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    srv *s = cls;
    req *q = *con_cls;
    if (q) {
        dynbuf_free(&q->body);
        free(q);
    }
    *con_cls = NULL;
    cw_conn *k = connwatch_conn(c);
    if (k) connwatch_deadline(&s->w, k, CONSOLE_HEADER_S);
}

static void peer(struct MHD_Connection *c, char out[INET_ADDRSTRLEN])
{
    snprintf(out, INET_ADDRSTRLEN, "?");
    const union MHD_ConnectionInfo *ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ad && ad->client_addr && ad->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ad->client_addr)->sin_addr, out, INET_ADDRSTRLEN);
}

/* ---- answers ------------------------------------------------------------------ */

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!text) return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(text); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result json_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return reply_json(c, status, json_pack("{s:b, s:s}", "ok", 0, "error", msg));
}

/* an HTML page (B's text) with the console's security headers; COOKIE (or
 * NULL) and, for a redirect, LOCATION */
static enum MHD_Result reply_html(struct MHD_Connection *c, unsigned status, dynbuf *b, const char *cookie,
                                  const char *cookie2, const char *location)
{
    size_t n = 0;
    char *text = b ? dynbuf_take(b, &n) : NULL;
    struct MHD_Response *r = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(text); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
                            "base-uri 'none'");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (cookie) MHD_add_response_header(r, "Set-Cookie", cookie);
    if (cookie2) MHD_add_response_header(r, "Set-Cookie", cookie2);
    if (location) MHD_add_response_header(r, "Location", location);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result redirect(struct MHD_Connection *c, const char *location, const char *cookie, const char *cookie2)
{
    return reply_html(c, MHD_HTTP_SEE_OTHER, NULL, cookie, cookie2, location);
}

/* ---- HTML --------------------------------------------------------------------- */

static void esc(dynbuf *b, const char *s)
{
    for (; s && *s; s++) {
        const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : *s == '"' ? "&quot;"
                        : *s == '\'' ? "&#39;" : NULL;
        dynbuf_rc rc = e ? dynbuf_addstr(b, e) : dynbuf_add(b, s, 1);
        (void)rc; /* a page that passes its bound is cut short, never overrun */
    }
}

__attribute__((format(printf, 2, 3))) static void out(dynbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dynbuf_rc rc = dynbuf_vprintf(b, fmt, ap);
    (void)rc;
    va_end(ap);
}

static const char CSS[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;font-size:15px;"
    "color:#1d2733;background:#eef1f5}"
    "header{display:flex;align-items:center;gap:16px;padding:10px 20px;background:#1f3b5c;color:#fff}"
    "header h1{font-size:19px;margin:0;font-weight:600}header .where{opacity:.85}"
    "header form{margin-left:auto}"
    "main{padding:14px 20px}"
    ".summary{display:flex;gap:10px;margin:0 0 12px}"
    ".summary span{background:#fff;border-radius:6px;padding:6px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(205px,1fr));gap:10px}"
    ".seat{background:#fff;border-radius:8px;padding:10px 12px;border-left:6px solid #9aa7b5;"
    "box-shadow:0 1px 3px rgba(0,0,0,.1);min-height:118px}"
    ".seat.confirmed{border-left-color:#2e8b57}.seat.unconfirmed{border-left-color:#d08a00}"
    ".seat.duplicate{border-left-color:#c62828;background:#fff4f4}"
    ".seat .no{font-size:22px;font-weight:700}.seat .state{float:right;font-size:13px;padding:2px 8px;"
    "border-radius:10px;color:#fff;background:#9aa7b5}"
    ".confirmed .state{background:#2e8b57}.unconfirmed .state{background:#d08a00}.duplicate .state{background:#c62828}"
    ".seat .kid{font-family:monospace;font-size:15px;letter-spacing:.5px;margin:4px 0}"
    ".seat .meta{font-size:13px;color:#536170}.seat .why{font-size:12px;color:#c62828;margin-top:4px}"
    "button{font:inherit;border:0;border-radius:5px;padding:5px 14px;cursor:pointer;background:#1f6fb2;color:#fff}"
    "header button{background:#38587d}"
    ".seat form{margin-top:6px}"
    "h2{font-size:16px;margin:18px 0 6px}"
    "table{border-collapse:collapse;background:#fff;width:100%;font-size:13px}"
    "td,th{padding:4px 8px;border-bottom:1px solid #e3e7ec;text-align:left;vertical-align:top}"
    ".login{max-width:380px;margin:90px auto;background:#fff;padding:26px 30px;border-radius:10px;"
    "box-shadow:0 2px 8px rgba(0,0,0,.12)}"
    ".login h1{font-size:20px;margin:0 0 6px}.login p{color:#536170;margin:0 0 16px}"
    ".login input{width:100%;font:inherit;padding:8px;margin:6px 0 14px;border:1px solid #b8c2cc;border-radius:5px}"
    ".msg{padding:8px 12px;border-radius:6px;margin:0 0 12px;background:#fdecea;color:#b71c1c}"
    ".empty{background:#fff;padding:20px;border-radius:8px;color:#536170}";

static void page_head(dynbuf *b, const char *title)
{
    out(b, "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    esc(b, title);
    out(b, "</title><style>%s</style></head><body>", CSS);
}

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
        {"login-lockout", "登录锁定"}, {"login-locked", "锁定中尝试"}, {"login-refused", "拒绝登录"}};
    for (size_t i = 0; i < sizeof MAP / sizeof *MAP; i++)
        if (!strcmp(a, MAP[i][0])) return MAP[i][1];
    return a;
}

static void journal_row(void *ctx, int64_t at, const char *actor, const char *action, const char *detail)
{
    dynbuf *b = ctx;
    char t[32];
    clock_text(at, t);
    out(b, "<tr><td>%s</td><td>", t);
    esc(b, actor);
    out(b, "</td><td>");
    esc(b, action_zh(action));
    out(b, "</td><td>");
    esc(b, detail);
    out(b, "</td></tr>");
}

/* ---- sessions and log-in -------------------------------------------------------- */

static void random_hex(char out_[TOKEN_HEX])
{
    uint8_t r[32];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(out_, TOKEN_HEX, r, sizeof r);
    sodium_memzero(r, sizeof r);
}

static int token_eq(const char *a, const char *b)
{
    return a && b && strlen(a) == TOKEN_HEX - 1 && strlen(b) == TOKEN_HEX - 1 && !sodium_memcmp(a, b, TOKEN_HEX - 1);
}

/* the session of the request's cookie, copied into *OUT: 1, or 0 with none */
static int session_of(srv *s, struct MHD_Connection *c, session *out_)
{
    const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_SESSION);
    if (!tok) return 0;
    int found = 0;
    int64_t now = now_s();
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < CONSOLE_SESSIONS; i++) {
        session *k = &s->sessions[i];
        if (!k->used) continue;
        if (k->expires <= now) { sodium_memzero(k, sizeof *k); continue; }
        if (token_eq(k->token, tok)) { *out_ = *k; found = 1; }
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

static void session_new(srv *s, session *out_)
{
    pthread_mutex_lock(&s->mu);
    int slot = 0;
    for (int i = 0; i < CONSOLE_SESSIONS; i++) {
        if (!s->sessions[i].used) { slot = i; break; }
        if (s->sessions[i].expires < s->sessions[slot].expires) slot = i;
    }
    session *k = &s->sessions[slot];
    random_hex(k->token);
    random_hex(k->csrf);
    k->expires = now_s() + CONSOLE_SESSION_S;
    k->used = 1;
    *out_ = *k;
    pthread_mutex_unlock(&s->mu);
}

static void session_end(srv *s, const char *token)
{
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < CONSOLE_SESSIONS; i++)
        if (s->sessions[i].used && token_eq(s->sessions[i].token, token)) sodium_memzero(&s->sessions[i], sizeof(session));
    pthread_mutex_unlock(&s->mu);
}

/* the log-in form's token: the MAC of the pre-log-in cookie */
static void login_csrf(srv *s, const char *pre, char out_[TOKEN_HEX])
{
    uint8_t mac[crypto_auth_BYTES];
    crypto_auth(mac, (const unsigned char *)pre, strlen(pre), s->login_key);
    sodium_bin2hex(out_, TOKEN_HEX, mac, sizeof mac);
}

/* the value of form field NAME of an x-www-form-urlencoded BODY, decoded,
 * into OUT (SIZE): 1, or 0 when absent, malformed or too long */
static int form_field(const char *body, size_t len, const char *name, char *out_, size_t size)
{
    size_t nl = strlen(name);
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *fe = amp ? amp : end;
        if ((size_t)(fe - p) > nl && !memcmp(p, name, nl) && p[nl] == '=') {
            size_t o = 0;
            for (const char *v = p + nl + 1; v < fe; v++) {
                char ch = *v;
                if (ch == '+') ch = ' ';
                else if (ch == '%') {
                    if (fe - v < 3 || !isxdigit((unsigned char)v[1]) || !isxdigit((unsigned char)v[2])) return 0;
                    char hx[3] = {v[1], v[2], 0};
                    ch = (char)strtol(hx, NULL, 16);
                    v += 2;
                }
                if (!ch || o + 1 >= size) return 0;
                out_[o++] = ch;
            }
            out_[o] = 0;
            return 1;
        }
        p = fe + 1;
    }
    return 0;
}

static enum MHD_Result login_page(srv *s, struct MHD_Connection *c, unsigned status, const char *msg)
{
    char pre[TOKEN_HEX], csrf[TOKEN_HEX], cookie[160];
    random_hex(pre);
    login_csrf(s, pre, csrf);
    snprintf(cookie, sizeof cookie, COOKIE_PRE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=900", pre);
    dynbuf b;
    dynbuf_init(&b, 64u << 10);
    page_head(&b, "考场控制台 · 登录");
    out(&b, "<form class=\"login\" method=\"post\" action=\"/login\"><h1>考场控制台</h1><p>");
    esc(&b, s->cfg->site);
    out(&b, " · 第 ");
    esc(&b, s->cfg->room);
    out(&b, " 考场 · 监考员登录</p>");
    if (msg) {
        out(&b, "<div class=\"msg\">");
        esc(&b, msg);
        out(&b, "</div>");
    }
    out(&b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><label for=\"pw\">监考员密码</label>"
            "<input id=\"pw\" type=\"password\" name=\"password\" autocomplete=\"current-password\" autofocus required>"
            "<button type=\"submit\">登录</button></form></body></html>",
        csrf);
    return reply_html(c, status, &b, cookie, NULL, NULL);
}

static enum MHD_Result do_login(srv *s, struct MHD_Connection *c, const req *q)
{
    char ip[INET_ADDRSTRLEN], actor[64];
    peer(c, ip);
    snprintf(actor, sizeof actor, "browser %s", ip);
    const char *pre = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_PRE);
    char csrf[TOKEN_HEX + 1], want[TOKEN_HEX], pw[256];
    if (!pre || strlen(pre) != TOKEN_HEX - 1 ||
        !form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "csrf", csrf, sizeof csrf)) {
        roomstore_log(s->cfg->rs, now_s(), actor, "login-refused", "no CSRF token (log-in form not from this console)");
        return login_page(s, c, MHD_HTTP_FORBIDDEN, "登录表单已失效，请重新输入密码。");
    }
    login_csrf(s, pre, want);
    if (!token_eq(csrf, want)) {
        roomstore_log(s->cfg->rs, now_s(), actor, "login-refused", "bad CSRF token");
        return login_page(s, c, MHD_HTTP_FORBIDDEN, "登录表单已失效，请重新输入密码。");
    }
    pthread_mutex_lock(&s->login_mu);
    int64_t now = now_s();
    pthread_mutex_lock(&s->mu);
    int64_t left = s->locked_until - now;
    pthread_mutex_unlock(&s->mu);
    if (left > 0) {
        pthread_mutex_unlock(&s->login_mu);
        roomstore_log(s->cfg->rs, now, actor, "login-locked", "log-in attempt while locked out");
        char msg[160];
        snprintf(msg, sizeof msg, "密码错误次数过多，登录已锁定，请 %lld 秒后再试。", (long long)left);
        return login_page(s, c, MHD_HTTP_TOO_MANY_REQUESTS, msg);
    }
    int ok = form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "password", pw, sizeof pw) &&
             crypto_pwhash_str_verify(s->cfg->pwhash, pw, strlen(pw)) == 0;
    sodium_memzero(pw, sizeof pw);
    int locked = 0;
    pthread_mutex_lock(&s->mu);
    if (ok) s->fails = 0;
    else if (++s->fails >= CONSOLE_MAX_FAILS) {
        s->fails = 0;
        s->locked_until = now + CONSOLE_LOCKOUT_S;
        locked = 1;
    }
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_unlock(&s->login_mu);
    if (!ok) {
        roomstore_log(s->cfg->rs, now, actor, locked ? "login-lockout" : "login-failed",
                      locked ? "5 wrong passwords in a row: log-in locked for 60 s" : "wrong password");
        return login_page(s, c, locked ? MHD_HTTP_TOO_MANY_REQUESTS : MHD_HTTP_FORBIDDEN,
                          locked ? "密码错误次数过多，登录已锁定 60 秒。" : "密码错误。");
    }
    session k;
    session_new(s, &k);
    roomstore_log(s->cfg->rs, now, actor, "login", "invigilator logged in");
    char cookie[200];
    snprintf(cookie, sizeof cookie, COOKIE_SESSION "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d", k.token,
             CONSOLE_SESSION_S);
    sodium_memzero(&k, sizeof k);
    return redirect(c, "/", cookie, COOKIE_PRE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

/* ---- the seat map ------------------------------------------------------------- */

static enum MHD_Result seat_map(srv *s, struct MHD_Connection *c, const session *k, const char *msg)
{
    room_seat *v;
    int n = roomstore_seats(s->cfg->rs, &v);
    dynbuf b;
    dynbuf_init(&b, 4u << 20);
    page_head(&b, "考场控制台 · 座位图");
    out(&b, "<header><h1>考场控制台</h1><span class=\"where\">");
    esc(&b, s->cfg->site);
    out(&b, " · 第 ");
    esc(&b, s->cfg->room);
    out(&b, " 考场</span><form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
            "<button type=\"submit\">退出登录</button></form></header><main>",
        k->csrf);
    if (msg) {
        out(&b, "<div class=\"msg\">");
        esc(&b, msg);
        out(&b, "</div>");
    }
    if (n < 0) {
        out(&b, "<div class=\"msg\">数据库错误：");
        esc(&b, roomstore_error(s->cfg->rs));
        out(&b, "</div>");
        n = 0;
    }
    int counts[3] = {0, 0, 0};
    for (int i = 0; i < n; i++)
        counts[!strcmp(v[i].state, SEAT_CONFIRMED) ? 0 : !strcmp(v[i].state, SEAT_UNCONFIRMED) ? 1 : 2]++;
    out(&b, "<div class=\"summary\"><span>座位 %d</span><span>已确认 %d</span><span>未确认 %d</span><span>重复 %d</span></div>",
        n, counts[0], counts[1], counts[2]);
    if (!n) out(&b, "<div class=\"empty\">还没有考机连接。考机运行 examsync 后会出现在这里。</div>");
    out(&b, "<div class=\"grid\">");
    int64_t now = now_s();
    for (int i = 0; i < n; i++) {
        const room_seat *r = &v[i];
        char t[32];
        clock_text(r->last_contact, t);
        long ago = (long)(now - r->last_contact);
        out(&b, "<div class=\"seat %s\" id=\"seat-%s\"><span class=\"state\">%s</span><div class=\"no\">%d 号</div>",
            r->state, r->kiosk_id, state_zh(r->state), r->seat);
        out(&b, "<div class=\"meta\">考机编号</div><div class=\"kid\">");
        esc(&b, r->kiosk_id);
        out(&b, "</div><div class=\"meta\">最后联系 %s（%ld 秒前）</div>", t, ago < 0 ? 0 : ago);
        if (*r->conflict) {
            out(&b, "<div class=\"why\">");
            esc(&b, r->conflict);
            out(&b, "</div>");
        }
        if (!strcmp(r->state, SEAT_UNCONFIRMED))
            out(&b, "<form method=\"post\" action=\"/seat/confirm\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                    "<input type=\"hidden\" name=\"kiosk_id\" value=\"%s\"><button type=\"submit\">确认座位</button></form>",
                k->csrf, r->kiosk_id);
        out(&b, "</div>");
    }
    free(v);
    out(&b, "</div><h2>考场日志（最近 20 条）</h2><table><tr><th>时间</th><th>来源</th><th>操作</th><th>内容</th></tr>");
    roomstore_journal(s->cfg->rs, 20, journal_row, &b);
    out(&b, "</table></main></body></html>");
    return reply_html(c, MHD_HTTP_OK, &b, NULL, NULL, NULL);
}

/* a POST of the logged-in console: the session's CSRF token must come with it */
static int csrf_ok(const req *q, const session *k)
{
    char csrf[TOKEN_HEX + 1];
    return form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "csrf", csrf, sizeof csrf) && token_eq(csrf, k->csrf);
}

static enum MHD_Result forbidden(struct MHD_Connection *c, const char *msg)
{
    dynbuf b;
    dynbuf_init(&b, 16u << 10);
    page_head(&b, "考场控制台 · 拒绝");
    out(&b, "<main><div class=\"msg\">");
    esc(&b, msg);
    out(&b, "</div><p><a href=\"/\">返回座位图</a></p></main></body></html>");
    return reply_html(c, MHD_HTTP_FORBIDDEN, &b, NULL, NULL, NULL);
}

static enum MHD_Result do_confirm(srv *s, struct MHD_Connection *c, const req *q, const session *k)
{
    char ip[INET_ADDRSTRLEN], actor[64], kid[32];
    peer(c, ip);
    snprintf(actor, sizeof actor, "invigilator %s", ip);
    if (!csrf_ok(q, k)) {
        roomstore_log(s->cfg->rs, now_s(), actor, "refused", "confirm without a valid CSRF token");
        return forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。请从座位图页面操作。");
    }
    if (!form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "kiosk_id", kid, sizeof kid))
        return seat_map(s, c, k, "缺少考机编号。");
    int rc = roomstore_confirm(s->cfg->rs, kid, actor, now_s());
    if (rc < 0) return seat_map(s, c, k, "数据库错误，座位未确认。");
    if (rc > 0) return seat_map(s, c, k, "该考机不是“未确认”状态，未作更改。");
    return redirect(c, "/", NULL, NULL);
}

/* ---- the seat API ---------------------------------------------------------------- */

static enum MHD_Result do_hello(srv *s, struct MHD_Connection *c, const req *q)
{
    json_error_t err;
    json_t *in = json_loadb(dynbuf_ptr(&q->body), dynbuf_len(&q->body), JSON_REJECT_DUPLICATES, &err);
    hello_fields h = {0};
    json_int_t seat = 0, t = 0;
    const char *sig = NULL;
    if (!in || json_unpack_ex(in, &err, JSON_STRICT, "{s:s, s:s, s:s, s:I, s:s, s:I, s:s}", "kiosk_id", &h.kiosk_id,
                              "site", &h.site, "room", &h.room, "seat", &seat, "device_pk", &h.device_pk, "time", &t,
                              "sig", &sig)) {
        json_decref(in);
        return json_error(c, MHD_HTTP_BAD_REQUEST,
                          "malformed hello: expected JSON {kiosk_id, site, room, seat, device_pk, time, sig}");
    }
    h.seat = seat < 1 || seat > 999 ? 0 : (int)seat;
    h.time = t;
    const char *why = NULL;
    char detail[400], ip[INET_ADDRSTRLEN];
    peer(c, ip);
    enum MHD_Result out_;
    int64_t now = now_s();
    if (hello_verify(&h, sig, &why)) {
        out_ = json_error(c, MHD_HTTP_FORBIDDEN, why);
    } else if (strcmp(h.site, s->cfg->site) || strcmp(h.room, s->cfg->room)) {
        snprintf(detail, sizeof detail, "wrong room: the kiosk is of site %s room %s, this console is site %s room %s",
                 h.site, h.room, s->cfg->site, s->cfg->room);
        why = detail;
        out_ = json_error(c, MHD_HTTP_FORBIDDEN, detail);
    } else if (h.time < now - HELLO_MAX_SKEW_S || h.time > now + HELLO_MAX_SKEW_S) {
        why = "stale hello: its time is more than 300 s from the console's clock (replayed, or a clock to set)";
        out_ = json_error(c, MHD_HTTP_FORBIDDEN, why);
    } else {
        room_seat known;
        int k = roomstore_seat(s->cfg->rs, h.kiosk_id, &known);
        if (k < 0) {
            out_ = json_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
        } else if (k == 0 && !hello_id_matches(h.kiosk_id, h.device_pk)) {
            why = "kiosk_id is not the id of device_pk";
            out_ = json_error(c, MHD_HTTP_FORBIDDEN, why);
        } else {
            char state[16];
            int rc = roomstore_hello(s->cfg->rs, h.kiosk_id, h.device_pk, h.seat, now, state);
            if (rc < 0) out_ = json_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
            else if (rc > 0)
                out_ = reply_json(c, MHD_HTTP_CONFLICT,
                                  json_pack("{s:b, s:s, s:s}", "ok", 0, "state", state, "error",
                                            "kiosk_id already paired with another device key: both are shown as "
                                            "duplicate; the invigilator must check the seat"));
            else
                out_ = reply_json(c, MHD_HTTP_OK, json_pack("{s:b, s:s, s:s, s:s}", "ok", 1, "kiosk_id", h.kiosk_id,
                                                           "state", state, "room", s->cfg->room));
        }
    }
    if (why) { /* refusals in the journal, at most 20 a minute (a flood must not fill the disk) */
        pthread_mutex_lock(&s->mu);
        int64_t m = mono_ms();
        if (m - s->refused_window >= 60000) s->refused_window = m, s->refused = 0;
        int show = s->refused++ < 20;
        pthread_mutex_unlock(&s->mu);
        if (show) {
            char line[600];
            snprintf(line, sizeof line, "from %s kiosk %.16s seat %d: %s", ip, h.kiosk_id ? h.kiosk_id : "?", h.seat, why);
            roomstore_log(s->cfg->rs, now, "seat", "hello-refused", line);
        }
    }
    json_decref(in);
    return out_;
}

/* ---- dispatch --------------------------------------------------------------------- */

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    srv *s = cls;
    req *q = *con_cls;
    if (!q) {
        cw_conn *k = connwatch_conn(c);
        if (!k) return MHD_NO;
        connwatch_deadline(&s->w, k, CONSOLE_REQUEST_S);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(cl, &end, 10);
            if (end == cl || *end || errno || cl[0] == '-') return json_error(c, MHD_HTTP_BAD_REQUEST, "malformed Content-Length");
            if (v > CONSOLE_MAX_BODY) return json_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
        }
        q = calloc(1, sizeof *q);
        if (!q) return MHD_NO;
        dynbuf_init(&q->body, CONSOLE_MAX_BODY);
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!q->too_large && dynbuf_add(&q->body, upload, *upload_size) != DYNBUF_OK) {
            q->too_large = 1;
            dynbuf_free(&q->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->too_large) return json_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    if (!strcmp(url, "/v1/health") && get)
        return reply_json(c, MHD_HTTP_OK, json_pack("{s:b, s:s, s:s}", "ok", 1, "site", s->cfg->site, "room", s->cfg->room));
    if (!strcmp(url, "/v1/seat/hello")) {
        if (!post) return json_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        return do_hello(s, c, q);
    }
    session k;
    int in = session_of(s, c, &k);
    enum MHD_Result rc;
    if (!strcmp(url, "/login")) {
        if (post) rc = do_login(s, c, q);
        else if (in) rc = redirect(c, "/", NULL, NULL);
        else rc = login_page(s, c, MHD_HTTP_OK, NULL);
    } else if (!strcmp(url, "/") && get) {
        rc = in ? seat_map(s, c, &k, NULL) : redirect(c, "/login", NULL, NULL);
    } else if (!strcmp(url, "/seat/confirm") && post) {
        rc = in ? do_confirm(s, c, q, &k) : forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/logout") && post) {
        if (in && csrf_ok(q, &k)) {
            session_end(s, k.token);
            roomstore_log(s->cfg->rs, now_s(), "invigilator", "logout", "logged out");
            rc = redirect(c, "/login", COOKIE_SESSION "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", NULL);
        } else
            rc = forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。");
    } else
        rc = json_error(c, MHD_HTTP_NOT_FOUND, "no such page (console: /, /login; seat API v1: /v1/health, /v1/seat/hello)");
    if (in) sodium_memzero(&k, sizeof k);
    return rc;
}

int console_run(const console_cfg *cfg, volatile sig_atomic_t *stop, char **why)
{
    char host[256];
    const char *colon = strrchr(cfg->listen, ':');
    if (!colon || colon == cfg->listen || (size_t)(colon - cfg->listen) >= sizeof host)
        return *why = fileio_fmt("--listen must be HOST:PORT, e.g. 127.0.0.1:8090"), -1;
    memcpy(host, cfg->listen, (size_t)(colon - cfg->listen));
    host[colon - cfg->listen] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535) return *why = fileio_fmt("port must be 1-65535"), -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return *why = fileio_fmt("HOST must be an IPv4 address such as 127.0.0.1"), -1;
    srv *s = calloc(1, sizeof *s);
    if (!s) return *why = fileio_fmt("out of memory"), -1;
    s->cfg = cfg;
    randombytes_buf(s->login_key, sizeof s->login_key);
    if (pthread_mutex_init(&s->mu, NULL) || pthread_mutex_init(&s->login_mu, NULL) ||
        connwatch_init(&s->w, "examroom", CONSOLE_HEADER_S)) {
        free(s);
        return *why = fileio_fmt("cannot create a mutex"), -1;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, handler, s,
        MHD_OPTION_EXTERNAL_LOGGER, connwatch_log, &s->w, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)CONSOLE_THREADS,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONSOLE_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, CONSOLE_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT, CONSOLE_PER_ADDR,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONSOLE_CONN_MEMORY, MHD_OPTION_NOTIFY_CONNECTION, connwatch_notify, &s->w,
        MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_END);
    if (!d) {
        pthread_mutex_destroy(&s->mu);
        pthread_mutex_destroy(&s->login_mu);
    connwatch_destroy(&s->w);
        free(s);
        return *why = fileio_fmt("cannot listen on %s (in use, or not an address of this machine)", cfg->listen), -1;
    }
    while (!*stop) {
        usleep(100000);
        connwatch_cut_late(&s->w);
    }
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->login_mu);
    connwatch_destroy(&s->w);
    sodium_memzero(s, sizeof *s);
    free(s);
    return 0;
}
