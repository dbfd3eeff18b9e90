/* Unit tests for core/roomproto.c: the room console's seat reports, console
 * commands, sealed unlocks and journal head mirror (FORMAT.md §16). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/exam.h"
#include "core/journal.h"
#include "core/pack.h"
#include "core/pin.h"
#include "core/result.h"
#include "core/roomproto.h"
#include "core/roster.h"

/* the protocol's bounds are the rest of the kiosk's */
_Static_assert(ROOMPROTO_PHASE_MAX == PHASE_RESUME, "phase range");
_Static_assert(ROOMPROTO_HEAD_BYTES == JOURNAL_HASH_BYTES, "journal head");
_Static_assert(ROOMPROTO_PACK_ID_BYTES == PACK_ID_BYTES, "pack id");
_Static_assert(ROOMPROTO_PIN_SALT_BYTES == PIN_SALT_BYTES && ROOMPROTO_PIN_HASH_BYTES == PIN_HASH_BYTES, "PIN");
_Static_assert(ROOMPROTO_SITE_MAX == ROSTER_SITE_MAX && ROOMPROTO_ROOM_MAX == ROSTER_ROOM_MAX, "places");
_Static_assert(ROOMPROTO_TICKET_MAX == ROSTER_TICKET_MAX, "ticket");
/* the sizes FORMAT.md §16 states */
_Static_assert(ROOMPROTO_REPORT_MAX == 483 && ROOMPROTO_CMD_MAX_BYTES == 439, "message bounds");
_Static_assert(ROOMPROTO_NAME_MAX == ROSTER_NAME_MAX && ROOMPROTO_NAME_BOX_MAX == 104, "name box");
_Static_assert(ROOMPROTO_ACTIVE_MAX_BYTES == 2279, "active tickets");
_Static_assert(ROOMPROTO_UNLOCK_PLAIN == 141 && ROOMPROTO_SEALED_BYTES == 189, "sealed unlock");

typedef struct seat {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char id[17];
} seat;

static void new_seat(seat *s)
{
    crypto_sign_keypair(s->pk, s->sk);
    result_kiosk_id(s->pk, s->id);
}

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

static const uint8_t PACK[16] = {0x10, 0x20, 0x30, 0x40, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void sample_report(const seat *s, roomproto_report *r)
{
    memset(r, 0, sizeof *r);
    strcpy(r->kiosk_id, s->id);
    strcpy(r->site, "北京市第一考点");
    strcpy(r->room, "第3考场");
    strcpy(r->seat, "A07");
    r->phase = PHASE_RUNNING;
    r->flags = ROOMPROTO_FLAG_STORAGE_ALERT | ROOMPROTO_FLAG_UNFOCUSED;
    memcpy(r->pack_id, PACK, 16);
    memset(r->ticket_tag, 0xab, sizeof r->ticket_tag);
    r->answered = 17;
    r->total = 80;
    r->time_left_ms = 3600000u;
    r->focus_losses = 2;
    r->journal_count = 123;
    for (int i = 0; i < 32; i++) r->journal_head[i] = (uint8_t)(i * 7 + 1);
    r->counter = 42;
    r->wall_ms = 1750000000123ull;
    r->last_command = 9;
    r->name_box_len = ROOMPROTO_NAME_BOX_MAX;
    for (int i = 0; i < (int)ROOMPROTO_NAME_BOX_MAX; i++) r->name_box[i] = (uint8_t)(i * 3 + 5);
}

static void test_report_roundtrip(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    roomproto_report r, got;
    sample_report(&s, &r);
    uint8_t buf[ROOMPROTO_REPORT_MAX];
    size_t n = 0;
    const char *why = NULL;
    assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_OK);
    assert_true(n >= ROOMPROTO_REPORT_MIN && n <= ROOMPROTO_REPORT_MAX);
    assert_int_equal(roomproto_report_verify(buf, n, s.pk, &got, &why), ROOMPROTO_OK);
    assert_memory_equal(&r, &got, sizeof r);
    /* deterministic: Ed25519 and a canonical layout give the same bytes */
    uint8_t again[ROOMPROTO_REPORT_MAX];
    size_t n2 = 0;
    assert_int_equal(roomproto_report_sign(&got, s.sk, again, &n2, &why), ROOMPROTO_OK);
    assert_int_equal(n, n2);
    assert_memory_equal(buf, again, n);
    /* the peek decodes the same without a key */
    assert_int_equal(roomproto_report_peek(buf, n, &got, &why), ROOMPROTO_OK);
    assert_memory_equal(&r, &got, sizeof r);
    /* the largest report fits ROOMPROTO_REPORT_MAX exactly */
    memset(r.site, 'S', ROOMPROTO_SITE_MAX);
    r.site[ROOMPROTO_SITE_MAX] = 0;
    memset(r.room, 'R', ROOMPROTO_ROOM_MAX);
    r.room[ROOMPROTO_ROOM_MAX] = 0;
    memset(r.seat, 'E', ROOMPROTO_SEAT_MAX);
    r.seat[ROOMPROTO_SEAT_MAX] = 0;
    assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(n, ROOMPROTO_REPORT_MAX);
    assert_int_equal(roomproto_report_verify(buf, n, s.pk, &got, &why), ROOMPROTO_OK);
    assert_memory_equal(&r, &got, sizeof r);
    /* an empty journal: zero head; nobody logged in: no name box */
    sample_report(&s, &r);
    r.journal_count = 0;
    memset(r.journal_head, 0, 32);
    r.phase = PHASE_LOCKED;
    memset(r.ticket_tag, 0, 16);
    r.name_box_len = 0;
    memset(r.name_box, 0, sizeof r.name_box);
    r.last_command = 0;
    assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_report_verify(buf, n, s.pk, &got, &why), ROOMPROTO_OK);
    assert_memory_equal(&r, &got, sizeof r);
    assert_int_equal(n, ROOMPROTO_REPORT_MAX - ROOMPROTO_NAME_BOX_MAX - (ROOMPROTO_SITE_MAX + ROOMPROTO_ROOM_MAX +
                                                                         ROOMPROTO_SEAT_MAX) +
                            strlen(r.site) + strlen(r.room) + strlen(r.seat));
    /* the highest counter */
    r.last_command = UINT64_MAX;
    assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_report_verify(buf, n, s.pk, &got, &why), ROOMPROTO_OK);
    assert_true(got.last_command == UINT64_MAX);
}

