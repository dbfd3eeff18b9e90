/* check: the readiness checks of a lab PC that need the display: display
 * size, the CJK font, the input method (fcitx5 on the session D-Bus) and
 * the keyboard grab. Used by `kiosk --check`, `kiosk --check-display` (run
 * by `examsync check`) and the start screen's F2 overlay; the results join
 * the core checks' list (core/readiness.h), so every caller shows the same
 * lines. Nothing here prints. */
#ifndef CHECK_H
#define CHECK_H

#include <SDL.h>

#include "core/readiness.h"
#include "kiosk/ui.h"

#define KIOSK_CHECK_MIN_W 1366
#define KIOSK_CHECK_MIN_H 768

/* Appends the four display checks (READINESS_DISPLAY_CHECKS) to L.
 * With WIN NULL it opens the display itself (SDL video, a small window,
 * the font the way ui_init finds it) and closes everything again; without
 * DISPLAY every check fails with "no display (DISPLAY not set)". With WIN
 * (and U, the kiosk's drawing layer on it) it uses them as they are: the
 * test grab goes through SDL's X connection, i.e. it is the kiosk's own, and
 * is released again unless KEEP_GRAB (the kiosk's lockdown holds the grab),
 * SDL holds a keyboard grab on WIN or WIN is full screen. Returns the
 * number that failed. */
size_t kiosk_check_display(SDL_Window *win, ui *u, int keep_grab, readiness_list *l);

/* `kiosk --check` (CORE_TOO 1: the core checks of core/readiness.h on
 * DATADIR first) and `kiosk --check-display` (CORE_TOO 0). L is
 * (re)initialised. Call before SDL_Init. Returns the number that failed. */
size_t kiosk_check(const char *datadir, int core_too, readiness_list *l);

#endif
