/* libFuzzer target: CSV reading and question-bank validation (csv.c, bank.c). */
#include <stddef.h>
#include <stdint.h>

#include "core/bank.h"
#include "core/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bank b;
    diag d;
    diag_init(&d);
    if (bank_parse((const char *)data, size, &b, &d) == 0) bank_free(&b);
    diag_free(&d);
    return 0;
}
