/* kiosk: the full-screen exam client. Reads only its data directory; never
 * touches the network. See README for the exam-day walkthrough. */
#include <SDL.h>
#include <SDL_image.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "kiosk/app.h"
#include "kiosk/check.h"
#include "kiosk/lockdown.h"
#include "kiosk/script.h"

static const char USAGE[] = "usage: kiosk --data DIR [--windowed] [--size WxH] [--script FILE --shots DIR] [--check]\n";
static const char HELP[] =
    "kiosk - the full-screen exam client\n\n%s\n"
    "--data DIR      kiosk data directory made by examsync init (packs, rosters, answers)\n"
    "--windowed      run in a window instead of full screen (testing only)\n"
    "--size WxH      window size (default: the screen; scripted mode 1366x768)\n"
    "--script FILE   scripted mode: run FILE's events with a virtual clock, headless\n"
    "                unless a display is set (text, key, click, wait, shot, expect)\n"
    "--shots DIR     where `shot NAME` writes NAME.png\n"
    "--check         readiness of this lab PC, one line per check (OK/FAIL), then exit\n"
    "                (non-zero if any failed); --check-display: the display checks only\n\n"
    "Keys: PageDown/PageUp next/previous, A-H answer, F9 flag, F10 hand in,\n"
    "Ctrl+= / Ctrl+- font size, F11 high contrast, Ctrl+Alt+I invigilator panel.\n";

/* set by SIGTERM, SIGINT or SIGHUP; the event loop ends within a second */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

