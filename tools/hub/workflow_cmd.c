/* workflow_cmd: examhub's certification commands (issue 5): register, pay,
 * rooms, plan, rosters, tickets, marking, marks, review, final, certificates,
 * mailing. Each validates its whole input first and writes in one
 * transaction, so a mistake leaves nothing half-done. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "../../core/authority.h"
#include "../../core/csv.h"
#include "../../core/fileio.h"
#include "../../core/pack.h"
#include "../../core/paper.h"
#include "../../core/roster.h"
#include "../../core/text.h"
#include "hubstore_int.h"
#include "workflow.h"
#include "workflow_cmd.h"
#include "textout.h"

typedef struct wopts {
    const char *db, *csv, *batch, *out, *key, *pub, *pack, *code, *body, *theory, *practical;
    int margin, year;
} wopts;

static int werr(const char *what, char *why)
{
    fprintf(stderr, "%s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

static int usage(const char *msg)
{
    fprintf(stderr, "examhub: %s (see examhub --help)\n", msg);
    return 2;
}

static int parse(int argc, char **argv, wopts *o)
{
    static const struct option L[] = {
        {"db", required_argument, 0, 'd'},        {"csv", optional_argument, 0, 'c'},
        {"batch", required_argument, 0, 'b'},     {"out", required_argument, 0, 'o'},
        {"key", required_argument, 0, 'k'},       {"pub", required_argument, 0, 'p'},
        {"pack", required_argument, 0, 'P'},      {"release-code", required_argument, 0, 'r'},
        {"body-code", required_argument, 0, 'B'}, {"year", required_argument, 0, 'y'},
        {"margin", required_argument, 0, 'm'},    {"theory", required_argument, 0, 't'},
        {"practical", required_argument, 0, 'T'}, {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->margin = 20; /* 2 points */
    o->body = "0000";
    opterr = 0;
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "", L, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'c':
            if (optarg) o->csv = optarg;
            else if (optind < argc && argv[optind][0] != '-') o->csv = argv[optind++];
            else o->csv = "-";
            break;
        case 'b': o->batch = optarg; break;
        case 'o': o->out = optarg; break;
        case 'k': o->key = optarg; break;
        case 'p': o->pub = optarg; break;
        case 'P': o->pack = optarg; break;
        case 'r': o->code = optarg; break;
        case 'B': o->body = optarg; break;
        case 't': o->theory = optarg; break;
        case 'T': o->practical = optarg; break;
        case 'y':
            o->year = (int)strtol(optarg, &end, 10);
            if (*end || o->year < 2000 || o->year > 2099) return usage("--year must be 2000-2099");
            break;
        case 'm': {
            int tenths;
            if (text_points(optarg, &tenths) && strcmp(optarg, "0")) return usage("--margin must be points, e.g. 2");
            o->margin = strcmp(optarg, "0") ? tenths : 0;
            break;
        }
        default: {
            char m[160];
            snprintf(m, sizeof m, "unknown or incomplete option '%s'", argv[optind - 1]);
            return usage(m);
        }
        }
    }
    if (optind < argc) return usage("unexpected argument");
    return 0;
}

static int batch_ok(const char *b)
{
    int y, m;
    char x;
    return b && strlen(b) == 7 && sscanf(b, "%4d-%2d%c", &y, &m, &x) == 2 && b[4] == '-' && m >= 1 && m <= 12 && y >= 2000;
}

/* reads a CSV input file; header map by column names (English or Chinese) */
typedef struct table {
    csv_table t;
    const char *file;
} table;

static int load_csv(const char *file, table *tb)
{
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    tb->file = file;
    if (fileio_read(file, CSV_MAX_BYTES, &buf, &len, &why)) return werr(file, why);
    long line = 0;
    csv_rc rc = csv_parse((char *)buf, len, &tb->t, &line, &why);
    sodium_memzero(buf, len);
    free(buf);
    if (rc != CSV_OK) {
        fprintf(stderr, "%s:%ld: %s\n", file, line, why ? why : csv_strerror(rc));
        free(why);
        return 1;
    }
    return 0;
}

static char *cellv(const csv_row *r, int i) { return text_trim(i >= 0 && (size_t)i < r->ncells ? r->cells[i] : ""); }

/* Maps NREQ required and NOPT optional columns (English, Chinese pairs) of
 * TB's header into IDX (required first), with the one header reader
 * (csv_header_map); other columns are left alone (the same file feeds
 * several commands). Prints FILE:LINE: reason for each missing column and
 * returns 1 then. */