/* every flipped bit of a signed report, anywhere, is refused */
static void test_report_tamper(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    roomproto_report r, got;
    sample_report(&s, &r);
    uint8_t buf[ROOMPROTO_REPORT_MAX];
    size_t n = 0;
    const char *why = NULL;
    assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_OK);
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++) {
            buf[i] ^= (uint8_t)(1u << b);
            why = NULL;
            roomproto_rc rc = roomproto_report_verify(buf, n, s.pk, &got, &why);
            if (rc != ROOMPROTO_BAD_SIGNATURE) fail_msg("byte %zu bit %d: rc %d", i, b, rc);
            assert_non_null(why);
            assert_true(sodium_is_zero((const uint8_t *)&got, sizeof got));
            buf[i] ^= (uint8_t)(1u << b);
        }
    /* truncated, extended, empty */
    for (size_t k = 0; k < n; k++)
        assert_int_not_equal(roomproto_report_verify(buf, k, s.pk, &got, &why), ROOMPROTO_OK);
    uint8_t longer[ROOMPROTO_REPORT_MAX + 8];
    memcpy(longer, buf, n);
    longer[n] = 0;
    assert_int_not_equal(roomproto_report_verify(longer, n + 1, s.pk, &got, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_report_verify(NULL, 0, s.pk, &got, &why), ROOMPROTO_MALFORMED);
    assert_int_equal(roomproto_report_verify(buf, n, s.pk, &got, &why), ROOMPROTO_OK);
}

static void test_report_wrong_key(void **state)
{
    (void)state;
    seat s, other;
    new_seat(&s);
    new_seat(&other);
    roomproto_report r, got;
    sample_report(&s, &r);
    uint8_t buf[ROOMPROTO_REPORT_MAX];
    size_t n = 0;
    const char *why = NULL;
    assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_report_verify(buf, n, other.pk, &got, &why), ROOMPROTO_BAD_SIGNATURE);
    assert_string_equal(why, "seat report: the seat's device key did not sign it");
    /* a seat that signs a report in another seat's name: the signature is its
     * own, the kiosk id is not its key's */
    assert_int_equal(roomproto_report_sign(&r, other.sk, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_report_verify(buf, n, other.pk, &got, &why), ROOMPROTO_NOT_FOR_ME);
    assert_string_equal(why, "seat report: kiosk id is not the device key's");
}

/* fields out of bounds are refused by the encoder; signed garbage by the decoder */
static void test_report_bounds(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    roomproto_report r, got;
    uint8_t buf[ROOMPROTO_REPORT_MAX];
    size_t n = 0;
    const char *why;
#define BAD(stmt)                                                                         \
    do {                                                                                  \
        sample_report(&s, &r);                                                            \
        stmt;                                                                             \
        why = NULL;                                                                       \
        assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_INVALID); \
        assert_non_null(why);                                                             \
    } while (0)
    BAD(r.kiosk_id[3] = 'G');
    BAD(r.kiosk_id[3] = 'A');
    BAD(r.kiosk_id[15] = 0);
    BAD(r.site[0] = 0);
    BAD(strcpy(r.room, "a\tb"));
    BAD(strcpy(r.seat, "\xff"));
    BAD(r.phase = ROOMPROTO_PHASE_MAX + 1);
    BAD(r.flags = 0x100);
    BAD(r.answered = r.total + 1);
    BAD(memset(r.journal_head, 0, 32));
    BAD(r.journal_count = 0);
    BAD(r.counter = 0);
    BAD(r.name_box_len = 1);
    BAD(r.name_box_len = ROOMPROTO_NAME_BOX_MAX - 1);
    BAD((r.name_box_len = 0, r.name_box[3] = 1));
#undef BAD
    /* a name box length byte other than 0 or 104 on the wire: malformed */
    sample_report(&s, &r);
    r.name_box_len = 0;
    memset(r.name_box, 0, sizeof r.name_box);
    assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_OK);
    size_t box_at = 4 + 1 + 1 + 2 + 16 + 1 + strlen(r.site) + 1 + strlen(r.room) + 1 + strlen(r.seat) + 16 + 16;
    assert_int_equal(buf[box_at], 0);
    uint8_t wide[ROOMPROTO_REPORT_MAX];
    memcpy(wide, buf, box_at);
    wide[box_at] = 8;
    memset(wide + box_at + 1, 7, 8);
    memcpy(wide + box_at + 9, buf + box_at + 1, n - 64 - box_at - 1);
    size_t wn = n + 8;
    crypto_sign_detached(wide + wn - 64, NULL, wide, wn - 64, s.sk);
    assert_int_equal(roomproto_report_verify(wide, wn, s.pk, &got, &why), ROOMPROTO_MALFORMED);
    assert_string_equal(why, "seat report: name box is neither absent nor of its one length");
    /* a too-long string on the wire (signed by the seat): malformed */
    sample_report(&s, &r);
    assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_OK);
    /* the site length byte sits after magic, version, phase, flags and the kiosk id */
    size_t at = 4 + 1 + 1 + 2 + 16;
    buf[at] = ROOMPROTO_SITE_MAX + 1;
    crypto_sign_detached(buf + n - 64, NULL, buf, n - 64, s.sk);
    assert_int_equal(roomproto_report_verify(buf, n, s.pk, &got, &why), ROOMPROTO_MALFORMED);
    /* random bytes, signed by the right key, never decode as anything but malformed */
    for (int k = 0; k < 2000; k++) {
        size_t len = ROOMPROTO_REPORT_MIN + randombytes_uniform(ROOMPROTO_REPORT_MAX - ROOMPROTO_REPORT_MIN + 1);
        randombytes_buf(buf, len);
        if (k & 1) memcpy(buf, "EXRR\x01", 5);
        crypto_sign_detached(buf + len - 64, NULL, buf, len - 64, s.sk);
        assert_int_equal(roomproto_report_verify(buf, len, s.pk, &got, &why), ROOMPROTO_MALFORMED);
    }
    /* oversize */
    uint8_t big[ROOMPROTO_REPORT_MAX + 1];
    memset(big, 0, sizeof big);
    assert_int_equal(roomproto_report_verify(big, sizeof big, s.pk, &got, &why), ROOMPROTO_MALFORMED);
    assert_string_equal(why, "seat report: wrong length");
}

/* ---- console commands ---- */

static void keys_of(uint8_t content_key[32], roomproto_keys *k)
{
    roomproto_keys_derive(content_key, k);
}

static void sample_command(roomproto_command *c, int type, const char *target)
{
    memset(c, 0, sizeof *c);
    c->type = (uint8_t)type;
    if (target) strcpy(c->target, target);
    else c->target_all = 1;
    memcpy(c->pack_id, PACK, 16);
    strcpy(c->site, "北京市第一考点");
    strcpy(c->room, "第3考场");
    c->counter = 7;
    c->wall_ms = 1750000000999ull;
    if (type == ROOMPROTO_CMD_EXTEND) {
        c->minutes = 15;
        strcpy(c->reason, "系统故障或断电后恢复");
    }
    if (type == ROOMPROTO_CMD_UNLOCK || type == ROOMPROTO_CMD_AUTHORISE_RESUME)
        randombytes_buf(c->sealed, sizeof c->sealed);
}

