/* libFuzzer target: reading USB result bundles (bundle.c). */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/bundle.h"

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
    bundle b;
    char *why = NULL;
    if (bundle_read(data, size, &b, &why) == 0) {
        for (size_t i = 0; i < b.n; i++)
            if (b.items[i].data < data || b.items[i].data + b.items[i].len > data + size) __builtin_trap();
        bundle_free(&b);
    }
    free(why);
    return 0;
}
