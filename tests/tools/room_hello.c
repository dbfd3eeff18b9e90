/* room_hello: the seat hello of a provisioned kiosk data directory, for the
 * room console's tests (tests/e2e/test_room.sh) until `examsync room`
 * speaks the room protocol. Reads kiosk_id, site, room, seat and device_pk
 * from DIR/kiosk.db and signs with DIR/device.key (tools/room/hello.c);
 * prints the JSON body of POST /v1/seat/hello on stdout (curl sends it).
 *   room_hello DIR [--key OTHER/device.key] [--pk-of OTHERDIR] [--time T]
 * --key signs with another key (a forgery: device_pk stays DIR's);
 * --pk-of claims DIR's kiosk id with OTHERDIR's key pair (a duplicate:
 * signed correctly by a key that is not the kiosk id's); --time sets the
 * hello's time (a stale hello). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/store.h"
#include "tools/room/hello.h"

static int die(const char *what, char *why)
{
    fprintf(stderr, "room_hello: %s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || sodium_init() < 0) {
        fprintf(stderr, "usage: room_hello DIR [--key FILE] [--pk-of DIR] [--time T]\n");
        return 2;
    }
    const char *dir = argv[1], *key = NULL, *pkof = NULL;
    long long t = (long long)time(NULL);
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--key")) key = argv[i + 1];
        else if (!strcmp(argv[i], "--pk-of")) pkof = argv[i + 1];
        else if (!strcmp(argv[i], "--time")) t = atoll(argv[i + 1]);
        else return fprintf(stderr, "room_hello: unknown option %s\n", argv[i]), 2;
    }
    char *why = NULL;
    store *st;
    if (store_open(dir, 0, &st, &why)) return die(dir, why);
    char *kid = store_meta_get(st, "kiosk_id"), *site = store_meta_get(st, "site"), *room = store_meta_get(st, "room"),
         *seat = store_meta_get(st, "seat"), *pk = store_meta_get(st, "device_pk");
    store_close(st);
    if (!kid || !site || !room || !seat || !pk) return die(dir, fileio_fmt("not provisioned (examsync init)"));
    char *keypath = key ? strdup(key) : fileio_fmt("%s/device.key", pkof ? pkof : dir);
    if (pkof) {
        store *o;
        if (store_open(pkof, 0, &o, &why)) return die(pkof, why);
        free(pk);
        pk = store_meta_get(o, "device_pk");
        store_close(o);
    }
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    if (authority_load_device_sk(keypath, sk, &why)) return die(keypath, why);
    hello_fields h = {kid, site, room, pk, atoi(seat), t};
    char sig[129];
    int rc = hello_sign(&h, sk, sig, &why);
    sodium_memzero(sk, sizeof sk);
    if (rc) return die("hello", why);
    /* site and room come from examsync init (no quote, backslash or control character) */
    printf("{\"kiosk_id\":\"%s\",\"site\":\"%s\",\"room\":\"%s\",\"seat\":%d,\"device_pk\":\"%s\",\"time\":%lld,"
           "\"sig\":\"%s\"}\n",
           kid, site, room, h.seat, pk, t, sig);
    free(kid), free(site), free(room), free(seat), free(pk), free(keypath);
    return 0;
}
