/* script: scripted input with a virtual clock, screenshots and `expect`;
 * `bench_redraw` and `realtime` measure for make bench. */
#include "kiosk/script.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/scriptline.h"

static void deliver(app *a, SDL_Event *ev)
{
    ev->common.timestamp = (Uint32)a->vclock;
    app_event(a, ev);
}

/* "ctrl+alt+i", "shift+Tab", "Return", "a" → key down (+ text) + key up */
static int do_key(app *a, const char *spec, char **why)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", spec);
    Uint16 mod = 0;
    char *name = buf;
    for (char *plus; (plus = strchr(name, '+')) && plus[1];) {
        *plus = 0;
        if (!strcasecmp(name, "ctrl")) mod |= KMOD_LCTRL;
        else if (!strcasecmp(name, "alt")) mod |= KMOD_LALT;
        else if (!strcasecmp(name, "shift")) mod |= KMOD_LSHIFT;
        else if (!strcasecmp(name, "super") || !strcasecmp(name, "gui")) mod |= KMOD_LGUI;
        else {
            *why = strdup("unknown modifier (ctrl, alt, shift, super)");
            return -1;
        }
        name = plus + 1;
    }
    if (!strcasecmp(name, "BackSpace")) name = "Backspace";
    SDL_Keycode k = SDL_GetKeyFromName(name);
    if (k == SDLK_UNKNOWN) {
        *why = strdup("unknown key name (SDL key names: Return, Tab, Backspace, PageDown, F10, a, 1, …)");
        return -1;
    }
    /* as with a real keyboard, the key types text only if text input was
     * active when it was pressed */
    int typing = SDL_IsTextInputActive();
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_KEYDOWN;
    ev.key.state = SDL_PRESSED;
    ev.key.keysym.sym = k;
    ev.key.keysym.scancode = SDL_GetScancodeFromKey(k);
    ev.key.keysym.mod = mod;
    deliver(a, &ev);
    /* a printable key also types its character while text input is active */
    if (typing && k >= 32 && k < 127 && !(mod & (KMOD_CTRL | KMOD_ALT | KMOD_GUI))) {
        char c = (char)k;
        if (mod & KMOD_SHIFT) c = (char)toupper((unsigned char)c);
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_TEXTINPUT;
        ev.text.text[0] = c;
        deliver(a, &ev);
    }
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_KEYUP;
    ev.key.state = SDL_RELEASED;
    ev.key.keysym.sym = k;
    ev.key.keysym.scancode = SDL_GetScancodeFromKey(k);
    ev.key.keysym.mod = mod;
    deliver(a, &ev);
    return 0;
}

static void do_text(app *a, const char *s)
{
    /* SDL delivers committed IME text in events of at most 31 bytes */
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = n - i < 31 ? n - i : 31;
        while (k > 0 && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80) k--; /* whole characters */
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_TEXTINPUT;
        memcpy(ev.text.text, s + i, k);
        deliver(a, &ev);
        i += k;
    }
}

static void do_wait(app *a, long ms)
{
    /* time passes in steps, so the engine saves and times out as it would */
    while (ms > 0) {
        long step = ms < 200 ? ms : 200;
        a->vclock += step;
        ms -= step;
        app_tick(a);
    }
}

/* ---- measurements for make bench (tests/bench/run.sh) -------------------------- */

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *x, const void *y)
{
    double p = *(const double *)x, q = *(const double *)y;
    return p < q ? -1 : p > q;
}

/* bench_redraw N: one untimed frame to warm the rendered-line cache, then N
 * full redraws of the current screen (all drawing and the present), timed;
 * prints "redraw_ms p50=… p99=… max=…" on stdout. */
static int do_bench_redraw(app *a, long n)
{
    double *t = malloc((size_t)n * sizeof *t);
    if (!t) return -1;
    a->dirty = 1;
    app_draw(a);
    for (long i = 0; i < n; i++) {
        a->dirty = 1;
        double t0 = mono_ms();
        app_draw(a);
        t[i] = mono_ms() - t0;
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    long k99 = (n * 99 + 99) / 100; /* nearest rank */
    printf("redraw_ms p50=%.3f p99=%.3f max=%.3f n=%ld size=%dx%d\n", t[(n + 1) / 2 - 1], t[k99 - 1], t[n - 1], n,
           a->ui.w, a->ui.h);
    fflush(stdout);
    free(t);
    return 0;
}

static long rss_now_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    long kb = -1;
    if (!f) return -1;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

static long cpu_ms_of(const struct rusage *r)
{
    return (long)(r->ru_utime.tv_sec + r->ru_stime.tv_sec) * 1000 + (r->ru_utime.tv_usec + r->ru_stime.tv_usec) / 1000;
}

/* realtime MS: the real event loop (app_run's) on the real monotonic clock,
 * continuing from the virtual time, for MS real milliseconds; then prints
 * "cpu_ms=… rss_kb=… peak_kb=…" (user+sys CPU of the period; resident set
 * now, VmRSS; and its peak so far, ru_maxrss) and returns to the virtual
 * clock at the time reached. */
static void do_realtime(app *a, long ms)
{
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    app_use_real_clock(a, 1);
    app_run_for(a, ms);
    app_use_real_clock(a, 0);
    getrusage(RUSAGE_SELF, &r1);
    long rss = rss_now_kb();
    printf("cpu_ms=%ld rss_kb=%ld peak_kb=%ld\n", cpu_ms_of(&r1) - cpu_ms_of(&r0), rss >= 0 ? rss : r1.ru_maxrss,
           r1.ru_maxrss);
    fflush(stdout);
}

/* until MS TEXT: the real event loop (as realtime) until TEXT is on screen,
 * for at most MS real milliseconds: a script that waits for something
 * another process does (the room console's unlock or pause reaching the
 * kiosk through kiosk.db). 0 when it appeared, -1 when it did not. */
static int do_until(app *a, long ms, const char *text)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    app_use_real_clock(a, 1);
    int seen = 0;
    for (;;) {
        a->dirty = 1;
        app_draw(a);
        if ((seen = ui_visible(&a->ui, text)) || a->quit) break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms) break;
        app_run_for(a, 100);
    }
    app_use_real_clock(a, 0);
    return seen ? 0 : -1;
}