static roomproto_expect expect_for(const seat *s, uint64_t last)
{
    roomproto_expect x = {PACK, "北京市第一考点", "第3考场", s->id, last};
    return x;
}

static void test_command_roundtrip(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    uint8_t ck[32];
    randombytes_buf(ck, sizeof ck);
    roomproto_keys k;
    keys_of(ck, &k);
    roomproto_expect x = expect_for(&s, 6);
    for (int t = 1; t <= ROOMPROTO_CMD_MAX; t++)
        for (int all = 0; all <= 1; all++) {
            roomproto_command c, got;
            sample_command(&c, t, all ? NULL : s.id);
            uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
            size_t n = 0;
            const char *why = NULL;
            roomproto_rc rc = roomproto_command_seal(&c, &k, buf, &n, &why);
            int allowed = (t == ROOMPROTO_CMD_PAUSE_ALL || t == ROOMPROTO_CMD_RESUME_ALL || t == ROOMPROTO_CMD_CLOSE_ENTRY)
                              ? all
                          : (t == ROOMPROTO_CMD_UNLOCK || t == ROOMPROTO_CMD_AUTHORISE_RESUME) ? !all
                                                                                               : 1;
            if (!allowed) {
                assert_int_equal(rc, ROOMPROTO_INVALID);
                assert_string_equal(why, "console command: this command does not take this target");
                continue;
            }
            assert_int_equal(rc, ROOMPROTO_OK);
            assert_true(n <= ROOMPROTO_CMD_MAX_BYTES);
            assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_OK);
            assert_memory_equal(&c, &got, sizeof c);
            assert_int_equal(roomproto_command_peek(buf, n, &got, &why), ROOMPROTO_OK);
            assert_memory_equal(&c, &got, sizeof c);
            assert_string_not_equal(roomproto_cmd_name(t), "?");
        }
    assert_string_equal(roomproto_cmd_name(ROOMPROTO_CMD_EXTEND), "extend");
    assert_string_equal(roomproto_cmd_name(0), "?");
    assert_string_equal(roomproto_cmd_name(9), "?");
}

static void test_command_tamper(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    uint8_t ck[32];
    randombytes_buf(ck, sizeof ck);
    roomproto_keys k;
    keys_of(ck, &k);
    roomproto_expect x = expect_for(&s, 0);
    int types[] = {ROOMPROTO_CMD_EXTEND, ROOMPROTO_CMD_UNLOCK, ROOMPROTO_CMD_PAUSE_ALL, ROOMPROTO_CMD_AUTHORISE_RESUME};
    for (size_t ti = 0; ti < sizeof types / sizeof *types; ti++) {
        roomproto_command c, got;
        sample_command(&c, types[ti], types[ti] == ROOMPROTO_CMD_PAUSE_ALL ? NULL : s.id);
        uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
        size_t n = 0;
        const char *why;
        assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
        /* as an unlock: the sealed unlock is its argument */
        if (c.type == ROOMPROTO_CMD_AUTHORISE_RESUME) assert_int_equal(n, 311);
        for (size_t i = 0; i < n; i++)
            for (int b = 0; b < 8; b++) {
                buf[i] ^= (uint8_t)(1u << b);
                roomproto_rc rc = roomproto_command_verify(buf, n, &k, &x, &got, &why);
                if (rc != ROOMPROTO_BAD_MAC) fail_msg("type %d byte %zu bit %d: rc %d", types[ti], i, b, rc);
                buf[i] ^= (uint8_t)(1u << b);
            }
        for (size_t m = 0; m < n; m++)
            assert_int_not_equal(roomproto_command_verify(buf, m, &k, &x, &got, &why), ROOMPROTO_OK);
        assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_OK);
    }
}

/* a LAN attacker without the release code: every other content key, and a
 * key derived in another context (the journal's), forge nothing */
static void test_command_wrong_key(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    uint8_t ck[32], other[32];
    randombytes_buf(ck, sizeof ck);
    memcpy(other, ck, 32);
    other[31] ^= 1;
    roomproto_keys k, ko;
    keys_of(ck, &k);
    keys_of(other, &ko);
    assert_memory_not_equal(k.mac, ko.mac, 32);
    assert_memory_not_equal(k.mac, k.tag, 32);
    roomproto_command c, got;
    sample_command(&c, ROOMPROTO_CMD_FORCE_HANDIN, NULL);
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    size_t n;
    const char *why;
    assert_int_equal(roomproto_command_seal(&c, &ko, buf, &n, &why), ROOMPROTO_OK);
    roomproto_expect x = expect_for(&s, 0);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_BAD_MAC);
    /* the content key itself as the MAC key (no KDF) */
    roomproto_keys raw;
    memcpy(raw.mac, ck, 32);
    assert_int_equal(roomproto_command_seal(&c, &raw, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_BAD_MAC);
    /* the journal's chain key (context "examjrnl") */
    journal_key jk;
    journal_key_derive(&jk, "pack", ck);
    memcpy(raw.mac, jk.chain, 32);
    assert_int_equal(roomproto_command_seal(&c, &raw, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_BAD_MAC);
    /* a seat report is not a command, even MAC'd with the right key */
    roomproto_report r;
    sample_report(&s, &r);
    uint8_t rep[ROOMPROTO_REPORT_MAX + ROOMPROTO_MAC_BYTES];
    size_t rn;
    assert_int_equal(roomproto_report_sign(&r, s.sk, rep, &rn, &why), ROOMPROTO_OK);
    crypto_auth(rep + rn, rep, rn, k.mac);
    assert_int_equal(roomproto_command_verify(rep, rn + ROOMPROTO_MAC_BYTES, &k, &x, &got, &why), ROOMPROTO_MALFORMED);
    assert_string_equal(why, "console command: not a console command");
    assert_string_equal(roomproto_strerror(ROOMPROTO_BAD_MAC), "MAC does not verify");
    sodium_memzero(&jk, sizeof jk);
}

static void test_command_replay(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    uint8_t ck[32];
    randombytes_buf(ck, sizeof ck);
    roomproto_keys k;
    keys_of(ck, &k);
    uint8_t bufs[4][ROOMPROTO_CMD_MAX_BYTES];
    size_t ns[4];
    const char *why;
    for (int i = 0; i < 4; i++) {
        roomproto_command c;
        sample_command(&c, i == 1 ? ROOMPROTO_CMD_RESUME_ALL : ROOMPROTO_CMD_PAUSE_ALL, NULL);
        c.counter = (uint64_t)(10 + i); /* 10, 11, 12, 13 */
        assert_int_equal(roomproto_command_seal(&c, &k, bufs[i], &ns[i], &why), ROOMPROTO_OK);
    }
    /* the seat accepts 10, then 12 (11 lost on the LAN): 11 now arrives late */
    uint64_t last = 0;
    roomproto_command got;
    roomproto_expect x = expect_for(&s, last);
    assert_int_equal(roomproto_command_verify(bufs[0], ns[0], &k, &x, &got, &why), ROOMPROTO_OK);
    last = got.counter;
    x.last_counter = last;
    /* replayed */
    assert_int_equal(roomproto_command_verify(bufs[0], ns[0], &k, &x, &got, &why), ROOMPROTO_REPLAY);
    assert_true(sodium_is_zero((const uint8_t *)&got, sizeof got));
    assert_int_equal(roomproto_command_verify(bufs[2], ns[2], &k, &x, &got, &why), ROOMPROTO_OK);
    x.last_counter = got.counter;
    /* out of order */
    assert_int_equal(roomproto_command_verify(bufs[1], ns[1], &k, &x, &got, &why), ROOMPROTO_REPLAY);
    assert_string_equal(why, "console command: counter not above the last one accepted (replayed or out of order)");
    assert_int_equal(roomproto_command_verify(bufs[2], ns[2], &k, &x, &got, &why), ROOMPROTO_REPLAY);
    assert_int_equal(roomproto_command_verify(bufs[3], ns[3], &k, &x, &got, &why), ROOMPROTO_OK);
    /* a counter at the top */
    roomproto_command c;
    sample_command(&c, ROOMPROTO_CMD_LOCK, NULL);
    c.counter = UINT64_MAX;
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    size_t n;
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    x.last_counter = UINT64_MAX - 1;
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_OK);
    x.last_counter = UINT64_MAX;
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_REPLAY);
}

