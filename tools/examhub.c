/* examhub: the certification centre's results hub. Enrols kiosks with
 * one-time tokens, receives signed sealed results over HTTP (serve) or from
 * USB bundles (import), stores each exactly once, and reports them. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/bundle.h"
#include "../core/csv.h"
#include "../core/diag.h"
#include "../core/eligibility.h"
#include "../core/fileio.h"
#include "../core/result.h"
#include "../core/text.h"
#include "hub/hub.h"
#include "hub/server.h"
#include "hub/html.h"
#include "hub/textout.h"
#include "hub/workflow_cmd.h"

static const char USAGE[] =
    "usage:\n"
    "  examhub init     --db FILE --pub DIR/authority.pub --results-key DIR/results.key\n"
    "  examhub serve    --db FILE --listen 127.0.0.1:PORT\n"
    "  examhub token    --db FILE [--ttl HOURS]\n"
    "  examhub import   --db FILE BUNDLE...\n"
    "  examhub results  --db FILE --csv\n"
    "  examhub report   --db FILE --out DIR        one HTML report per paper\n"
    "  examhub eligibility --csv APPLICANTS.csv    申报条件, clause by clause\n"
    "certification workflow (README: The certification workflow):\n"
    "  examhub register --db FILE --csv APPLICATIONS.csv\n"
    "  examhub pay      --db FILE --csv PAYMENTS.csv\n"
    "  examhub applications --db FILE [--batch YYYY-MM]\n"
    "  examhub rooms    --db FILE --csv ROOMS.csv\n"
    "  examhub plan     --db FILE --batch YYYY-MM [--theory \"YYYY-MM-DD HH:MM\" --practical \"...\"]\n"
    "  examhub rosters  --db FILE --batch YYYY-MM --key DIR/authority.key --out DIR\n"
    "  examhub tickets  --db FILE --batch YYYY-MM --out DIR\n"
    "  examhub marking  --db FILE --pack FILE.pack --pub DIR/authority.pub --release-code CODE --out FILE.csv\n"
    "  examhub marks    --db FILE --csv MARKS.csv\n"
    "  examhub review   --db FILE --csv REVIEW.csv\n"
    "  examhub final    --db FILE --csv [--batch YYYY-MM] [--margin POINTS]\n"
    "  examhub certificates --db FILE --batch YYYY-MM [--body-code 0000] [--year YYYY]\n"
    "  examhub mailing  --db FILE --csv [--batch YYYY-MM]\n";

static const char HELP[] =
    "examhub - the results hub of the certification centre\n\n%s\n"
    "init     creates the hub database, checking that results.key belongs to\n"
    "         authority.pub, and a receipt-signing key (FILE.receipt-key, 0600).\n"
    "serve    HTTP API v1 (README: Results hub API). Listens only where told;\n"
    "         use 127.0.0.1 behind a TLS reverse proxy. Stops on SIGINT/SIGTERM.\n"
    "token    prints a one-time enrolment token for one kiosk (default: valid 24 h).\n"
    "import   applies USB bundles from `examsync export` with the same checks and\n"
    "         de-duplication as uploads.\n"
    "results  prints every result as CSV (ticket,name,level,pack_id,kind,status,score,\n"
    "         passed,kiosk,submitted_at,pending,result_id).\n"
    "report   writes DIR/<pack_id>.html per paper: pass rate and a score histogram.\n"
    "eligibility  checks applicants against the notice's 申报条件 and prints CSV\n"
    "         id_number,applied_level,eligible,clause (clause L.N: the lowest-numbered\n"
    "         clause of the applied level that holds). Invalid rows are reported as\n"
    "         FILE:LINE: reason and left out; the exit status is then 1.\n";

static int usage_error(const char *msg)
{
    fprintf(stderr, "examhub: %s\n%s", msg, USAGE);
    return 2;
}

static int fail(const char *what, char *why)
{
    fprintf(stderr, "%s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

typedef struct opts {
    const char *db, *pub, *results_key, *listen, *out, *csvfile;
    int csv, help;
    long ttl_hours;
    char **files;
    int nfiles;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    static const struct option L[] = {{"db", required_argument, 0, 'd'},     {"pub", required_argument, 0, 'p'},
                                      {"results-key", required_argument, 0, 'r'}, {"listen", required_argument, 0, 'l'},
                                      {"csv", no_argument, 0, 'c'},          {"ttl", required_argument, 0, 't'},
                                      {"out", required_argument, 0, 'o'},    {"help", no_argument, 0, 'h'},
                                      {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->ttl_hours = 24;
    opterr = 0;
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "h", L, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'p': o->pub = optarg; break;
        case 'r': o->results_key = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'c':
            o->csv = 1;
            /* "--csv FILE" for commands that read CSV (eligibility) */
            if (optind < argc && argv[optind][0] != '-' && !strcmp(argv[1], "eligibility")) o->csvfile = argv[optind++];
            break;
        case 'o': o->out = optarg; break;
        case 't':
            o->ttl_hours = strtol(optarg, &end, 10);
            if (*end || o->ttl_hours < 1 || o->ttl_hours > 24 * 30) return usage_error("--ttl must be 1-720 hours");
            break;
        case 'h': o->help = 1; break;
        default: {
            char m[160];
            snprintf(m, sizeof m, "unknown or incomplete option '%s'", argv[optind - 1]);
            return usage_error(m);
        }
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    return 0;
}