static int map_cols(const table *tb, const char *const *req, int nreq, const char *const *opt, int nopt, int *idx)
{
    csv_column cols[16];
    if (nreq + nopt > 16) abort(); /* a programming error */
    for (int i = 0; i < nreq; i++) cols[i] = (csv_column){req[2 * i], req[2 * i + 1], 1};
    for (int i = 0; i < nopt; i++) cols[nreq + i] = (csv_column){opt[2 * i], opt[2 * i + 1], 0};
    diag d;
    diag_init(&d);
    int bad = csv_header_map(&tb->t.rows[0], cols, (size_t)(nreq + nopt), idx, 0, &d) != 0;
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "%s:%ld: %s\n", tb->file, d.v[i].line, d.v[i].msg);
    diag_free(&d);
    return bad;
}

static hubstore *open_db(const wopts *o)
{
    hubstore *s;
    char *why = NULL;
    if (hubstore_open(o->db, 0, &s, &why)) {
        werr(o->db, why);
        return NULL;
    }
    return s;
}

static int begin(hubstore *s) { return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL); }
static int commit(hubstore *s)
{
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}
static void rollback(hubstore *s) { sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); }

/* ---- register ------------------------------------------------------------------ */

static int cmd_register(const wopts *o)
{
    if (!o->db || !o->csv) return usage("register needs --db and --csv APPLICATIONS.csv");
    table tb;
    if (load_csv(o->csv, &tb)) return 1;
    diag d;
    diag_init(&d);
    elig_cols ec;
    /* the eligibility columns, and what registering needs besides (the name is optional for eligibility) */
    static const char *const EXTRA[] = {"received", "收件日期", "address", "通信地址", "phone", "电话", "name", "姓名"};
    int ex[4];
    int bad = (eligibility_header(&tb.t.rows[0], &ec, &d) != 0) | map_cols(&tb, EXTRA, 4, NULL, 0, ex);
    size_t n = tb.t.nrows - 1;
    wf_app *apps = calloc(n ? n : 1, sizeof *apps);
    int *clause = calloc(n ? n : 1, sizeof *clause);
    for (size_t r = 1; !bad && r < tb.t.nrows; r++) {
        const csv_row *row = &tb.t.rows[r];
        wf_app *a = &apps[r - 1];
        if (eligibility_row(row, &ec, &a->a, &d)) continue;
        char *v[3];
        for (int k = 0; k < 3; k++) v[k] = cellv(row, ex[k]);
        if (!v[0] || !wf_date_valid(v[0])) diag_add(&d, row->line, "received '%s' must be a date YYYY-MM-DD", v[0] ? v[0] : "");
        else if (!*a->a.name) diag_add(&d, row->line, "name is empty");
        else if (!v[1] || !*v[1] || strlen(v[1]) >= sizeof a->address) diag_add(&d, row->line, "mailing address is empty or too long");
        else if (!v[2] || !*v[2] || strlen(v[2]) >= sizeof a->phone) diag_add(&d, row->line, "phone is empty or too long");
        else {
            snprintf(a->received, sizeof a->received, "%s", v[0]);
            snprintf(a->address, sizeof a->address, "%s", v[1]);
            snprintf(a->phone, sizeof a->phone, "%s", v[2]);
            clause[r - 1] = eligibility_clause(&a->a);
        }
        for (int k = 0; k < 3; k++) free(v[k]);
    }
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "%s:%ld: %s\n", o->csv, d.v[i].line, d.v[i].msg);
    if (bad || d.n) {
        fprintf(stderr, "%s: nothing registered\n", o->csv);
        diag_free(&d);
        csv_free(&tb.t);
        free(apps);
        free(clause);
        return 1;
    }
    diag_free(&d);
    hubstore *s = open_db(o);
    int rc = 1, regd = 0, refused = 0, dup = 0;
    if (s && !begin(s)) {
        rc = 0;
        for (size_t i = 0; i < n; i++) {
            if (!clause[i]) {
                fprintf(stderr, "%s:%ld: refused: %s is not eligible for level %d (no clause of the notice's 申报条件 holds)\n",
                        o->csv, apps[i].a.line, apps[i].a.id_number, apps[i].a.level);
                refused++;
                continue;
            }
            char cl[8], batch[8];
            snprintf(cl, sizeof cl, "%d.%d", apps[i].a.level, clause[i]);
            wf_batch_of(apps[i].received, batch);
            long long id = wf_register(s, &apps[i], cl, (int64_t)time(NULL));
            if (id < 0) { rc = werr(o->db, fileio_fmt("cannot store: %s", hubstore_error(s))); break; }
            if (id == 0) { dup++; continue; }
            printf("%s,%d,%s,%d,%s\n", apps[i].a.id_number, apps[i].a.level, batch, wf_fee(apps[i].a.level), cl);
            regd++;
        }
        if (rc || commit(s)) { rollback(s); rc = 1; }
    }
    if (!rc) fprintf(stderr, "%s: %d registered, %d refused as not eligible, %d already registered\n", o->csv, regd, refused, dup);
    hubstore_close(s);
    sodium_memzero(apps, n * sizeof *apps);
    free(apps);
    free(clause);
    csv_free(&tb.t);
    return rc;
}

