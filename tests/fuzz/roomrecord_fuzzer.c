/* libFuzzer target: the hub's reader of room records (tools/hub/roomrecord.c,
 * FORMAT.md §17) and of console.pub: any input is refused with a reason
 * and nothing left in the output, or read within the record's bounds; a
 * signature check never reads past the input. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/hub/roomrecord.h"

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
    roomrec r;
    char *why = NULL;
    if (roomrec_parse(data, size, &r, &why) == 0) {
        if (why || r.npacks > ROOMREC_MAX_PACKS || r.nseats > ROOMREC_MAX_SEATS || r.ncands > ROOMREC_MAX_CANDIDATES) abort();
        for (int i = 0; i < r.nseats; i++)
            if (r.seats[i].nheads > ROOMREC_MAX_HEADS || strlen(r.seats[i].kiosk_id) != 16) abort();
        (void)roomrec_verify(data, size, &r);
        roomrec_free(&r);
    } else {
        if (!why || r.nseats || r.seats || r.cands) abort(); /* a refusal says why and leaves nothing */
        free(why);
    }
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    why = NULL;
    if (roomrec_console_pub(data, size, pk, &why) == 0) {
        if (why) abort();
    } else {
        if (!why) abort();
        free(why);
    }
    return 0;
}
