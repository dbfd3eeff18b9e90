/* libFuzzer target: blueprint INI parsing (blueprint.c via libinih), and
 * resolution against a fixed small bank. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/bank.h"
#include "core/blueprint.h"
#include "core/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char BANK[] =
    "id,type,section,stem,A,B,answer,points\n"
    "J1,judge,a,s1,,,T,\nJ2,judge,b,s2,,,F,\nS1,single,a,s3,x,y,A,\nS2,single,b,s4,x,y,B,2\n"
    "F1,fill,a,s5 ___,,,x|y,\nN1,numeric,b,s6,,,1.5±0.1,\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bank b;
    static int loaded;
    diag d;
    diag_init(&d);
    if (!loaded) {
        if (bank_parse(BANK, strlen(BANK), &b, &d) != 0) __builtin_trap();
        loaded = 1;
    }
    blueprint bp;
    if (blueprint_parse((const char *)data, size, &bp, &d) == 0) {
        bp_plan plan;
        if (blueprint_resolve(&bp, &b, &plan, &d) == 0) blueprint_plan_free(&plan);
        blueprint_free(&bp);
    }
    diag_free(&d);
    return 0;
}