static void test_command_not_for_me(void **state)
{
    (void)state;
    seat s, other;
    new_seat(&s);
    new_seat(&other);
    uint8_t ck[32];
    randombytes_buf(ck, sizeof ck);
    roomproto_keys k;
    keys_of(ck, &k);
    roomproto_command c, got;
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    size_t n;
    const char *why;
    /* a force hand-in for the seat next door */
    sample_command(&c, ROOMPROTO_CMD_FORCE_HANDIN, other.id);
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    roomproto_expect x = expect_for(&s, 0);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_NOT_FOR_ME);
    assert_string_equal(why, "console command: for another seat");
    roomproto_expect xo = expect_for(&other, 0);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &xo, &got, &why), ROOMPROTO_OK);
    /* a pause-all of another room with the same pack */
    sample_command(&c, ROOMPROTO_CMD_PAUSE_ALL, NULL);
    strcpy(c.room, "第4考场");
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_NOT_FOR_ME);
    assert_string_equal(why, "console command: for another room");
    sample_command(&c, ROOMPROTO_CMD_PAUSE_ALL, NULL);
    strcpy(c.site, "上海考点");
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_NOT_FOR_ME);
    /* another pack id (MAC'd with this key, e.g. by a console confused about packs) */
    sample_command(&c, ROOMPROTO_CMD_PAUSE_ALL, NULL);
    c.pack_id[0] ^= 1;
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_NOT_FOR_ME);
    assert_string_equal(why, "console command: for another pack");
}

static void test_command_bounds(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    uint8_t ck[32];
    randombytes_buf(ck, sizeof ck);
    roomproto_keys k;
    keys_of(ck, &k);
    roomproto_command c, got;
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES + 16];
    size_t n;
    const char *why;
#define BAD(type, target, stmt)                                                           \
    do {                                                                                  \
        sample_command(&c, type, target);                                                 \
        stmt;                                                                             \
        why = NULL;                                                                       \
        assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_INVALID); \
        assert_non_null(why);                                                             \
    } while (0)
    BAD(ROOMPROTO_CMD_EXTEND, NULL, c.minutes = 0);
    BAD(ROOMPROTO_CMD_EXTEND, NULL, c.minutes = ROOMPROTO_EXTEND_MAX + 1);
    BAD(ROOMPROTO_CMD_EXTEND, NULL, c.reason[0] = 0);
    BAD(ROOMPROTO_CMD_EXTEND, NULL, strcpy(c.reason, "a\nb"));
    BAD(ROOMPROTO_CMD_LOCK, NULL, c.type = 0);
    BAD(ROOMPROTO_CMD_LOCK, NULL, c.type = ROOMPROTO_CMD_MAX + 1);
    BAD(ROOMPROTO_CMD_LOCK, NULL, c.counter = 0);
    BAD(ROOMPROTO_CMD_LOCK, NULL, memset(c.pack_id, 0, 16));
    BAD(ROOMPROTO_CMD_LOCK, NULL, c.target_all = 2);
    BAD(ROOMPROTO_CMD_LOCK, NULL, strcpy(c.target, "0123456789abcdef"));
    BAD(ROOMPROTO_CMD_LOCK, "0123456789ABCDEF", (void)0);
    BAD(ROOMPROTO_CMD_LOCK, "0123456789abcde", (void)0);
    BAD(ROOMPROTO_CMD_LOCK, NULL, c.room[0] = 0);
#undef BAD
    /* MAC'd garbage: never more than malformed */
    roomproto_expect x = expect_for(&s, 0);
    for (int i = 0; i < 3000; i++) {
        size_t len = randombytes_uniform(ROOMPROTO_CMD_MAX_BYTES + 1);
        randombytes_buf(buf, len);
        if (i & 1 && len >= 5) memcpy(buf, "EXRC\x01", 5);
        if (len >= ROOMPROTO_MAC_BYTES) crypto_auth(buf + len - 32, buf, len - 32, k.mac);
        assert_int_not_equal(roomproto_command_verify(buf, len, &k, &x, &got, &why), ROOMPROTO_OK);
    }
    /* MAC'd, canonical but for a non-zero target on an all-seats command */
    sample_command(&c, ROOMPROTO_CMD_PAUSE_ALL, NULL);
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    buf[4 + 1 + 1 + 1] = 'a';
    crypto_auth(buf + n - 32, buf, n - 32, k.mac);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_MALFORMED);
    /* extra argument bytes on a command that takes none */
    sample_command(&c, ROOMPROTO_CMD_PAUSE_ALL, NULL);
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    memmove(buf + n - 32 + 1, buf + n - 32, 32);
    buf[n - 32] = 0;
    buf[n - 32 - 2] = 1; /* args length 1 */
    n++;
    crypto_auth(buf + n - 32, buf, n - 32, k.mac);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_MALFORMED);
    /* oversize */
    memset(buf, 0, sizeof buf);
    assert_int_equal(roomproto_command_verify(buf, ROOMPROTO_CMD_MAX_BYTES + 1, &k, &x, &got, &why), ROOMPROTO_MALFORMED);
    assert_string_equal(why, "console command: wrong length");
}

