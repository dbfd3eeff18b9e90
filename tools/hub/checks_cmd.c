/* checks_cmd: the examhub commands of the hub's checks (issue 11): papers,
 * flagged, kiosks, revoke. Each returns the exit status (0, 1 on bad input
 * or storage failure with a one-line reason on stderr). */
#include "tools/hub/checks_cmd.h"

#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/pack.h"
#include "tools/cmdtab.h"
#include "tools/hub/hub.h"
#include "tools/hub/hubcheck.h"
#include "tools/hub/hubstore_checks.h"
#include "tools/hub/textout.h"

static int cmdtab_usage_line(const char *msg)
{
    fprintf(stderr, "examhub: %s (see examhub --help)\n", msg);
    return 2;
}

static int err(const char *what, char *why)
{
    fprintf(stderr, "%s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

void checks_who(char out[64])
{
    struct passwd *pw = getpwuid(getuid());
    snprintf(out, 64, "%s", pw && pw->pw_name ? pw->pw_name : "uid");
    if (!pw) snprintf(out, 64, "uid %u", (unsigned)getuid());
}

static int batch_ok(const char *b)
{
    return b && strlen(b) == 7 && b[4] == '-' && strspn(b, "0123456789-") == 7 && b[0] != '-' &&
           ((b[5] == '0' && b[6] >= '1' && b[6] <= '9') || (b[5] == '1' && b[6] >= '0' && b[6] <= '2'));
}

static void when(int64_t t, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!t || !gmtime_r(&tt, &tm)) { snprintf(out, n, "%s", ""); return; }
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- papers ------------------------------------------------------------------------------------- */

static int print_paper(void *ctx, const hub_paper_row *p, int results, int unscored, int flagged)
{
    (void)ctx;
    char t[32];
    when(p->added, t, sizeof t);
    printf("%s,%s,%d,%s,", p->pack_id, p->batch, p->level, p->kind);
    out_csv(stdout, p->title);
    printf(",%s,", t);
    out_csv(stdout, p->by);
    printf(",%d,%d,%d\n", results, unscored, flagged);
    return 0;
}

int checks_papers(const char *db, const char *add, const char *code_arg, const char *batch)
{
    if (!db) return cmdtab_usage_line("papers needs --db FILE [--add FILE.pack --batch YYYY-MM --release-code CODE|-]");
    if (add && (!code_arg || !batch_ok(batch)))
        return cmdtab_usage_line("papers --add needs --batch YYYY-MM and --release-code CODE (- reads it from stdin)");
    if (!add && (code_arg || batch)) return cmdtab_usage_line("--batch and --release-code go with papers --add FILE.pack");
    hub h;
    char *why = NULL;
    if (!add) {
        hubstore *st;
        if (hubstore_open(db, 0, &st, &why)) return err(db, why);
        printf("pack_id,batch,level,kind,title,added,by,results,unscored,flagged\n");
        int rc = hubstore_paper_each(st, print_paper, NULL) ? err(db, fileio_fmt("storage: %s", hubstore_error(st))) : 0;
        hubstore_close(st);
        return rc;
    }
    char code[128];
    const char *cwhy = NULL;
    if (cmdtab_secret(code_arg, "release code", code, sizeof code, &cwhy)) return err("--release-code", fileio_fmt("%s", cwhy));
    unsigned char *buf = NULL;
    size_t len = 0;
    if (fileio_read(add, 1u << 30, &buf, &len, &why)) {
        sodium_memzero(code, sizeof code);
        return err(add, why);
    }
    if (hub_open(db, &h, &why)) {
        sodium_memzero(code, sizeof code);
        free(buf);
        return err(db, why);
    }
    char by[64];
    checks_who(by);
    pack_info info;
    int64_t now = (int64_t)time(NULL);
    int rc = 1;
    int reg = hub_paper_register(&h, buf, len, code, batch, by, now, &info, &why);
    sodium_memzero(code, sizeof code);
    free(buf);
    if (reg < 0) rc = err(add, why);
    else {
        int scored = 0, flagged = 0;
        if (hub_rescore_stored(&h, now, &scored, &flagged, &why)) rc = err(db, why);
        else {
            printf("%s: paper %s (level %d %s) %s for batch %s; %d stored results scored by the hub, %d flagged\n", add,
                   info.pack_id_hex, info.level, info.kind, reg ? "was already registered" : "registered", batch, scored,
                   flagged);
            rc = 0;
        }
    }
    hub_close(&h);
    return rc;
}

/* ---- flagged ------------------------------------------------------------------------------------ */

static int print_flagged(void *ctx, const hub_result *r, const char *reason, int64_t at)
{
    int *n = ctx;
    char t[32], rt[32];
    when(at, t, sizeof t);
    when(r->received_at, rt, sizeof rt);
    printf("%s,%s,", r->result_id, r->ticket);
    out_csv(stdout, r->name);
    printf(",%s,%s,%s,%s,%s,", r->pack_id, r->kind, r->kiosk_id, r->scored ? "scored" : "unscored", rt);
    out_csv(stdout, reason);
    printf(",%s\n", t);
    (*n)++;
    return 0;
}

int checks_flagged(const char *db, const char *batch)
{
    if (!db) return cmdtab_usage_line("flagged needs --db FILE [--batch YYYY-MM]");
    if (batch && !batch_ok(batch)) return cmdtab_usage_line("--batch must be YYYY-MM");
    hubstore *st;
    char *why = NULL;
    if (hubstore_open(db, 0, &st, &why)) return err(db, why);
    printf("result_id,ticket,name,pack_id,kind,kiosk,scored,received_at,reason,flagged_at\n");
    int n = 0;
    int rc = hubstore_flagged_each(st, batch, print_flagged, &n) ? err(db, fileio_fmt("storage: %s", hubstore_error(st))) : 0;
    hubstore_close(st);
    if (!rc) fprintf(stderr, "%d flags%s%s\n", n, batch ? " in batch " : "", batch ? batch : "");
    return rc;
}

/* ---- kiosks, revoke ----------------------------------------------------------------------------- */

static int print_kiosk(void *ctx, const hub_kiosk_row *k)
{
    (void)ctx;
    char e[32], r[32];
    when(k->enrolled, e, sizeof e);
    when(k->revoked_at, r, sizeof r);
    printf("%s,", k->k.kiosk_id);
    out_csv(stdout, k->k.site);
    putchar(',');
    out_csv(stdout, k->k.room);
    printf(",%d,%s,%d,%s,%s,", k->k.seat, e, k->results, k->revoked_at ? "revoked" : "enrolled", r);
    out_csv(stdout, k->why);
    putchar(',');
    out_csv(stdout, k->by);
    putchar('\n');
    return 0;
}

int checks_kiosks(const char *db)
{
    if (!db) return cmdtab_usage_line("kiosks needs --db FILE");
    hubstore *st;
    char *why = NULL;
    if (hubstore_open(db, 0, &st, &why)) return err(db, why);
    printf("kiosk,site,room,seat,enrolled,results,state,revoked_at,why,by\n");
    int rc = hubstore_kiosk_each(st, print_kiosk, NULL) ? err(db, fileio_fmt("storage: %s", hubstore_error(st))) : 0;
    hubstore_close(st);
    return rc;
}

int checks_revoke(const char *db, const char *kiosk, const char *why_text)
{
    if (!db || !kiosk || !why_text || !why_text[0]) return cmdtab_usage_line("revoke needs --db FILE KIOSK --why TEXT");
    for (const char *c = why_text; *c; c++)
        if ((unsigned char)*c < 0x20) return cmdtab_usage_line("--why must be one line of text");
    if (strlen(why_text) > 200) return cmdtab_usage_line("--why must be at most 200 bytes");
    hubstore *st;
    char *why = NULL;
    if (hubstore_open(db, 0, &st, &why)) return err(db, why);
    char by[64];
    checks_who(by);
    int r = hubstore_kiosk_revoke(st, kiosk, why_text, by, (int64_t)time(NULL));
    int rc = 0;
    if (r < 0) rc = err(db, fileio_fmt("storage: %s", hubstore_error(st)));
    else if (r == 1) rc = err(kiosk, fileio_fmt("no such kiosk enrolled at this hub (examhub kiosks lists them)"));
    else if (r == 2) rc = err(kiosk, fileio_fmt("already revoked"));
    else printf("kiosk %s revoked by %s: its results are refused from now on (examhub admit lets a bundle in)\n", kiosk, by);
    hubstore_close(st);
    return rc;
}
