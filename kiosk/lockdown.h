/* lockdown: keeps the kiosk window on top of everything, covering the
 * screen, with the input focus, the keyboard and the pointer, whatever
 * another X client or the window manager does (threat model: FORMAT.md §10).
 *
 * How: on X11 the window is override-redirect (SDL_X11_FORCE_OVERRIDE_REDIRECT),
 * so no window manager can minimise, resize, decorate or un-fullscreen it;
 * the kiosk holds an active keyboard and pointer grab of its own (not SDL's,
 * which SDL drops on every focus change), so a window that takes the focus
 * still gets no keystroke; and it watches the root window's children
 * (SubstructureNotify) and its own window, so that a window mapped or raised
 * above it, an unmap, a move or a focus change is undone at once: raise,
 * map, move back, focus, grab. The input method's own popups (fcitx5's
 * candidate list, WM_CLASS "fcitx") are the one exception: they stay above.
 * Other video drivers get SDL's full screen and grab only (lockdown_begin
 * says so). */
#ifndef LOCKDOWN_H
#define LOCKDOWN_H

#include <SDL.h>

typedef struct lockdown lockdown;

/* Hints that must be set before the window is created (override-redirect,
 * no SDL Alt+Tab minimising, no minimising on focus loss). */
void lockdown_prepare(void);

/* Starts guarding WIN. Returns NULL (and *why, malloc'd) when the video
 * driver is not X11 or the X connection cannot be used; the caller then
 * falls back to SDL's own full screen and grab. */
lockdown *lockdown_begin(SDL_Window *win, char **why);

/* Undoes whatever the last events took away (focus, stacking, mapping,
 * geometry, grabs). Returns the number of take-backs done now (0 when all
 * was in place). Call after every batch of events and on every tick. */
int lockdown_tick(lockdown *l);

/* 1 while something could not be taken back yet (another client holds a
 * grab): the caller should tick again soon (e.g. in 100 ms). */
int lockdown_pending(const lockdown *l);

/* 1 when the keyboard or pointer could not be taken back for more than
 * 2 seconds (another program holds a grab): shown to the invigilator. */
int lockdown_failing(const lockdown *l);

/* Total take-backs since the start, and grabs that failed (for the panel
 * and the journal). */
int lockdown_takebacks(const lockdown *l);

void lockdown_end(lockdown *l);

#endif
