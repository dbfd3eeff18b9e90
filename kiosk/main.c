/* kiosk: the full-screen exam client. Reads only its data directory; never
 * touches the network. See README for the exam-day walkthrough. */
#include <SDL.h>
#include <SDL_image.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "script.h"

static const char USAGE[] = "usage: kiosk --data DIR [--windowed] [--size WxH] [--script FILE --shots DIR]\n";
static const char HELP[] =
    "kiosk - the full-screen exam client\n\n%s\n"
    "--data DIR      kiosk data directory made by examsync init (packs, rosters, answers)\n"
    "--windowed      run in a window instead of full screen (testing only)\n"
    "--size WxH      window size (default: the screen; scripted mode 1366x768)\n"
    "--script FILE   scripted mode: run FILE's events with a virtual clock, headless\n"
    "                unless a display is set (text, key, click, wait, shot, expect)\n"
    "--shots DIR     where `shot NAME` writes NAME.png\n\n"
    "Keys: PageDown/PageUp next/previous, A-H answer, F9 flag, F10 hand in,\n"
    "Ctrl+= / Ctrl+- font size, F11 high contrast, Ctrl+Alt+I invigilator panel.\n";

int main(int argc, char **argv)
{
    static const struct option L[] = {{"data", required_argument, 0, 'd'}, {"windowed", no_argument, 0, 'w'},
                                      {"script", required_argument, 0, 's'}, {"shots", required_argument, 0, 'o'},
                                      {"size", required_argument, 0, 'z'},  {"help", no_argument, 0, 'h'},
                                      {0, 0, 0, 0}};
    const char *data = NULL, *script = NULL, *shots = NULL;
    int windowed = 0, w = 0, h = 0, c;
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
    if (script && !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY") && !getenv("SDL_VIDEODRIVER"))
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    SDL_SetHint(SDL_HINT_IME_SHOW_UI, "1");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        fprintf(stderr, "kiosk: cannot start the display: %s\n", SDL_GetError());
        return 1;
    }
    IMG_Init(IMG_INIT_PNG);
    SDL_DisableScreenSaver();
    if (script && !w) { w = 1366; h = 768; }
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (!windowed && !script) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    if (!w) { w = 1366; h = 768; }
    SDL_Window *win = SDL_CreateWindow("职业技能等级认定机考", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (!win) {
        fprintf(stderr, "kiosk: cannot open a window: %s\n", SDL_GetError());
        SDL_Quit();
        return 1;
    }
    if (!windowed && !script) SDL_SetWindowGrab(win, SDL_TRUE); /* keyboard grab (lockdown) */
    app a;
    char *why = NULL;
    if (app_init(&a, data, win, script != NULL, &why)) {
        fprintf(stderr, "kiosk: %s\n", why ? why : "cannot start");
        free(why);
        SDL_DestroyWindow(win);
        SDL_Quit();
        return 1;
    }
    int rc = 0;
    if (script) {
        int r = script_run(&a, script, shots);
        rc = r == 0 ? 0 : 1;
    } else
        app_run(&a);
    app_free(&a);
    SDL_DestroyWindow(win);
    IMG_Quit();
    SDL_Quit();
    return rc;
}