static void fail_line(const char *path, int line, const char *what, const char *detail)
{
    fprintf(stderr, "%s:%d: %s%s\n", path, line, what, detail ? detail : "");
}

int script_run(app *a, const char *path, const char *shots_dir)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    if (shots_dir) mkdir(shots_dir, 0755);
    char line[4096];
    int ln = 0, rc = 0;
    app_tick(a);
    while (fgets(line, sizeof line, f) && !a->quit) {
        ln++;
        char *arg;
        int cmd = script_parse_line(line, &arg);
        char *why = NULL;
        switch (cmd) {
        case CMD_NONE: continue;
        case CMD_TEXT: do_text(a, arg); break;
        case CMD_COMPOSE: { /* an IME's uncommitted composition (SDL_TEXTEDITING) */
            SDL_Event ev;
            memset(&ev, 0, sizeof ev);
            ev.type = SDL_TEXTEDITING;
            snprintf(ev.edit.text, sizeof ev.edit.text, "%s", arg);
            ev.edit.length = (Sint32)strlen(ev.edit.text);
            deliver(a, &ev);
            break;
        }
        case CMD_KEY:
            if (do_key(a, arg, &why)) {
                fail_line(path, ln, "key: ", why);
                free(why);
                rc = ln;
            }
            break;
        case CMD_CLICK: {
            int x, y;
            if (sscanf(arg, "%d %d", &x, &y) != 2) {
                fail_line(path, ln, "click needs X Y", NULL);
                rc = ln;
                break;
            }
            app_draw(a); /* click targets come from the frame on screen */
            SDL_Event ev;
            memset(&ev, 0, sizeof ev);
            ev.type = SDL_MOUSEBUTTONDOWN;
            ev.button.button = SDL_BUTTON_LEFT;
            ev.button.x = x;
            ev.button.y = y;
            ev.button.clicks = 1;
            deliver(a, &ev);
            ev.type = SDL_MOUSEBUTTONUP;
            deliver(a, &ev);
            break;
        }
        case CMD_WAIT: {
            char *end;
            long ms = strtol(arg, &end, 10);
            if (!*arg || *end || ms < 0) {
                fail_line(path, ln, "wait needs milliseconds", NULL);
                rc = ln;
                break;
            }
            do_wait(a, ms);
            break;
        }
        case CMD_SHOT: {
            if (!shots_dir) break; /* screenshots only with --shots */
            a->dirty = 1;
            app_draw(a);
            char p[2048];
            snprintf(p, sizeof p, "%s/%s.png", shots_dir, arg);
            if (ui_screenshot(&a->ui, p)) {
                fail_line(path, ln, "cannot write screenshot: ", SDL_GetError());
                rc = ln;
            }
            break;
        }
        case CMD_EXPECT:
            a->dirty = 1;
            app_draw(a);
            if (!ui_visible(&a->ui, arg)) {
                fail_line(path, ln, "expected text not on screen: ", arg);
                rc = ln;
            }
            break;
        case CMD_ABSENT: /* the opposite of expect: TEXT must not be on screen */
            a->dirty = 1;
            app_draw(a);
            if (ui_visible(&a->ui, arg)) {
                fail_line(path, ln, "text on screen that must not be: ", arg);
                rc = ln;
            }
            break;
#ifdef EXAM_TEST_HOOKS
        case CMD_CRASH_AFTER:
            /* test hook: die like a power cut, without any cleanup */
            fflush(NULL);
            _exit(137);
            break;
        case CMD_FAIL_WRITES:
            exam_fail_writes(a->ex, atoi(arg));
            break;
#else
        /* the test hooks are compiled only into the test kiosk
         * (-DEXAM_TEST_HOOKS, build/CONF/test/bin/kiosk): the shipped kiosk
         * refuses them as a script error */
        case CMD_CRASH_AFTER:
        case CMD_FAIL_WRITES:
            fail_line(path, ln, script_command_name(cmd), ": test hook not in this build");
            rc = ln;
            break;
#endif
        case CMD_UNTIL: {
            char *end;
            long v = strtol(arg, &end, 10);
            if (end == arg || *end != ' ' || v < 1 || v > 3600000 || !end[1]) {
                fail_line(path, ln, "until needs milliseconds and a text", NULL);
                rc = ln;
            } else if (do_until(a, v, end + 1)) {
                fail_line(path, ln, "text did not appear in time: ", end + 1);
                rc = ln;
            }
            break;
        }
        case CMD_BENCH_REDRAW:
        case CMD_REALTIME: {
            char *end;
            long v = strtol(arg, &end, 10);
            if (!*arg || *end || v < 1 || v > 3600000) {
                fail_line(path, ln, cmd == CMD_REALTIME ? "realtime needs milliseconds" : "bench_redraw needs a count",
                          NULL);
                rc = ln;
                break;
            }
            if (cmd == CMD_REALTIME) do_realtime(a, v);
            else if (do_bench_redraw(a, v)) {
                fail_line(path, ln, "bench_redraw: out of memory", NULL);
                rc = ln;
            }
            break;
        }
        default: {
            fail_line(path, ln, "unknown command (text, key, click, wait, shot, expect): ", line);
            rc = ln;
            break;
        }
        }
        if (rc) break;
        app_tick(a);
    }
    fclose(f);
    return rc;
}