/* ---- payments, rooms --------------------------------------------------------------- */

/* Applies every data row of CSV file o->csv with ROW in one transaction:
 * the first bad row (ROW prints FILE:LINE: reason and returns non-zero)
 * rolls everything back. NAMES: required columns (English, Chinese pairs). */
typedef int (*row_fn)(hubstore *s, const wopts *o, const csv_row *row, char **v, int nv);

static int import_rows(const wopts *o, const char *const *names, int ncols, const char *const *optional, int nopt,
                       row_fn row, const char *what)
{
    table tb;
    if (load_csv(o->csv, &tb)) return 1;
    int ix[16];
    if (map_cols(&tb, names, ncols, optional, nopt, ix)) { csv_free(&tb.t); return 1; }
    int nv = ncols + nopt;
    hubstore *s = open_db(o);
    int rc = !s || begin(s);
    for (size_t r = 1; !rc && r < tb.t.nrows; r++) {
        char *v[8];
        for (int k = 0; k < nv; k++) v[k] = cellv(&tb.t.rows[r], ix[k]);
        rc = row(s, o, &tb.t.rows[r], v, nv);
        for (int k = 0; k < nv; k++) free(v[k]);
    }
    if (s && !rc && commit(s)) rc = werr(o->db, fileio_fmt("cannot commit: %s", hubstore_error(s)));
    else if (s && rc) rollback(s);
    if (!rc) printf("%zu %s recorded\n", tb.t.nrows - 1, what);
    else fprintf(stderr, "%s: nothing recorded\n", o->csv);
    hubstore_close(s);
    csv_free(&tb.t);
    return rc;
}

#define ROW_ERR(...) (fprintf(stderr, "%s:%ld: ", o->csv, row->line), fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), 1)

static int pay_row(hubstore *s, const wopts *o, const csv_row *row, char **v, int nv)
{
    (void)nv;
    char *end;
    long amount = strtol(v[2], &end, 10);
    if (!batch_ok(v[1])) return ROW_ERR("batch '%s' must be YYYY-MM", v[1]);
    if (!*v[2] || *end || amount < 1 || amount > 100000) return ROW_ERR("amount '%s' must be a whole number of 元 (1-100000)", v[2]);
    int level = strlen(v[3]) == 1 && v[3][0] >= '1' && v[3][0] <= '4' ? v[3][0] - '0' : 0;
    switch (wf_pay(s, v[0], v[1], level, (int)amount, (int64_t)time(NULL))) {
    case 0: return 0;
    case 1: return ROW_ERR("no application of %s in batch %s", v[0], v[1]);
    case 2: return ROW_ERR("%s applied for several levels in batch %s: add a level column", v[0], v[1]);
    default: return werr(o->db, fileio_fmt("storage: %s", hubstore_error(s)));
    }
}

static int cmd_pay(const wopts *o)
{
    if (!o->db || !o->csv) return usage("pay needs --db and --csv PAYMENTS.csv (id_number,batch,amount[,level])");
    static const char *const N[] = {"id_number", "身份证号", "batch", "批次", "amount", "金额"};
    static const char *const OPT[] = {"level", "级别"}; /* needed when a person applied for two levels in one batch */
    return import_rows(o, N, 3, OPT, 1, pay_row, "payments");
}

