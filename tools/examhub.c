/* examhub: the certification centre's results hub. Enrols kiosks with
 * one-time tokens, receives signed sealed results over HTTP (serve) or from
 * USB bundles (import), stores each exactly once, and reports them. */
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/bundle.h"
#include "core/csv.h"
#include "core/xlsx.h"
#include "core/diag.h"
#include "core/fileio.h"
#include "core/result.h"
#include "core/text.h"
#include "cert/eligibility.h"
#include "tools/hub/checks_cmd.h"
#include "tools/hub/hub.h"
#include "tools/hub/hubstore_checks.h"
#include "tools/hub/server.h"
#include "tools/hub/staff.h"
#include "tools/hub/staff_cmd.h"
#include "tools/hub/html.h"
#include "tools/hub/incidents.h"
#include "tools/hub/room_cmd.h"
#include "tools/hub/roomrecord.h"
#include "tools/hub/textout.h"
#include "tools/hub/workflow_cmd.h"
#include "tools/cmdtab.h"

static const cmdtab EXAMHUB; /* the command table, at the end of the file */

/* the options of every command: the workflow's (first, so that the
 * workflow rows of the table can be run with this struct) and the hub's */
typedef struct opts {
    wopts w; /* db, csv, out, pub and the workflow commands' options */
    const char *cmd; /* argv[1], for the usage line of a misuse */
    const char *results_key, *listen;
    const char *add, *kiosk; /* papers --add, revoke KIOSK (--why is the workflow's why_text) */
    const char *user_action, *user_name, *role; /* user ACTION [NAME] [--role ROLE] */
    long staff_idle;                           /* serve --staff-idle SECONDS (0: STAFF_IDLE_S) */
    long ttl_hours;
    int html;     /* incidents --html */
    int csv_bare; /* the last option was --csv without =FILE: an operand right after it is its FILE */
    const char **files;
    int nfiles;
} opts;

static int usage_error(const opts *o, const char *msg)
{
    return cmdtab_misuse(&EXAMHUB, o->cmd, msg);
}

