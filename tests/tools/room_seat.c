/* room_seat: a simulated seat of the room console's tests
 * (tests/e2e/test_room.sh): signs seat reports with a kiosk data
 * directory's device key and decodes the frames the console answers with
 * the pack's content key, so the test sees what a real seat would accept.
 *
 *   room_seat key PACK CODE
 *       prints "CONTENT_KEY_HEX PACK_ID_HEX" (one KDF: the test knows the code)
 *   room_seat report DIR --counter N [--phase P] [--flags F] [--pack-id HEX]
 *       [--content-key HEX --ticket T] [--answered A --total T] [--left MS]
 *       [--focus N] [--count N --head HEX] [--seat S] [--site S] [--room R]
 *       [--name NAME (with --content-key)] [--last-command N] [--sign-key FILE]
 *       writes the signed EXRR report on stdout (curl posts it); kiosk id,
 *       site, room, seat from DIR/kiosk.db, signed with DIR/device.key (or
 *       --sign-key: a forgery); --count with no --head: a head made from
 *       the count (the same count always gives the same head)
 *   room_seat decode DIR --content-key HEX --pack-id HEX [--last N] [--pin PIN] < FRAMES
 *       one line per frame: "#COUNTER TYPE target=KID|all mac=ok|REASON"
 *       and for an unlock or an authorised resume "box=ok|REASON
 *       key=ok|wrong pin=ok|wrong", for an extend "minutes=M reason=R";
 *       commands are verified as the seat would (its own pack, site, room,
 *       kiosk id; counter above --last); an active-tickets frame:
 *       "active mac=ok|REASON gen=G n=N KID…" */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/pack.h"
#include "core/pin.h"
#include "core/roomproto.h"
#include "core/store.h"

static int die(const char *what, const char *why)
{
    fprintf(stderr, "room_seat: %s: %s\n", what, why ? why : "error");
    return 1;
}

static int hex(const char *s, uint8_t *out, size_t n)
{
    size_t got = 0;
    return s && strlen(s) == 2 * n && !sodium_hex2bin(out, n, s, 2 * n, NULL, &got, NULL) && got == n ? 0 : -1;
}

typedef struct meta {
    char *kid, *site, *room, *seat;
} meta;

static int load_meta(const char *dir, meta *m)
{
    char *why = NULL;
    store *st;
    if (store_open(dir, 0, &st, &why)) return die(dir, why);
    m->kid = store_meta_get(st, "kiosk_id");
    m->site = store_meta_get(st, "site");
    m->room = store_meta_get(st, "room");
    m->seat = store_meta_get(st, "seat");
    store_close(st);
    if (!m->kid || !m->site || !m->room || !m->seat) return die(dir, "not provisioned (examsync init)");
    return 0;
}

static const char *opt(int argc, char **argv, const char *name)
{
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return NULL;
}

static long long num(int argc, char **argv, const char *name, long long dflt)
{
    const char *v = opt(argc, argv, name);
    return v ? strtoll(v, NULL, 0) : dflt;
}

static int cmd_key(int argc, char **argv)
{
    if (argc != 4) return die("usage", "room_seat key PACK CODE");
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    if (fileio_read(argv[2], 1u << 30, &buf, &len, &why)) return die(argv[2], why);
    uint8_t key[PACK_KEY_BYTES];
    pack_info info;
    if (pack_parse_header(buf, len, &info, &why) != PACK_OK || pack_unwrap_key(buf, len, argv[3], key, &why) != PACK_OK)
        return die(argv[2], why ? why : "does not open with this code");
    char kh[2 * PACK_KEY_BYTES + 1];
    sodium_bin2hex(kh, sizeof kh, key, sizeof key);
    printf("%s %s\n", kh, info.pack_id_hex);
    free(buf);
    return 0;
}

