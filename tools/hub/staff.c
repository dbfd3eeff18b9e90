/* staff: log-in, sessions, CSRF, roles, routing and the frame of the staff
 * pages (see staff.h; the pages are in staff_batches.c, staff_results.c).
 *
 * Sessions: the cookie examhub_staff holds a random token (160 bits, base32);
 * the store keeps only its BLAKE2b hash, so a copy of hub.db opens no
 * session. A session ends at log-out, when unused for idle_s seconds, and
 * STAFF_SESSION_MAX_S after its log-in. The cookie is HttpOnly,
 * SameSite=Strict and Path=/staff/.
 * CSRF: every form carries a token keyed by this process's random key over
 * the session's token (over the pre-log-in cookie examhub_login for the
 * log-in form); a POST without the right one is refused 403 and changes
 * nothing. A restart makes open forms stale (the page says so), not sessions.
 * Lock-out: STAFF_USER_FAILURES failed log-ins of one name (known or not)
 * lock that name; STAFF_ALL_FAILURES of all names lock every log-in; while
 * locked no password is even checked. */
#include "tools/hub/staff.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/b32.h"
#include "core/fileio.h"
#include "tools/hub/staff_int.h"
#include "tools/hub/textout.h"

#define COOKIE "examhub_staff"
#define LOGIN_COOKIE "examhub_login"
#define TOKEN_CHARS 32

/* The one style sheet of every page; the CSP allows exactly it (by hash). */
static const char STYLE[] =
    "body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;margin:0;font-size:15px;color:#1a1a1a;"
    "background:#f4f5f7}"
    "header{background:#1f3a5f;color:#fff;display:flex;align-items:center;gap:18px;padding:8px 20px}"
    "header b{font-size:17px}header nav a{color:#fff;margin-right:14px;text-decoration:none}"
    "header nav a:hover{text-decoration:underline}header .who{margin-left:auto}"
    "header form{margin:0}header button{background:#fff;color:#1f3a5f;border:0;padding:4px 10px;cursor:pointer}"
    "main{padding:14px 20px;max-width:1300px}h1{font-size:20px;margin:6px 0 12px}h2{font-size:17px;margin:18px 0 8px}"
    "table{border-collapse:collapse;background:#fff;margin-bottom:10px}"
    "th,td{border:1px solid #c8ccd2;padding:4px 8px;text-align:left;font-size:14px}th{background:#e8ebef;white-space:nowrap}"
    "td.nw{white-space:nowrap}code{font-size:12px}form.dec{margin:0;white-space:nowrap}tr.integrity td{background:#fdd}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".box{background:#fff;border:1px solid #c8ccd2;padding:10px 14px;margin-bottom:12px}"
    ".err{background:#fdecea;border:1px solid #e0a39c;color:#8a1c12;padding:8px 12px;margin-bottom:12px}"
    ".ok{background:#e7f5ea;border:1px solid #9fcfa9;color:#1d5a2a;padding:8px 12px;margin-bottom:12px}"
    ".err li,.ok li{font-family:monospace;font-size:13px}"
    "form.up{display:inline-block;margin:0 16px 8px 0}"
    "label{margin-right:6px}input[type=text],input[type=password]{padding:4px;width:220px}input.why{width:130px}"
    "button{padding:4px 12px;cursor:pointer}"
    ".login{max-width:360px;margin:80px auto;background:#fff;border:1px solid #c8ccd2;padding:20px 26px}"
    ".login p{margin:10px 0}.login label{display:inline-block;width:60px}";

int staff_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > STAFF_NAME_MAX) return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("._-", *p)))
            return 0;
    return 1;
}

const char *staff_password_problem(const char *pw)
{
    size_t n = strlen(pw);
    if (n < STAFF_PASSWORD_MIN) return "the password must have at least 8 bytes";
    if (n > STAFF_PASSWORD_MAX) return "the password must have at most 128 bytes";
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return "the password must not hold control characters";
    return NULL;
}

