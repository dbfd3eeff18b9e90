/* libFuzzer target: reading packs (pack.c): header and metadata parsing,
 * signature check, and the decrypt/inflate path with a fixed key. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/pack.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sodium_init() < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pack_info info;
    char *why = NULL;
    static const uint8_t pk[32] = {7};
    static const uint8_t key[PACK_KEY_BYTES] = {9};
    if (pack_verify(data, size, pk, &info, &why) != PACK_OK) {
        free(why);
        why = NULL;
    }
    /* past the signature the reader must still be safe on any bytes */
    if (pack_parse_header(data, size, &info, &why) == PACK_OK) {
        uint8_t *img = NULL;
        size_t len = 0;
        if (pack_decrypt(data, size, key, &img, &len, &why) == PACK_OK) sqlite3_free(img);
    }
    free(why);
    return 0;
}