static int cmd_report(int argc, char **argv)
{
    const char *dir = argv[2];
    meta m;
    if (load_meta(dir, &m)) return 1;
    roomproto_report r;
    memset(&r, 0, sizeof r);
    snprintf(r.kiosk_id, sizeof r.kiosk_id, "%s", m.kid);
    snprintf(r.site, sizeof r.site, "%s", opt(argc, argv, "--site") ? opt(argc, argv, "--site") : m.site);
    snprintf(r.room, sizeof r.room, "%s", opt(argc, argv, "--room") ? opt(argc, argv, "--room") : m.room);
    snprintf(r.seat, sizeof r.seat, "%s", opt(argc, argv, "--seat") ? opt(argc, argv, "--seat") : m.seat);
    r.counter = (uint64_t)num(argc, argv, "--counter", 1);
    r.phase = (uint8_t)num(argc, argv, "--phase", 0);
    r.flags = (uint16_t)num(argc, argv, "--flags", 0);
    r.answered = (uint32_t)num(argc, argv, "--answered", 0);
    r.total = (uint32_t)num(argc, argv, "--total", 0);
    r.time_left_ms = (uint32_t)num(argc, argv, "--left", 0);
    r.focus_losses = (uint32_t)num(argc, argv, "--focus", 0);
    r.journal_count = (uint64_t)num(argc, argv, "--count", 0);
    r.last_command = (uint64_t)num(argc, argv, "--last-command", 0);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r.wall_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    if (opt(argc, argv, "--pack-id") && hex(opt(argc, argv, "--pack-id"), r.pack_id, sizeof r.pack_id))
        return die("--pack-id", "not 32 hex digits");
    if (r.journal_count) {
        if (opt(argc, argv, "--head")) {
            if (hex(opt(argc, argv, "--head"), r.journal_head, sizeof r.journal_head)) return die("--head", "not 64 hex");
        } else {
            char c[32];
            snprintf(c, sizeof c, "head-%llu", (unsigned long long)r.journal_count);
            crypto_generichash(r.journal_head, sizeof r.journal_head, (const uint8_t *)c, strlen(c), NULL, 0);
        }
    }
    if (opt(argc, argv, "--ticket")) {
        uint8_t ck[ROOMPROTO_KEY_BYTES];
        if (hex(opt(argc, argv, "--content-key"), ck, sizeof ck)) return die("--ticket", "needs --content-key HEX");
        roomproto_keys k;
        roomproto_keys_derive(ck, &k);
        if (roomproto_ticket_tag(&k, opt(argc, argv, "--ticket"), r.ticket_tag) != ROOMPROTO_OK)
            return die("--ticket", "not a ticket");
        const char *nwhy = NULL;
        if (opt(argc, argv, "--name") &&
            roomproto_name_seal(&k, opt(argc, argv, "--name"), r.name_box, &r.name_box_len, &nwhy) != ROOMPROTO_OK)
            return die("--name", nwhy);
    }
    char *keypath = opt(argc, argv, "--sign-key") ? strdup(opt(argc, argv, "--sign-key")) : fileio_fmt("%s/device.key", dir);
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char *why = NULL;
    if (authority_load_device_sk(keypath, sk, &why)) return die(keypath, why);
    uint8_t out[ROOMPROTO_REPORT_MAX];
    size_t len = 0;
    const char *swhy = NULL;
    if (roomproto_report_sign(&r, sk, out, &len, &swhy) != ROOMPROTO_OK) return die("report", swhy);
    sodium_memzero(sk, sizeof sk);
    fwrite(out, 1, len, stdout);
    free(keypath);
    return 0;
}