static int room_row(hubstore *s, const wopts *o, const csv_row *row, char **v, int nv)
{
    (void)nv;
    char *end;
    long cap = strtol(v[3], &end, 10);
    if (!*v[0] || !*v[2]) return ROW_ERR("site and room must not be empty");
    if (strlen(v[1]) != 6 || strspn(v[1], "0123456789") != 6) return ROW_ERR("site_code '%s' must be 6 digits", v[1]);
    if (*end || cap < 1 || cap > 999 || !*v[3]) return ROW_ERR("capacity '%s' must be 1-999", v[3]);
    if (wf_room_add(s, v[0], v[1], v[2], (int)cap)) return werr(o->db, fileio_fmt("storage: %s", hubstore_error(s)));
    return 0;
}

static int cmd_rooms(const wopts *o)
{
    if (!o->db || !o->csv) return usage("rooms needs --db and --csv ROOMS.csv (site,site_code,room,capacity)");
    static const char *const N[] = {"site", "考点", "site_code", "考点代码", "room", "考场", "capacity", "容量"};
    return import_rows(o, N, 4, NULL, 0, room_row, "rooms");
}

/* ---- planning -------------------------------------------------------------------------- */

static int starts_ok(const char *s)
{
    char d[11];
    int h, m;
    char x;
    if (!s || strlen(s) != 16) return 0;
    memcpy(d, s, 10);
    d[10] = 0;
    return wf_date_valid(d) && sscanf(s + 11, "%2d:%2d%c", &h, &m, &x) == 2 && s[10] == ' ' && h < 24 && m < 60;
}

static int cmd_plan(const wopts *o)
{
    if (!o->db || !batch_ok(o->batch)) return usage("plan needs --db and --batch YYYY-MM");
    if ((o->theory && !starts_ok(o->theory)) || (o->practical && !starts_ok(o->practical)))
        return usage("--theory / --practical must be \"YYYY-MM-DD HH:MM\"");
    hubstore *s = open_db(o);
    if (!s) return 1;
    diag d;
    diag_init(&d);
    int n = wf_plan(s, o->batch, o->theory, o->practical, &d);
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "examhub plan: %s\n", d.v[i].msg);
    diag_free(&d);
    hubstore_close(s);
    if (n < 0) return 1;
    printf("batch %s: %d candidates given a room, seat and ticket\n", o->batch, n);
    return 0;
}

/* ---- rosters and door lists ------------------------------------------------------------------ */

typedef struct room_list {
    char key[200], site[128], room[64];
    roster r;
    FILE *door;
    char *door_buf;
    size_t door_len;
} room_list;

typedef struct rosters_ctx {
    room_list *rooms;
    int n, cap, failed;
} rosters_ctx;

static void mask_id(const char *id, char out[19])
{
    snprintf(out, 19, "%.6s********%.4s", id, id + 14);
}

static int collect_room(void *vctx, const wf_cand *c)
{
    rosters_ctx *rc = vctx;
    room_list *rl = NULL;
    char key[200];
    snprintf(key, sizeof key, "%s-%s", c->site, c->room);
    for (int i = 0; i < rc->n; i++)
        if (!strcmp(rc->rooms[i].key, key)) rl = &rc->rooms[i];
    if (!rl) {
        if (rc->n == rc->cap) {
            int cap = rc->cap ? rc->cap * 2 : 8;
            room_list *nr = realloc(rc->rooms, (size_t)cap * sizeof *nr);
            if (!nr) { rc->failed = 1; return 1; }
            rc->rooms = nr;
            rc->cap = cap;
        }
        rl = &rc->rooms[rc->n++];
        memset(rl, 0, sizeof *rl);
        snprintf(rl->key, sizeof rl->key, "%s", key);
        snprintf(rl->site, sizeof rl->site, "%s", c->site);
        snprintf(rl->room, sizeof rl->room, "%s", c->room);
        randombytes_buf(rl->r.roster_id, sizeof rl->r.roster_id);
        randombytes_buf(rl->r.salt, sizeof rl->r.salt);
        rl->door = open_memstream(&rl->door_buf, &rl->door_len);
        fprintf(rl->door, "seat,ticket,name,id_number,level\n");
    }
    roster_entry *ne = realloc(rl->r.e, (rl->r.n + 1) * sizeof *ne);
    if (!ne) { rc->failed = 1; return 1; }
    rl->r.e = ne;
    roster_entry *e = &rl->r.e[rl->r.n++];
    memset(e, 0, sizeof *e);
    snprintf(e->ticket, sizeof e->ticket, "%s", c->ticket);
    e->name = strdup(c->name);
    e->room = strdup(c->room);
    e->level = c->level;
    e->seat = c->seat;
    roster_hash_id(rl->r.salt, c->ticket, c->id_number, e->id_hash);
    char masked[19];
    mask_id(c->id_number, masked);
    fprintf(rl->door, "%d,%s,%s,%s,%d\n", c->seat, c->ticket, c->name, masked, c->level);
    return 0;
}

