/* scriptline: one line of a kiosk script → command + argument. */
#include "kiosk/scriptline.h"

#include <string.h>

static const char *CMDS[CMD_COUNT] = {"", "text", "key", "click", "wait", "shot", "expect", "crash", "fail_writes",
                                      "bench_redraw", "realtime", "compose", "absent", "until"};

const char *script_command_name(int cmd) { return cmd > 0 && cmd < CMD_COUNT ? CMDS[cmd] : ""; }

int script_parse_line(char *line, char **arg)
{
    *arg = NULL;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (!*p || *p == '#') return CMD_NONE;
    char *sp = p;
    while (*sp && *sp != ' ' && *sp != '\t') sp++;
    char *rest = sp;
    if (*sp) {
        *sp = 0;
        rest = sp + 1;
    }
    for (int i = 1; i < CMD_COUNT; i++)
        if (!strcmp(p, CMDS[i])) {
            *arg = rest;
            return i;
        }
    return -1;
}