int main(int argc, char **argv)
{
    static const struct option L[] = {{"data", required_argument, 0, 'd'}, {"windowed", no_argument, 0, 'w'},
                                      {"script", required_argument, 0, 's'}, {"shots", required_argument, 0, 'o'},
                                      {"size", required_argument, 0, 'z'},  {"help", no_argument, 0, 'h'},
                                      {"check", no_argument, 0, 'c'},      {"check-display", no_argument, 0, 'C'},
                                      {0, 0, 0, 0}};
    const char *data = NULL, *script = NULL, *shots = NULL;
    int windowed = 0, w = 0, h = 0, c, check = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", L, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'w': windowed = 1; break;
        case 's': script = optarg; break;
        case 'o': shots = optarg; break;
        case 'z':
            if (sscanf(optarg, "%dx%d", &w, &h) != 2 || w < 640 || h < 480 || w > 7680 || h > 4320) {
                fprintf(stderr, "kiosk: --size must be WxH, at least 640x480\n%s", USAGE);
                return 2;
            }
            break;
        case 'h': printf(HELP, USAGE); return 0;
        case 'c': check = 1; break;
        case 'C': check = 2; break;
        default: fprintf(stderr, "kiosk: unknown or incomplete option '%s'\n%s", argv[optind - 1], USAGE); return 2;
        }
    }
    if (!data) {
        fprintf(stderr, "kiosk: --data DIR is required\n%s", USAGE);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "kiosk: unexpected argument '%s'\n%s", argv[optind], USAGE);
        return 2;
    }
    umask(077);
    if (sodium_init() < 0) {
        fprintf(stderr, "kiosk: cannot initialise libsodium\n");
        return 1;
    }
    if (check) { /* readiness of the lab PC; examsync check runs --check-display */
        readiness_list rl;
        size_t failed = kiosk_check(data, check == 1, &rl);
        char *report = readiness_report(&rl, check == 1);
        if (report) fputs(report, stdout);
        free(report);
        return failed ? 1 : 0;
    }
    /* the data directory 0700 and its files 0600 (authority.pub may be
     * readable), as examsync init leaves them and examsync check reports */
    readiness_list modes = {0};
    if (!readiness_check_dir(&modes, data) || !readiness_check_files(&modes, data)) {
        fprintf(stderr, "kiosk: refusing to start: %s\n", modes.item[modes.n - 1].detail);
        return 1;
    }
    /* one kiosk per data directory: two would log two candidates into one kiosk.db */
    int lockfd;
    long holder;
    char *why = NULL;
    int lr = fileio_lock(data, "kiosk.lock", &lockfd, &holder, &why);
    if (lr == 1) {
        if (holder > 0)
            fprintf(stderr, "kiosk: another kiosk (pid %ld) is already running on %s; stop it first\n", holder, data);
        else
            fprintf(stderr, "kiosk: another kiosk is already running on %s; stop it first\n", data);
        return 1;
    }
    if (lr != 0) {
        fprintf(stderr, "kiosk: %s\n", why ? why : "cannot lock the data directory");
        free(why);
        return 1;
    }
    /* SIGTERM (systemctl stop), SIGINT and SIGHUP: an orderly, resumable stop.
     * SDL's own handlers would turn them into SDL_QUIT, which the kiosk
     * ignores (closing the window is refused). */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (script && !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY") && !getenv("SDL_VIDEODRIVER"))
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
    int locked_down = !windowed && !script;
    if (locked_down) lockdown_prepare();
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_IME_SHOW_UI, "1");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        fprintf(stderr, "kiosk: cannot start the display: %s\n", SDL_GetError());
        return 1;
    }
    IMG_Init(IMG_INIT_PNG);
    SDL_DisableScreenSaver();
    if (script && !w) { w = 1366; h = 768; }
    Uint32 flags = SDL_WINDOW_SHOWN;
    int x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
    int x11 = SDL_GetCurrentVideoDriver() && strcmp(SDL_GetCurrentVideoDriver(), "x11") == 0;
    if (locked_down && x11) { /* override-redirect, borderless, exactly over the display */
        SDL_Rect b;
        if (SDL_GetDisplayBounds(0, &b) == 0) { x = b.x; y = b.y; w = b.w; h = b.h; }
        flags |= SDL_WINDOW_BORDERLESS | SDL_WINDOW_ALWAYS_ON_TOP;
    } else if (locked_down)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    if (!w) { w = 1366; h = 768; }
    SDL_Window *win = SDL_CreateWindow("职业技能等级认定机考", x, y, w, h, flags);
    if (!win) {
        fprintf(stderr, "kiosk: cannot open a window: %s\n", SDL_GetError());
        SDL_Quit();
        return 1;
    }
    lockdown *ld = NULL;
    if (locked_down) {
        char *lwhy = NULL;
        ld = lockdown_begin(win, &lwhy);
        if (!ld) { /* not X11: SDL's own full screen and keyboard grab */
            SDL_Log("kiosk: lockdown: %s", lwhy ? lwhy : "unavailable");
            free(lwhy);
            SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
            SDL_SetHint(SDL_HINT_ALLOW_ALT_TAB_WHILE_GRABBED, "0");
            SDL_SetWindowGrab(win, SDL_TRUE);
        }
    }
    app a;
    if (app_init(&a, data, win, script != NULL, &why)) {
        fprintf(stderr, "kiosk: %s\n", why ? why : "cannot start");
        free(why);
        lockdown_end(ld);
        SDL_DestroyWindow(win);
        SDL_Quit();
        return 1;
    }
    a.lock = ld;
    a.stop = &stop_signal;
    int rc = 0;
    if (script) {
        int r = script_run(&a, script, shots);
        rc = r == 0 ? 0 : 1;
    } else
        app_run(&a);
    if (stop_signal) { /* orderly stop: everything saved, the sitting resumable */
        char reason[32];
        snprintf(reason, sizeof reason, "signal %d", (int)stop_signal);
        if (exam_stop(a.ex, reason) != EXAM_OK) rc = 1;
        SDL_Log("kiosk: stopped by %s; everything is saved, and an unfinished sitting resumes at the next start", strsignal((int)stop_signal));
    }
    app_free(&a);
    lockdown_end(ld);
    SDL_DestroyWindow(win);
    IMG_Quit();
    SDL_Quit();
    close(lockfd);
    return rc;
}
