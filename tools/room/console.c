/* console: the room console's HTTP server (see console.h): its common
 * pieces, sessions and log-in, dispatch (console_int.h). */
#include "tools/room/console.h"
#include "tools/room/console_int.h"

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

int64_t con_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t con_now_s(void) { return (int64_t)time(NULL); }

int64_t con_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

void con_peer(struct MHD_Connection *c, char out[INET_ADDRSTRLEN])
{
    snprintf(out, INET_ADDRSTRLEN, "?");
    const union MHD_ConnectionInfo *ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ad && ad->client_addr && ad->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ad->client_addr)->sin_addr, out, INET_ADDRSTRLEN);
}

/* ---- answers ------------------------------------------------------------------ */

enum MHD_Result con_reply_json(struct MHD_Connection *c, unsigned status, json_t *obj)
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

enum MHD_Result con_json_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return con_reply_json(c, status, json_pack("{s:b, s:s}", "ok", 0, "error", msg));
}

/* an HTML page (B's text) with the console's security headers; COOKIE (or
 * NULL) and, for a redirect, LOCATION */
enum MHD_Result con_reply_html(struct MHD_Connection *c, unsigned status, dynbuf *b, const char *cookie,
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

enum MHD_Result con_redirect(struct MHD_Connection *c, const char *location, const char *cookie, const char *cookie2)
{
    return con_reply_html(c, MHD_HTTP_SEE_OTHER, NULL, cookie, cookie2, location);
}

enum MHD_Result con_reply_text(struct MHD_Connection *c, unsigned status, const char *msg)
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

/* ---- HTML --------------------------------------------------------------------- */

void con_esc(dynbuf *b, const char *s)
{
    for (; s && *s; s++) {
        const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : *s == '"' ? "&quot;"
                        : *s == '\'' ? "&#39;" : NULL;
        dynbuf_rc rc = e ? dynbuf_addstr(b, e) : dynbuf_add(b, s, 1);
        (void)rc; /* a page that passes its bound is cut short, never overrun */
    }
}

void con_out(dynbuf *b, const char *fmt, ...)
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
    ".seat .extra{font-family:inherit;font-size:11px;background:#cfe3f7;border-radius:3px;padding:0 3px}"
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
void con_page_head(dynbuf *b, const char *title, int live)
{
    con_out(b, "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    con_esc(b, title);
    con_out(b, "</title>%s<style>%s</style></head><body>",
        live ? "<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>" : "", CSS);
}

int con_tag_zero(const uint8_t *t)
{
    static const uint8_t Z[ROOMPROTO_TAG_BYTES];
    return !memcmp(t, Z, ROOMPROTO_TAG_BYTES);
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
    int64_t now = con_now_s();
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
    k->expires = con_now_s() + CONSOLE_SESSION_S;
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
int con_form_field_n(const char *body, size_t len, const char *name, int nth, char *out_, size_t size);

int con_form_field(const char *body, size_t len, const char *name, char *out_, size_t size)
{
    return con_form_field_n(body, len, name, 0, out_, size);
}

/* the NTH (from 0) value of a field given several times (seat=…&seat=…) */
int con_form_field_n(const char *body, size_t len, const char *name, int nth, char *out_, size_t size)
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
    con_page_head(&b, "考场控制台 · 登录", 0);
    con_out(&b, "<form class=\"login\" method=\"post\" action=\"/login\"><h1>考场控制台</h1><p>");
    con_esc(&b, s->cfg->site);
    con_out(&b, " · 第 ");
    con_esc(&b, s->cfg->room);
    con_out(&b, " 考场 · 监考员登录</p>");
    if (msg) {
        con_out(&b, "<div class=\"msg\">");
        con_esc(&b, msg);
        con_out(&b, "</div>");
    }
    con_out(&b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><label for=\"pw\">监考员密码</label>"
            "<input id=\"pw\" type=\"password\" name=\"password\" autocomplete=\"current-password\" autofocus required>"
            "<button type=\"submit\">登录</button></form></body></html>",
        csrf);
    return con_reply_html(c, status, &b, cookie, NULL, NULL);
}

static enum MHD_Result do_login(srv *s, struct MHD_Connection *c, const req *q)
{
    char ip[INET_ADDRSTRLEN], actor[64];
    con_peer(c, ip);
    snprintf(actor, sizeof actor, "browser %s", ip);
    const char *pre = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_PRE);
    char csrf[TOKEN_HEX + 1], want[TOKEN_HEX], pw[256];
    if (!pre || strlen(pre) != TOKEN_HEX - 1 ||
        !con_form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "csrf", csrf, sizeof csrf)) {
        roomstore_log(s->cfg->rs, con_now_s(), actor, "login-refused", "no CSRF token (log-in form not from this console)");
        return login_page(s, c, MHD_HTTP_FORBIDDEN, "登录表单已失效，请重新输入密码。");
    }
    login_csrf(s, pre, want);
    if (!token_eq(csrf, want)) {
        roomstore_log(s->cfg->rs, con_now_s(), actor, "login-refused", "bad CSRF token");
        return login_page(s, c, MHD_HTTP_FORBIDDEN, "登录表单已失效，请重新输入密码。");
    }
    pthread_mutex_lock(&s->login_mu);
    int64_t now = con_now_s();
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
    int ok = con_form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "password", pw, sizeof pw) &&
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
    return con_redirect(c, "/", cookie, COOKIE_PRE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

/* a POST of the logged-in console: the session's CSRF token must come with it */
int con_csrf_ok(const req *q, const session *k)
{
    char csrf[TOKEN_HEX + 1];
    return con_form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "csrf", csrf, sizeof csrf) && token_eq(csrf, k->csrf);
}

