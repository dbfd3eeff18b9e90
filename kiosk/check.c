/* check: display size, CJK font, fcitx5 on the session D-Bus and the X11
 * keyboard grab, as readiness results (see check.h). */
#include "kiosk/check.h"

#include <X11/Xlib.h>
#include <SDL_syswm.h>
#include <dbus/dbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FCITX5_NAME "org.fcitx.Fcitx5"
#define DBUS_TIMEOUT_MS 2000
#define GRAB_TRIES 20 /* 25 ms apart: a window manager may hold a grab for a moment */

static void check_size(SDL_Window *win, readiness_list *l)
{
    int idx = SDL_GetWindowDisplayIndex(win);
    if (idx < 0) idx = 0;
    SDL_Rect b;
    if (SDL_GetDisplayBounds(idx, &b) != 0) {
        readiness_add(l, READINESS_DISPLAY, 0, "cannot read the screen size: %s", SDL_GetError());
        return;
    }
    const char *disp = getenv("DISPLAY");
    char where[96];
    snprintf(where, sizeof where, "%s%s%s", SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "?",
             disp && *disp ? " " : "", disp && *disp ? disp : "");
    if (b.w < KIOSK_CHECK_MIN_W || b.h < KIOSK_CHECK_MIN_H)
        readiness_add(l, READINESS_DISPLAY, 0,
                      "%dx%d (%s) is smaller than %dx%d: the paper does not fit; set a larger resolution", b.w, b.h, where,
                      KIOSK_CHECK_MIN_W, KIOSK_CHECK_MIN_H);
    else
        readiness_add(l, READINESS_DISPLAY, 1, "%dx%d (%s), at least %dx%d", b.w, b.h, where, KIOSK_CHECK_MIN_W,
                      KIOSK_CHECK_MIN_H);
}

/* U has found its font (ui_init); does it draw Chinese? */
static void check_font(ui *u, readiness_list *l)
{
    static const Uint32 SAMPLE[] = {0x4E2D, 0x6587, 0x8003, 0x8BD5, 0xFF0C, 0x3002}; /* 中文考试，。 */
    TTF_Font *f = ui_font(u, 20);
    if (!f) {
        readiness_add(l, READINESS_FONT, 0, "cannot open the font %s: %s", u->font_path, TTF_GetError());
        return;
    }
    int missing = 0;
    for (size_t i = 0; i < sizeof SAMPLE / sizeof *SAMPLE; i++) missing += !TTF_GlyphIsProvided32(f, SAMPLE[i]);
    const char *family = TTF_FontFaceFamilyName(f);
    if (missing)
        readiness_add(l, READINESS_FONT, 0,
                      "%s (%s) lacks %d of the characters 中文考试，。: install fonts-noto-cjk or put a CJK font into fonts/",
                      family ? family : "the font", u->font_path, missing);
    else
        readiness_add(l, READINESS_FONT, 1, "%s (%s) draws 中文考试，。", family ? family : "font", u->font_path);
}

/* fcitx5 is reachable when its name has an owner on the session bus. The
 * bus is found as libdbus would (DBUS_SESSION_BUS_ADDRESS, else
 * $XDG_RUNTIME_DIR/bus) but never auto-launched: a check starts nothing. */
static void check_ime(readiness_list *l)
{
    const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
    char rtbus[600];
    if (!addr || !*addr) {
        const char *rt = getenv("XDG_RUNTIME_DIR");
        struct stat sb;
        if (rt && *rt && snprintf(rtbus, sizeof rtbus, "%s/bus", rt) < (int)sizeof rtbus && stat(rtbus, &sb) == 0 &&
            S_ISSOCK(sb.st_mode)) {
            snprintf(rtbus, sizeof rtbus, "unix:path=%s/bus", rt);
            addr = rtbus;
        } else {
            readiness_add(l, READINESS_IME, 0,
                          "no session D-Bus (DBUS_SESSION_BUS_ADDRESS not set): fcitx5 cannot be reached; start the kiosk "
                          "session with its D-Bus (dbus-run-session or systemd --user)");
            return;
        }
    }
    DBusError err;
    dbus_error_init(&err);
    DBusConnection *c = dbus_connection_open_private(addr, &err);
    DBusMessage *m = NULL, *r = NULL;
    dbus_bool_t has = FALSE;
    if (c && dbus_bus_register(c, &err) &&
        (m = dbus_message_new_method_call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                          "NameHasOwner"))) {
        const char *name = FCITX5_NAME;
        if (dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID) &&
            (r = dbus_connection_send_with_reply_and_block(c, m, DBUS_TIMEOUT_MS, &err)))
            dbus_message_get_args(r, &err, DBUS_TYPE_BOOLEAN, &has, DBUS_TYPE_INVALID);
    }
    if (dbus_error_is_set(&err))
        readiness_add(l, READINESS_IME, 0, "cannot ask the session D-Bus (%s): %s", addr, err.message);
    else if (!m)
        readiness_add(l, READINESS_IME, 0, "cannot ask the session D-Bus: out of memory");
    else if (!has)
        readiness_add(l, READINESS_IME, 0,
                      "fcitx5 is not running (%s has no owner on the session D-Bus): candidates cannot type Chinese; "
                      "start fcitx5 in the kiosk session",
                      FCITX5_NAME);
    else
        readiness_add(l, READINESS_IME, 1, "fcitx5 on the session D-Bus (%s has an owner)", FCITX5_NAME);
    if (r) dbus_message_unref(r);
    if (m) dbus_message_unref(m);
    if (c) {
        dbus_connection_close(c);
        dbus_connection_unref(c);
    }
    dbus_error_free(&err);
}