static void safe_name(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < size; p++) out[o++] = (*p == '/' || *p == ' ' || *p == '\\') ? '_' : *p;
    out[o] = 0;
}

static int cmd_rosters(const wopts *o)
{
    if (!o->db || !batch_ok(o->batch) || !o->key || !o->out)
        return usage("rosters needs --db, --batch YYYY-MM, --key DIR/authority.key and --out DIR");
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char *why = NULL;
    if (authority_load_sign_sk(o->key, sk, &why)) return werr(o->key, why);
    if (mkdir(o->out, 0755) && errno != EEXIST) return werr(o->out, fileio_fmt("cannot create: %s", strerror(errno)));
    hubstore *s = open_db(o);
    if (!s) return 1;
    rosters_ctx rc = {0};
    wf_each_candidate(s, o->batch, collect_room, &rc);
    hubstore_close(s);
    int bad = rc.failed;
    for (int i = 0; i < rc.n; i++) {
        room_list *rl = &rc.rooms[i];
        fclose(rl->door);
        char base[256];
        safe_name(rl->key, base, sizeof base);
        uint8_t *buf = NULL;
        size_t len = 0;
        char *path = fileio_fmt("%s/%s.roster", o->out, base), *dpath = fileio_fmt("%s/%s-door.csv", o->out, base);
        if (roster_write(&rl->r, sk, &buf, &len) || fileio_write_atomic(path, buf, len, 0644, 0, &why) ||
            fileio_write_atomic(dpath, rl->door_buf, rl->door_len, 0644, 0, &why))
            bad |= werr(path, why ? why : fileio_fmt("cannot write"));
        else
            printf("%s: %zu candidates (door list %s)\n", path, rl->r.n, dpath);
        why = NULL;
        free(buf);
        free(path);
        free(dpath);
        free(rl->door_buf);
        roster_free(&rl->r);
    }
    sodium_memzero(sk, sizeof sk);
    free(rc.rooms);
    if (!rc.n) fprintf(stderr, "examhub rosters: batch %s has no planned candidates (examhub plan)\n", o->batch);
    return bad || !rc.n;
}

/* ---- admission tickets --------------------------------------------------------------------------- */


typedef struct tickets_ctx {
    const char *out;
    int n, failed;
} tickets_ctx;

static const char TICKET_CSS[] =
    "@page{size:A4;margin:18mm}*{box-sizing:border-box}"
    "body{font-family:'Noto Sans CJK SC','Noto Serif CJK SC','Source Han Sans SC','Microsoft YaHei','SimSun',sans-serif;"
    "color:#111;margin:0}.sheet{width:174mm;margin:0 auto}"
    "h1{text-align:center;font-size:22pt;letter-spacing:.3em;margin:0 0 2mm}"
    "h2{text-align:center;font-size:13pt;font-weight:normal;margin:0 0 6mm}"
    "table.info{width:100%;border-collapse:collapse;font-size:12pt}"
    "table.info td{border:1px solid #333;padding:3mm 3mm;height:12mm}"
    "table.info td.k{width:30mm;background:#f2f2f2;text-align:center;white-space:nowrap}"
    "@media screen{body{padding:10mm 0}}"
    ".photo{width:35mm;text-align:center;color:#777;font-size:10pt}"
    ".rules{margin-top:6mm;font-size:10.5pt;line-height:1.7}.rules h3{font-size:12pt;margin:0 0 2mm}"
    ".rules ol{margin:0;padding-left:6mm}.foot{margin-top:6mm;font-size:9pt;color:#555;text-align:right}";

