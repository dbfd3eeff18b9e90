/* cmdtab: dispatch by command name, one getopt_long parser, and usage and
 * help text generated from a program's command table. See cmdtab.h. */
#include "tools/cmdtab.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define HELP_ID (-2) /* getopt_long val of --help: no program option uses it */

const cmd *cmdtab_find(const cmdtab *t, const char *name)
{
    for (const cmd *c = t->cmds; c->name || c->summary; c++)
        if (c->run && !strcmp(c->name, name)) return c;
    return NULL;
}

/* ---- text ------------------------------------------------------------------ */

static int name_width(const cmdtab *t)
{
    int w = 0;
    for (const cmd *c = t->cmds; c->name || c->summary; c++)
        if (c->run && (int)strlen(c->name) > w) w = (int)strlen(c->name);
    return w;
}

/* TEXT with each '\n' followed by INDENT spaces; ends with a newline */
static void put_indented(FILE *f, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n' && p[1]) fprintf(f, "%*s", indent, "");
    }
    fputc('\n', f);
}

/* "  PROG NAME  ARGS" (LEAD instead of two spaces), NAME padded to WIDTH */
static void put_synopsis(FILE *f, const cmdtab *t, const cmd *c, const char *lead, int width)
{
    int col = fprintf(f, "%s%s %-*s", lead, t->prog, width, c->name);
    if (c->args && *c->args) {
        fputc(' ', f);
        put_indented(f, c->args, col + 1);
    } else
        fputc('\n', f);
}

static void put_usage(FILE *f, const cmdtab *t)
{
    int w = name_width(t);
    fputs("usage:\n", f);
    for (const cmd *c = t->cmds; c->name || c->summary; c++) {
        if (c->run) put_synopsis(f, t, c, "  ", w);
        else fprintf(f, "%s\n", c->summary);
    }
}

static void put_help(const cmdtab *t)
{
    printf("%s\n\n", t->about);
    put_usage(stdout, t);
    int w = name_width(t) + 1;
    if (w < 8) w = 8;
    putchar('\n');
    for (const cmd *c = t->cmds; c->name || c->summary; c++) {
        if (!c->run) continue;
        printf("%-*s ", w, c->name);
        put_indented(stdout, c->help ? c->help : c->summary, w + 1);
    }
    if (t->footer) printf("\n%s", t->footer);
}

static void put_cmd_help(const cmdtab *t, const cmd *c)
{
    put_synopsis(stdout, t, c, "usage: ", 0);
    printf("\n%s\n", c->summary);
    if (c->help) {
        putchar('\n');
        put_indented(stdout, c->help, 0);
    }
}

int cmdtab_misuse(const cmdtab *t, const char *cmdname, const char *reason)
{
    const cmd *c = cmdname ? cmdtab_find(t, cmdname) : NULL;
    fprintf(stderr, "%s: %s\n", t->prog, reason);
    if (c) {
        put_synopsis(stderr, t, c, "usage: ", 0);
        fprintf(stderr, "(%s %s --help for more)\n", t->prog, c->name);
    } else
        put_usage(stderr, t);
    return CMDTAB_EXIT_MISUSE;
}

/* ---- parsing ------------------------------------------------------------------ */

static int is_help(const char *s)
{
    return !strcmp(s, "--help") || !strcmp(s, "-h") || !strcmp(s, "help");
}

int cmdtab_main(const cmdtab *t, int argc, char **argv, void *ctx)
{
    if (argc < 2) return cmdtab_misuse(t, NULL, "no command given");
    if (is_help(argv[1])) { /* PROG --help [CMD] */
        const cmd *c = argc > 2 ? cmdtab_find(t, argv[2]) : NULL;
        if (argc > 2 && !c) {
            char m[160];
            snprintf(m, sizeof m, "no command '%.100s'", argv[2]);
            return cmdtab_misuse(t, NULL, m);
        }
        if (c) put_cmd_help(t, c);
        else put_help(t);
        return 0;
    }
    const cmd *c = cmdtab_find(t, argv[1]);
    if (!c) {
        char m[160];
        snprintf(m, sizeof m, "unknown command '%.100s'", argv[1]);
        return cmdtab_misuse(t, NULL, m);
    }

    size_t n = 0;
    while (t->opts && t->opts[n].name) n++;
    struct option *lo = calloc(n + 2, sizeof *lo);
    if (!lo) {
        fprintf(stderr, "%s: out of memory\n", t->prog);
        return 1;
    }
    if (n) memcpy(lo, t->opts, n * sizeof *lo);
    lo[n] = (struct option){"help", no_argument, 0, HELP_ID};

    /* "-": operands come back in order as CMDTAB_OPERAND; -h is help */
    int help = 0, rc = 0, ch;
    const char *why = NULL;
    opterr = 0;
    optind = 2;
    while (!rc && (ch = getopt_long(argc, argv, "-h", lo, NULL)) != -1) {
        if (ch == HELP_ID || ch == 'h') help = 1;
        else if (ch == '?' || ch == ':') {
            char m[160];
            snprintf(m, sizeof m, "unknown or incomplete option '%.100s'", argv[optind - 1]);
            rc = cmdtab_misuse(t, c->name, m);
        } else if (t->option(ctx, ch, optarg, &why))
            rc = cmdtab_misuse(t, c->name, why ? why : "bad option");
    }
    for (int i = optind; !rc && i < argc; i++) /* operands after "--" */
        if (t->option(ctx, CMDTAB_OPERAND, argv[i], &why)) rc = cmdtab_misuse(t, c->name, why ? why : "bad argument");
    free(lo);
    if (rc) return rc;
    if (help) {
        put_cmd_help(t, c);
        return 0;
    }
    return c->run(ctx);
}

/* ---- secrets on the command line or standard input ------------------------------- */

int cmdtab_secret(const char *arg, const char *prompt, char *buf, size_t size, const char **why)
{
    if (strcmp(arg, "-")) {
        size_t n = strlen(arg);
        if (n >= size) return *why = "too long", -1;
        memcpy(buf, arg, n + 1);
        sodium_memzero((char *)arg, n); /* argv's own copy: writable, and what /proc/PID/cmdline shows */
        return 0;
    }
    struct termios saved, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        fprintf(stderr, "%s: ", prompt);
        fflush(stderr);
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    size_t n = 0;
    int rc = 0, too_long = 0;
    for (;;) {
        char c;
        ssize_t r = read(STDIN_FILENO, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { rc = -1; *why = "cannot read standard input"; break; }
        if (r == 0 || c == '\n') break;
        if (n + 1 < size) buf[n++] = c;
        else too_long = 1; /* read on to the end of the line, keep nothing more */
        c = 0;
    }
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fputc('\n', stderr);
    }
    if (n && buf[n - 1] == '\r') n--;
    buf[n] = 0;
    if (!rc && too_long) { rc = -1; *why = "the line on standard input is too long"; }
    if (!rc && n == 0) { rc = -1; *why = "nothing on standard input (give the value on one line)"; }
    if (rc) sodium_memzero(buf, size);
    return rc;
}

static volatile sig_atomic_t stop_flag;
static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

volatile sig_atomic_t *cmdtab_stop_on_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &stop_flag;
}