static int cmd_decode(int argc, char **argv)
{
    const char *dir = argv[2];
    meta m;
    if (load_meta(dir, &m)) return 1;
    uint8_t ck[ROOMPROTO_KEY_BYTES], pid[ROOMPROTO_PACK_ID_BYTES];
    if (hex(opt(argc, argv, "--content-key"), ck, sizeof ck) || hex(opt(argc, argv, "--pack-id"), pid, sizeof pid))
        return die("decode", "needs --content-key HEX --pack-id HEX");
    roomproto_keys k;
    roomproto_keys_derive(ck, &k);
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char *why = NULL, *keypath = fileio_fmt("%s/device.key", dir);
    if (authority_load_device_sk(keypath, sk, &why)) return die(keypath, why);
    free(keypath);
    static uint8_t in[1 << 20];
    size_t n = fread(in, 1, sizeof in, stdin), off = 0;
    uint64_t last = (uint64_t)num(argc, argv, "--last", 0);
    const char *pin = opt(argc, argv, "--pin");
    int frames = 0;
    while (off < n) {
        if (n - off < 2) return die("frames", "a length cut short");
        size_t len = (size_t)in[off] | (size_t)in[off + 1] << 8;
        off += 2;
        if (len > n - off) return die("frames", "a frame cut short");
        const uint8_t *f = in + off;
        off += len;
        frames++;
        if (roomproto_frame_kind(f, len) == ROOMPROTO_FRAME_ACTIVE) {
            roomproto_expect x = {pid, m.site, m.room, m.kid, 0};
            roomproto_active *a = calloc(1, sizeof *a);
            const char *awhy = NULL;
            roomproto_rc ar = roomproto_active_verify(f, len, &k, &x, a, &awhy);
            printf("active mac=%s gen=%llu n=%u", ar == ROOMPROTO_OK ? "ok" : roomproto_strerror(ar),
                   (unsigned long long)a->generation, a->n);
            for (int i = 0; i < a->n; i++) printf(" %s", a->e[i].kiosk_id);
            printf("\n");
            free(a);
            continue;
        }
        roomproto_command c;
        const char *cwhy = NULL;
        if (roomproto_command_peek(f, len, &c, &cwhy) != ROOMPROTO_OK) {
            printf("? not a command: %s\n", cwhy);
            continue;
        }
        roomproto_expect x = {pid, m.site, m.room, m.kid, last};
        roomproto_command v;
        roomproto_rc vr = roomproto_command_verify(f, len, &k, &x, &v, &cwhy);
        printf("#%llu %s target=%s mac=%s", (unsigned long long)c.counter, roomproto_cmd_name(c.type),
               c.target_all ? "all" : c.target, vr == ROOMPROTO_OK ? "ok" : roomproto_strerror(vr));
        if (vr == ROOMPROTO_OK) last = c.counter;
        if (c.type == ROOMPROTO_CMD_UNLOCK || c.type == ROOMPROTO_CMD_AUTHORISE_RESUME) {
            roomproto_unlock u;
            const char *uwhy = NULL;
            roomproto_rc ur = roomproto_unlock_open(c.sealed, sizeof c.sealed, sk, pid, &u, &uwhy);
            printf(" box=%s", ur == ROOMPROTO_OK ? "ok" : roomproto_strerror(ur));
            if (ur == ROOMPROTO_OK) {
                printf(" key=%s", sodium_memcmp(u.content_key, ck, sizeof ck) ? "wrong" : "ok");
                if (pin) {
                    uint8_t h[PIN_HASH_BYTES];
                    pin_cost pc = {u.pin_ops, u.pin_mem};
                    int ok = !pin_hash(pin, u.content_key, u.pin_kiosk_salt, u.pin_unlock_salt, pc, h) &&
                             !sodium_memcmp(h, u.pin_hash, sizeof h);
                    printf(" pin=%s", ok ? "ok" : "wrong");
                }
            }
            sodium_memzero(&u, sizeof u);
        }
        if (c.type == ROOMPROTO_CMD_EXTEND) printf(" minutes=%u reason=%s", c.minutes, c.reason);
        printf("\n");
    }
    printf("frames %d last %llu\n", frames, (unsigned long long)last);
    sodium_memzero(sk, sizeof sk);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || sodium_init() < 0) {
        fprintf(stderr, "usage: room_seat key PACK CODE | report DIR [options] | decode DIR [options]\n");
        return 2;
    }
    if (!strcmp(argv[1], "key")) return cmd_key(argc, argv);
    if (!strcmp(argv[1], "report")) return cmd_report(argc, argv);
    if (!strcmp(argv[1], "decode")) return cmd_decode(argc, argv);
    return die(argv[1], "unknown command (key, report, decode)");
}