static int write_ticket(void *vctx, const wf_cand *c)
{
    tickets_ctx *tc = vctx;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char masked[19];
    mask_id(c->id_number, masked);
    fprintf(f, "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>准考证 %s</title><style>%s</style>"
               "</head><body><div class=sheet>\n",
            c->ticket, TICKET_CSS);
    fprintf(f, "<h1>准考证</h1><h2>广东省电子商务师职业技能等级认定（%s批次）</h2>\n", c->batch);
    fprintf(f, "<table class=info>\n<tr><td class=k>姓名</td><td>");
    out_html(f, c->name);
    fprintf(f, "</td><td class=photo rowspan=4>（粘贴近期<br>白底免冠<br>彩色照片）</td></tr>\n");
    fprintf(f, "<tr><td class=k>准考证号</td><td>%s</td></tr>\n", c->ticket);
    fprintf(f, "<tr><td class=k>身份证号</td><td>%s</td></tr>\n", masked);
    fprintf(f, "<tr><td class=k>报考级别</td><td>电子商务师 %s</td></tr>\n", text_level_name(c->level));
    fprintf(f, "<tr><td class=k>考试科目</td><td colspan=2>理论知识考试：%s<br>操作技能考核：%s</td></tr>\n",
            c->theory_starts[0] ? c->theory_starts : "另行通知", c->practical_starts[0] ? c->practical_starts : "另行通知");
    fprintf(f, "<tr><td class=k>考点</td><td colspan=2>");
    out_html(f, c->site);
    fprintf(f, "</td></tr>\n<tr><td class=k>考场座号</td><td colspan=2>");
    int named = strstr(c->room, "考场") != NULL; /* "第一考场" as given; "01" as 第01考场 */
    fprintf(f, "%s", named ? "" : "第");
    out_html(f, c->room);
    fprintf(f, "%s　%d号座</td></tr>\n</table>\n", named ? "" : "考场", c->seat);
    fprintf(f, "<div class=rules><h3>考生须知</h3><ol>"
               "<li>考生须凭本准考证和有效身份证件原件，于开考前30分钟进入考场，对号入座。</li>"
               "<li>理论考试、实操考试均采用线下机考，百分制，60分（含）以上为合格；开考后30分钟不得入场。</li>"
               "<li>考生未按规定参加考试的，按缺考处理，成绩记为零分，已缴纳费用不予退还。</li>"
               "<li>严禁携带手机、智能手表等电子设备和资料进入考场；严禁替考、抄袭等违纪行为。</li>"
               "<li>考试结束后由系统自动交卷并给出回执码，请妥善记录。</li>"
               "<li>证书按报名时填写的通信地址邮寄（邮资到付），不接受现场申领。</li>"
               "</ol></div><div class=foot>广东省电子商务协会　职业技能等级认定</div>\n</div></body></html>\n");
    fclose(f);
    char *path = fileio_fmt("%s/%s.html", tc->out, c->ticket), *why = NULL;
    if (fileio_write_atomic(path, buf, len, 0644, 0, &why)) {
        werr(path, why);
        tc->failed = 1;
    } else
        tc->n++;
    free(path);
    free(buf);
    return 0;
}

static int cmd_tickets(const wopts *o)
{
    if (!o->db || !batch_ok(o->batch) || !o->out) return usage("tickets needs --db, --batch YYYY-MM and --out DIR");
    if (mkdir(o->out, 0755) && errno != EEXIST) return werr(o->out, fileio_fmt("cannot create: %s", strerror(errno)));
    hubstore *s = open_db(o);
    if (!s) return 1;
    tickets_ctx tc = {o->out, 0, 0};
    wf_each_candidate(s, o->batch, write_ticket, &tc);
    hubstore_close(s);
    printf("%d admission tickets written to %s\n", tc.n, o->out);
    return tc.failed || !tc.n;
}

/* ---- marking ----------------------------------------------------------------------------------------- */