static int fail(const char *what, char *why)
{
    fprintf(stderr, "%s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

enum { OPT_RESULTS_KEY = WF_OPT_END, OPT_LISTEN, OPT_TTL, OPT_HTML, OPT_ADD, OPT_ROLE, OPT_STAFF_IDLE };

static const struct option OPTIONS[] = {
    {"db", required_argument, 0, WF_OPT_DB},
    {"csv", optional_argument, 0, WF_OPT_CSV},
    {"out", required_argument, 0, WF_OPT_OUT},
    {"pub", required_argument, 0, WF_OPT_PUB},
    {"results-key", required_argument, 0, OPT_RESULTS_KEY},
    {"listen", required_argument, 0, OPT_LISTEN},
    {"ttl", required_argument, 0, OPT_TTL},
    {"html", no_argument, 0, OPT_HTML},
    {"add", required_argument, 0, OPT_ADD},
    {"role", required_argument, 0, OPT_ROLE},
    {"staff-idle", required_argument, 0, OPT_STAFF_IDLE},
    {"batch", required_argument, 0, WF_OPT_BATCH},
    {"key", required_argument, 0, WF_OPT_KEY},
    {"pack", required_argument, 0, WF_OPT_PACK},
    {"release-code", required_argument, 0, WF_OPT_CODE},
    {"body-code", required_argument, 0, WF_OPT_BODY},
    {"year", required_argument, 0, WF_OPT_YEAR},
    {"margin", required_argument, 0, WF_OPT_MARGIN},
    {"theory", required_argument, 0, WF_OPT_THEORY},
    {"practical", required_argument, 0, WF_OPT_PRACTICAL},
    {"kdf-ops", required_argument, 0, WF_OPT_KDF_OPS},
    {"kdf-mem", required_argument, 0, WF_OPT_KDF_MEM},
    {"result", required_argument, 0, WF_OPT_RESULT},
    {"keep", no_argument, 0, WF_OPT_KEEP},
    {"void", no_argument, 0, WF_OPT_VOID},
    {"why", required_argument, 0, WF_OPT_WHY},
    {"by", required_argument, 0, WF_OPT_BY},
    {"allow-incomplete", no_argument, 0, WF_OPT_ALLOW_INCOMPLETE},
    {"pdf", no_argument, 0, WF_OPT_PDF},
    {"centre", required_argument, 0, WF_OPT_CENTRE},
    {"one-pdf", no_argument, 0, WF_OPT_ONE_PDF},
    {"sheet", required_argument, 0, WF_OPT_SHEET},
    {0, 0, 0, 0}};

/* one option or operand into opts (cmdtab's option handler) */
static int set_option(void *ctx, int id, const char *arg, const char **why)
{
    opts *o = ctx;
    int bare = o->csv_bare;
    o->csv_bare = 0;
    char *end;
    switch (id) {
    case OPT_RESULTS_KEY: o->results_key = arg; break;
    case OPT_LISTEN: o->listen = arg; break;
    case OPT_HTML: o->html = 1; break;
    case OPT_ADD: o->add = arg; break;
    case OPT_ROLE: o->role = arg; break;
    case OPT_STAFF_IDLE:
        o->staff_idle = strtol(arg, &end, 10);
        if (*end || o->staff_idle < 1 || o->staff_idle > 86400) return *why = "--staff-idle must be 1-86400 seconds", 1;
        break;
    case OPT_TTL:
        o->ttl_hours = strtol(arg, &end, 10);
        if (*end || o->ttl_hours < 1 || o->ttl_hours > 24 * 30) return *why = "--ttl must be 1-720 hours", 1;
        break;
    case CMDTAB_OPERAND:
        if (bare) o->w.csv = arg; /* "--csv FILE" */
        else if (!strcmp(o->cmd, "import") || !strcmp(o->cmd, "admit")) o->files[o->nfiles++] = arg;
        else if (!strcmp(o->cmd, "revoke") && !o->kiosk) o->kiosk = arg;
        else if (!strcmp(o->cmd, "verify-certificate") && !o->w.text) o->w.text = arg;
        else if (!strcmp(o->cmd, "user") && !o->user_action) o->user_action = arg;
        else if (!strcmp(o->cmd, "user") && !o->user_name) o->user_name = arg;
        else return *why = "unexpected argument", 1;
        break;
    default:
        o->csv_bare = id == WF_OPT_CSV && !arg;
        return workflow_option(&o->w, id, arg, why);
    }
    return 0;
}

static int cmd_serve(void *ctx)
{
    opts *o = ctx;
    if (!o->w.db || !o->listen) return usage_error(o, "serve needs --db and --listen HOST:PORT");
    hub h;
    char *why = NULL;
    if (hub_open(o->w.db, &h, &why)) return fail(o->w.db, why);
    volatile sig_atomic_t *stop = cmdtab_stop_on_signals();
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "examhub: serving API v%d on http://%s (results: %d)\n", HUB_API_VERSION, o->listen,
            hubstore_count_results(h.st));
    staff *sf = staff_new(h.st, o->w.db, (int)o->staff_idle);
    if (!sf) {
        hub_close(&h);
        return fail("examhub serve", fileio_fmt("out of memory for the staff pages"));
    }
    int rc = server_run(&h, sf, o->listen, stop, &why);
    staff_free(sf);
    hub_close(&h);
    if (rc) return fail("examhub serve", why);
    fprintf(stderr, "examhub: stopped\n");
    return 0;
}

/* import, and admit (ADMIT_WHY: a staff decision letting in the bundles of
 * a revoked kiosk, recorded with the user and the reason) */
static int import_bundles(opts *o, const char *admit_why)
{
    hub h;
    char *why = NULL;
    char by[64];
    checks_who(by);
    ingest_opts iop = {admit_why, by};
    if (hub_open(o->w.db, &h, &why)) return fail(o->w.db, why);
    int bad = 0;
    for (int i = 0; i < o->nfiles; i++) {
        unsigned char *buf;
        size_t len;
        bundle b;
        if (fileio_read(o->files[i], 1u << 30, &buf, &len, &why)) { bad |= fail(o->files[i], why); continue; }
        if (roomrec_is(buf, len)) { /* a room console's record (issue 12), not a kiosk's bundle */
            if (admit_why) bad |= fail(o->files[i], fileio_fmt("a room record is imported with examhub import, not admit"));
            else bad |= room_import(&h, o->files[i], buf, len, by, (int64_t)time(NULL));
            free(buf);
            continue;
        }
        if (bundle_read(buf, len, &b, &why)) { free(buf); bad |= fail(o->files[i], why); continue; }
        /* the bundle must come from an enrolled kiosk; then every result is
         * checked like an upload, and all of it lands in one transaction */
        char kid[17];
        hub_kiosk k;
        result_kiosk_id(b.device_pk, kid);
        int known = hubstore_kiosk(h.st, kid, &k);
        char pkhex[65];
        sodium_bin2hex(pkhex, sizeof pkhex, b.device_pk, sizeof b.device_pk);
        if (known < 0) {
            bad |= fail(o->files[i], fileio_fmt("storage: %s", hubstore_error(h.st)));
            bundle_free(&b);
            free(buf);
            continue;
        }
        if (known != 0 || strcmp(k.device_pk_hex, pkhex)) {
            bad |= fail(o->files[i], fileio_fmt("bundle comes from kiosk %s, which is not enrolled at this hub", kid));
            bundle_free(&b);
            free(buf);
            continue;
        }
        if (admit_why && hubstore_kiosk_revoked(h.st, kid, NULL, NULL, NULL) != 1) {
            bad |= fail(o->files[i], fileio_fmt("kiosk %s is not revoked: use examhub import", kid));
            bundle_free(&b);
            free(buf);
            continue;
        }
        int stored = 0, dup = 0, refused = 0;
        if (hubstore_begin(h.st)) { bad |= fail(o->files[i], fileio_fmt("storage: %s", hubstore_error(h.st))); }
        else {
            for (size_t k2 = 0; k2 < b.n; k2++) {
                char rid[33];
                ingest_rc rc = hub_ingest_ex(&h, b.items[k2].data, b.items[k2].len, b.device_pk, NULL, (int64_t)time(NULL),
                                             &iop, rid, &why);
                if (rc == INGEST_STORED) stored++;
                else if (rc == INGEST_DUPLICATE) dup++;
                else {
                    fprintf(stderr, "%s: result %zu refused: %s: %s\n", o->files[i], k2 + 1, ingest_name(rc), why ? why : "");
                    refused++;
                }
                free(why);
                why = NULL;
            }
            if (refused) { /* nothing from a bundle with a bad result */
                hubstore_rollback(h.st);
                stored = 0;
                bad = 1;
            } else if (hubstore_commit(h.st)) {
                bad |= fail(o->files[i], fileio_fmt("storage: %s", hubstore_error(h.st)));
                stored = 0;
            }
        }
        printf("%s: kiosk %s, %zu results: %d stored, %d already there%s\n", o->files[i], kid, b.n, stored, dup,
               refused ? ", bundle refused" : "");
        bundle_free(&b);
        free(buf);
    }
    hub_close(&h);
    return bad;
}

static int cmd_import(void *ctx)
{
    opts *o = ctx;
    if (!o->w.db || !o->nfiles) return usage_error(o, "import needs --db and at least one BUNDLE");
    return import_bundles(o, NULL);
}

static int cmd_admit(void *ctx)
{
    opts *o = ctx;
    if (!o->w.db || !o->nfiles || !o->w.why_text || !o->w.why_text[0]) return usage_error(o, "admit needs --db, --why TEXT and at least one BUNDLE");
    if (strlen(o->w.why_text) > 200 || strpbrk(o->w.why_text, "\n\r\t")) return usage_error(o, "--why must be one line of at most 200 bytes");
    return import_bundles(o, o->w.why_text);
}

static int cmd_papers(void *ctx)
{
    opts *o = ctx;
    return checks_papers(o->w.db, o->add, o->w.code, o->w.batch);
}

static int cmd_consoles(void *ctx)
{
    opts *o = ctx;
    return room_consoles(o->w.db, o->add);
}

static int cmd_flagged(void *ctx)
{
    opts *o = ctx;
    return checks_flagged(o->w.db, o->w.batch);
}

static int cmd_kiosks(void *ctx)
{
    opts *o = ctx;
    return checks_kiosks(o->w.db);
}

static int cmd_revoke(void *ctx)
{
    opts *o = ctx;
    return checks_revoke(o->w.db, o->kiosk, o->w.why_text);
}

static int print_csv(void *ctx, const hub_result *r)
{
    (void)ctx;
    char score[24], when[32];
    time_t t = (time_t)r->submitted_at;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    out_csv(stdout, r->ticket);
    putchar(',');
    out_csv(stdout, r->name);
    printf(",%d,", r->level);
    const char *mid[] = {r->pack_id, r->kind, r->status};
    for (int i = 0; i < 3; i++) out_csv(stdout, mid[i]), putchar(',');
    printf("%s,%d,", text_format_tenths(r->score_tenths, score, sizeof score), r->passed);
    out_csv(stdout, r->kiosk_id);
    printf(",%s,%d,", when, r->pending);
    out_csv(stdout, r->result_id);
    putchar('\n');
    return 0;
}

static int cmd_results(void *ctx)
{
    opts *o = ctx;
    if (!o->w.db) return usage_error(o, "results needs --db");
    if (!o->w.csv) return usage_error(o, "results needs --csv (the only format so far)");
    hubstore *st;
    char *why = NULL;
    if (hubstore_open(o->w.db, 0, &st, &why)) return fail(o->w.db, why);
    printf("ticket,name,level,pack_id,kind,status,score,passed,kiosk,submitted_at,pending,result_id\n");
    int rc = hubstore_each_result(st, NULL, print_csv, NULL) ? fail(o->w.db, fileio_fmt("storage: %s", hubstore_error(st))) : 0;
    hubstore_close(st);
    return rc;
}

/* ---- HTML report ---------------------------------------------------------------- */

/* one paper's figures (html_paper) and its table rows, while collecting */
typedef struct pack_stats {
    html_paper h;
    FILE *rows;
    char *rows_buf;
    size_t rows_len;
} pack_stats;

typedef struct report_ctx {
    pack_stats *p;
    int np, cap;
    hubstore *st;
} report_ctx;

static int any_flag(void *ctx, const char *rid, const char *reason, int64_t at)
{
    (void)rid, (void)reason, (void)at;
    *(int *)ctx = 1;
    return 1;
}

static int collect(void *vctx, const hub_result *r)
{
    report_ctx *c = vctx;
    pack_stats *p = NULL;
    for (int i = 0; i < c->np; i++)
        if (!strcmp(c->p[i].h.pack_id, r->pack_id)) p = &c->p[i];
    if (!p) {
        if (c->np == c->cap) {
            int cap = c->cap ? c->cap * 2 : 8;
            pack_stats *np = realloc(c->p, (size_t)cap * sizeof *np);
            if (!np) return 1;
            c->p = np;
            c->cap = cap;
        }
        p = &c->p[c->np++];
        memset(p, 0, sizeof *p);
        snprintf(p->h.pack_id, sizeof p->h.pack_id, "%s", r->pack_id);
        snprintf(p->h.title, sizeof p->h.title, "%s", r->title);
        snprintf(p->h.kind, sizeof p->h.kind, "%s", r->kind);
        p->h.level = r->level;
        p->rows = open_memstream(&p->rows_buf, &p->rows_len);
    }
    /* a flagged result is listed but counts for nothing (issue 11) */
    int flagged = 0;
    if (hubstore_flag_each(c->st, r->result_id, any_flag, &flagged)) return 1;
    html_report_row(p->rows, r, flagged);
    if (flagged) return 0;
    html_paper *h = &p->h;
    h->n++;
    h->passed += r->passed;
    h->absent += !strcmp(r->status, "absent");
    h->pending += r->pending > 0;
    h->sum += r->score_tenths;
    int bin = r->score_tenths / 100;
    h->bins[bin > 9 ? 9 : bin]++;
    return 0;
}

static int cmd_report(void *ctx)
{
    opts *o = ctx;
    if (!o->w.db || !o->w.out) return usage_error(o, "report needs --db and --out DIR");
    hubstore *st;
    char *why = NULL;
    if (hubstore_open(o->w.db, 0, &st, &why)) return fail(o->w.db, why);
    if (fileio_private_dir(o->w.out, &why)) { /* 0700, README: Files and modes */
        hubstore_close(st);
        return fail(o->w.out, why);
    }
    report_ctx c = {.st = st};
    int skipped = 0;
    int rc = hubstore_each_result(st, NULL, collect, &c) ? fail(o->w.db, fileio_fmt("storage: %s", hubstore_error(st))) : 0;
    hubstore_close(st);
    for (int i = 0; i < c.np; i++) {
        pack_stats *p = &c.p[i];
        fclose(p->rows);
        char *html = NULL, *path = NULL;
        size_t len = 0;
        if (!rc) { /* no page from a partial read */
            FILE *f = open_memstream(&html, &len);
            html_report(f, &p->h, p->rows_buf);
            fclose(f);
            /* the file name is never a result's field: the pack id's 16
             * bytes, decoded and hex-encoded again (a pack id that is not 32
             * hex digits gets no page) */
            uint8_t id[16];
            size_t got = 0;
            char hex[33];
            if (strlen(p->h.pack_id) != 32 || sodium_hex2bin(id, sizeof id, p->h.pack_id, 32, NULL, &got, NULL) ||
                got != sizeof id) {
                fprintf(stderr, "%s: a paper whose pack id is not 32 hex digits gets no page (%d results)\n", o->w.db, p->h.n);
                skipped = 1;
            } else {
                sodium_bin2hex(hex, sizeof hex, id, sizeof id);
                path = fileio_fmt("%s/%s.html", o->w.out, hex);
            }
            if (!path) {
            } else if (fileio_write_atomic(path, html, len, 0600, 0, &why)) rc |= fail(path, why);
            else printf("%s: %s, %d candidates\n", path, p->h.title, p->h.n);
        }
        free(path);
        free(html);
        free(p->rows_buf);
    }
    free(c.p);
    return rc | skipped;
}

static int cmd_incidents(void *ctx)
{
    opts *o = ctx;
    return incidents_run(&o->w, o->html);
}

static int cmd_eligibility(void *ctx)
{
    opts *o = ctx;
    if (!o->w.csv || !strcmp(o->w.csv, "-")) return usage_error(o, "eligibility needs --csv APPLICANTS.csv");
    const char *csvfile = o->w.csv;
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    if (fileio_read(csvfile, CSV_MAX_BYTES, &buf, &len, &why)) return fail(csvfile, why);
    csv_table t;
    diag d;
    diag_init(&d);
    int bad = table_read(csvfile, buf, len, o->w.sheet, &t, &d) != 0;
    sodium_memzero(buf, len);
    free(buf);
    elig_cols c;
    if (!bad && eligibility_header(&t.rows[0], &c, &d)) bad = 1;
    else if (!bad) {
        printf("id_number,applied_level,eligible,clause\n");
        for (size_t r = 1; r < t.nrows; r++) {
            applicant a;
            if (eligibility_row(&t.rows[r], &c, &a, &d)) { bad = 1; continue; }
            int clause = eligibility_clause(&a);
            if (clause) printf("%s,%d,1,%d.%d\n", a.id_number, a.level, a.level, clause);
            else printf("%s,%d,0,\n", a.id_number, a.level);
            sodium_memzero(&a, sizeof a);
        }
    }
    char w[DIAG_WHERE_MAX];
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s: %s\n", diag_where(w, sizeof w, csvfile, d.sheet, d.v[i].line, d.v[i].col), d.v[i].msg);
    diag_free(&d);
    csv_free(&t);
    return bad;
}

static int cmd_user(void *ctx)
{
    opts *o = ctx;
    return staff_user_cmd(o->w.db, o->user_action, o->user_name, o->role, o->w.kdf_ops, o->w.kdf_mem);
}

static int cmd_init(void *ctx)
{
    opts *o = ctx;
    if (!o->w.db || !o->w.pub || !o->results_key) return usage_error(o, "init needs --db, --pub and --results-key");
    char *why = NULL;
    if (hub_init(o->w.db, o->w.pub, o->results_key, &why)) return fail(o->w.db, why);
    printf("hub database %s created (receipt key %s.receipt-key)\n", o->w.db, o->w.db);
    return 0;
}

static int cmd_token(void *ctx)
{
    opts *o = ctx;
    if (!o->w.db) return usage_error(o, "token needs --db");
    hub h;
    char *why = NULL;
    if (hub_open(o->w.db, &h, &why)) return fail(o->w.db, why);
    char tok[40];
    token_rc rc = hub_new_token(&h, (int64_t)time(NULL), o->ttl_hours * 3600, tok, sizeof tok);
    hub_close(&h);
    if (rc != TOKEN_OK) return fail(o->w.db, fileio_fmt("cannot store the token: %s", token_strerror(rc)));
    printf("%s\n", tok);
    return 0;
}

/* ---- the command table ----------------------------------------------------- */

static const cmd COMMANDS[] = {
    {"init", "--db FILE --pub DIR/authority.pub --results-key DIR/results.key", "create the hub database",
     "creates the hub database, checking that results.key belongs to\n"
     "authority.pub, and a receipt-signing key (FILE.receipt-key, 0600).",
     cmd_init},
    {"serve", "--db FILE --listen 127.0.0.1:PORT [--staff-idle SECONDS]", "serve the HTTP API and the staff pages",
     "HTTP API v1 (README: Results hub API) and the staff pages under /staff/\n"
     "(README: The staff pages; a session unused for --staff-idle seconds,\n"
     "default 1800, ends). Listens only where told;\n"
     "use 127.0.0.1 behind a TLS reverse proxy. Stops on SIGINT/SIGTERM.\n"
     "Under abuse (README, limits): 16 connections per address, headers\n"
     "within 10 s, 413 for an oversized Content-Length, 503 + Retry-After\n"
     "past 32 MiB of bodies in flight (8 MiB per address).",
     cmd_serve},
    {"user", "add NAME --role admin|clerk|planner|marker --db FILE [--kdf-ops N] [--kdf-mem MIB]\n"
             "list --db FILE\ndisable|enable NAME --db FILE",
     "the staff accounts of the web pages",
     "add: a staff account for the pages under /staff/ (README: The staff pages);\n"
     "the password (8-128 bytes) is typed twice at a terminal, or one line on\n"
     "standard input, and stored as an Argon2id verifier (--kdf-ops, --kdf-mem\n"
     "lower its cost for tests). list: name,role,state,created as CSV.\n"
     "disable: no more log-ins, its sessions end. enable: allowed again, its\n"
     "failed log-ins (a lock-out) forgotten. Every change is in the audit log.",
     cmd_user},
    {"token", "--db FILE [--ttl HOURS]", "print a one-time enrolment token",
     "prints a one-time enrolment token for one kiosk (default: valid 24 h).", cmd_token},
    {"import", "--db FILE FILE...", "apply USB bundles and room records",
     "applies USB bundles from `examsync export` with the same checks and\n"
     "de-duplication as uploads. A room record (examroom report; first line\n"
     "exam-room-record v1) is taken only when its console key is registered\n"
     "(examhub consoles --add) and its signature verifies; its seats' journal\n"
     "heads and candidates are stored, its absences count as absences, and\n"
     "every result of its seats whose journal does not extend the heads the\n"
     "console saw is flagged (room record: ...) once its paper is registered.",
     cmd_import},
    {"consoles", "--db FILE [--add console.pub]", "register a room console's key; list them (CSV)",
     "with --add, registers the room console whose public key file examroom init\n"
     "wrote (exam-room-console-pub v1), so that its room records can be\n"
     "imported; lists console_pk,added,by,records.",
     cmd_consoles},
    {"admit", "--db FILE --why TEXT BUNDLE...", "let in a revoked kiosk's bundles (a staff decision)",
     "applies USB bundles of a kiosk revoked with examhub revoke, as import\n"
     "does (every check and flag still applies), recording each admitted\n"
     "result with the user running the command and --why.",
     cmd_admit},
    {"kiosks", "--db FILE", "list the enrolled kiosks as CSV",
     "kiosk,site,room,seat,enrolled,results,state,revoked_at,why,by.", cmd_kiosks},
    {"revoke", "--db FILE KIOSK --why TEXT", "revoke a kiosk",
     "from now on, every result signed by KIOSK is refused (HTTP 403, import\n"
     "refuses its bundles) with the reason; results already received stay.\n"
     "Results it sealed before can be let in by examhub admit.",
     cmd_revoke},
    {"papers", "--db FILE [--add FILE.pack --batch YYYY-MM --release-code CODE|-]", "register a paper for rescoring",
     "lists the registered papers (CSV). With --add: verifies the pack against\n"
     "the hub's authority.pub, checks the release code by unwrapping its key\n"
     "(- reads it from standard input), keeps the pack and its content key\n"
     "sealed to the results key, and rescores every stored result of it. The\n"
     "hub's score is the one that counts; a result whose own differs, or whose\n"
     "ticket, level or room the hub's rosters do not hold, is flagged.",
     cmd_papers},
    {"flagged", "--db FILE [--batch YYYY-MM]", "list flagged results with the reason (CSV)",
     "result_id,ticket,name,pack_id,kind,kiosk,scored,received_at,reason,flagged_at:\n"
     "the results stored but not counted, one line per reason.",
     cmd_flagged},
    {"results", "--db FILE --csv", "print every result as CSV",
     "prints every result as CSV (ticket,name,level,pack_id,kind,status,score,\n"
     "passed,kiosk,submitted_at,pending,result_id).",
     cmd_results},
    {"report", "--db FILE --out DIR", "one HTML report per paper",
     "writes DIR/<pack_id>.html per paper: pass rate and a score histogram.\n"
     "Files 0600; DIR is made 0700 (an existing DIR open to others is refused).", cmd_report},
    {"eligibility", "--csv APPLICANTS.csv", "申报条件, clause by clause",
     "checks applicants against the notice's 申报条件 and prints CSV\n"
     "id_number,applied_level,eligible,clause (clause L.N: the lowest-numbered\n"
     "clause of the applied level that holds). Invalid rows are reported as\n"
     "FILE:LINE: reason and left out; the exit status is then 1.",
     cmd_eligibility},
    {NULL, NULL, "certification workflow (README: The certification workflow):", NULL, NULL},
    {"register", "--db FILE --csv APPLICATIONS.csv", "register applications (eligible applicants only)",
     "registers eligible applications (the eligibility columns plus received,\n"
     "address, phone). Name 1-64 bytes, address 1-200 bytes: UTF-8 without\n"
     "control characters (tab, line break, C0, C1), line separators or bidi\n"
     "controls; phone 5-20 digits with spaces, ( ) - and a leading +.\n"
     "Optional extra_minutes (延长时间): planned extra time, 0-240 minutes\n"
     "(empty: none), signed into the room roster by examhub rosters. A bad\n"
     "row is named FILE:LINE: reason and nothing of the file is stored.",
     workflow_register},
    {"pay", "--db FILE --csv PAYMENTS.csv", "record fee payments", NULL, workflow_pay},
    {"applications", "--db FILE [--batch YYYY-MM]", "list applications as CSV", NULL, workflow_applications},
    {"rooms", "--db FILE --csv ROOMS.csv", "record exam rooms", NULL, workflow_rooms},
    {"plan", "--db FILE --batch YYYY-MM [--theory \"YYYY-MM-DD HH:MM\" --practical \"...\"]",
     "give a batch's paid candidates a room, seat and ticket", NULL, workflow_plan},
    {"rosters", "--db FILE --batch YYYY-MM --key DIR/authority.key --out DIR [--kdf-ops N] [--kdf-mem MIB]",
     "write signed room rosters and door lists",
     "one signed roster per site and room (exam-packs/FORMAT.md 7): each\n"
     "candidate's name sealed under Argon2id of their ticket + ID number\n"
     "(default 2 passes, 64 MiB, about 75 ms per candidate). --kdf-ops and\n"
     "--kdf-mem lower the cost for tests, down to the kiosks' floor (1, 16).\n"
     "Files 0600; DIR is made 0700 (an existing DIR open to others is refused).",
     workflow_rosters},
    {"tickets", "--db FILE --batch YYYY-MM --out DIR [--pdf [--one-pdf] [--centre NAME]]", "write printable admission tickets (HTML, or PDF)",
     "one A4 admission ticket per planned candidate: DIR/TICKET.html (for\n"
     "screens), or with --pdf DIR/TICKET.pdf (for printing: fonts embedded,\n"
     "a QR code signed by the hub that examhub verify-certificate checks;\n"
     "--centre names the body in the footer, default 广东省电子商务协会);\n"
     "--one-pdf: all of them in DIR/tickets-YYYY-MM.pdf, a page each.\n"
     "Files 0600; DIR is made 0700 (an existing DIR open to others is refused).", workflow_tickets},
    {"marking", "--db FILE --pack FILE.pack --pub DIR/authority.pub --release-code CODE --out FILE.csv",
     "export essay answers with their rubrics for marking",
     "writes every essay answer of the pack's sittings with its rubric as CSV.\n"
     "--release-code - reads the code from standard input (one line; at a\n"
     "terminal a prompt without echo), so that it is not visible in /proc.",
     workflow_marking},
    {"marks", "--db FILE --csv MARKS.csv", "record essay marks", NULL, workflow_marks},
    {"review", "--db FILE --csv REVIEW.csv", "record comprehensive review scores (levels 2 and 1)", NULL, workflow_review},
    {"progress", "--db FILE --batch YYYY-MM [--csv]", "per paper and room: planned, results, sat, absent, missing, conflicts, flagged",
     "what staff check before final and certificates (README: Which sitting\n"
     "counts): per paper (level, kind) and room, the planned candidates, the\n"
     "results received, and how each candidate's paper stands: sat, absent,\n"
     "missing (neither a result nor an absence arrived), in conflict (two\n"
     "real sittings), and the results flagged by a hub check (they never count).",
     workflow_progress},
    {"conflicts", "--db FILE [--batch YYYY-MM] [--csv]", "list candidates with two or more sittings of a paper",
     "every candidate's paper with two or more real sittings (or a staff\n"
     "decision), open or resolved, each result with its kiosk, status, score\n"
     "and the hub's time of receipt (never the kiosk's clock), in that order.\n"
     "--csv: batch,ticket,name,level,kind,state,result_id,kiosk,status,score,\n"
     "received_at,flagged,decision,decided_by,why.",
     workflow_conflicts},
    {"resolve", "--db FILE --result ID --keep|--void --why TEXT [--by NAME]", "decide which result of a conflict counts",
     "a staff decision on one result, journaled with who (--by, default $USER),\n"
     "why and when (rows are never changed; the latest decision holds).\n"
     "--keep: this result counts and wins over the candidate's others (also a\n"
     "flagged one); --void: it counts as not there.",
     workflow_resolve},
    {"final", "--db FILE --csv [--batch YYYY-MM] [--margin POINTS] [--allow-incomplete]", "print final results as CSV",
     "prints final results as CSV (README: The certification workflow, 8).\n"
     "Refuses (exit 1, saying what is incomplete) while a planned candidate's\n"
     "paper is missing or in conflict; --allow-incomplete prints them anyway,\n"
     "with status missing or conflict (never passed).",
     workflow_final},
    {"certificates", "--db FILE --batch YYYY-MM [--body-code 0000] [--year YYYY] [--allow-incomplete]",
     "give passing candidates their certificate numbers",
     "gives each passing candidate once a national certificate number.\n"
     "Refuses (exit 1) while a planned candidate's paper is missing or in\n"
     "conflict; --allow-incomplete issues to the others (never to a candidate\n"
     "with a paper missing or in conflict).",
     workflow_certificates},
    {"mailing", "--db FILE --csv [--batch YYYY-MM]", "print the certificates' mailing list as CSV", NULL, workflow_mailing},
    {"print-certificates", "--db FILE --batch YYYY-MM --out DIR [--one-pdf] [--centre NAME]", "write the issued certificates as PDF",
     "one A4 certificate (职业技能等级证书) per certificate issued in the batch\n"
     "(examhub certificates gives the numbers): DIR/NUMBER.pdf with number,\n"
     "name, masked ID number, occupation, level, date issued and the centre\n"
     "(--centre, default 广东省电子商务协会), fonts embedded, and a QR code\n"
     "signed by the hub. Printing again gives the same pages. --one-pdf: all\n"
     "of them in DIR/certificates-YYYY-MM.pdf, a page each. Files 0600; DIR\n"
     "is made 0700 (an existing DIR open to others is refused).",
     workflow_print_certificates},
    {"verify-certificate", "(--db FILE | --pub HUB.pub) TEXT|-", "check the QR code of a certificate or admission ticket",
     "checks a scanned QR code (TEXT, or - for standard input, e.g. from\n"
     "zbarimg; a leading QR-Code: is ignored): EXC1:NUMBER:SIGNATURE of a\n"
     "certificate or EXT1:TICKET:SIGNATURE of an admission ticket, signed by\n"
     "the hub (exam-packs/FORMAT.md 17). With --db: also that the hub issued\n"
     "it, printing whose it is (name, masked ID number, level...) to compare\n"
     "with the paper and the person. With --pub (a copy of examhub hub-pub's\n"
     "line, for an employer): the signature alone. Exit 0 and \"valid ...\",\n"
     "or 1 and one line \"invalid: reason\".",
     workflow_verify_certificate},
    {"hub-pub", "--db FILE", "print the hub's public key (for verify-certificate --pub)",
     "the 64 hex digits of the key that signs receipts and the printed codes:\n"
     "examhub hub-pub --db hub.db > hub.pub, then anywhere\n"
     "examhub verify-certificate --pub hub.pub TEXT.",
     workflow_hub_pub},
    {"incidents", "--db FILE --batch YYYY-MM (--csv | --html --out FILE.html)", "the room record (考场记录) of a batch",
     "every irregularity (category, note, exam time), integrity finding of a kiosk,\n"
     "time extension (minutes, reason), forced hand-in and absence in the results\n"
     "of the batch's planned candidates, per room and seat, with ticket, name and\n"
     "paper. CSV: site,room,seat,ticket,name,paper,kind,pack_id,kiosk,result_id,\n"
     "event,category,minutes,exam_time,at_ms,detail (event: irregularity,\n"
     "integrity, extension, forced, absent, focus_losses: the count in detail).\n"
     "--html --out writes one page (0600).",
     cmd_incidents},
    {0}};

static const cmdtab EXAMHUB = {
    "examhub", "examhub - the results hub of the certification centre",
    "The certification workflow, step by step: README, The certification workflow.\n"
    "Every --csv FILE that is read (eligibility, register, pay, rooms, marks, review)\n"
    "may be an .xlsx workbook: its first sheet, or --sheet NAME; mistakes are then\n"
    "named FILE:SHEET!CELL. Keep ID numbers, tickets and site codes as text there.\n"
    "exampack template --kind applications writes one to start from.\n",
    COMMANDS, OPTIONS, set_option};

int main(int argc, char **argv)
{
    /* everything examhub creates holds personal data: hub.db and its -wal and -shm (SQLite
     * creates them under this umask), rosters, door lists, tickets, reports, exports (README:
     * Files and modes); the files it writes also get an explicit 0600 */
    umask(077);
    if (sodium_init() < 0) {
        fprintf(stderr, "examhub: cannot initialise libsodium\n");
        return 1;
    }
    opts o = {.cmd = argc > 1 ? argv[1] : "", .ttl_hours = 24};
    workflow_defaults(&o.w);
    o.files = calloc((size_t)argc, sizeof *o.files);
    if (!o.files) {
        fprintf(stderr, "examhub: out of memory\n");
        return 1;
    }
    int rc = cmdtab_main(&EXAMHUB, argc, argv, &o);
    free(o.files);
    return rc;
}