enum MHD_Result con_forbidden(struct MHD_Connection *c, const char *msg)
{
    dynbuf b;
    dynbuf_init(&b, 16u << 10);
    con_page_head(&b, "考场控制台 · 拒绝", 0);
    con_out(&b, "<main><div class=\"msg\">");
    con_esc(&b, msg);
    con_out(&b, "</div><p><a href=\"/\">返回座位图</a></p></main></body></html>");
    return con_reply_html(c, MHD_HTTP_FORBIDDEN, &b, NULL, NULL, NULL);
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
            if (end == cl || *end || errno || cl[0] == '-') return con_json_error(c, MHD_HTTP_BAD_REQUEST, "malformed Content-Length");
            if (v > CONSOLE_MAX_BODY) return con_json_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
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
    if (q->too_large) return con_json_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    if (!strcmp(url, "/v1/health") && get)
        return con_reply_json(c, MHD_HTTP_OK, json_pack("{s:b, s:s, s:s}", "ok", 1, "site", s->cfg->site, "room", s->cfg->room));
    if (!strcmp(url, "/v1/seat/hello")) {
        if (!post) return con_json_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        return seatapi_hello(s, c, q);
    }
    if (!strcmp(url, "/v1/seat/report")) {
        if (!post) return con_reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        return seatapi_report(s, c, q);
    }
    if (!strcmp(url, "/console.js") && get) return pages_js(c);
    session k;
    int in = session_of(s, c, &k);
    enum MHD_Result rc;
    if (!strcmp(url, "/login")) {
        if (post) rc = do_login(s, c, q);
        else if (in) rc = con_redirect(c, "/", NULL, NULL);
        else rc = login_page(s, c, MHD_HTTP_OK, NULL);
    } else if (!strcmp(url, "/") && get) {
        rc = in ? pages_map(s, c, &k, NULL) : con_redirect(c, "/login", NULL, NULL);
    } else if (!strcmp(url, "/seats") && get) {
        rc = in ? pages_seats(s, c, &k) : con_forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/record") && get) {
        rc = in ? pages_record(s, c) : con_forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/seat/confirm") && post) {
        rc = in ? pages_confirm(s, c, q, &k) : con_forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/unlock") && post) {
        rc = in ? pages_unlock(s, c, q, &k) : con_forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/action") && post) {
        rc = in ? pages_action(s, c, q, &k) : con_forbidden(c, "未登录或登录已过期，请重新登录。");
    } else if (!strcmp(url, "/logout") && post) {
        if (in && con_csrf_ok(q, &k)) {
            session_end(s, k.token);
            roomstore_log(s->cfg->rs, con_now_s(), "invigilator", "logout", "logged out");
            rc = con_redirect(c, "/login", COOKIE_SESSION "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", NULL);
        } else
            rc = con_forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。");
    } else
        rc = con_json_error(c, MHD_HTTP_NOT_FOUND, "no such page (console: /, /login; seat API v1: /v1/health, /v1/seat/hello, /v1/seat/report)");
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
    (void)roomstore_statuses(cfg->rs, seatapi_mem_load, s);
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