/* ---- sealed unlock ---- */

static void sample_unlock(const seat *s, roomproto_unlock *u)
{
    memset(u, 0, sizeof *u);
    memcpy(u->pack_id, PACK, 16);
    strcpy(u->kiosk_id, s->id);
    randombytes_buf(u->content_key, 32);
    randombytes_buf(u->pin_kiosk_salt, 16);
    randombytes_buf(u->pin_unlock_salt, 16);
    pin_cost pc = pin_cost_default();
    u->pin_ops = (uint32_t)pc.ops;
    u->pin_mem = (uint32_t)pc.mem;
    randombytes_buf(u->pin_hash, 32);
}

static void test_unlock_roundtrip(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    roomproto_unlock u, got;
    sample_unlock(&s, &u);
    uint8_t sealed[ROOMPROTO_SEALED_BYTES];
    const char *why = NULL;
    assert_int_equal(roomproto_unlock_seal(&u, s.pk, sealed, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_unlock_open(sealed, sizeof sealed, s.sk, PACK, &got, &why), ROOMPROTO_OK);
    assert_memory_equal(&u, &got, sizeof u);
    assert_true(pin_cost_ok((pin_cost){got.pin_ops, got.pin_mem}));
    /* the content key is not visible in the sealed bytes */
    for (size_t i = 0; i + 32 <= sizeof sealed; i++) assert_memory_not_equal(sealed + i, u.content_key, 32);
    /* two seals of the same differ (an ephemeral key each time) */
    uint8_t sealed2[ROOMPROTO_SEALED_BYTES];
    assert_int_equal(roomproto_unlock_seal(&u, s.pk, sealed2, &why), ROOMPROTO_OK);
    assert_memory_not_equal(sealed, sealed2, sizeof sealed);
    /* in an unlock command, verified with the key it carries */
    roomproto_command c, peeked, got_c;
    sample_command(&c, ROOMPROTO_CMD_UNLOCK, s.id);
    memcpy(c.sealed, sealed, sizeof sealed);
    roomproto_keys k;
    roomproto_keys_derive(u.content_key, &k);
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    size_t n;
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(n, ROOMPROTO_CMD_MAX_BYTES - (ROOMPROTO_SITE_MAX + ROOMPROTO_ROOM_MAX) +
                            strlen(c.site) + strlen(c.room));
    /* the seat: peek, open, (check the pack), verify with the key inside */
    assert_int_equal(roomproto_command_peek(buf, n, &peeked, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_unlock_open(peeked.sealed, sizeof peeked.sealed, s.sk, PACK, &got, &why), ROOMPROTO_OK);
    roomproto_keys kk;
    roomproto_keys_derive(got.content_key, &kk);
    roomproto_expect x = expect_for(&s, 0);
    assert_int_equal(roomproto_command_verify(buf, n, &kk, &x, &got_c, &why), ROOMPROTO_OK);
    sodium_memzero(&kk, sizeof kk);
    sodium_memzero(&got, sizeof got);
}

static void test_unlock_wrong_seat(void **state)
{
    (void)state;
    seat s, other;
    new_seat(&s);
    new_seat(&other);
    roomproto_unlock u, got;
    sample_unlock(&s, &u);
    uint8_t sealed[ROOMPROTO_SEALED_BYTES];
    const char *why = NULL;
    assert_int_equal(roomproto_unlock_seal(&u, s.pk, sealed, &why), ROOMPROTO_OK);
    /* the seat next door cannot open it */
    assert_int_equal(roomproto_unlock_open(sealed, sizeof sealed, other.sk, PACK, &got, &why), ROOMPROTO_SEALED);
    assert_string_equal(why, "sealed unlock: does not open with this seat's device key");
    assert_true(sodium_is_zero((const uint8_t *)&got, sizeof got));
    /* the console refuses to seal a plaintext naming one seat to another's key */
    assert_int_equal(roomproto_unlock_seal(&u, other.pk, sealed, &why), ROOMPROTO_INVALID);
    /* another pack */
    assert_int_equal(roomproto_unlock_seal(&u, s.pk, sealed, &why), ROOMPROTO_OK);
    uint8_t pack2[16];
    memcpy(pack2, PACK, 16);
    pack2[15] ^= 0x80;
    assert_int_equal(roomproto_unlock_open(sealed, sizeof sealed, s.sk, pack2, &got, &why), ROOMPROTO_NOT_FOR_ME);
    assert_string_equal(why, "sealed unlock: for another pack");
    assert_true(sodium_is_zero((const uint8_t *)&got, sizeof got));
    /* every flipped bit */
    for (size_t i = 0; i < sizeof sealed; i++) {
        sealed[i] ^= 0x01;
        assert_int_equal(roomproto_unlock_open(sealed, sizeof sealed, s.sk, PACK, &got, &why), ROOMPROTO_SEALED);
        sealed[i] ^= 0x01;
    }
    assert_int_equal(roomproto_unlock_open(sealed, sizeof sealed - 1, s.sk, PACK, &got, &why), ROOMPROTO_MALFORMED);
    assert_int_equal(roomproto_unlock_open(NULL, 0, s.sk, PACK, &got, &why), ROOMPROTO_MALFORMED);
    /* a plaintext naming another seat, sealed to this seat's key by hand
     * (the console's seal refuses): the binding catches it */
    roomproto_unlock lie;
    sample_unlock(&other, &lie);
    uint8_t plain[ROOMPROTO_UNLOCK_PLAIN], xpk[32];
    size_t o = 0;
    memcpy(plain, "EXRU\x01", 5);
    o = 5;
    memcpy(plain + o, lie.pack_id, 16), o += 16;
    memcpy(plain + o, lie.kiosk_id, 16), o += 16;
    memcpy(plain + o, lie.content_key, 32), o += 32;
    memcpy(plain + o, lie.pin_kiosk_salt, 16), o += 16;
    memcpy(plain + o, lie.pin_unlock_salt, 16), o += 16;
    plain[o++] = (uint8_t)lie.pin_ops, plain[o++] = 0, plain[o++] = 0, plain[o++] = 0;
    for (int i = 0; i < 4; i++) plain[o++] = (uint8_t)(lie.pin_mem >> (8 * i));
    memcpy(plain + o, lie.pin_hash, 32), o += 32;
    assert_int_equal(o, sizeof plain);
    assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(xpk, s.pk), 0);
    assert_int_equal(crypto_box_seal(sealed, plain, sizeof plain, xpk), 0);
    assert_int_equal(roomproto_unlock_open(sealed, sizeof sealed, s.sk, PACK, &got, &why), ROOMPROTO_NOT_FOR_ME);
    assert_string_equal(why, "sealed unlock: sealed for another seat");
    /* and the same with this seat's id opens: the hand-made layout is the format */
    memcpy(plain + 5 + 16, s.id, 16);
    assert_int_equal(crypto_box_seal(sealed, plain, sizeof plain, xpk), 0);
    assert_int_equal(roomproto_unlock_open(sealed, sizeof sealed, s.sk, PACK, &got, &why), ROOMPROTO_OK);
    assert_memory_equal(got.content_key, lie.content_key, 32);
    /* a cost that would stall the kiosk */
    plain[5 + 16 + 16 + 32 + 32] = 21;
    assert_int_equal(crypto_box_seal(sealed, plain, sizeof plain, xpk), 0);
    assert_int_equal(roomproto_unlock_open(sealed, sizeof sealed, s.sk, PACK, &got, &why), ROOMPROTO_MALFORMED);
    assert_string_equal(why, "sealed unlock: PIN verifier cost out of range");
    sodium_memzero(plain, sizeof plain);
}

/* ---- ticket tags ---- */

static void test_ticket_tag(void **state)
{
    (void)state;
    uint8_t ck[32];
    randombytes_buf(ck, sizeof ck);
    roomproto_keys k, k2;
    roomproto_keys_derive(ck, &k);
    ck[0] ^= 1;
    roomproto_keys_derive(ck, &k2);
    uint8_t a[16], b[16], c[16];
    assert_int_equal(roomproto_ticket_tag(&k, "2025110100123", a), ROOMPROTO_OK);
    assert_int_equal(roomproto_ticket_tag(&k, "2025110100123", b), ROOMPROTO_OK);
    assert_memory_equal(a, b, 16);
    assert_int_equal(roomproto_ticket_tag(&k, "2025110100124", c), ROOMPROTO_OK);
    assert_memory_not_equal(a, c, 16);
    assert_int_equal(roomproto_ticket_tag(&k2, "2025110100123", c), ROOMPROTO_OK);
    assert_memory_not_equal(a, c, 16);
    assert_int_equal(roomproto_ticket_tag(&k, "", c), ROOMPROTO_INVALID);
    char longt[40];
    memset(longt, '1', 33);
    longt[33] = 0;
    assert_int_equal(roomproto_ticket_tag(&k, longt, c), ROOMPROTO_INVALID);
    longt[32] = 0;
    assert_int_equal(roomproto_ticket_tag(&k, longt, c), ROOMPROTO_OK);
}

/* ---- journal head mirror ---- */

static void test_mirror(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    /* a journal of 10 entries: heads after each */
    uint8_t heads[10][32];
    uint8_t prev[32] = {0};
    for (int i = 0; i < 10; i++) {
        crypto_generichash(heads[i], 32, prev, 32, (const uint8_t *)&i, sizeof i);
        memcpy(prev, heads[i], 32);
    }
    roomproto_report r;
    sample_report(&s, &r);
    roomproto_mirror m[4];
    uint64_t counts[4] = {0, 3, 3, 10};
    for (int i = 0; i < 4; i++) {
        r.journal_count = counts[i];
        if (counts[i]) memcpy(r.journal_head, heads[counts[i] - 1], 32);
        else memset(r.journal_head, 0, 32);
        roomproto_mirror_of(&r, 1000u * (uint64_t)i, &m[i]);
        assert_string_equal(m[i].kiosk_id, s.id);
        assert_int_equal(m[i].console_ms, 1000u * (uint64_t)i);
    }
    const char *why = NULL;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(roomproto_mirror_in_chain(&m[i], heads, 10, &why), ROOMPROTO_OK);
        for (int j = i; j < 4; j++) assert_int_equal(roomproto_mirror_follows(&m[i], &m[j], &why), ROOMPROTO_OK);
    }
    /* went back */
    assert_int_equal(roomproto_mirror_follows(&m[3], &m[1], &why), ROOMPROTO_DIVERGES);
    assert_string_equal(why, "journal went back: fewer entries than seen before");
    /* equal count, another head */
    roomproto_mirror x = m[2];
    x.head[5] ^= 1;
    assert_int_equal(roomproto_mirror_follows(&m[1], &x, &why), ROOMPROTO_DIVERGES);
    assert_string_equal(why, "journal rewritten: same number of entries, another head");
    /* two seats */
    seat o;
    new_seat(&o);
    x = m[3];
    strcpy(x.kiosk_id, o.id);
    assert_int_equal(roomproto_mirror_follows(&m[1], &x, &why), ROOMPROTO_NOT_FOR_ME);
    /* the hub: a journal rewritten from entry 3 on (same length) */
    uint8_t rewritten[10][32];
    memcpy(rewritten, heads, sizeof heads);
    for (int i = 2; i < 10; i++) rewritten[i][0] ^= 0x55;
    assert_int_equal(roomproto_mirror_in_chain(&m[1], rewritten, 10, &why), ROOMPROTO_DIVERGES);
    assert_string_equal(why, "journal rewritten: the console saw another head at this entry");
    assert_int_equal(roomproto_mirror_in_chain(&m[3], rewritten, 10, &why), ROOMPROTO_DIVERGES);
    /* cut short */
    assert_int_equal(roomproto_mirror_in_chain(&m[3], heads, 9, &why), ROOMPROTO_DIVERGES);
    assert_string_equal(why, "journal cut short: the console saw more entries");
    /* an empty journal seen with a head */
    x = m[0];
    x.head[0] = 1;
    assert_int_equal(roomproto_mirror_in_chain(&x, heads, 10, &why), ROOMPROTO_DIVERGES);
    assert_int_equal(roomproto_mirror_in_chain(&m[0], NULL, 0, &why), ROOMPROTO_OK);
}

