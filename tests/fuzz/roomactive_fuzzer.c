/* libFuzzer target: the room console's active-tickets message and the
 * report's name box (core/roomproto.c, FORMAT.md §16):
 * roomproto_active_verify of the input as it is, and of the input's body
 * MAC'd again with a fixed key so that every input reaches the decoder
 * behind the MAC; roomproto_name_open of the input as a name box. A set
 * that decodes must encode again to exactly the same bytes (the layout is
 * canonical) and name this seat's pack and room; a name that opens must
 * seal and open again to the same text; a refusal must say why and leave
 * the output zero.
 *
 * The content key is derived from the same fixed public label as the
 * command fuzzer's, so the seeds in corpus/roomactive/ (made once with it)
 * verify as they are. It protects nothing. */
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

/* the seeds' seat: pack 01 02 … 10, 北京市第一考点 / 第3考场 */
static const uint8_t PACK[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void check_active(const uint8_t *buf, size_t len, uint64_t last)
{
    roomproto_active a;
    const char *why = NULL;
    roomproto_expect x = {PACK, "北京市第一考点", "第3考场", "0123456789abcdef", last};
    if (roomproto_active_verify(buf, len, &keys, &x, &a, &why) != ROOMPROTO_OK) {
        if (!why || !sodium_is_zero((const uint8_t *)&a, sizeof a)) abort();
        return;
    }
    if (a.generation < last || memcmp(a.pack_id, PACK, 16) || a.n > ROOMPROTO_ACTIVE_MAX) abort();
    uint8_t again[ROOMPROTO_ACTIVE_MAX_BYTES];
    size_t n = 0;
    if (roomproto_active_seal(&a, &keys, again, sizeof again, &n, &why) != ROOMPROTO_OK) abort();
    if (n != len || memcmp(again, buf, len)) abort();
    if (roomproto_frame_kind(buf, len) != ROOMPROTO_FRAME_ACTIVE) abort();
}

static void check_name(const uint8_t *buf, size_t len)
{
    char name[ROOMPROTO_NAME_MAX + 1], again[ROOMPROTO_NAME_MAX + 1];
    const char *why = NULL;
    if (roomproto_name_open(&keys, buf, len, name, &why) != ROOMPROTO_OK) {
        if (!why || name[0]) abort();
        return;
    }
    uint8_t box[ROOMPROTO_NAME_BOX_MAX], blen = 0;
    if (roomproto_name_seal(&keys, name, box, &blen, &why) != ROOMPROTO_OK) abort();
    if (roomproto_name_open(&keys, box, blen, again, &why) != ROOMPROTO_OK || strcmp(name, again)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_active(data, size, 0);
    check_name(data, size);
    if (size >= ROOMPROTO_MAC_BYTES && size <= ROOMPROTO_ACTIVE_MAX_BYTES) {
        uint8_t *b = malloc(size);
        if (!b) return 0;
        memcpy(b, data, size);
        crypto_auth(b + size - ROOMPROTO_MAC_BYTES, b, size - ROOMPROTO_MAC_BYTES, keys.mac);
        check_active(b, size, 0);
        check_active(b, size, 100);
        free(b);
    }
    if (size == ROOMPROTO_NAME_BOX_MAX) {
        /* the input's plaintext part boxed with the fixed key: every input reaches the padding check */
        uint8_t box[ROOMPROTO_NAME_BOX_MAX];
        memcpy(box, data, crypto_secretbox_NONCEBYTES);
        crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, data + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES,
                              ROOMPROTO_NAME_MAX, box, keys.name);
        check_name(box, sizeof box);
    }
    return 0;
}
