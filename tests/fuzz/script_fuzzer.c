/* libFuzzer target: the kiosk script line parser (kiosk/scriptline.c),
 * line by line over arbitrary input, as script_run reads a file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/scriptline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    for (char *line = buf; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        char *arg;
        int cmd = script_parse_line(line, &arg);
        if (cmd > 0 && (!arg || arg < buf || arg > buf + size)) __builtin_trap();
        if (cmd > 0) (void)strlen(script_command_name(cmd));
        line = nl ? nl + 1 : NULL;
    }
    free(buf);
    return 0;
}