/* ---- authorise resume: a sealed unlock, read before the key is known ---- */

static void test_authorise_resume(void **state)
{
    (void)state;
    seat s;
    new_seat(&s);
    roomproto_unlock u, got;
    sample_unlock(&s, &u);
    roomproto_command c, peeked, verified;
    sample_command(&c, ROOMPROTO_CMD_AUTHORISE_RESUME, s.id);
    const char *why = NULL;
    assert_int_equal(roomproto_unlock_seal(&u, s.pk, c.sealed, &why), ROOMPROTO_OK);
    roomproto_keys k;
    roomproto_keys_derive(u.content_key, &k);
    uint8_t buf[ROOMPROTO_CMD_MAX_BYTES];
    size_t n;
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_command_peek(buf, n, &peeked, &why), ROOMPROTO_OK);
    assert_int_equal(peeked.type, ROOMPROTO_CMD_AUTHORISE_RESUME);
    assert_int_equal(roomproto_unlock_open(peeked.sealed, sizeof peeked.sealed, s.sk, PACK, &got, &why), ROOMPROTO_OK);
    roomproto_keys kk;
    roomproto_keys_derive(got.content_key, &kk);
    roomproto_expect x = expect_for(&s, 6);
    assert_int_equal(roomproto_command_verify(buf, n, &kk, &x, &verified, &why), ROOMPROTO_OK);
    assert_memory_equal(&c, &verified, sizeof c);
    /* to every seat it is refused (the box is one seat's) */
    c.target_all = 1;
    c.target[0] = 0;
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_INVALID);
    /* on the wire without its argument: malformed */
    sample_command(&c, ROOMPROTO_CMD_LOCK, s.id);
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    buf[5] = ROOMPROTO_CMD_AUTHORISE_RESUME;
    crypto_auth(buf + n - 32, buf, n - 32, k.mac);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &verified, &why), ROOMPROTO_MALFORMED);
    sodium_memzero(&kk, sizeof kk);
    sodium_memzero(&got, sizeof got);
}

