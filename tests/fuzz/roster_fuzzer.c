/* libFuzzer target: roster CSV reading, signed-roster body parsing (format
 * 3: ticket, level, seat, extra minutes, nonce, sealed name; and format 2,
 * without the extra minutes) and lookup, and the signed-roster reader
 * (roster.c). */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/diag.h"
#include "core/roster.h"

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
    roster r;
    diag d;
    diag_init(&d);
    if (roster_parse_csv((const char *)data, size, &r, &d) == 0) roster_free(&r);
    diag_free(&d);
    char *why = NULL;
    static const uint32_t versions[] = {ROSTER_VERSION, ROSTER_VERSION_NO_EXTRA};
    for (size_t v = 0; v < sizeof versions / sizeof *versions; v++) {
        if (roster_parse_body((const char *)data, size, versions[v], &r, &why) == 0) {
            char name[ROSTER_NAME_MAX + 1]; /* r.kdf is zero: the KDF refuses at once, the entry search still runs */
            (void)roster_lookup(&r, r.n ? r.e[0].ticket : "T1", "11010519491231002X", name);
            roster_free(&r);
        }
        free(why);
        why = NULL;
    }
    static const uint8_t pk[32] = {1};
    if (roster_read(data, size, pk, &r, &why) == 0) roster_free(&r);
    free(why);
    return 0;
}