static int cmd_marking(const wopts *o)
{
    if (!o->db || !o->pack || !o->pub || !o->code || !o->out)
        return usage("marking needs --db, --pack FILE.pack, --pub DIR/authority.pub, --release-code CODE and --out FILE.csv");
    authority_pub pub;
    char *why = NULL;
    if (authority_load_pub(o->pub, &pub, &why)) return werr(o->pub, why);
    unsigned char *buf;
    size_t len;
    if (fileio_read(o->pack, 1u << 30, &buf, &len, &why)) return werr(o->pack, why);
    pack_info info;
    sqlite3 *pdb;
    if (pack_verify(buf, len, pub.sign_pk, &info, &why) != PACK_OK || pack_open(buf, len, pub.sign_pk, o->code, &pdb, &why) != PACK_OK) {
        free(buf);
        return werr(o->pack, why);
    }
    free(buf);
    hubstore *s = open_db(o);
    if (!s) { sqlite3_close(pdb); return 1; }
    char *out = NULL;
    size_t olen = 0;
    FILE *f = open_memstream(&out, &olen);
    fprintf(f, "result_id,ticket,item,question_id,points,response,reference\n");
    sqlite3_stmt *st, *q;
    int n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT result_id, ticket, json FROM result WHERE pack_id=? ORDER BY ticket", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_prepare_v2(pdb, "SELECT answer FROM question WHERE id=?", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, info.pack_id_hex, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_error_t e;
            json_t *j = json_loads((const char *)sqlite3_column_text(st, 2), 0, &e);
            json_t *items = json_object_get(j, "items");
            for (size_t i = 0; i < json_array_size(items); i++) {
                json_t *it = json_array_get(items, i);
                if (!json_integer_value(json_object_get(it, "pending"))) continue;
                const char *qid = json_string_value(json_object_get(it, "id"));
                sqlite3_reset(q);
                sqlite3_bind_text(q, 1, qid ? qid : "", -1, SQLITE_TRANSIENT);
                const char *ref = sqlite3_step(q) == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : "";
                char pts[24];
                fprintf(f, "%s,%s,%zu,%s,%s,", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1), i + 1, qid ? qid : "",
                        text_format_tenths((int)json_integer_value(json_object_get(it, "points")), pts, sizeof pts));
                out_csv(f, json_string_value(json_object_get(it, "response")) ? json_string_value(json_object_get(it, "response")) : "");
                fputc(',', f);
                out_csv(f, ref);
                fputc('\n', f);
                n++;
            }
            json_decref(j);
        }
        sqlite3_finalize(st);
        sqlite3_finalize(q);
    }
    fclose(f);
    int rc = 0;
    if (fileio_write_atomic(o->out, out, olen, 0600, 0, &why)) rc = werr(o->out, why);
    else printf("%s: %d essay answers to mark (give each to two markers; marks CSV: result_id,item,marker,points)\n", o->out, n);
    free(out);
    hubstore_close(s);
    sqlite3_close(pdb);
    return rc;
}

static int mark_row(hubstore *s, const wopts *o, const csv_row *row, char **v, int nv)
{
    (void)nv;
    char *end;
    long item = strtol(v[1], &end, 10);
    int pts = 0;
    if (*end || item < 1 || !*v[2] || (strcmp(v[3], "0") && text_points(v[3], &pts)))
        return ROW_ERR("item must be a number, marker not empty, points a number of points");
    switch (wf_mark(s, v[0], (int)item, v[2], pts)) {
    case 0: return 0;
    case 1: return ROW_ERR("no result %s", v[0]);
    case 2: return ROW_ERR("item %ld of result %s is not an essay, or %s points exceed its maximum", item, v[0], v[3]);
    default: return werr(o->db, fileio_fmt("storage: %s", hubstore_error(s)));
    }
}

static int cmd_marks(const wopts *o)
{
    if (!o->db || !o->csv) return usage("marks needs --db and --csv MARKS.csv (result_id,item,marker,points)");
    static const char *const N[] = {"result_id", NULL, "item", "题号", "marker", "评分人", "points", "得分"};
    return import_rows(o, N, 4, NULL, 0, mark_row, "marks");
}

static int review_row(hubstore *s, const wopts *o, const csv_row *row, char **v, int nv)
{
    (void)nv;
    int score = 0;
    if (strcmp(v[1], "0") && text_points(v[1], &score)) return ROW_ERR("score '%s' must be 0-100", v[1]);
    switch (wf_review(s, v[0], score)) {
    case 0: return 0;
    case 1: return ROW_ERR("no planned candidate with ticket %s", v[0]);
    default: return werr(o->db, fileio_fmt("storage: %s", hubstore_error(s)));
    }
}

static int cmd_review(const wopts *o)
{
    if (!o->db || !o->csv) return usage("review needs --db and --csv REVIEW.csv (ticket,score)");
    static const char *const N[] = {"ticket", "准考证号", "score", "综合评审成绩"};
    return import_rows(o, N, 2, NULL, 0, review_row, "review scores");
}

/* ---- final results, certificates, mailing ---------------------------------------------------------------- */

static void pts(int tenths, char *out, size_t n)
{
    if (tenths < 0) snprintf(out, n, "0");
    else text_format_tenths(tenths, out, n);
}

