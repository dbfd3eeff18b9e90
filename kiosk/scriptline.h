/* scriptline: splitting one line of a kiosk script into its command and
 * argument, without SDL (so it is unit-tested and fuzzed like core). */
#ifndef SCRIPTLINE_H
#define SCRIPTLINE_H

enum { CMD_NONE, CMD_TEXT, CMD_KEY, CMD_CLICK, CMD_WAIT, CMD_SHOT, CMD_EXPECT, CMD_CRASH_AFTER, CMD_FAIL_WRITES,
       CMD_BENCH_REDRAW, CMD_REALTIME, CMD_COMPOSE, CMD_ABSENT, CMD_UNTIL, CMD_COUNT };

/* Strips the line end, skips leading blanks, splits at the first blank.
 * Returns the command (CMD_TEXT…), CMD_NONE for a blank line or a # comment,
 * -1 for an unknown command. *arg points into LINE (the rest, unchanged). */
int script_parse_line(char *line, char **arg);

/* The command's name as written in scripts. */
const char *script_command_name(int cmd);

#endif
