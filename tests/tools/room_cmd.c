/* room_cmd: plays the room console and examsync for the kiosk's room-link
 * tests (tests/e2e/test_roomlink.sh) until `examsync room` files the
 * console's commands itself: makes one console command for the kiosk of a
 * provisioned data directory, as the console would (FORMAT.md §16: the
 * content key from the release code, the MAC with its room key, an unlock's
 * key and PIN verifier sealed to the seat's device key), and files it in
 * DIR/kiosk.db's room_inbox as examsync would.
 *   room_cmd DIR CODE TYPE COUNTER [--pin PIN] [--minutes M] [--reason R]
 * TYPE: a roomproto_cmd_name (unlock, pause_all, resume_all, extend,
 * close_entry, force_handin, lock, authorise_resume). CODE: the release code
 * of a pack stored in DIR ("-": read it from stdin). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "core/pack.h"
#include "core/pin.h"
#include "core/roomproto.h"
#include "core/store.h"

static int die(const char *what, const char *why)
{
    fprintf(stderr, "room_cmd: %s: %s\n", what, why ? why : "error");
    return 1;
}

/* the first stored pack the code opens: its id and content key */
typedef struct find {
    const char *code;
    char id[33];
    uint8_t key[32];
    int found;
} find;

static int try_pack(void *ctx, const store_pack_row *row)
{
    find *f = ctx;
    char *why = NULL;
    if (pack_unwrap_key(row->bytes, row->len, f->code, f->key, &why) == PACK_OK) {
        snprintf(f->id, sizeof f->id, "%s", row->pack_id);
        f->found = 1;
    }
    free(why);
    return f->found;
}

int main(int argc, char **argv)
{
    if (argc < 5 || sodium_init() < 0) {
        fprintf(stderr, "usage: room_cmd DIR CODE TYPE COUNTER [--pin PIN] [--minutes M] [--reason R]\n");
        return 2;
    }
    const char *dir = argv[1], *type_name = argv[3], *pin = "918273645", *reason = "系统故障或断电后恢复";
    char code[64];
    snprintf(code, sizeof code, "%s", argv[2]);
    if (!strcmp(code, "-") && !fgets(code, sizeof code, stdin)) return die("stdin", "no release code");
    code[strcspn(code, "\r\n")] = 0;
    uint64_t counter = strtoull(argv[4], NULL, 10);
    int minutes = 10;
    for (int i = 5; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--pin")) pin = argv[i + 1];
        else if (!strcmp(argv[i], "--minutes")) minutes = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reason")) reason = argv[i + 1];
        else return fprintf(stderr, "room_cmd: unknown option %s\n", argv[i]), 2;
    }
    int type = 0;
    for (int t = 1; t <= ROOMPROTO_CMD_MAX; t++)
        if (!strcmp(roomproto_cmd_name(t), type_name)) type = t;
    if (!type) return die(type_name, "not a command type");

    char *why = NULL;
    store *st;
    if (store_open(dir, 0, &st, &why)) return die(dir, why);
    char *kid = store_meta_get(st, "kiosk_id"), *site = store_meta_get(st, "site"), *room = store_meta_get(st, "room"),
         *pkhex = store_meta_get(st, "device_pk");
    find f = {code, "", {0}, 0};
    if (store_pack_each(st, STORE_WITH_BYTES, try_pack, &f) != STORE_OK || !f.found)
        return die(dir, "no stored pack opens with this code");
    if (!kid || !site || !room || !pkhex) return die(dir, "not provisioned (examsync init)");

    roomproto_command c;
    memset(&c, 0, sizeof c);
    c.type = (uint8_t)type;
    /* one seat for the commands that take only one, every seat for the others */
    int one = type == ROOMPROTO_CMD_UNLOCK || type == ROOMPROTO_CMD_AUTHORISE_RESUME;
    c.target_all = (uint8_t)!one;
    if (one) snprintf(c.target, sizeof c.target, "%s", kid);
    size_t got = 0;
    if (sodium_hex2bin(c.pack_id, sizeof c.pack_id, f.id, strlen(f.id), NULL, &got, NULL) || got != 16)
        return die(f.id, "pack id is not 16 bytes of hex");
    snprintf(c.site, sizeof c.site, "%s", site);
    snprintf(c.room, sizeof c.room, "%s", room);
    c.counter = counter;
    c.wall_ms = (uint64_t)time(NULL) * 1000;
    c.minutes = (uint16_t)minutes;
    snprintf(c.reason, sizeof c.reason, "%s", reason);
    const char *rwhy = NULL;
    if (one) {
        uint8_t dpk[32];
        if (sodium_hex2bin(dpk, sizeof dpk, pkhex, strlen(pkhex), NULL, &got, NULL) || got != 32)
            return die(dir, "device_pk is not 32 bytes of hex");
        roomproto_unlock u;
        memset(&u, 0, sizeof u);
        memcpy(u.pack_id, c.pack_id, 16);
        snprintf(u.kiosk_id, sizeof u.kiosk_id, "%s", kid);
        memcpy(u.content_key, f.key, 32);
        randombytes_buf(u.pin_kiosk_salt, sizeof u.pin_kiosk_salt);
        randombytes_buf(u.pin_unlock_salt, sizeof u.pin_unlock_salt);
        pin_cost pc = pin_cost_default();
        u.pin_ops = (uint32_t)pc.ops;
        u.pin_mem = (uint32_t)pc.mem;
        if (pin_hash(pin, f.key, u.pin_kiosk_salt, u.pin_unlock_salt, pc, u.pin_hash)) return die("pin", "cannot hash");
        if (roomproto_unlock_seal(&u, dpk, c.sealed, &rwhy) != ROOMPROTO_OK) return die("seal", rwhy);
        sodium_memzero(&u, sizeof u);
    }
    roomproto_keys k;
    roomproto_keys_derive(f.key, &k);
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    size_t n = 0;
    if (roomproto_command_seal(&c, &k, buf, &n, &rwhy) != ROOMPROTO_OK) return die("command", rwhy);
    sodium_memzero(&k, sizeof k);
    sodium_memzero(f.key, sizeof f.key);
    store_rc rc = store_room_inbox_add(st, counter, buf, n, (int64_t)time(NULL) * 1000);
    store_close(st);
    if (rc != STORE_OK) return die("room_inbox", store_rc_str(rc));
    free(kid);
    free(site);
    free(room);
    free(pkhex);
    return 0;
}