/* ---- name box ---- */

static void test_name_box(void **state)
{
    (void)state;
    uint8_t ck[32];
    randombytes_buf(ck, sizeof ck);
    roomproto_keys k, ko;
    roomproto_keys_derive(ck, &k);
    ck[5] ^= 1;
    roomproto_keys_derive(ck, &ko);
    assert_memory_not_equal(k.name, k.mac, 32);
    assert_memory_not_equal(k.name, k.tag, 32);
    uint8_t box[ROOMPROTO_NAME_BOX_MAX], box2[ROOMPROTO_NAME_BOX_MAX];
    uint8_t len = 0, len2 = 0;
    const char *why = NULL;
    char name[ROOMPROTO_NAME_MAX + 1];
    assert_int_equal(roomproto_name_seal(&k, "张三", box, &len, &why), ROOMPROTO_OK);
    assert_int_equal(len, ROOMPROTO_NAME_BOX_MAX);
    assert_int_equal(roomproto_name_open(&k, box, len, name, &why), ROOMPROTO_OK);
    assert_string_equal(name, "张三");
    /* every name gives a box of one length: the LAN does not learn it */
    assert_int_equal(roomproto_name_seal(&k, "欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜", box2, &len2, &why), ROOMPROTO_OK);
    assert_int_equal(len2, len);
    assert_int_equal(roomproto_name_open(&k, box2, len2, name, &why), ROOMPROTO_OK);
    assert_string_equal(name, "欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜");
    /* a random nonce: the same name twice gives two boxes */
    assert_int_equal(roomproto_name_seal(&k, "张三", box2, &len2, &why), ROOMPROTO_OK);
    assert_memory_not_equal(box, box2, sizeof box);
    /* another pack's key, any flipped bit, a short box */
    assert_int_equal(roomproto_name_open(&ko, box, len, name, &why), ROOMPROTO_BAD_MAC);
    assert_string_equal(name, "");
    for (size_t i = 0; i < sizeof box; i++) {
        box[i] ^= 0x20;
        assert_int_equal(roomproto_name_open(&k, box, len, name, &why), ROOMPROTO_BAD_MAC);
        box[i] ^= 0x20;
    }
    assert_int_equal(roomproto_name_open(&k, box, len - 1, name, &why), ROOMPROTO_MALFORMED);
    assert_int_equal(roomproto_name_open(&k, NULL, 0, name, &why), ROOMPROTO_MALFORMED);
    /* names out of bounds */
    char longn[80];
    memset(longn, 'a', 65);
    longn[65] = 0;
    assert_int_equal(roomproto_name_seal(&k, longn, box2, &len2, &why), ROOMPROTO_INVALID);
    assert_int_equal(len2, 0);
    longn[64] = 0;
    assert_int_equal(roomproto_name_seal(&k, longn, box2, &len2, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_name_open(&k, box2, len2, name, &why), ROOMPROTO_OK);
    assert_string_equal(name, longn);
    assert_int_equal(roomproto_name_seal(&k, "", box2, &len2, &why), ROOMPROTO_INVALID);
    assert_int_equal(roomproto_name_seal(&k, "a\nb", box2, &len2, &why), ROOMPROTO_INVALID);
    /* a box made by hand with bytes after the padding: malformed */
    uint8_t plain[ROOMPROTO_NAME_MAX] = "abc";
    plain[10] = 'x';
    randombytes_buf(box2, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box2 + crypto_secretbox_NONCEBYTES, plain, sizeof plain, box2, k.name);
    assert_int_equal(roomproto_name_open(&k, box2, sizeof box2, name, &why), ROOMPROTO_MALFORMED);
    assert_string_equal(why, "name box: not a name padded with zero bytes");
    assert_string_equal(name, "");
    /* in a report, signed with it */
    seat s;
    new_seat(&s);
    roomproto_report r, got;
    sample_report(&s, &r);
    assert_int_equal(roomproto_name_seal(&k, "李四", r.name_box, &r.name_box_len, &why), ROOMPROTO_OK);
    uint8_t buf[ROOMPROTO_REPORT_MAX];
    size_t n;
    assert_int_equal(roomproto_report_sign(&r, s.sk, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_report_verify(buf, n, s.pk, &got, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_name_open(&k, got.name_box, got.name_box_len, name, &why), ROOMPROTO_OK);
    assert_string_equal(name, "李四");
}

/* ---- active tickets ---- */

static void sample_active(roomproto_active *a, int n)
{
    memset(a, 0, sizeof *a);
    memcpy(a->pack_id, PACK, 16);
    strcpy(a->site, "北京市第一考点");
    strcpy(a->room, "第3考场");
    a->generation = 5;
    a->wall_ms = 1750000000555ull;
    a->n = (uint8_t)n;
    for (int i = 0; i < n; i++) {
        memset(a->e[i].ticket_tag, i + 1, 16);
        snprintf(a->e[i].kiosk_id, sizeof a->e[i].kiosk_id, "%016x", 0xa0 + i);
    }
}

static void test_active(void **state)
{
    (void)state;
    uint8_t ck[32];
    randombytes_buf(ck, sizeof ck);
    roomproto_keys k, ko;
    roomproto_keys_derive(ck, &k);
    ck[0] ^= 1;
    roomproto_keys_derive(ck, &ko);
    seat s;
    new_seat(&s);
    roomproto_expect x = expect_for(&s, 0);
    roomproto_active a, got;
    uint8_t buf[ROOMPROTO_ACTIVE_MAX_BYTES + 8];
    size_t n;
    const char *why = NULL;
    for (int cnt = 0; cnt <= ROOMPROTO_ACTIVE_MAX; cnt += 16) {
        sample_active(&a, cnt);
        assert_int_equal(roomproto_active_seal(&a, &k, buf, sizeof buf, &n, &why), ROOMPROTO_OK);
        assert_int_equal(n, ROOMPROTO_ACTIVE_FIXED + strlen(a.site) + strlen(a.room) + 32u * (unsigned)cnt + 32);
        assert_int_equal(roomproto_active_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_OK);
        assert_memory_equal(&a, &got, sizeof a);
        assert_int_equal(roomproto_frame_kind(buf, n), ROOMPROTO_FRAME_ACTIVE);
    }
    /* the largest fits its bound exactly */
    sample_active(&a, ROOMPROTO_ACTIVE_MAX);
    memset(a.site, 'S', ROOMPROTO_SITE_MAX);
    a.site[ROOMPROTO_SITE_MAX] = 0;
    memset(a.room, 'R', ROOMPROTO_ROOM_MAX);
    a.room[ROOMPROTO_ROOM_MAX] = 0;
    assert_int_equal(roomproto_active_seal(&a, &k, buf, sizeof buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(n, ROOMPROTO_ACTIVE_MAX_BYTES);
    assert_int_equal(roomproto_active_seal(&a, &k, buf, n - 1, &n, &why), ROOMPROTO_INVALID);
    /* tampered anywhere, or with another pack's key */
    sample_active(&a, 3);
    assert_int_equal(roomproto_active_seal(&a, &k, buf, sizeof buf, &n, &why), ROOMPROTO_OK);
    for (size_t i = 0; i < n; i++) {
        buf[i] ^= 4;
        assert_int_equal(roomproto_active_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_BAD_MAC);
        assert_true(sodium_is_zero((const uint8_t *)&got, sizeof got));
        buf[i] ^= 4;
    }
    for (size_t m = 0; m < n; m++) assert_int_not_equal(roomproto_active_verify(buf, m, &k, &x, &got, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_active_verify(buf, n, &ko, &x, &got, &why), ROOMPROTO_BAD_MAC);
    assert_string_equal(why, "active tickets: MAC does not verify (not made with this pack's key)");
    /* generations: an older one replayed is refused, the same one read again is not */
    x.last_counter = 5;
    assert_int_equal(roomproto_active_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_OK);
    x.last_counter = 6;
    assert_int_equal(roomproto_active_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_REPLAY);
    assert_string_equal(why, "active tickets: an older generation than one already seen");
    x.last_counter = 0;
    /* another room, site, pack */
    sample_active(&a, 3);
    strcpy(a.room, "第4考场");
    assert_int_equal(roomproto_active_seal(&a, &k, buf, sizeof buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_active_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_NOT_FOR_ME);
    assert_string_equal(why, "active tickets: for another room");
    sample_active(&a, 3);
    a.pack_id[2] ^= 1;
    assert_int_equal(roomproto_active_seal(&a, &k, buf, sizeof buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_active_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_NOT_FOR_ME);
    assert_string_equal(why, "active tickets: for another pack");
    /* bounds of the encoder */
#define BAD(stmt)                                                                                       \
    do {                                                                                                \
        sample_active(&a, 3);                                                                           \
        stmt;                                                                                           \
        why = NULL;                                                                                     \
        assert_int_equal(roomproto_active_seal(&a, &k, buf, sizeof buf, &n, &why), ROOMPROTO_INVALID); \
        assert_non_null(why);                                                                           \
    } while (0)
    BAD(a.generation = 0);
    BAD(memset(a.pack_id, 0, 16));
    BAD(a.site[0] = 0);
    BAD(memset(a.e[1].ticket_tag, 0, 16));
    BAD(a.e[2].kiosk_id[0] = 'X');
    BAD(a.n = ROOMPROTO_ACTIVE_MAX + 1);
    BAD(a.e[5].kiosk_id[0] = 'a');
#undef BAD
    /* a count byte above 64, MAC'd with the right key: malformed */
    sample_active(&a, 0);
    assert_int_equal(roomproto_active_seal(&a, &k, buf, sizeof buf, &n, &why), ROOMPROTO_OK);
    buf[n - 33] = ROOMPROTO_ACTIVE_MAX + 1;
    crypto_auth(buf + n - 32, buf, n - 32, k.mac);
    assert_int_equal(roomproto_active_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_MALFORMED);
    /* MAC'd garbage */
    for (int i = 0; i < 2000; i++) {
        size_t len = randombytes_uniform(ROOMPROTO_ACTIVE_MAX_BYTES + 1);
        randombytes_buf(buf, len);
        if (i & 1 && len >= 5) memcpy(buf, "EXRA\x01", 5);
        if (len >= ROOMPROTO_MAC_BYTES) crypto_auth(buf + len - 32, buf, len - 32, k.mac);
        assert_int_not_equal(roomproto_active_verify(buf, len, &k, &x, &got, &why), ROOMPROTO_OK);
    }
    /* a command is not an active set, nor the other way round */
    roomproto_command c, gc;
    sample_command(&c, ROOMPROTO_CMD_PAUSE_ALL, NULL);
    assert_int_equal(roomproto_command_seal(&c, &k, buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_frame_kind(buf, n), ROOMPROTO_FRAME_COMMAND);
    assert_int_equal(roomproto_active_verify(buf, n, &k, &x, &got, &why), ROOMPROTO_MALFORMED);
    sample_active(&a, 1);
    assert_int_equal(roomproto_active_seal(&a, &k, buf, sizeof buf, &n, &why), ROOMPROTO_OK);
    assert_int_equal(roomproto_command_verify(buf, n, &k, &x, &gc, &why), ROOMPROTO_MALFORMED);
    assert_int_equal(roomproto_frame_kind(buf, 3), 0);
    assert_int_equal(roomproto_frame_kind((const uint8_t *)"EXRR", 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_roundtrip),  cmocka_unit_test(test_report_tamper),
        cmocka_unit_test(test_report_wrong_key),  cmocka_unit_test(test_report_bounds),
        cmocka_unit_test(test_command_roundtrip), cmocka_unit_test(test_command_tamper),
        cmocka_unit_test(test_command_wrong_key), cmocka_unit_test(test_command_replay),
        cmocka_unit_test(test_command_not_for_me), cmocka_unit_test(test_command_bounds),
        cmocka_unit_test(test_unlock_roundtrip),  cmocka_unit_test(test_unlock_wrong_seat),
        cmocka_unit_test(test_ticket_tag),        cmocka_unit_test(test_mirror),
        cmocka_unit_test(test_authorise_resume),  cmocka_unit_test(test_name_box),
        cmocka_unit_test(test_active),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