staff *staff_new(hubstore *st, const char *db, int idle_s)
{
    staff *sf = calloc(1, sizeof *sf);
    if (!sf) return NULL;
    sf->st = st;
    sf->db = db;
    sf->idle_s = idle_s > 0 ? idle_s : STAFF_IDLE_S;
    randombytes_buf(sf->key, sizeof sf->key);
    /* An unknown name costs what a wrong password costs: a verifier of the default cost, made of a
     * random salt and hash rather than computed (computing one takes 64 MiB at every start, and no
     * password matches it either way); needs_rehash checks that libsodium parses it as such. */
    uint8_t salt[16], hash[32];
    char bs[32], bh[48];
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(hash, sizeof hash);
    sodium_bin2base64(bs, sizeof bs, salt, sizeof salt, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    sodium_bin2base64(bh, sizeof bh, hash, sizeof hash, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    snprintf(sf->dummy, sizeof sf->dummy, "$argon2id$v=19$m=%zu,t=%llu,p=1$%s$%s",
             (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE >> 10, (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE, bs, bh);
    if (crypto_pwhash_str_needs_rehash(sf->dummy, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE)) {
        free(sf);
        return NULL;
    }
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const uint8_t *)STYLE, strlen(STYLE));
    char b64[64];
    sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
    snprintf(sf->style_csp, sizeof sf->style_csp, "'sha256-%s'", b64);
    return sf;
}

void staff_free(staff *sf)
{
    if (sf) sodium_memzero(sf, sizeof *sf);
    free(sf);
}

int staff_is_path(const char *url) { return !strncmp(url, "/staff", 6) && (url[6] == 0 || url[6] == '/'); }

size_t staff_body_limit(const char *url)
{
    return !strncmp(url, "/staff/upload/", 14) ? STAFF_MAX_UPLOAD : STAFF_MAX_FORM;
}

/* ---- tokens ------------------------------------------------------------------------------- */

static void token_hash(const char *token, uint8_t out[32])
{
    crypto_generichash(out, 32, (const uint8_t *)token, strlen(token), NULL, 0);
}

/* the CSRF token of a form under cookie value TOKEN (PURPOSE: "login" or "session") */
static void csrf_of(const staff *sf, const char *purpose, const char *token, char out[33])
{
    uint8_t h[16];
    crypto_generichash_state g;
    crypto_generichash_init(&g, sf->key, sizeof sf->key, sizeof h);
    crypto_generichash_update(&g, (const uint8_t *)purpose, strlen(purpose) + 1);
    crypto_generichash_update(&g, (const uint8_t *)token, strlen(token));
    crypto_generichash_final(&g, h, sizeof h);
    sodium_bin2hex(out, 33, h, sizeof h);
}

static void new_token(char out[TOKEN_CHARS + 1])
{
    uint8_t raw[20];
    randombytes_buf(raw, sizeof raw);
    b32_encode(raw, sizeof raw, out, TOKEN_CHARS + 1);
    sodium_memzero(raw, sizeof raw);
}

/* the cookie NAME of the request when it looks like one of our tokens */
static const char *cookie_token(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, name);
    if (!v || strlen(v) != TOKEN_CHARS) return NULL;
    for (const char *p = v; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z'))) return NULL;
    return v;
}

static int same_token(const char *a, const char *b)
{
    return a && b && strlen(a) == strlen(b) && sodium_memcmp(a, b, strlen(a)) == 0;
}

/* ---- answers -------------------------------------------------------------------------------- */

/* Queues TEXT (N bytes, taken) as STATUS with the pages' headers, the
 * cookies COOKIE and COOKIE2 (or NULL) and, for a redirect, LOCATION. */
static enum MHD_Result answer(struct MHD_Connection *c, const staff *sf, unsigned status, char *text, size_t n,
                              const char *cookie, const char *cookie2, const char *location)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(n, text ? text : (char *)"", text ? MHD_RESPMEM_MUST_FREE
                                                                                               : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    char csp[256];
    snprintf(csp, sizeof csp,
             "default-src 'none'; style-src %s; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
             sf->style_csp);
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Security-Policy", csp);
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

static const char *const ROLE_ZH[ROLE_COUNT] = {"管理员", "报名登记员", "考务计划员", "阅卷员"};

#define R(x) (1u << (x))
#define ALL_ROLES (R(ROLE_ADMIN) | R(ROLE_CLERK) | R(ROLE_PLANNER) | R(ROLE_MARKER))

static enum MHD_Result page_home(sreq *q);
static enum MHD_Result page_audit(sreq *q);
static enum MHD_Result page_users(sreq *q);
static enum MHD_Result do_logout(sreq *q);

/* Every page and form of a signed-in user, with the roles that may use it
 * (README: The staff pages; test_staff.sh checks each refusal). The admin
 * (the centre's manager) may use everything. */
typedef struct route {
    const char *method, *path;
    unsigned roles;
    enum MHD_Result (*fn)(sreq *q);
    const char *nav; /* the header's link to it, or NULL */
} route;
static const route ROUTES[] = {
    {"GET", "/staff/", ALL_ROLES, page_home, "首页"},
    {"GET", "/staff/batches", R(ROLE_ADMIN) | R(ROLE_CLERK) | R(ROLE_PLANNER), staff_page_batches, "批次"},
    {"POST", "/staff/upload/applications", R(ROLE_ADMIN) | R(ROLE_CLERK), staff_upload_applications, NULL},
    {"POST", "/staff/upload/payments", R(ROLE_ADMIN) | R(ROLE_CLERK), staff_upload_payments, NULL},
    {"POST", "/staff/upload/rooms", R(ROLE_ADMIN) | R(ROLE_PLANNER), staff_upload_rooms, NULL},
    {"POST", "/staff/plan", R(ROLE_ADMIN) | R(ROLE_PLANNER), staff_plan, NULL},
    {"GET", "/staff/doorlist", R(ROLE_ADMIN) | R(ROLE_PLANNER), staff_doorlist, NULL},
    {"GET", "/staff/results", R(ROLE_ADMIN) | R(ROLE_PLANNER), staff_page_results, "成绩"},
    {"POST", "/staff/decide", R(ROLE_ADMIN), staff_decide, NULL},
    {"GET", "/staff/users", R(ROLE_ADMIN), page_users, "用户"},
    {"GET", "/staff/audit", R(ROLE_ADMIN), page_audit, "审计日志"},
    {"POST", "/staff/logout", ALL_ROLES, do_logout, NULL},
};
#define NROUTES (sizeof ROUTES / sizeof *ROUTES)

FILE *sp_begin(sreq *q, const char *title)
{
    q->page = open_memstream(&q->buf, &q->len);
    if (!q->page) return NULL;
    FILE *f = q->page;
    fputs("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>", f);
    out_html(f, title);
    fprintf(f, " · 考试中心</title><style>%s</style></head><body>", STYLE);
    if (q->u.name[0]) {
        fputs("<header><b>考试中心 · 工作人员</b><nav>", f);
        for (size_t i = 0; i < NROUTES; i++)
            if (ROUTES[i].nav && (ROUTES[i].roles & R(q->u.role))) {
                fputs("<a href=\"", f);
                out_html(f, ROUTES[i].path);
                fputs("\">", f);
                out_html(f, ROUTES[i].nav);
                fputs("</a>", f);
            }
        fputs("</nav><span class=\"who\">", f);
        out_html(f, q->u.name);
        fprintf(f, "（%s）</span><form method=\"post\" action=\"/staff/logout\">", ROLE_ZH[q->u.role]);
        sp_csrf(q);
        fputs("<button type=\"submit\">退出登录</button></form></header>", f);
    }
    fputs("<main>", f);
    if (!q->bare) {
        fputs("<h1>", f);
        out_html(f, title);
        fputs("</h1>", f);
    }
    return f;
}

void sp_csrf(sreq *q) { fprintf(q->page, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", q->csrf); }

static enum MHD_Result send_page(sreq *q, unsigned status, const char *cookie, const char *cookie2)
{
    if (!q->page) return MHD_NO;
    fputs("</main></body></html>\n", q->page);
    int bad = ferror(q->page);
    fclose(q->page);
    q->page = NULL;
    char *text = q->buf;
    q->buf = NULL;
    if (bad) {
        free(text);
        return MHD_NO;
    }
    return answer(q->c, q->sf, status, text, q->len, cookie, cookie2, NULL);
}

enum MHD_Result sp_send(sreq *q, unsigned status) { return send_page(q, status, NULL, NULL); }

enum MHD_Result sp_send_csv(sreq *q, const char *filename, char *text, size_t n)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", filename);
    MHD_add_response_header(r, "Content-Type", "text/csv; charset=utf-8");
    MHD_add_response_header(r, "Content-Disposition", disp);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result rc = MHD_queue_response(q->c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

enum MHD_Result sp_redirect(sreq *q, const char *location)
{
    return answer(q->c, q->sf, MHD_HTTP_SEE_OTHER, NULL, 0, NULL, NULL, location);
}

enum MHD_Result sp_message(sreq *q, unsigned status, const char *title, const char *msg)
{
    FILE *f = sp_begin(q, title);
    if (!f) return MHD_NO;
    fputs("<p class=\"err\">", f);
    out_html(f, msg);
    fputs("</p>", f);
    return sp_send(q, status);
}

int sp_audit(sreq *q, const char *action, const char *detail)
{
    return hubstore_staff_audit(q->sf->st, q->now, q->u.name, action, detail);
}

hubstore *staff_store(sreq *q)
{
    hubstore *s = NULL;
    char *why = NULL;
    if (hubstore_open(q->sf->db, 0, &s, &why)) s = NULL;
    free(why);
    return s;
}

void sp_time(FILE *f, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];
    if (localtime_r(&tt, &tm) && strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm)) fputs(s, f);
    else fprintf(f, "%lld", (long long)t);
}

const char *squery(const sreq *q, const char *name)
{
    return MHD_lookup_connection_value(q->c, MHD_GET_ARGUMENT_KIND, name);
}

const char *sform_get(const sreq *q, const char *name, size_t *len, const char **filename)
{
    for (int i = 0; i < q->nform; i++)
        if (!strcmp(q->form[i].name, name)) {
            if (len) *len = q->form[i].len;
            if (filename) *filename = q->form[i].filename;
            return q->form[i].data;
        }
    return NULL;
}

/* ---- the posted form, through libmicrohttpd's post processor ------------------------------------- */

typedef struct form_ctx {
    sreq *q;
    size_t total, limit;
    int bad; /* a field too many, a name too long, a duplicate */
} form_ctx;

static enum MHD_Result form_piece(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                  const char *content_type, const char *transfer_encoding, const char *data,
                                  uint64_t off, size_t size)
{
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    form_ctx *fc = cls;
    sreq *q = fc->q;
    if (!key || strlen(key) >= sizeof q->form[0].name) return fc->bad = 1, MHD_NO;
    sform_field *f = NULL;
    /* the pieces of one field arrive in order, each after the one before it */
    if (q->nform && !strcmp(q->form[q->nform - 1].name, key) && off > 0) f = &q->form[q->nform - 1];
    else {
        for (int i = 0; i < q->nform; i++)
            if (!strcmp(q->form[i].name, key)) return fc->bad = 1, MHD_NO;
        if (q->nform == SFORM_MAX) return fc->bad = 1, MHD_NO;
        f = &q->form[q->nform++];
        snprintf(f->name, sizeof f->name, "%s", key);
        snprintf(f->filename, sizeof f->filename, "%s", filename ? filename : "");
    }
    fc->total += size;
    if (fc->total > fc->limit) return fc->bad = 1, MHD_NO;
    char *d = realloc(f->data, f->len + size + 1);
    if (!d) return fc->bad = 1, MHD_NO;
    memcpy(d + f->len, data, size);
    f->data = d;
    f->len += size;
    d[f->len] = 0;
    return MHD_YES;
}

/* Parses the POST body into q->form: 0, or -1 (not a form, malformed, too large). */
static int parse_form(sreq *q, const char *body, size_t len, size_t limit)
{
    form_ctx fc = {q, 0, limit, 0};
    struct MHD_PostProcessor *pp = MHD_create_post_processor(q->c, 16 << 10, form_piece, &fc);
    if (!pp) return -1;
    enum MHD_Result ok = len ? MHD_post_process(pp, body, len) : MHD_YES;
    if (MHD_destroy_post_processor(pp) != MHD_YES) ok = MHD_NO;
    /* a field without its value (the empty one of an url-encoded form) still counts as present */
    for (int i = 0; i < q->nform; i++)
        if (!q->form[i].data && !(q->form[i].data = calloc(1, 1))) ok = MHD_NO;
    return ok == MHD_YES && !fc.bad ? 0 : -1;
}

static void form_free(sreq *q)
{
    for (int i = 0; i < q->nform; i++) {
        if (q->form[i].data) sodium_memzero(q->form[i].data, q->form[i].len);
        free(q->form[i].data);
    }
    q->nform = 0;
}

/* ---- log-in, log-out ------------------------------------------------------------------------------ */

static enum MHD_Result login_page(sreq *q, unsigned status, const char *msg, const char *name)
{
    char pre[TOKEN_CHARS + 1], csrf[33], cookie[160];
    new_token(pre);
    csrf_of(q->sf, "login", pre, csrf);
    snprintf(cookie, sizeof cookie, LOGIN_COOKIE "=%s; Path=/staff/; HttpOnly; SameSite=Strict; Max-Age=3600", pre);
    memset(&q->u, 0, sizeof q->u); /* no header: nobody is signed in */
    q->bare = 1;
    FILE *f = sp_begin(q, "工作人员登录");
    if (!f) return MHD_NO;
    fputs("<div class=\"login\"><h1>考试中心 · 工作人员登录</h1>", f);
    if (msg) {
        fputs("<p class=\"err\">", f);
        out_html(f, msg);
        fputs("</p>", f);
    }
    fprintf(f, "<form method=\"post\" action=\"/staff/login\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">", csrf);
    fputs("<p><label for=\"name\">用户名</label><input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"username\""
          " maxlength=\"32\" required value=\"", f);
    out_html(f, name ? name : "");
    fputs("\"></p><p><label for=\"password\">密码</label><input type=\"password\" id=\"password\" name=\"password\""
          " autocomplete=\"current-password\" maxlength=\"128\" required></p>"
          "<p><button type=\"submit\">登录</button></p></form></div>", f);
    return send_page(q, status, cookie, NULL);
}

/* The lock on NAME (or on every log-in) now: the seconds left, 0 when none, -1 on error. */
static long locked_for(sreq *q, const char *name)
{
    int64_t last = 0;
    int n = hubstore_staff_failures(q->sf->st, NULL, q->now - STAFF_ALL_LOCK_S, &last);
    if (n < 0) return -1;
    if (n >= STAFF_ALL_FAILURES) return (long)(last + STAFF_ALL_LOCK_S - q->now) + 1;
    n = hubstore_staff_failures(q->sf->st, name, q->now - STAFF_LOCK_S, &last);
    if (n < 0) return -1;
    if (n >= STAFF_USER_FAILURES) return (long)(last + STAFF_LOCK_S - q->now) + 1;
    return 0;
}

static enum MHD_Result do_login(sreq *q, const char *body, size_t len)
{
    const char *pre = cookie_token(q->c, LOGIN_COOKIE);
    char want[33];
    if (parse_form(q, body, len, STAFF_MAX_FORM)) return login_page(q, MHD_HTTP_BAD_REQUEST, "表单无法读取，请重新登录。", NULL);
    const char *csrf = sform_get(q, "csrf", NULL, NULL), *name = sform_get(q, "name", NULL, NULL),
               *pw = sform_get(q, "password", NULL, NULL);
    if (pre) csrf_of(q->sf, "login", pre, want);
    if (!pre || !same_token(csrf, want))
        return login_page(q, MHD_HTTP_FORBIDDEN, "登录表单已失效（或不是本系统的表单），请重新输入。", NULL);
    if (!name || !pw || !staff_name_ok(name) || strlen(pw) > STAFF_PASSWORD_MAX)
        return login_page(q, MHD_HTTP_UNAUTHORIZED, "用户名或密码错误。", NULL);
    long left = locked_for(q, name);
    if (left < 0) return login_page(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "数据库错误，请稍后再试。", name);
    if (left > 0) {
        if (hubstore_staff_audit(q->sf->st, q->now, name, "login-locked", "log-in refused while locked out"))
            return login_page(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "数据库错误，请稍后再试。", name);
        char msg[160];
        snprintf(msg, sizeof msg, "登录失败次数过多，已暂时锁定，请 %ld 分钟后再试。", (left + 59) / 60);
        return login_page(q, MHD_HTTP_TOO_MANY_REQUESTS, msg, name);
    }
    staff_user u;
    int got = hubstore_staff_user_get(q->sf->st, name, &u);
    if (got < 0) return login_page(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "数据库错误，请稍后再试。", name);
    /* an unknown name is checked against the dummy verifier: it takes as long as a wrong password */
    int right = crypto_pwhash_str_verify(got == 0 ? u.verifier : q->sf->dummy, pw, strlen(pw)) == 0 && got == 0;
    sodium_memzero(u.verifier, sizeof u.verifier);
    if (!right || u.disabled) {
        const char *why = got ? "unknown user" : !right ? "wrong password" : "user disabled";
        if (hubstore_staff_failure_add(q->sf->st, name, q->now) ||
            hubstore_staff_audit(q->sf->st, q->now, name, "login-failed", why))
            return login_page(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "数据库错误，请稍后再试。", name);
        return login_page(q, MHD_HTTP_UNAUTHORIZED, right ? "该账户已停用。" : "用户名或密码错误。", name);
    }
    char token[TOKEN_CHARS + 1], cookie[200];
    uint8_t h[32];
    new_token(token);
    token_hash(token, h);
    /* a log-in also forgets what no longer counts: ended sessions, failures older than any lock's window */
    int64_t window = STAFF_LOCK_S > STAFF_ALL_LOCK_S ? STAFF_LOCK_S : STAFF_ALL_LOCK_S;
    if (hubstore_staff_purge(q->sf->st, q->now - STAFF_SESSION_MAX_S, q->now - q->sf->idle_s, q->now - window) ||
        hubstore_staff_failures_clear(q->sf->st, name) || hubstore_staff_session_add(q->sf->st, h, name, q->now) ||
        hubstore_staff_audit(q->sf->st, q->now, name, "login", staff_role_name(u.role)))
        return login_page(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "数据库错误，请稍后再试。", name);
    snprintf(cookie, sizeof cookie, COOKIE "=%s; Path=/staff/; HttpOnly; SameSite=Strict; Max-Age=%d", token,
             STAFF_SESSION_MAX_S);
    sodium_memzero(token, sizeof token);
    return answer(q->c, q->sf, MHD_HTTP_SEE_OTHER, NULL, 0, cookie,
                  LOGIN_COOKIE "=; Path=/staff/; HttpOnly; SameSite=Strict; Max-Age=0", "/staff/");
}

static enum MHD_Result do_logout(sreq *q)
{
    const char *tok = cookie_token(q->c, COOKIE);
    uint8_t h[32];
    token_hash(tok, h);
    if (hubstore_staff_session_end(q->sf->st, h) || sp_audit(q, "logout", ""))
        return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误，请稍后再试。");
    return answer(q->c, q->sf, MHD_HTTP_SEE_OTHER, NULL, 0,
                  COOKIE "=; Path=/staff/; HttpOnly; SameSite=Strict; Max-Age=0", NULL, "/staff/login");
}

/* ---- the home and audit pages ------------------------------------------------------------------- */

static enum MHD_Result page_home(sreq *q)
{
    FILE *f = sp_begin(q, "首页");
    if (!f) return MHD_NO;
    fputs("<div class=\"box\"><p>您好，", f);
    out_html(f, q->u.name);
    fprintf(f, "。您的角色是<b>%s</b>，可使用以下页面：</p><ul>", ROLE_ZH[q->u.role]);
    int any = 0;
    for (size_t i = 0; i < NROUTES; i++)
        if (ROUTES[i].nav && ROUTES[i].fn != page_home && (ROUTES[i].roles & R(q->u.role))) {
            fputs("<li><a href=\"", f);
            out_html(f, ROUTES[i].path);
            fputs("\">", f);
            out_html(f, ROUTES[i].nav);
            fputs("</a></li>", f);
            any = 1;
        }
    if (!any) fputs("<li>（暂无：阅卷页面尚未开放）</li>", f);
    fputs("</ul></div>", f);
    return sp_send(q, MHD_HTTP_OK);
}

static int audit_row(void *ctx, long long id, int64_t at, const char *user, const char *action, const char *detail)
{
    FILE *f = ctx;
    fprintf(f, "<tr><td class=\"n\">%lld</td><td>", id);
    sp_time(f, at);
    const char *cells[] = {user, action, detail};
    for (int i = 0; i < 3; i++) {
        fputs("</td><td>", f);
        out_html(f, cells[i]);
    }
    fputs("</td></tr>", f);
    return 0;
}

enum { AUDIT_SHOWN = 500 };

static enum MHD_Result page_audit(sreq *q)
{
    FILE *f = sp_begin(q, "审计日志");
    if (!f) return MHD_NO;
    fprintf(f, "<p>最近 %d 条记录，最新的在前（全部记录保存在数据库的 staff_audit 表中，不可修改）。</p>", AUDIT_SHOWN);
    fputs("<table><tr><th>序号</th><th>时间</th><th>用户</th><th>操作</th><th>内容</th></tr>", f);
    if (hubstore_staff_audit_each(q->sf->st, AUDIT_SHOWN, audit_row, f)) {
        fclose(q->page);
        free(q->buf);
        q->page = NULL;
        q->buf = NULL;
        return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误，审计日志无法读取。");
    }
    fputs("</table>", f);
    return sp_send(q, MHD_HTTP_OK);
}

static int user_row(void *ctx, const staff_user *u)
{
    FILE *f = ctx;
    fputs("<tr><td>", f);
    out_html(f, u->name);
    fprintf(f, "</td><td>%s（%s）</td><td>%s</td><td>", ROLE_ZH[u->role], staff_role_name(u->role),
            u->disabled ? "已停用" : "正常");
    sp_time(f, u->created);
    fputs("</td></tr>", f);
    return 0;
}

static enum MHD_Result page_users(sreq *q)
{
    FILE *f = sp_begin(q, "用户");
    if (!f) return MHD_NO;
    fputs("<p>账户只在服务器上用命令管理：<code>examhub user add 用户名 --role admin|clerk|planner|marker --db hub.db</code>，"
          "<code>examhub user disable|enable 用户名 --db hub.db</code>（启用同时解除锁定）。</p>"
          "<table><tr><th>用户名</th><th>角色</th><th>状态</th><th>创建时间</th></tr>", f);
    if (hubstore_staff_user_each(q->sf->st, user_row, f)) {
        fclose(q->page);
        free(q->buf);
        q->page = NULL;
        q->buf = NULL;
        return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误，用户无法读取。");
    }
    fputs("</table>", f);
    return sp_send(q, MHD_HTTP_OK);
}

/* ---- the door: session, role, CSRF ----------------------------------------------------------------- */

static enum MHD_Result handle(sreq *q, const char *url, const char *method, const char *body, size_t len)
{
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    if (!strcmp(url, "/staff") || !strcmp(url, "/staff/index.html")) return sp_redirect(q, "/staff/");
    if (!strcmp(url, "/staff/login")) {
        if (get) return login_page(q, MHD_HTTP_OK, NULL, NULL);
        if (post) return do_login(q, body, len);
        return sp_message(q, MHD_HTTP_METHOD_NOT_ALLOWED, "错误", "不支持的请求方法。");
    }
    const route *rt = NULL;
    int path_known = 0;
    for (size_t i = 0; i < NROUTES; i++)
        if (!strcmp(ROUTES[i].path, url)) {
            path_known = 1;
            if ((get && !strcmp(ROUTES[i].method, "GET")) || (post && !strcmp(ROUTES[i].method, "POST"))) rt = &ROUTES[i];
        }
    if (!path_known) return sp_message(q, MHD_HTTP_NOT_FOUND, "页面不存在", "没有这个页面。");
    if (!rt) return sp_message(q, MHD_HTTP_METHOD_NOT_ALLOWED, "错误", "不支持的请求方法。");
    /* the session */
    const char *tok = cookie_token(q->c, COOKIE);
    int live = 1;
    if (tok) {
        uint8_t h[32];
        token_hash(tok, h);
        live = hubstore_staff_session_use(q->sf->st, h, q->now - STAFF_SESSION_MAX_S, q->now - q->sf->idle_s, q->now, &q->u);
        if (live < 0) return sp_message(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "错误", "数据库错误，请稍后再试。");
    }
    if (!tok || live) { /* not signed in, or the session ended: to the log-in page */
        memset(&q->u, 0, sizeof q->u);
        return answer(q->c, q->sf, MHD_HTTP_SEE_OTHER, NULL, 0,
                      tok ? COOKIE "=; Path=/staff/; HttpOnly; SameSite=Strict; Max-Age=0" : NULL, NULL, "/staff/login");
    }
    csrf_of(q->sf, "session", tok, q->csrf);
    if (!(rt->roles & R(q->u.role)))
        return sp_message(q, MHD_HTTP_FORBIDDEN, "权限不足", "您的角色不能使用此页面或表单。");
    if (post) {
        if (parse_form(q, body, len, staff_body_limit(url)))
            return sp_message(q, MHD_HTTP_BAD_REQUEST, "错误", "表单无法读取（格式错误或过大）。");
        if (!same_token(sform_get(q, "csrf", NULL, NULL), q->csrf))
            return sp_message(q, MHD_HTTP_FORBIDDEN, "表单已失效", "表单已失效（或不是本系统的表单），未做任何更改。请返回页面重新提交。");
    }
    return rt->fn(q);
}

enum MHD_Result staff_too_large(staff *sf, struct MHD_Connection *c)
{
    sreq q;
    memset(&q, 0, sizeof q);
    q.sf = sf;
    q.c = c;
    char msg[160];
    snprintf(msg, sizeof msg, "提交的内容过大：上传文件不能超过 %zu MiB，其他表单不能超过 %zu KiB。未做任何更改。",
             STAFF_MAX_UPLOAD >> 20, STAFF_MAX_FORM >> 10);
    enum MHD_Result rc = sp_message(&q, MHD_HTTP_CONTENT_TOO_LARGE, "内容过大", msg);
    if (q.page) fclose(q.page);
    free(q.buf);
    return rc;
}

enum MHD_Result staff_handle(staff *sf, struct MHD_Connection *c, const char *url, const char *method, const char *body,
                             size_t len)
{
    sreq q;
    memset(&q, 0, sizeof q);
    q.sf = sf;
    q.c = c;
    q.now = (int64_t)time(NULL);
    enum MHD_Result rc = handle(&q, url, method, body, len);
    if (q.page) fclose(q.page);
    free(q.buf);
    form_free(&q);
    sodium_memzero(q.csrf, sizeof q.csrf);
    return rc;
}