static const char *grab_reason(int rc)
{
    switch (rc) {
    case AlreadyGrabbed: return "another program holds the keyboard (AlreadyGrabbed): close it, e.g. a screen locker";
    case GrabFrozen: return "another program's grab has frozen the keyboard (GrabFrozen)";
    case GrabNotViewable: return "the window never became viewable (GrabNotViewable)";
    case GrabInvalidTime: return "the X server refused the grab's time (GrabInvalidTime)";
    }
    return "XGrabKeyboard failed";
}

/* Grabs the keyboard for WIN as the kiosk's lockdown does, through SDL's
 * own X connection; with KEEP the grab stays (it is the kiosk's). */
static void check_grab(SDL_Window *win, int keep, readiness_list *l)
{
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!SDL_GetWindowWMInfo(win, &info) || info.subsystem != SDL_SYSWM_X11) {
        readiness_add(l, READINESS_GRAB, 0, "not an X11 display (video driver %s): the kiosk's keyboard grab needs X11",
                      SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "none");
        return;
    }
    Display *dpy = info.info.x11.display;
    int rc = GrabNotViewable;
    for (int i = 0; i < GRAB_TRIES; i++) {
        rc = XGrabKeyboard(dpy, info.info.x11.window, True, GrabModeAsync, GrabModeAsync, CurrentTime);
        if (rc == GrabSuccess || rc == GrabInvalidTime) break;
        SDL_PumpEvents();
        SDL_Delay(25);
    }
    keep = keep || SDL_GetWindowKeyboardGrab(win) || (SDL_GetWindowFlags(win) & SDL_WINDOW_FULLSCREEN);
    if (rc == GrabSuccess && !keep) XUngrabKeyboard(dpy, CurrentTime);
    XSync(dpy, False);
    if (rc == GrabSuccess)
        readiness_add(l, READINESS_GRAB, 1, "XGrabKeyboard succeeded on %s: no other program holds the keyboard",
                      DisplayString(dpy));
    else
        readiness_add(l, READINESS_GRAB, 0, "%s", grab_reason(rc));
}

size_t kiosk_check_display(SDL_Window *win, ui *u, int keep_grab, readiness_list *l)
{
    size_t before = readiness_failed(l);
    if (win) {
        check_size(win, l);
        check_font(u, l);
        check_ime(l);
        check_grab(win, keep_grab, l);
        return readiness_failed(l) - before;
    }
    const char *disp = getenv("DISPLAY");
    if (!disp || !*disp) {
        readiness_fail_display(l, "no display (DISPLAY not set)");
        return readiness_failed(l) - before;
    }
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        char why[400];
        snprintf(why, sizeof why, "cannot open the display %s: %s", disp, SDL_GetError());
        readiness_fail_display(l, why);
        return readiness_failed(l) - before;
    }
    win = SDL_CreateWindow("kiosk readiness check", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 320, 200,
                           SDL_WINDOW_SHOWN);
    if (!win) {
        char why[400];
        snprintf(why, sizeof why, "cannot open a window on %s: %s", disp, SDL_GetError());
        readiness_fail_display(l, why);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return readiness_failed(l) - before;
    }
    check_size(win, l);
    /* the font exactly as the kiosk finds it: ui_init, with app_init's folder */
    ui own;
    char *why = NULL;
    const char *fonts = getenv("KIOSK_FONTS_DIR");
    if (ui_init(&own, win, fonts ? fonts : "fonts", &why) != 0)
        readiness_add(l, READINESS_FONT, 0, "%s", why ? why : "cannot open the Chinese font");
    else
        check_font(&own, l);
    ui_free(&own);
    free(why);
    check_ime(l);
    check_grab(win, 0, l);
    SDL_DestroyWindow(win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return readiness_failed(l) - before;
}

size_t kiosk_check(const char *datadir, int core_too, readiness_list *l)
{
    memset(l, 0, sizeof *l);
    if (core_too) readiness_run(l, datadir, NULL);
    kiosk_check_display(NULL, NULL, 0, l);
    SDL_Quit();
    return readiness_failed(l);
}