static volatile int stop_flag;
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int cmd_serve(opts *o)
{
    if (!o->db || !o->listen) return usage_error("serve needs --db and --listen HOST:PORT");
    hub h;
    char *why = NULL;
    if (hub_open(o->db, &h, &why)) return fail(o->db, why);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "examhub: serving API v%d on http://%s (results: %d)\n", HUB_API_VERSION, o->listen,
            hubstore_count_results(h.st));
    int rc = server_run(&h, o->listen, &stop_flag, &why);
    hub_close(&h);
    if (rc) return fail("examhub serve", why);
    fprintf(stderr, "examhub: stopped\n");
    return 0;
}

static int cmd_import(opts *o)
{
    if (!o->db || !o->nfiles) return usage_error("import needs --db and at least one BUNDLE");
    hub h;
    char *why = NULL;
    if (hub_open(o->db, &h, &why)) return fail(o->db, why);
    int bad = 0;
    for (int i = 0; i < o->nfiles; i++) {
        unsigned char *buf;
        size_t len;
        bundle b;
        if (fileio_read(o->files[i], 1u << 30, &buf, &len, &why)) { bad |= fail(o->files[i], why); continue; }
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
        int stored = 0, dup = 0, refused = 0;
        if (hubstore_begin(h.st)) { bad |= fail(o->files[i], fileio_fmt("storage: %s", hubstore_error(h.st))); }
        else {
            for (size_t k2 = 0; k2 < b.n; k2++) {
                char rid[33];
                ingest_rc rc = hub_ingest(&h, b.items[k2].data, b.items[k2].len, b.device_pk, NULL, (int64_t)time(NULL),
                                          rid, &why);
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

static int print_csv(void *ctx, const hub_result *r)
{
    (void)ctx;
    char score[24], when[32];
    time_t t = (time_t)r->submitted_at;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    out_csv(stdout, r->ticket);
    putchar(',');
    out_csv(stdout, r->name);
    printf(",%d,%s,%s,%s,%s,%d,%s,%s,%d,%s\n", r->level, r->pack_id, r->kind, r->status,
           text_format_tenths(r->score_tenths, score, sizeof score), r->passed, r->kiosk_id, when, r->pending, r->result_id);
    return 0;
}

static int cmd_results(opts *o)
{
    if (!o->db) return usage_error("results needs --db");
    if (!o->csv) return usage_error("results needs --csv (the only format so far)");
    hubstore *st;
    char *why = NULL;
    if (hubstore_open(o->db, 0, &st, &why)) return fail(o->db, why);
    printf("ticket,name,level,pack_id,kind,status,score,passed,kiosk,submitted_at,pending,result_id\n");
    int rc = hubstore_each_result(st, NULL, print_csv, NULL) ? fail(o->db, fileio_fmt("storage: %s", hubstore_error(st))) : 0;
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
} report_ctx;

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
    html_paper *h = &p->h;
    h->n++;
    h->passed += r->passed;
    h->absent += !strcmp(r->status, "absent");
    h->pending += r->pending > 0;
    h->sum += r->score_tenths;
    int bin = r->score_tenths / 100;
    h->bins[bin > 9 ? 9 : bin]++;
    html_report_row(p->rows, r);
    return 0;
}

static int cmd_report(opts *o)
{
    if (!o->db || !o->out) return usage_error("report needs --db and --out DIR");
    hubstore *st;
    char *why = NULL;
    if (hubstore_open(o->db, 0, &st, &why)) return fail(o->db, why);
    if (mkdir(o->out, 0755) && errno != EEXIST) {
        hubstore_close(st);
        return fail(o->out, fileio_fmt("cannot create: %s", strerror(errno)));
    }
    report_ctx c = {0};
    int rc = hubstore_each_result(st, NULL, collect, &c) ? fail(o->db, fileio_fmt("storage: %s", hubstore_error(st))) : 0;
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
            path = fileio_fmt("%s/%s.html", o->out, p->h.pack_id);
            if (fileio_write_atomic(path, html, len, 0644, 0, &why)) rc |= fail(path, why);
            else printf("%s: %s, %d candidates\n", path, p->h.title, p->h.n);
        }
        free(path);
        free(html);
        free(p->rows_buf);
    }
    free(c.p);
    return rc;
}

static int cmd_eligibility(opts *o)
{
    if (!o->csvfile) return usage_error("eligibility needs --csv APPLICANTS.csv");
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    if (fileio_read(o->csvfile, CSV_MAX_BYTES, &buf, &len, &why)) return fail(o->csvfile, why);
    csv_table t;
    long line = 0;
    csv_rc crc = csv_parse((char *)buf, len, &t, &line, &why);
    sodium_memzero(buf, len);
    free(buf);
    if (crc != CSV_OK) {
        fprintf(stderr, "%s:%ld: %s\n", o->csvfile, line, why ? why : csv_strerror(crc));
        free(why);
        return 1;
    }
    diag d;
    diag_init(&d);
    elig_cols c;
    int bad = 0;
    if (eligibility_header(&t.rows[0], &c, &d)) bad = 1;
    else {
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
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "%s:%ld: %s\n", o->csvfile, d.v[i].line, d.v[i].msg);
    diag_free(&d);
    csv_free(&t);
    return bad;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    if (argc < 2) return usage_error("no command given");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        printf(HELP, USAGE);
        return 0;
    }
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf(HELP, USAGE);
            return 0;
        }
    opts o;
    int r = 0;
    if (!workflow_is_command(argv[1])) r = parse(argc, argv, &o); /* workflow commands parse their own */
    else memset(&o, 0, sizeof o);
    if (r) return r;
    if (o.help) {
        printf(HELP, USAGE);
        return 0;
    }
    const char *cmd = argv[1];
    int wf = workflow_main(cmd, argc, argv); /* certification workflow commands */
    if (wf >= 0) return wf;
    char *why = NULL;
    if (!strcmp(cmd, "init")) {
        if (!o.db || !o.pub || !o.results_key) return usage_error("init needs --db, --pub and --results-key");
        if (hub_init(o.db, o.pub, o.results_key, &why)) return fail(o.db, why);
        printf("hub database %s created (receipt key %s.receipt-key)\n", o.db, o.db);
        return 0;
    }
    if (!strcmp(cmd, "serve")) return cmd_serve(&o);
    if (!strcmp(cmd, "token")) {
        if (!o.db) return usage_error("token needs --db");
        hub h;
        if (hub_open(o.db, &h, &why)) return fail(o.db, why);
        char tok[40];
        int rc = hub_new_token(&h, (int64_t)time(NULL), o.ttl_hours * 3600, tok, sizeof tok);
        hub_close(&h);
        if (rc) return fail(o.db, fileio_fmt("cannot store the token"));
        printf("%s\n", tok);
        return 0;
    }
    if (!strcmp(cmd, "import")) return cmd_import(&o);
    if (!strcmp(cmd, "results")) return cmd_results(&o);
    if (!strcmp(cmd, "report")) return cmd_report(&o);
    if (!strcmp(cmd, "eligibility")) return cmd_eligibility(&o);
    char m[128];
    snprintf(m, sizeof m, "unknown command '%s'", cmd);
    return usage_error(m);
}
