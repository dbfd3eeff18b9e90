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
#include "core/roster.h"
#include "core/text.h"
#include "tools/hub/connwatch.h"
#include "tools/room/hello.h"
#include "tools/room/record.h"
#include "tools/room/roomstate.h"

#define COOKIE_SESSION "room_session"
#define COOKIE_PRE "room_pre" /* before log-in: the log-in form's CSRF token is its MAC */
#define TOKEN_HEX 65          /* 32 random bytes as hex */

typedef struct session {
    char token[TOKEN_HEX], csrf[TOKEN_HEX];
    int64_t expires; /* wall clock, s */
    int used;
} session;

/* what the console last saw of a seat (journal_changes) */
typedef struct seat_mem {
    char kid[17];
    int phase;
    unsigned flags;
    uint32_t focus;
    uint8_t tag[ROOMPROTO_TAG_BYTES];
    int64_t window_ms; /* the minute of its journal rows (at most CONSOLE_SEAT_EVENTS a minute) */
    int events;
} seat_mem;

typedef struct srv {
    const console_cfg *cfg;
    roomstate st;       /* the content key, the PIN verifier, the roster (its own mutex) */
    seat_mem mem[CONSOLE_MAX_SEATS]; /* under mu */
    int nmem;
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

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *roomproto_phase_en(int p)
{
    static const char *const P[] = {"locked", "set_pin", "login", "confirm", "instructions",
                                    "running", "paused", "done", "resume"};
    return p >= 0 && p <= ROOMPROTO_PHASE_MAX ? P[p] : "?";
}

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
                            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
                            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
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
    "body{margin:0;font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;font-size:14px;"
    "color:#1d2733;background:#eef1f5}"
    "body.stale .clock{background:#c62828;color:#fff}"
    "header{display:flex;align-items:center;gap:14px;padding:8px 18px;background:#1f3b5c;color:#fff}"
    "header h1{font-size:18px;margin:0;font-weight:600}header .where{opacity:.85}"
    "header .pack{background:#2e8b57;border-radius:4px;padding:2px 10px;font-size:13px}"
    "header .rec{margin-left:auto;color:#fff;font-size:13px}header form{margin:0}"
    "main{padding:10px 18px}"
    ".bar{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:0 0 8px}.bar form{margin:0}"
    ".bar .ext{display:flex;align-items:center;gap:5px;margin-left:auto;background:#fff;padding:4px 8px;"
    "border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    ".ext input,.ext select,.unlock input,.unlock select{font:inherit;padding:3px 6px;border:1px solid #b8c2cc;"
    "border-radius:4px}.ext input[type=number]{width:62px}.ext input[name=reason]{width:170px}"
    ".unlock{display:flex;flex-wrap:wrap;align-items:center;gap:10px;background:#fff;padding:8px 12px;"
    "border-radius:8px;margin:0 0 8px;box-shadow:0 1px 3px rgba(0,0,0,.1);border-left:6px solid #1f6fb2}"
    ".unlock label{display:flex;align-items:center;gap:5px}.unlock select{max-width:300px}"
    ".summary{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 8px}"
    ".summary span{background:#fff;border-radius:5px;padding:3px 10px;box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    ".summary .bad{background:#fdecea;color:#b71c1c}.summary .clock{margin-left:auto;color:#536170}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(158px,1fr));gap:6px}"
    ".seat{background:#fff;border-radius:7px;padding:4px 7px;border-left:5px solid #9aa7b5;"
    "box-shadow:0 1px 3px rgba(0,0,0,.1);font-size:13px;line-height:1.4}"
    ".seat.confirmed{border-left-color:#2e8b57}.seat.unconfirmed{border-left-color:#d08a00}"
    ".seat.duplicate{border-left-color:#c62828;background:#fff4f4}.seat[data-alert]{background:#fff4f4;"
    "box-shadow:0 0 0 2px #e57373}.seat[data-lost]{opacity:.8}"
    ".seat .top{display:flex;align-items:center;gap:5px}.seat .no{font-size:17px;font-weight:700}"
    ".seat .state,.seat .ph{margin-left:auto;font-size:12px;padding:0 7px;border-radius:9px;color:#fff;background:#9aa7b5}"
    ".seat .ph{background:#e3e7ec;color:#1d2733}.seat .ph.p5{background:#1f6fb2;color:#fff}"
    ".seat .ph.p6{background:#f4b400}.seat .ph.p7{background:#2e8b57;color:#fff}.seat .ph.p8{background:#c62828;color:#fff}"
    ".seat .small{font-size:11.5px}.chips:empty,.acts:empty{display:none}"
    ".seat .acts.hov{display:none}.seat:hover .acts.hov,.seat:focus-within .acts.hov{display:flex}"
    ".confirmed .state{background:#2e8b57}.unconfirmed .state{background:#d08a00}.duplicate .state{background:#c62828}"
    ".seat .kid{font-family:monospace;font-size:12px;color:#536170}"
    ".seat .cand{font-family:monospace;font-size:11px;letter-spacing:-.2px}.seat .name{font-family:inherit;font-size:13px;letter-spacing:0;font-weight:600}"
    ".seat .meta{color:#536170}.seat .meta b{color:#1d2733}.seat .bad{color:#c62828}"
    ".seat .why{font-size:12px;color:#c62828}"
    ".chips{display:flex;flex-wrap:wrap;gap:3px;margin:2px 0}"
    ".chip{font-size:12px;border-radius:3px;padding:0 5px;background:#e3e7ec}.chip.bad{background:#c62828;color:#fff}"
    ".chip.warn{background:#f4b400;color:#1d2733}.chip.info{background:#cfe3f7}"
    ".acts{display:flex;flex-wrap:wrap;gap:4px;margin-top:3px}.acts form{margin:0}"
    "button{font:inherit;border:0;border-radius:5px;padding:4px 12px;cursor:pointer;background:#1f6fb2;color:#fff}"
    "button.warn{background:#b26a00}button.danger{background:#b3261e}button.small{padding:1px 9px;font-size:12px}"
    "header button{background:#38587d}"
    ".cols{display:grid;grid-template-columns:1fr 1.3fr;gap:14px;margin-top:6px}"
    "h2{font-size:14px;margin:8px 0 4px}.note{color:#536170;margin:0}"
    ".cands{display:flex;flex-wrap:wrap;gap:4px}.cands .c{background:#fff;border-radius:4px;padding:1px 6px;"
    "font-size:12px;font-family:monospace}.cands .absent{background:#fdecea;color:#b71c1c}"
    "table{border-collapse:collapse;background:#fff;width:100%;font-size:12px}"
    "td,th{padding:2px 6px;border-bottom:1px solid #e3e7ec;text-align:left;vertical-align:top}"
    ".cols td:nth-child(-n+3),.cols th{white-space:nowrap}.cols td:nth-child(4){word-break:break-all}"
    ".login{max-width:420px;margin:90px auto;background:#fff;padding:26px 30px;border-radius:10px;"
    "box-shadow:0 2px 8px rgba(0,0,0,.12)}"
    ".login h1{font-size:20px;margin:0 0 6px}.login p{color:#536170;margin:0 0 16px}"
    ".login input{width:100%;font:inherit;padding:8px;margin:6px 0 14px;border:1px solid #b8c2cc;border-radius:5px}"
    ".confirm .what{font-size:17px;color:#1d2733;font-weight:600}.confirm p b{color:#1d2733}"
    ".two{display:flex;gap:16px;align-items:center}.cancel{color:#536170}"
    ".msg{padding:6px 12px;border-radius:6px;margin:0 0 8px;background:#fdecea;color:#b71c1c}"
    ".empty{background:#fff;padding:20px;border-radius:8px;color:#536170}";

/* LIVE: the seat map, which a browser without script reloads every 2 s */
static void page_head(dynbuf *b, const char *title, int live)
{
    out(b, "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    esc(b, title);
    out(b, "</title>%s<style>%s</style></head><body>",
        live ? "<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>" : "", CSS);
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
    out(b, "<tr><td>%s</td><td title=\"", t);
    esc(b, actor);
    out(b, "\">");
    /* the page says who in a word: the address stays in the journal's actor */
    esc(b, !strncmp(actor, "invigilator", 11) ? "监考员" : !strcmp(actor, "seat") ? "考机"
           : !strncmp(actor, "browser", 7)    ? "浏览器"
           : !strncmp(actor, "examroom", 8)   ? "控制台"
                                              : actor);
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
static int form_field_n(const char *body, size_t len, const char *name, int nth, char *out_, size_t size);

static int form_field(const char *body, size_t len, const char *name, char *out_, size_t size)
{
    return form_field_n(body, len, name, 0, out_, size);
}

/* the NTH (from 0) value of a field given several times (seat=…&seat=…) */
static int form_field_n(const char *body, size_t len, const char *name, int nth, char *out_, size_t size)
{
    size_t nl = strlen(name);
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *fe = amp ? amp : end;
        if ((size_t)(fe - p) > nl && !memcmp(p, name, nl) && p[nl] == '=' && nth-- == 0) {
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
    page_head(&b, "考场控制台 · 登录", 0);
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
    /* a right password also opens the content key kept wrapped across a restart */
    const char *uwhy = NULL;
    int unwrapped = ok ? roomstate_login(&s->st, pw, &uwhy) : 1;
    sodium_memzero(pw, sizeof pw);
    if (unwrapped == 0) roomstore_log(s->cfg->rs, now, actor, "key-restored", "content key unwrapped at log-in");
    if (unwrapped < 0) roomstore_log(s->cfg->rs, now, actor, "key-refused", uwhy);
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

static const char *phase_zh(int p)
{
    static const char *const P[] = {"未解锁", "设置密码", "等待考生登录", "核对身份", "阅读须知",
                                    "作答中",  "已暂停",   "已交卷",       "等待恢复"};
    return p >= 0 && p <= ROOMPROTO_PHASE_MAX ? P[p] : "?";
}

/* what the page knows of one seat: its pairing row and its latest report */
typedef struct seat_view {
    room_seat seat;
    int have;                 /* a verified report is stored */
    roomproto_report r;
    int64_t at_ms;            /* the console's clock of that report */
    char diverged[200];
    char ticket[ROSTER_TICKET_MAX + 1];
    char name[ROOMPROTO_NAME_MAX + 1];
    int same_ticket;          /* seats showing the same ticket tag */
} seat_view;

typedef struct view {
    seat_view *v;
    int n;
    int unlocked;
    char pack_hex[33], title[256];
} view;

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

static int tag_zero(const uint8_t *t)
{
    static const uint8_t Z[ROOMPROTO_TAG_BYTES];
    return !memcmp(t, Z, ROOMPROTO_TAG_BYTES);
}

/* the seats and their reports; -1 on a storage error */
static int view_load(srv *s, view *w)
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
        if (!sv->have || tag_zero(sv->r.ticket_tag)) continue;
        (void)roomstate_ticket(&s->st, sv->r.ticket_tag, sv->ticket, NULL);
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
    out(b, "<span class=\"chip %s\">", cls);
    esc(b, text);
    out(b, "</span>");
}

static void seat_form(dynbuf *b, const char *csrf, const char *action, const char *kid, const char *label,
                      const char *cls)
{
    out(b, "<form method=\"post\" action=\"/action\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
           "<input type=\"hidden\" name=\"action\" value=\"%s\"><input type=\"hidden\" name=\"seat\" value=\"",
        csrf, action);
    esc(b, kid);
    out(b, "\"><button type=\"submit\" class=\"%s\">", cls);
    esc(b, label);
    out(b, "</button></form>");
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
    out(b, "<div class=\"seat %s\" id=\"seat-", r->state);
    esc(b, r->kiosk_id);
    out(b, "\" title=\"考机编号 ");
    esc(b, r->kiosk_id);
    out(b, "\"%s%s><div class=\"top\">", alert ? " data-alert=\"1\"" : "", lost ? " data-lost=\"1\"" : "");
    if (confirmed) {
        out(b, "<input type=\"checkbox\" name=\"seat\" form=\"bulk\" title=\"选择此座位\" value=\"");
        esc(b, r->kiosk_id);
        out(b, "\">");
    }
    out(b, "<span class=\"no\">%d 号</span>", r->seat);
    /* a confirmed seat shows what it is doing; the others their pairing state and kiosk id */
    if (confirmed && sv->have) out(b, "<span class=\"ph p%d\">%s</span></div>", p->phase, phase_zh(p->phase));
    else out(b, "<span class=\"state\">%s</span></div>", state_zh(r->state));
    if (!confirmed) {
        out(b, "<div class=\"kid\">");
        esc(b, r->kiosk_id);
        out(b, "</div>");
        if (sv->have) out(b, "<div class=\"meta\">%s</div>", phase_zh(p->phase));
    } else if (!sv->have)
        out(b, "<div class=\"meta\">尚无状态报告</div>");
    if (sv->have) {
        if (!tag_zero(p->ticket_tag)) {
            out(b, "<div class=\"cand\">");
            if (*sv->ticket) esc(b, sv->ticket);
            else out(b, "考生已登录");
            if (*sv->name) {
                out(b, " <span class=\"name\">");
                esc(b, sv->name);
                out(b, "</span>");
            }
            out(b, "</div>");
        }
        if (p->total) {
            char left[24];
            mmss(p->time_left_ms, left);
            out(b, "<div class=\"meta\">已答 <b class=\"answered\">%u/%u</b> · 剩 <b>%s</b></div>", p->answered,
                p->total, left);
        }
    }
    out(b, "<div class=\"meta small%s\" title=\"切屏次数 · 考机已执行的最后一条指令 · 最后联系", lost ? " bad" : "");
    if (sv->have) out(b, "（考机日志 %llu 条）", (unsigned long long)p->journal_count);
    out(b, "\">");
    if (sv->have) out(b, "切屏%u · 指令#%llu · ", p->focus_losses, (unsigned long long)p->last_command);
    out(b, "%ld秒前</div>", ago);
    out(b, "<div class=\"chips\">");
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
    out(b, "</div>");
    if (*r->conflict || *sv->diverged) {
        out(b, "<div class=\"why\">");
        esc(b, *r->conflict ? r->conflict : sv->diverged);
        out(b, "</div>");
    }
    /* a seat's hand-in and lock show when the pointer is on the seat (or a key on them): the map of
     * 40 seats stays on one laptop screen; confirm and authorise resume always show */
    int waiting = sv->have && (p->flags & ROOMPROTO_FLAG_RESUME_WAITING || p->phase == 8);
    out(b, "<div class=\"acts%s\">", confirmed && !waiting ? " hov" : "");
    if (!strcmp(r->state, SEAT_UNCONFIRMED)) {
        out(b, "<form method=\"post\" action=\"/seat/confirm\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
               "<input type=\"hidden\" name=\"kiosk_id\" value=\"",
            csrf);
        esc(b, r->kiosk_id);
        out(b, "\"><button type=\"submit\">确认座位</button></form>");
    } else if (!strcmp(r->state, SEAT_CONFIRMED) && sv->have) {
        if (waiting) seat_form(b, csrf, "authorise_resume", r->kiosk_id, "授权恢复", "");
        if (p->phase >= 2 && p->phase <= 6) seat_form(b, csrf, "force_handin", r->kiosk_id, "收卷", "small danger");
        if (p->phase != 0 && p->phase != 7) seat_form(b, csrf, "lock", r->kiosk_id, "锁定", "small");
    }
    out(b, "</div></div>");
}

typedef struct seen_set {
    char (*tickets)[ROSTER_TICKET_MAX + 1];
    size_t n, cap;
} seen_set;

static void seen_add(void *ctx, const char *tag, const char *ticket, const char *pack, const char *kiosk_id,
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

typedef struct absent_set {
    seen_set s;
} absent_set;

static void absent_add(void *ctx, const char *ticket, int seat, int64_t at, const char *actor)
{
    (void)seat, (void)at, (void)actor;
    seen_add(ctx, "", ticket, "", "", 0, 0);
}

static int in_set(const seen_set *ss, const char *t)
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
    int64_t now = now_s();
    if (view_load(s, &w) < 0) {
        out(b, "<div class=\"msg\">数据库错误：");
        esc(b, roomstore_error(s->cfg->rs));
        out(b, "</div>");
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
    out(b, "<div class=\"summary\"><span>座位 <b>%d</b></span><span>已确认 <b>%d</b></span><span>未确认 <b>%d</b></span>"
           "<span>重复 <b>%d</b></span><span>作答中 <b>%d</b></span><span>已暂停 <b>%d</b></span>"
           "<span>已交卷 <b>%d</b></span><span class=\"%s\">告警 <b>%d</b></span><span class=\"%s\">失联 <b>%d</b></span>"
           "<span class=\"clock\">更新于 ",
        w.n, counts[0], counts[1], counts[2], phases[5], phases[6], phases[7], alerts ? "bad" : "", alerts,
        lost ? "bad" : "", lost);
    char t[32];
    clock_text(now, t);
    out(b, "%s</span></div>", t);
    if (!w.n) out(b, "<div class=\"empty\">还没有考机连接。考机运行 examsync room 后会出现在这里。</div>");
    out(b, "<div class=\"grid\">");
    for (int i = 0; i < w.n; i++) seat_card(b, &w.v[i], k->csrf, now);
    out(b, "</div>");
    free(w.v);
    /* the roster's candidates who have not logged in anywhere in the room */
    room_cand *cands;
    int unlocked = 0;
    size_t nc = roomstate_cands(&s->st, &cands, &unlocked);
    seen_set seen = {0}, absent = {0};
    (void)roomstore_seen(s->cfg->rs, seen_add, &seen);
    (void)roomstore_absences(s->cfg->rs, absent_add, &absent);
    size_t waiting = 0;
    for (size_t i = 0; i < nc; i++) waiting += !in_set(&seen, cands[i].ticket);
    out(b, "<div class=\"cols\"><div class=\"col\"><h2>未登录考生（%zu / %zu）</h2>", waiting, nc);
    if (!nc) out(b, "<p class=\"note\">未添加考生名单（examroom add）。</p>");
    else if (!unlocked) out(b, "<p class=\"note\">考场解锁后按准考证号显示登录情况。</p>");
    out(b, "<div class=\"cands\">");
    for (size_t i = 0; unlocked && i < nc; i++) {
        if (in_set(&seen, cands[i].ticket)) continue;
        int ab = in_set(&absent, cands[i].ticket);
        out(b, "<span class=\"c%s\" title=\"名单座位 %d 号%s\">", ab ? " absent" : "", cands[i].seat,
            ab ? "，已记缺考" : "");
        esc(b, cands[i].ticket);
        out(b, "%s</span>", ab ? " 缺考" : "");
    }
    out(b, "</div></div>");
    free(cands);
    free(seen.tickets);
    free(absent.tickets);
    out(b, "<div class=\"col\"><h2>考场日志（最近 12 条）</h2><table><tr><th>时间</th><th>来源</th><th>操作</th>"
           "<th>内容</th></tr>");
    roomstore_journal(s->cfg->rs, 12, journal_row, b);
    out(b, "</table></div></div>");
}

static void unlock_pack_option(void *ctx, const char *id, const char *title)
{
    dynbuf *b = ctx;
    out(b, "<option value=\"");
    esc(b, id);
    out(b, "\">");
    esc(b, title);
    out(b, "</option>");
}

static void action_button(dynbuf *b, const char *csrf, const char *action, const char *label, const char *cls)
{
    out(b, "<form method=\"post\" action=\"/action\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
           "<input type=\"hidden\" name=\"action\" value=\"%s\"><input type=\"hidden\" name=\"scope\" value=\"all\">"
           "<button type=\"submit\" class=\"%s\">",
        csrf, action, cls);
    esc(b, label);
    out(b, "</button></form>");
}

static enum MHD_Result seat_map(srv *s, struct MHD_Connection *c, const session *k, const char *msg)
{
    dynbuf b;
    dynbuf_init(&b, 4u << 20);
    page_head(&b, "考场控制台 · 座位图", 1);
    out(&b, "<header><h1>考场控制台</h1><span class=\"where\">");
    esc(&b, s->cfg->site);
    out(&b, " · 第 ");
    esc(&b, s->cfg->room);
    out(&b, " 考场</span>");
    char pack[33], title[256];
    int unlocked = roomstate_unlocked(&s->st, pack, title);
    if (unlocked) {
        out(&b, "<span class=\"pack\">已解锁：");
        esc(&b, title);
        out(&b, "</span>");
    }
    out(&b, "<a class=\"rec\" href=\"/record\" download=\"room-record.txt\">下载考场记录</a>"
            "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
            "<button type=\"submit\">退出登录</button></form></header><main>",
        k->csrf);
    if (msg) {
        out(&b, "<div class=\"msg\">");
        esc(&b, msg);
        out(&b, "</div>");
    }
    if (!unlocked) {
        char *wrapped = roomstore_config_get(s->cfg->rs, "wrapped_key");
        if (wrapped)
            out(&b, "<div class=\"msg\">本考场已解锁，但控制台重启后无法恢复密钥（room.db 中的密钥无法用此密码打开）。"
                    "已发出的指令照常送达；新指令需要重新输入发布码。</div>");
        free(wrapped);
        int npacks = roomstate_packs(&s->st, NULL, NULL);
        if (npacks <= 0)
            out(&b, "<div class=\"msg\">尚未添加试卷包：在控制台电脑上运行 examroom add --data 目录 试卷包.pack "
                    "（并添加考生名单），然后重启控制台。</div>");
        out(&b, "<form class=\"unlock\" method=\"post\" action=\"/unlock\"><input type=\"hidden\" name=\"csrf\" "
                "value=\"%s\"><b>解锁考场</b><label>试卷包 <select name=\"pack\">",
            k->csrf);
        roomstate_packs(&s->st, unlock_pack_option, &b);
        out(&b, "</select></label><label>发布码 <input name=\"code\" autocomplete=\"off\" spellcheck=\"false\" "
                "placeholder=\"XXXX-XXXX-XXXX-XXXX-XXXX\" size=\"26\" required></label>"
                "<label>监考密码 <input type=\"password\" name=\"pin\" inputmode=\"numeric\" autocomplete=\"off\" "
                "size=\"10\" required></label><label>再次输入 <input type=\"password\" name=\"pin2\" "
                "inputmode=\"numeric\" autocomplete=\"off\" size=\"10\" required></label>"
                "<label class=\"ck\"><input type=\"checkbox\" name=\"confirm\" value=\"1\" required>"
                "确认：向全部已确认的座位发送解锁</label><button type=\"submit\">解锁</button></form>");
    } else {
        out(&b, "<div class=\"bar\">");
        action_button(&b, k->csrf, "pause_all", "全部暂停", "warn");
        action_button(&b, k->csrf, "resume_all", "全部继续", "");
        action_button(&b, k->csrf, "close_entry", "截止入场", "");
        action_button(&b, k->csrf, "force_handin", "全部收卷", "danger");
        action_button(&b, k->csrf, "lock", "全部锁定", "danger");
        out(&b, "<form id=\"bulk\" class=\"ext\" method=\"post\" action=\"/action\"><input type=\"hidden\" "
                "name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"action\" value=\"extend\">"
                "<b>延长时间</b><input type=\"number\" name=\"minutes\" min=\"1\" max=\"%d\" value=\"10\" "
                "required> 分钟 <input name=\"reason\" maxlength=\"120\" placeholder=\"原因（必填）\" required>"
                "<select name=\"scope\"><option value=\"selected\">所选座位</option><option value=\"all\">全部座位"
                "</option></select><button type=\"submit\">延长</button></form></div>",
            k->csrf, ROOMPROTO_EXTEND_MAX);
    }
    out(&b, "<div id=\"live\">");
    live_html(s, &b, k);
    out(&b, "</div></main><script src=\"/console.js\"></script></body></html>");
    return reply_html(c, MHD_HTTP_OK, &b, NULL, NULL, NULL);
}

/* GET /seats: the live part alone, fetched every second by /console.js */
static enum MHD_Result seats_fragment(srv *s, struct MHD_Connection *c, const session *k)
{
    dynbuf b;
    dynbuf_init(&b, 4u << 20);
    live_html(s, &b, k);
    return reply_html(c, MHD_HTTP_OK, &b, NULL, NULL, NULL);
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

static enum MHD_Result reply_js(struct MHD_Connection *c)
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
    page_head(&b, "考场控制台 · 拒绝", 0);
    out(&b, "<main><div class=\"msg\">");
    esc(&b, msg);
    out(&b, "</div><p><a href=\"/\">返回座位图</a></p></main></body></html>");
    return reply_html(c, MHD_HTTP_FORBIDDEN, &b, NULL, NULL, NULL);
}

/* ---- commands ----------------------------------------------------------------- */

#define ACT_MAX_SEATS 128

typedef struct act {
    int type;                 /* roomproto_cmd_type */
    int all;                  /* every seat (one command) */
    char seats[ACT_MAX_SEATS][17];
    char pks[ACT_MAX_SEATS][65];
    int n;
    int minutes;
    char reason[ROOMPROTO_REASON_MAX + 1];
    const char *actor;
    roomstate *st;
} act;

static int act_seal(void *ctx, int i, room_cmd_row *row)
{
    const act *a = ctx;
    const char *why = NULL;
    const char *target = a->all ? NULL : a->seats[i];
    if (roomstate_seal(a->st, a->type, target, a->all ? NULL : a->pks[i], a->minutes, a->reason, row, &why)) return 1;
    if (a->type == ROOMPROTO_CMD_EXTEND)
        snprintf(row->detail, sizeof row->detail, "%s to %s: %d minutes, reason %s", row->type,
                 target ? target : "every seat", a->minutes, a->reason);
    else
        snprintf(row->detail, sizeof row->detail, "%s to %s", row->type, target ? target : "every seat");
    return 0;
}

static const char *act_zh(int type)
{
    switch (type) {
    case ROOMPROTO_CMD_PAUSE_ALL: return "全部暂停（所有座位的考试计时停止）";
    case ROOMPROTO_CMD_RESUME_ALL: return "全部继续（所有座位的考试计时恢复）";
    case ROOMPROTO_CMD_EXTEND: return "延长考试时间";
    case ROOMPROTO_CMD_CLOSE_ENTRY: return "截止入场（未登录的名单考生记为缺考，座位不再接受新登录）";
    case ROOMPROTO_CMD_FORCE_HANDIN: return "强制收卷";
    case ROOMPROTO_CMD_LOCK: return "锁定考机";
    case ROOMPROTO_CMD_AUTHORISE_RESUME: return "授权恢复考试（代替在考机上输入发布码和监考密码）";
    }
    return "?";
}

static int act_type(const char *name)
{
    for (int t = ROOMPROTO_CMD_PAUSE_ALL; t <= ROOMPROTO_CMD_MAX; t++)
        if (!strcmp(name, roomproto_cmd_name(t))) return t;
    return 0;
}

/* the action of a form (first step or confirmed): 0, or -1 with *why_zh */
static int act_parse(srv *s, const req *q, act *a, const char **why_zh)
{
    const char *body = dynbuf_ptr(&q->body);
    size_t len = dynbuf_len(&q->body);
    char name[32], scope[16] = "", num[16];
    memset(a, 0, sizeof *a);
    if (!form_field(body, len, "action", name, sizeof name) || !(a->type = act_type(name)))
        return *why_zh = "未知的操作。", -1;
    (void)form_field(body, len, "scope", scope, sizeof scope);
    int seat_only = a->type == ROOMPROTO_CMD_AUTHORISE_RESUME;
    int all_only = a->type == ROOMPROTO_CMD_PAUSE_ALL || a->type == ROOMPROTO_CMD_RESUME_ALL ||
                   a->type == ROOMPROTO_CMD_CLOSE_ENTRY;
    a->all = all_only || (!seat_only && !strcmp(scope, "all"));
    if (!a->all) {
        char kid[40];
        for (int i = 0; form_field_n(body, len, "seat", i, kid, sizeof kid); i++) {
            if (a->n == ACT_MAX_SEATS) return *why_zh = "所选座位过多。", -1;
            room_seat rs_;
            int f = roomstore_seat(s->cfg->rs, kid, &rs_);
            if (f < 0) return *why_zh = "数据库错误。", -1;
            if (!f || strcmp(rs_.state, SEAT_CONFIRMED)) return *why_zh = "只能对已确认的座位操作。", -1;
            int dup = 0;
            for (int j = 0; j < a->n; j++) dup |= !strcmp(a->seats[j], kid);
            if (dup) continue;
            snprintf(a->seats[a->n], sizeof a->seats[a->n], "%s", rs_.kiosk_id);
            snprintf(a->pks[a->n], sizeof a->pks[a->n], "%s", rs_.device_pk);
            a->n++;
        }
        if (!a->n) return *why_zh = "请先在座位图上勾选座位（或选择“全部座位”）。", -1;
        if (seat_only && a->n != 1) return *why_zh = "授权恢复一次只针对一个座位。", -1;
    }
    if (a->type == ROOMPROTO_CMD_EXTEND) {
        char *end;
        if (!form_field(body, len, "minutes", num, sizeof num)) return *why_zh = "请填写延长的分钟数。", -1;
        long m = strtol(num, &end, 10);
        if (*end || m < 1 || m > ROOMPROTO_EXTEND_MAX) return *why_zh = "延长时间须为 1–600 分钟。", -1;
        a->minutes = (int)m;
        char reason[4 * ROOMPROTO_REASON_MAX];
        const char *twhy = NULL;
        if (!form_field(body, len, "reason", reason, sizeof reason) || !*reason || strlen(reason) > ROOMPROTO_REASON_MAX ||
            text_field_check(reason, ROOMPROTO_REASON_MAX, &twhy))
            return *why_zh = "请填写延长原因（1–120 字节，不含控制字符）。", -1;
        memcpy(a->reason, reason, strlen(reason) + 1); /* ≤ ROOMPROTO_REASON_MAX bytes: checked above */
    }
    a->st = &s->st;
    return 0;
}

/* the confirm step: what will be sent, and the same form again with confirm=1 */
static enum MHD_Result act_confirm_page(srv *s, struct MHD_Connection *c, const session *k, const act *a)
{
    dynbuf b;
    dynbuf_init(&b, 256u << 10);
    page_head(&b, "考场控制台 · 确认操作", 0);
    out(&b, "<form class=\"login confirm\" method=\"post\" action=\"/action\"><h1>请确认操作</h1><p class=\"what\">");
    esc(&b, act_zh(a->type));
    out(&b, "</p><p>对象：");
    if (a->all) {
        view w;
        int n = 0;
        if (view_load(s, &w) == 0)
            for (int i = 0; i < w.n; i++) n += !strcmp(w.v[i].seat.state, SEAT_CONFIRMED);
        free(w.v);
        out(&b, "<b>全部已确认座位（%d 个）</b>", n);
    } else {
        for (int i = 0; i < a->n; i++) {
            room_seat r;
            out(&b, "%s<b>", i ? "、" : "");
            if (roomstore_seat(s->cfg->rs, a->seats[i], &r) == 1) out(&b, "%d 号 ", r.seat);
            esc(&b, a->seats[i]);
            out(&b, "</b>");
        }
    }
    out(&b, "</p>");
    if (a->type == ROOMPROTO_CMD_EXTEND) {
        out(&b, "<p>延长 <b>%d</b> 分钟，原因：<b>", a->minutes);
        esc(&b, a->reason);
        out(&b, "</b></p>");
    }
    out(&b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"action\" value=\"%s\">"
            "<input type=\"hidden\" name=\"scope\" value=\"%s\"><input type=\"hidden\" name=\"confirm\" value=\"1\">",
        k->csrf, roomproto_cmd_name(a->type), a->all ? "all" : "selected");
    for (int i = 0; !a->all && i < a->n; i++) {
        out(&b, "<input type=\"hidden\" name=\"seat\" value=\"");
        esc(&b, a->seats[i]);
        out(&b, "\">");
    }
    if (a->type == ROOMPROTO_CMD_EXTEND) {
        out(&b, "<input type=\"hidden\" name=\"minutes\" value=\"%d\"><input type=\"hidden\" name=\"reason\" value=\"",
            a->minutes);
        esc(&b, a->reason);
        out(&b, "\">");
    }
    out(&b, "<div class=\"two\"><button type=\"submit\" class=\"danger\">确认执行</button>"
            "<a class=\"cancel\" href=\"/\">取消</a></div></form></body></html>");
    return reply_html(c, MHD_HTTP_OK, &b, NULL, NULL, NULL);
}

static void actor_of(struct MHD_Connection *c, char actor[64])
{
    char ip[INET_ADDRSTRLEN];
    peer(c, ip);
    snprintf(actor, 64, "invigilator %s", ip);
}

/* close entry: every roster candidate not logged in anywhere is absent */
static int record_absences(srv *s, const char *actor, int *count)
{
    room_cand *cands;
    int unlocked = 0;
    size_t nc = roomstate_cands(&s->st, &cands, &unlocked);
    seen_set seen = {0};
    int rc = roomstore_seen(s->cfg->rs, seen_add, &seen) < 0 ? -1 : 0;
    int level = roomstate_level(&s->st);
    *count = 0;
    for (size_t i = 0; !rc && i < nc; i++) {
        if (in_set(&seen, cands[i].ticket) || (level >= 0 && cands[i].level != level)) continue;
        int r = roomstore_absent_add(s->cfg->rs, cands[i].ticket, cands[i].seat, now_s(), actor);
        if (r < 0) rc = -1;
        else if (r == 0) ++*count;
    }
    free(cands);
    free(seen.tickets);
    return rc;
}

static enum MHD_Result do_action(srv *s, struct MHD_Connection *c, const req *q, const session *k)
{
    char actor[64], confirm[8];
    actor_of(c, actor);
    if (!csrf_ok(q, k)) {
        roomstore_log(s->cfg->rs, now_s(), actor, "refused", "action without a valid CSRF token");
        return forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。请从座位图页面操作。");
    }
    act *a = calloc(1, sizeof *a);
    if (!a) return MHD_NO;
    const char *why_zh = NULL;
    enum MHD_Result rc;
    if (act_parse(s, q, a, &why_zh)) {
        rc = seat_map(s, c, k, why_zh);
    } else if (!roomstate_unlocked(&s->st, NULL, NULL)) {
        rc = seat_map(s, c, k, "考场尚未解锁（或控制台重启后尚未重新登录）：不能发出新指令。");
    } else if (!form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "confirm", confirm, sizeof confirm) ||
               strcmp(confirm, "1")) {
        rc = act_confirm_page(s, c, k, a);
    } else {
        a->actor = actor;
        uint64_t first = 0;
        int r = roomstore_commands_add(s->cfg->rs, a->all ? 1 : a->n, act_seal, a, now_ms(), actor, &first);
        int absent = 0;
        if (!r && a->type == ROOMPROTO_CMD_CLOSE_ENTRY && record_absences(s, actor, &absent)) r = -1;
        if (r) rc = seat_map(s, c, k, r > 0 ? "无法生成指令（密钥不可用）。" : "数据库错误，指令未发出。");
        else rc = redirect(c, "/", NULL, NULL);
    }
    sodium_memzero(a, sizeof *a);
    free(a);
    return rc;
}

/* UNLOCK to each of SEATS (kiosk id, device key) that has none yet */
static int queue_unlocks(srv *s, const room_seat *seats, int n, const char *actor)
{
    act *a = calloc(1, sizeof *a);
    if (!a) return -1;
    a->type = ROOMPROTO_CMD_UNLOCK;
    a->st = &s->st;
    for (int i = 0; i < n && a->n < ACT_MAX_SEATS; i++) {
        if (strcmp(seats[i].state, SEAT_CONFIRMED)) continue;
        int e = roomstore_command_exists(s->cfg->rs, "unlock", seats[i].kiosk_id);
        if (e) continue; /* already sent (or a storage error: the next confirm tries again) */
        snprintf(a->seats[a->n], sizeof a->seats[a->n], "%s", seats[i].kiosk_id);
        snprintf(a->pks[a->n], sizeof a->pks[a->n], "%s", seats[i].device_pk);
        a->n++;
    }
    uint64_t first;
    int rc = a->n ? roomstore_commands_add(s->cfg->rs, a->n, act_seal, a, now_ms(), actor, &first) : 0;
    int sent = a->n;
    sodium_memzero(a, sizeof *a);
    free(a);
    return rc ? -1 : sent;
}

static enum MHD_Result do_unlock(srv *s, struct MHD_Connection *c, const req *q, const session *k)
{
    char actor[64];
    actor_of(c, actor);
    if (!csrf_ok(q, k)) {
        roomstore_log(s->cfg->rs, now_s(), actor, "refused", "unlock without a valid CSRF token");
        return forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。请从座位图页面操作。");
    }
    const char *body = dynbuf_ptr(&q->body);
    size_t len = dynbuf_len(&q->body);
    char pack[40], code[64], pin[40], pin2[40], confirm[8];
    const char *why_zh = NULL;
    if (!form_field(body, len, "pack", pack, sizeof pack) || !form_field(body, len, "code", code, sizeof code) ||
        !form_field(body, len, "pin", pin, sizeof pin) || !form_field(body, len, "pin2", pin2, sizeof pin2))
        why_zh = "请填写试卷包、发布码和两次监考密码。";
    else if (!form_field(body, len, "confirm", confirm, sizeof confirm) || strcmp(confirm, "1"))
        why_zh = "请勾选“确认：向全部已确认的座位发送解锁”。";
    else if (roomstate_unlock(&s->st, pack, code, pin, pin2, actor, &why_zh) == 0)
        why_zh = NULL;
    sodium_memzero(code, sizeof code);
    sodium_memzero(pin, sizeof pin);
    sodium_memzero(pin2, sizeof pin2);
    if (why_zh) {
        roomstore_log(s->cfg->rs, now_s(), actor, "unlock-refused", "the unlock form was refused (see the page)");
        return seat_map(s, c, k, why_zh);
    }
    room_seat *v;
    int n = roomstore_seats(s->cfg->rs, &v);
    int sent = n < 0 ? -1 : queue_unlocks(s, v, n, actor);
    if (n >= 0) free(v);
    if (sent < 0) return seat_map(s, c, k, "已解锁，但数据库错误：部分座位的解锁指令未生成。请确认座位后重试。");
    return redirect(c, "/", NULL, NULL);
}

static enum MHD_Result do_confirm(srv *s, struct MHD_Connection *c, const req *q, const session *k)
{
    char actor[64], kid[32];
    actor_of(c, actor);
    if (!csrf_ok(q, k)) {
        roomstore_log(s->cfg->rs, now_s(), actor, "refused", "confirm without a valid CSRF token");
        return forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。请从座位图页面操作。");
    }
    if (!form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "kiosk_id", kid, sizeof kid))
        return seat_map(s, c, k, "缺少考机编号。");
    int rc = roomstore_confirm(s->cfg->rs, kid, actor, now_s());
    if (rc < 0) return seat_map(s, c, k, "数据库错误，座位未确认。");
    if (rc > 0) return seat_map(s, c, k, "该考机不是“未确认”状态，未作更改。");
    /* confirmed while the room is unlocked: its unlock now */
    room_seat r;
    if (roomstate_unlocked(&s->st, NULL, NULL) && roomstore_seat(s->cfg->rs, kid, &r) == 1 &&
        queue_unlocks(s, &r, 1, actor) < 0)
        return seat_map(s, c, k, "座位已确认，但解锁指令未生成（数据库错误）。");
    return redirect(c, "/", NULL, NULL);
}

/* GET /record: the signed room record as `examroom report` writes it */
static enum MHD_Result do_record(srv *s, struct MHD_Connection *c)
{
    char *rec = NULL, *why = NULL;
    size_t len = 0;
    if (record_make(s->cfg->rs, s->cfg->dir, now_s(), &rec, &len, &why)) {
        enum MHD_Result rc = forbidden(c, why ? why : "无法生成考场记录。");
        free(why);
        return rc;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(len, rec, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(rec); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    roomstore_log(s->cfg->rs, now_s(), "invigilator", "record", "room record downloaded from the console page");
    return rc;
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

/* ---- seat reports -------------------------------------------------------------- */

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *msg)
{
    size_t n = strlen(msg);
    char *t = malloc(n + 2);
    if (!t) return MHD_NO;
    memcpy(t, msg, n);
    t[n] = '\n';
    struct MHD_Response *r = MHD_create_response_from_buffer(n + 1, t, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(t); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* what the console last saw of a seat, to journal changes (phase, alerts,
 * focus losses) once each: loaded from room.db at start */
static seat_mem *mem_of(srv *s, const char *kid)
{
    for (int i = 0; i < s->nmem; i++)
        if (!strcmp(s->mem[i].kid, kid)) return &s->mem[i];
    if (s->nmem == CONSOLE_MAX_SEATS) return NULL;
    seat_mem *m = &s->mem[s->nmem++];
    memset(m, 0, sizeof *m);
    snprintf(m->kid, sizeof m->kid, "%s", kid);
    m->phase = -1;
    return m;
}

static void mem_load(void *ctx, const room_status *st)
{
    srv *s = ctx;
    roomproto_report r;
    const char *why;
    if (roomproto_report_peek(st->report, st->len, &r, &why) != ROOMPROTO_OK) return;
    seat_mem *m = mem_of(s, st->kiosk_id);
    if (!m) return;
    m->phase = r.phase;
    m->flags = r.flags;
    m->focus = r.focus_losses;
    memcpy(m->tag, r.ticket_tag, sizeof m->tag);
}

/* the events of a new report against the last one seen: journaled */
static void journal_changes(srv *s, const roomproto_report *r, const char *ticket)
{
    char lines[6][300];
    int n = 0;
    pthread_mutex_lock(&s->mu);
    seat_mem *m = mem_of(s, r->kiosk_id);
    if (m) {
        char tagtxt[40];
        snprintf(tagtxt, sizeof tagtxt, "tag %02x%02x%02x%02x… (not yet resolved)", r->ticket_tag[0], r->ticket_tag[1],
                 r->ticket_tag[2], r->ticket_tag[3]);
        const char *who = *ticket ? ticket : tagtxt;
        if (m->phase != r->phase)
            snprintf(lines[n++], sizeof lines[0], "kiosk %s seat %s: phase %s (%d)%s%s", r->kiosk_id, r->seat,
                     roomproto_phase_en(r->phase), r->phase, tag_zero(r->ticket_tag) ? "" : ", ticket ",
                     tag_zero(r->ticket_tag) ? "" : who);
        static const struct { unsigned bit; const char *what; } A[] = {
            {ROOMPROTO_FLAG_STORAGE_ALERT, "storage alert"},   {ROOMPROTO_FLAG_INTEGRITY_ALERT, "integrity alert"},
            {ROOMPROTO_FLAG_PIN_LOCKED, "PIN entry locked"},  {ROOMPROTO_FLAG_DUPLICATE_LOGIN, "duplicate login refused"},
            {ROOMPROTO_FLAG_RESUME_WAITING, "crashed sitting waits for resume"}};
        for (size_t i = 0; i < sizeof A / sizeof *A && n < 5; i++)
            if ((r->flags & A[i].bit) && !(m->flags & A[i].bit))
                snprintf(lines[n++], sizeof lines[0], "kiosk %s seat %s: %s", r->kiosk_id, r->seat, A[i].what);
        if (r->focus_losses > m->focus && n < 6)
            snprintf(lines[n++], sizeof lines[0], "kiosk %s seat %s: focus losses %u (ticket %s)", r->kiosk_id, r->seat,
                     r->focus_losses, who);
        m->phase = r->phase;
        m->flags = r->flags;
        m->focus = r->focus_losses;
        /* a seat that flips its state at every report must not fill the disk with journal rows */
        int64_t t = mono_ms();
        if (t - m->window_ms >= 60000) m->window_ms = t, m->events = 0;
        if (m->events + n > CONSOLE_SEAT_EVENTS) n = CONSOLE_SEAT_EVENTS - m->events > 0 ? CONSOLE_SEAT_EVENTS - m->events : 0;
        m->events += n;
    }
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < n; i++)
        roomstore_log(s->cfg->rs, now_s(), "seat", strstr(lines[i], "focus losses") ? "focus" :
                                                   strstr(lines[i], ": phase ") ? "phase" : "alert", lines[i]);
}

typedef struct frames {
    dynbuf b;
    int n;
} frames;

static void add_frame(void *ctx, uint64_t counter, const uint8_t *bytes, size_t len);

typedef struct actives {
    roomproto_active_entry e[ROOMPROTO_ACTIVE_MAX];
    int n;
} actives;

static void active_of(void *ctx, const room_status *st)
{
    actives *a = ctx;
    roomproto_report r;
    const char *why;
    if (a->n == ROOMPROTO_ACTIVE_MAX || roomproto_report_peek(st->report, st->len, &r, &why) != ROOMPROTO_OK ||
        tag_zero(r.ticket_tag))
        return;
    memcpy(a->e[a->n].ticket_tag, r.ticket_tag, ROOMPROTO_TAG_BYTES);
    snprintf(a->e[a->n].kiosk_id, sizeof a->e[a->n].kiosk_id, "%s", r.kiosk_id);
    a->n++;
}

/* the active tickets (EXRA) go first once the room is unlocked: every
 * seat's ticket tag with a candidate logged in or sitting (at most 64) */
static void active_frame(srv *s, frames *f)
{
    if (!roomstate_unlocked(&s->st, NULL, NULL)) return;
    actives *a = calloc(1, sizeof *a);
    uint8_t *buf = malloc(ROOMPROTO_ACTIVE_MAX_BYTES);
    size_t len = 0;
    if (a && buf && roomstore_statuses(s->cfg->rs, active_of, a) >= 0 &&
        roomstate_active(&s->st, a->e, a->n, buf, ROOMPROTO_ACTIVE_MAX_BYTES, &len) == 0)
        add_frame(f, 0, buf, len);
    free(a);
    free(buf);
}

static void add_frame(void *ctx, uint64_t counter, const uint8_t *bytes, size_t len)
{
    (void)counter;
    frames *f = ctx;
    uint8_t l[2] = {(uint8_t)(len & 0xff), (uint8_t)(len >> 8)};
    if (len > 0xffff || dynbuf_add(&f->b, l, 2) || dynbuf_add(&f->b, bytes, len)) return;
    f->n++;
}

static enum MHD_Result do_report(srv *s, struct MHD_Connection *c, const req *q)
{
    const uint8_t *buf = (const uint8_t *)dynbuf_ptr(&q->body);
    size_t len = dynbuf_len(&q->body);
    uint64_t after = 0;
    const char *a = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
    if (a) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(a, &end, 10);
        if (!*a || *end || errno || a[0] == '-') return reply_text(c, MHD_HTTP_BAD_REQUEST, "after= must be a counter (decimal)");
        after = v;
    }
    roomproto_report r;
    const char *why = NULL;
    if (roomproto_report_peek(buf, len, &r, &why) != ROOMPROTO_OK)
        return reply_text(c, MHD_HTTP_BAD_REQUEST, why ? why : "not a seat report");
    room_seat seat;
    int found = roomstore_seat(s->cfg->rs, r.kiosk_id, &seat);
    if (found < 0) return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
    if (!found) return reply_text(c, MHD_HTTP_NOT_FOUND, "unknown seat");
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    size_t n = 0;
    if (sodium_hex2bin(pk, sizeof pk, seat.device_pk, strlen(seat.device_pk), NULL, &n, NULL) || n != sizeof pk)
        return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "room.db: the seat's device key does not read");
    if (roomproto_report_verify(buf, len, pk, &r, &why) != ROOMPROTO_OK)
        return reply_text(c, MHD_HTTP_BAD_REQUEST, why ? why : "the report does not verify");
    if (strcmp(r.site, s->cfg->site) || strcmp(r.room, s->cfg->room)) {
        char msg[400];
        snprintf(msg, sizeof msg, "wrong room: the seat is of site %s room %s, this console is site %s room %s", r.site,
                 r.room, s->cfg->site, s->cfg->room);
        return reply_text(c, MHD_HTTP_FORBIDDEN, msg);
    }
    char seatno[16];
    snprintf(seatno, sizeof seatno, "%d", seat.seat);
    if (strcmp(r.seat, seatno)) return reply_text(c, MHD_HTTP_NOT_FOUND, "unknown seat (its seat number changed: say hello again)");
    char tag[2 * ROOMPROTO_TAG_BYTES + 1] = "", pack[2 * ROOMPROTO_PACK_ID_BYTES + 1] = "",
         ticket[ROSTER_TICKET_MAX + 1] = "";
    static const uint8_t Z[ROOMPROTO_PACK_ID_BYTES];
    if (!tag_zero(r.ticket_tag)) {
        sodium_bin2hex(tag, sizeof tag, r.ticket_tag, sizeof r.ticket_tag);
        (void)roomstate_ticket(&s->st, r.ticket_tag, ticket, NULL);
    }
    if (memcmp(r.pack_id, Z, sizeof Z)) sodium_bin2hex(pack, sizeof pack, r.pack_id, sizeof r.pack_id);
    room_report_in in = {r.kiosk_id, r.counter, buf, len, r.journal_count, r.journal_head, now_ms(), tag, ticket, pack};
    int rc = roomstore_report(s->cfg->rs, &in, &why);
    if (rc < 0) return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
    if (rc == ROOM_REPORT_REPLAY) return reply_text(c, MHD_HTTP_CONFLICT, why);
    journal_changes(s, &r, ticket);
    if (!strcmp(seat.state, SEAT_UNCONFIRMED))
        return reply_text(c, MHD_HTTP_FORBIDDEN, "unconfirmed seat: an invigilator must confirm it on the console");
    if (strcmp(seat.state, SEAT_CONFIRMED))
        return reply_text(c, MHD_HTTP_FORBIDDEN, "duplicate seat: the invigilator must check it; it gets no commands");
    frames f = {.n = 0};
    dynbuf_init(&f.b, CONSOLE_MAX_FRAMES * (2 + ROOMPROTO_CMD_MAX_BYTES) + 2 + ROOMPROTO_ACTIVE_MAX_BYTES);
    active_frame(s, &f);
    if (roomstore_commands_for(s->cfg->rs, r.kiosk_id, after, CONSOLE_MAX_FRAMES - f.n, add_frame, &f) < 0) {
        dynbuf_free(&f.b);
        return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
    }
    size_t blen = 0;
    char *body = dynbuf_take(&f.b, &blen);
    struct MHD_Response *resp = MHD_create_response_from_buffer(blen, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) { free(body); return MHD_NO; }
    MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result mrc = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return mrc;
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
    if (!strcmp(url, "/v1/seat/report")) {
        if (!post) return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        return do_report(s, c, q);
    }
    if (!strcmp(url, "/console.js") && get) return reply_js(c);
    session k;
    int in = session_of(s, c, &k);
    enum MHD_Result rc;
    if (!strcmp(url, "/login")) {
        if (post) rc = do_login(s, c, q);
        else if (in) rc = redirect(c, "/", NULL, NULL);
        else rc = login_page(s, c, MHD_HTTP_OK, NULL);
    } else if (!strcmp(url, "/") && get) {
        rc = in ? seat_map(s, c, &k, NULL) : redirect(c, "/login", NULL, NULL);
    } else if (!strcmp(url, "/seats") && get) {
        rc = in ? seats_fragment(s, c, &k) : forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/record") && get) {
        rc = in ? do_record(s, c) : forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/seat/confirm") && post) {
        rc = in ? do_confirm(s, c, q, &k) : forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/unlock") && post) {
        rc = in ? do_unlock(s, c, q, &k) : forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/action") && post) {
        rc = in ? do_action(s, c, q, &k) : forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/logout") && post) {
        if (in && csrf_ok(q, &k)) {
            session_end(s, k.token);
            roomstore_log(s->cfg->rs, now_s(), "invigilator", "logout", "logged out");
            rc = redirect(c, "/login", COOKIE_SESSION "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", NULL);
        } else
            rc = forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。");
    } else
        rc = json_error(c, MHD_HTTP_NOT_FOUND, "no such page (console: /, /login; seat API v1: /v1/health, /v1/seat/hello, /v1/seat/report)");
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
    if (roomstate_init(&s->st, cfg->rs, cfg->dir, cfg->site, cfg->room, why)) {
        free(s);
        return -1;
    }
    (void)roomstore_statuses(cfg->rs, mem_load, s);
    randombytes_buf(s->login_key, sizeof s->login_key);
    if (pthread_mutex_init(&s->mu, NULL) || pthread_mutex_init(&s->login_mu, NULL) ||
        connwatch_init(&s->w, "examroom", CONSOLE_HEADER_S)) {
        roomstate_free(&s->st);
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
        roomstate_free(&s->st);
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
    roomstate_free(&s->st);
    sodium_memzero(s, sizeof *s);
    free(s);
    return 0;
}
