/* room_cmd: the room consoles' commands of examhub (see room_cmd.h). */
#include "tools/hub/room_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "tools/hub/checks_cmd.h"
#include "tools/hub/hubstore_room.h"
#include "tools/hub/roomcheck.h"
#include "tools/hub/roomrecord.h"
#include "tools/hub/textout.h"

static int err(const char *what, char *why)
{
    fprintf(stderr, "%s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

static void when(int64_t t, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!t || !gmtime_r(&tt, &tm)) { snprintf(out, n, "%s", ""); return; }
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int print_console(void *ctx, const char *pk, int64_t added, const char *by, int records)
{
    (void)ctx;
    char t[32];
    when(added, t, sizeof t);
    printf("%s,%s,", pk, t);
    out_csv(stdout, by);
    printf(",%d\n", records);
    return 0;
}

int room_consoles(const char *db, const char *add)
{
    if (!db) {
        fprintf(stderr, "examhub: consoles needs --db FILE [--add console.pub] (see examhub --help)\n");
        return 2;
    }
    hubstore *st;
    char *why = NULL;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    char b64[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_ORIGINAL)];
    if (add) {
        unsigned char *buf;
        size_t len;
        if (fileio_read(add, 4096, &buf, &len, &why)) return err(add, why);
        int bad = roomrec_console_pub(buf, len, pk, &why);
        free(buf);
        if (bad) return err(add, why);
        sodium_bin2base64(b64, sizeof b64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    }
    if (hubstore_open(db, 0, &st, &why)) return err(db, why);
    int rc = 0;
    if (add) {
        char by[64];
        checks_who(by);
        int put = hubstore_console_add(st, b64, by, (int64_t)time(NULL));
        if (put < 0) rc = err(db, fileio_fmt("storage: %s", hubstore_error(st)));
        else fprintf(stderr, "%s: room console %s %s\n", add, b64, put ? "was already registered" : "registered");
    }
    if (!rc) {
        printf("console_pk,added,by,records\n");
        if (hubstore_console_each(st, print_console, NULL)) rc = err(db, fileio_fmt("storage: %s", hubstore_error(st)));
    }
    hubstore_close(st);
    return rc;
}

int room_import(hub *h, const char *file, const uint8_t *buf, size_t len, const char *by, int64_t now)
{
    roomrec r;
    char *why = NULL;
    if (roomrec_parse(buf, len, &r, &why)) {
        err(file, fileio_fmt("%s; nothing stored", why));
        free(why);
        return 1;
    }
    int rc = 1;
    int known = hubstore_console_known(h->st, r.console_pk_b64);
    if (known < 0) err(file, fileio_fmt("storage: %s", hubstore_error(h->st)));
    else if (!known)
        err(file, fileio_fmt("room record signed by room console %s, which is not registered at this hub (examhub "
                             "consoles --add console.pub); nothing stored",
                             r.console_pk_b64));
    else if (roomrec_verify(buf, len, &r))
        err(file, fileio_fmt("room record signature does not verify with room console %s: the record was altered; "
                             "nothing stored",
                             r.console_pk_b64));
    else {
        int64_t id = 0;
        int put = hubstore_room_put(h->st, &r, buf, len, by, now, &id);
        int heads = 0, absent = 0;
        for (int i = 0; i < r.nseats; i++) heads += r.seats[i].nheads;
        for (int i = 0; i < r.ncands; i++) absent += !strcmp(r.cands[i].state, "absent");
        int checked = 0, flagged = 0, waiting = 0;
        if (put < 0) err(file, fileio_fmt("storage: %s", hubstore_error(h->st)));
        else if (put == 1) {
            printf("%s: room record of room %s (%s) was already imported\n", file, r.room, r.site);
            rc = 0;
        } else if (hub_room_recheck(h, id, now, &checked, &flagged, &waiting, &why))
            err(file, why);
        else {
            printf("%s: room record of room %s (%s): %d seats, %d journal heads, %d candidates (%d absent) stored; "
                   "%d results checked, %d flagged, %d wait for their paper (examhub papers --add)\n",
                   file, r.room, r.site, r.nseats, heads, r.ncands, absent, checked, flagged, waiting);
            rc = 0;
        }
    }
    roomrec_free(&r);
    return rc;
}
