/* libFuzzer target: the room console's commands (core/roomproto.c,
 * FORMAT.md §16): roomproto_command_verify of the input as it is, and of
 * the input's body MAC'd again with a fixed key so that every input reaches
 * the decoder behind the MAC; roomproto_command_peek. A command that
 * decodes must encode again to exactly the same bytes (the layout is
 * canonical); the replay and target checks must hold for what is accepted.
 *
 * The content key is derived from a fixed public label, so the seeds in
 * corpus/roomcmd/ (made once with it) verify as they are. It protects
 * nothing. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/roomproto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static roomproto_keys keys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) return 1;
    uint8_t ck[32];
    static const char label[] = "roomproto fuzzer public test content key";
    crypto_generichash(ck, sizeof ck, (const uint8_t *)label, sizeof label - 1, NULL, 0);
    roomproto_keys_derive(ck, &keys);
    return 0;
}

/* the seeds' seat: pack 01 02 … 10, 北京市第一考点 / 第3考场, kiosk 0123456789abcdef */
static const uint8_t PACK[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void check(const uint8_t *buf, size_t len, int peek, uint64_t last)
{
    roomproto_command c;
    const char *why = NULL;
    roomproto_expect x = {PACK, "北京市第一考点", "第3考场", "0123456789abcdef", last};
    roomproto_rc rc = peek ? roomproto_command_peek(buf, len, &c, &why)
                           : roomproto_command_verify(buf, len, &keys, &x, &c, &why);
    if (rc != ROOMPROTO_OK) {
        if (!why || !sodium_is_zero((const uint8_t *)&c, sizeof c)) abort();
        return;
    }
    if (!peek && (c.counter <= last || (!c.target_all && strcmp(c.target, x.kiosk_id)) ||
                  memcmp(c.pack_id, PACK, 16)))
        abort();
    uint8_t again[ROOMPROTO_CMD_MAX_BYTES];
    size_t n = 0;
    if (roomproto_command_seal(&c, &keys, again, &n, &why) != ROOMPROTO_OK) abort();
    if (n != len || memcmp(again, buf, len - (peek ? ROOMPROTO_MAC_BYTES : 0))) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size, 0, 0);
    check(data, size, 1, 0);
    if (size >= ROOMPROTO_MAC_BYTES && size <= ROOMPROTO_CMD_MAX_BYTES) {
        uint8_t *b = malloc(size);
        if (!b) return 0;
        memcpy(b, data, size);
        crypto_auth(b + size - ROOMPROTO_MAC_BYTES, b, size - ROOMPROTO_MAC_BYTES, keys.mac);
        check(b, size, 0, 0);
        check(b, size, 0, 100);
        free(b);
    }
    return 0;
}