static int print_final(void *ctx, const wf_final *f)
{
    (void)ctx;
    char t[24], p[24], r[24];
    pts(f->theory, t, sizeof t);
    pts(f->practical, p, sizeof p);
    if (f->c.level <= 2) pts(f->review, r, sizeof r);
    else r[0] = 0;
    const char *status = f->practical_pending ? "marking" : f->passed ? "passed" : "failed";
    printf("%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%d,%s,%s\n", f->c.batch, f->c.ticket, f->c.id_number, f->c.level, f->c.name, t,
           p, r, f->theory_status[0] ? f->theory_status : "absent", f->practical_status[0] ? f->practical_status : "absent",
           f->passed, status, f->certificate);
    return 0;
}

static int cmd_final(const wopts *o)
{
    if (!o->db || !o->csv) return usage("final needs --db and --csv [--batch YYYY-MM]");
    if (o->batch && !batch_ok(o->batch)) return usage("--batch must be YYYY-MM");
    hubstore *s = open_db(o);
    if (!s) return 1;
    printf("batch,ticket,id_number,level,name,theory,practical,review,theory_status,practical_status,passed,status,certificate\n");
    wf_each_final(s, o->batch, o->margin, print_final, NULL);
    hubstore_close(s);
    return 0;
}

static int cmd_certificates(const wopts *o)
{
    if (!o->db || !batch_ok(o->batch)) return usage("certificates needs --db and --batch YYYY-MM [--body-code 0000] [--year YYYY]");
    int year = o->year;
    if (!year) sscanf(o->batch, "%4d", &year);
    hubstore *s = open_db(o);
    if (!s) return 1;
    diag d;
    diag_init(&d);
    int n = wf_certify(s, o->batch, o->body, year, o->margin, &d);
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "examhub certificates: %s\n", d.v[i].msg);
    diag_free(&d);
    hubstore_close(s);
    if (n < 0) return 1;
    printf("batch %s: %d certificates issued\n", o->batch, n);
    return 0;
}

static int print_mail(void *ctx, const wf_final *f)
{
    (void)ctx;
    if (!f->certificate[0]) return 0;
    FILE *out = stdout;
    out_csv(out, f->c.name);
    fputc(',', out);
    out_csv(out, f->c.address);
    printf(",%s,%s\n", f->c.phone, f->certificate);
    return 0;
}

static int cmd_mailing(const wopts *o)
{
    if (!o->db || !o->csv) return usage("mailing needs --db and --csv [--batch YYYY-MM]");
    hubstore *s = open_db(o);
    if (!s) return 1;
    printf("name,address,phone,certificate\n");
    wf_each_final(s, o->batch, o->margin, print_mail, NULL);
    hubstore_close(s);
    return 0;
}

static int print_app(void *ctx, const wf_cand *c)
{
    (void)ctx;
    printf("%s,%s,%s,%d,%s,%d,%d,%s\n", c->batch, c->id_number, c->name, c->level, c->clause, c->fee, c->paid,
           c->ticket[0] ? c->ticket : "");
    return 0;
}

static int cmd_applications(const wopts *o)
{
    if (!o->db) return usage("applications needs --db [--batch YYYY-MM]");
    hubstore *s = open_db(o);
    if (!s) return 1;
    printf("batch,id_number,name,level,clause,fee,paid,ticket\n");
    wf_each_application(s, o->batch, print_app, NULL);
    hubstore_close(s);
    return 0;
}

static const struct { const char *name; int (*fn)(const wopts *); } CMDS[] = {
        {"register", cmd_register}, {"pay", cmd_pay},           {"rooms", cmd_rooms},     {"plan", cmd_plan},
        {"rosters", cmd_rosters},   {"tickets", cmd_tickets},   {"marking", cmd_marking}, {"marks", cmd_marks},
        {"review", cmd_review},     {"final", cmd_final},       {"certificates", cmd_certificates},
        {"mailing", cmd_mailing},   {"applications", cmd_applications}};

int workflow_is_command(const char *cmd)
{
    for (size_t i = 0; i < sizeof CMDS / sizeof *CMDS; i++)
        if (!strcmp(cmd, CMDS[i].name)) return 1;
    return 0;
}

int workflow_main(const char *cmd, int argc, char **argv)
{
    for (size_t i = 0; i < sizeof CMDS / sizeof *CMDS; i++)
        if (!strcmp(cmd, CMDS[i].name)) {
            wopts o;
            int r = parse(argc, argv, &o);
            return r ? r : CMDS[i].fn(&o);
        }
    return -1;
}
