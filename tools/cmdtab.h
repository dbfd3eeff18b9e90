/* cmdtab: the command table and the one command-line parser of the tools
 * (exampack, examsync; examhub to follow). A program describes its commands
 * and options in tables; cmdtab dispatches by name, parses the options with
 * getopt_long, answers --help, -h and `help` and writes the usage text from
 * the table (as tmux's cmd_entry and cmd_table). This is the programs' main()
 * layer: it prints to stdout/stderr, it never exits. */
#ifndef CMDTAB_H
#define CMDTAB_H

#include <getopt.h>
#include <signal.h>
#include <stddef.h>

/* exit codes: misuse (a bad command line) is 2, as before */
#define CMDTAB_EXIT_MISUSE 2

/* the option id a program's option handler sees for an operand (a FILE);
 * program options must use other vals than this and 'h' (-h is help) */
#define CMDTAB_OPERAND 1

/* One command. A row with run == NULL is a heading between groups of
 * commands (summary is the heading's text). */
typedef struct cmd {
    const char *name;    /* "build" */
    const char *args;    /* synopsis after the name; '\n' continues on the next usage line */
    const char *summary; /* one line, for `PROG CMD --help` */
    const char *help;    /* optional: the longer description, lines separated by '\n' */
    int (*run)(void *ctx); /* returns the exit code; ctx is the program's options */
} cmd;

/* A program's table. option() is called for each option and each operand in
 * order (id = the option's val, or CMDTAB_OPERAND with the operand in arg);
 * it returns 0, or a misuse reason in *why (a static string) and non-zero. */
typedef struct cmdtab {
    const char *prog;           /* "exampack" */
    const char *about;          /* first line of PROG --help */
    const char *footer;         /* optional: after the commands in PROG --help */
    const cmd *cmds;            /* ends with a row whose name and summary are NULL */
    const struct option *opts;  /* getopt_long options, without help; ends with {0} */
    int (*option)(void *ctx, int id, const char *arg, const char **why);
} cmdtab;

/* The whole command line: argv[1] names the command, the rest are its
 * options and operands. Handles `PROG --help|-h|help [CMD]` and
 * `PROG CMD --help|-h` (stdout, 0); no command, an unknown command or a bad
 * option is misuse: one line "PROG: reason" and the usage on stderr, 2.
 * Otherwise returns the command's run(ctx). ctx is the caller's options
 * struct, set to its defaults beforehand. */
int cmdtab_main(const cmdtab *t, int argc, char **argv, void *ctx);

/* Misuse found by a command itself: "PROG: reason" and the usage of command
 * CMDNAME (all commands when NULL or unknown) on stderr. Returns 2. */
int cmdtab_misuse(const cmdtab *t, const char *cmdname, const char *reason);

/* A secret given as an option's value (--release-code CODE), copied into
 * BUF (SIZE bytes, NUL-terminated; the caller wipes it with sodium_memzero).
 * ARG "-" reads it from standard input instead: one line, read byte by byte
 * (no stdio buffer keeps a copy); when stdin is a terminal, "PROMPT: " goes
 * to stderr and echo is off while it is typed. A value given on the command
 * line is wiped from argv once copied, so /proc/PID/cmdline shows it only
 * until the program has parsed it: "-" keeps it out of /proc altogether.
 * Returns 0, or -1 with *WHY (a static string): nothing on stdin, a line
 * longer than SIZE - 1, a read error. */
int cmdtab_secret(const char *arg, const char *prompt, char *buf, size_t size, const char **why)
    __attribute__((warn_unused_result));

/* Installs the stop handler for SIGINT and SIGTERM (the daemons and servers
 * end their loop on either) and returns the flag it sets: 0 until a signal
 * came, then 1. One flag per process (a signal handler has nowhere else to
 * write). */
volatile sig_atomic_t *cmdtab_stop_on_signals(void);

/* The table row named NAME, or NULL. */
const cmd *cmdtab_find(const cmdtab *t, const char *name);

#endif
