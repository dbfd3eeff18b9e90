/* lockdown: the kiosk window holds the screen, the focus, the keyboard and
 * the pointer on X11 against other clients and the window manager. */
#include "kiosk/lockdown.h"

#include <SDL_syswm.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct lockdown {
    SDL_Window *sdl;
    Display *dpy;
    Window win, root;
    SDL_Rect want;          /* where the window must be: the whole display */
    /* what the last events took away */
    int need_focus, need_raise, need_map, need_geometry, need_grab;
    int pending;            /* a grab failed: try again soon */
    Uint32 pending_since;   /* SDL ticks when it started failing (0: not failing) */
    int takebacks;
    Uint32 last_full;       /* SDL ticks of the last full check */
};

static int (*prev_handler)(Display *, XErrorEvent *);

/* Errors from requests about windows that went away meanwhile (BadWindow),
 * or focusing a window that is not yet viewable (BadMatch), are expected
 * here; Xlib's default handler would end the process. */
static int ignore_x_error(Display *d, XErrorEvent *e)
{
    (void)d;
    (void)e;
    return 0;
}

void lockdown_prepare(void)
{
    SDL_SetHint(SDL_HINT_X11_FORCE_OVERRIDE_REDIRECT, "1");
    SDL_SetHint(SDL_HINT_ALLOW_ALT_TAB_WHILE_GRABBED, "0");
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_FORCE_RAISEWINDOW, "1");
}

/* 1 if W is one of the input method's windows (fcitx5's candidate list and
 * its indicator), which must stay above the kiosk to be usable. */
static int is_input_method(Display *dpy, Window w)
{
    XClassHint h = {0};
    if (!XGetClassHint(dpy, w, &h)) return 0;
    int im = (h.res_name && strncasecmp(h.res_name, "fcitx", 5) == 0) ||
             (h.res_class && strncasecmp(h.res_class, "fcitx", 5) == 0);
    if (h.res_name) XFree(h.res_name);
    if (h.res_class) XFree(h.res_class);
    return im;
}

/* Runs inside SDL's event pump for every X event: notes what must be taken
 * back; the taking back happens in lockdown_tick, right after the pump. */
static int watch(void *ctx, SDL_Event *ev)
{
    lockdown *l = ctx;
    if (ev->type == SDL_WINDOWEVENT) {
        switch (ev->window.event) {
        case SDL_WINDOWEVENT_FOCUS_LOST: l->need_focus = l->need_grab = 1; break;
        case SDL_WINDOWEVENT_MINIMIZED:
        case SDL_WINDOWEVENT_HIDDEN: l->need_map = l->need_focus = l->need_grab = 1; break;
        case SDL_WINDOWEVENT_MOVED:
        case SDL_WINDOWEVENT_RESIZED:
        case SDL_WINDOWEVENT_SIZE_CHANGED:
        case SDL_WINDOWEVENT_RESTORED: l->need_geometry = 1; break;
        default: break;
        }
        return 1;
    }
    if (ev->type != SDL_SYSWMEVENT || !ev->syswm.msg || ev->syswm.msg->subsystem != SDL_SYSWM_X11) return 1;
    XEvent *x = &ev->syswm.msg->msg.x11.event;
    switch (x->type) {
    case FocusOut:
        if (x->xfocus.window == l->win && x->xfocus.mode != NotifyGrab && x->xfocus.mode != NotifyUngrab &&
            x->xfocus.detail != NotifyInferior && x->xfocus.detail != NotifyPointer)
            l->need_focus = l->need_raise = l->need_grab = 1;
        break;
    case UnmapNotify:
        if (x->xunmap.window == l->win) l->need_map = l->need_focus = l->need_grab = l->need_raise = 1;
        break;
    case MapNotify:
        if (x->xmap.window != l->win && x->xmap.event == l->root && !is_input_method(l->dpy, x->xmap.window))
            l->need_raise = 1;
        break;
    case ConfigureNotify:
        if (x->xconfigure.window == l->win) {
            if (x->xconfigure.x != l->want.x || x->xconfigure.y != l->want.y || x->xconfigure.width != l->want.w ||
                x->xconfigure.height != l->want.h)
                l->need_geometry = 1;
        } else if (x->xconfigure.event == l->root && !is_input_method(l->dpy, x->xconfigure.window))
            l->need_raise = 1; /* another top-level window moved or was restacked */
        break;
    case CirculateNotify:
    case ReparentNotify: l->need_raise = 1; break;
    default: break;
    }
    return 1;
}

lockdown *lockdown_begin(SDL_Window *win, char **why)
{
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!SDL_GetWindowWMInfo(win, &info) || info.subsystem != SDL_SYSWM_X11) {
        if (why) *why = strdup("not an X11 display: only SDL's own full screen and keyboard grab");
        return NULL;
    }
    lockdown *l = calloc(1, sizeof *l);
    if (!l) {
        if (why) *why = strdup("out of memory");
        return NULL;
    }
    l->sdl = win;
    l->dpy = info.info.x11.display;
    l->win = info.info.x11.window;
    l->root = DefaultRootWindow(l->dpy);
    SDL_GetDisplayBounds(SDL_GetWindowDisplayIndex(win) < 0 ? 0 : SDL_GetWindowDisplayIndex(win), &l->want);
    prev_handler = XSetErrorHandler(ignore_x_error);
    /* watch the root's children (windows mapped or raised above ours) */
    XWindowAttributes wa;
    long mask = SubstructureNotifyMask;
    if (XGetWindowAttributes(l->dpy, l->root, &wa)) mask |= wa.your_event_mask;
    XSelectInput(l->dpy, l->root, mask);
    SDL_EventState(SDL_SYSWMEVENT, SDL_ENABLE);
    SDL_AddEventWatch(watch, l);
    l->need_focus = l->need_raise = l->need_map = l->need_geometry = l->need_grab = 1;
    lockdown_tick(l);
    return l;
}

/* Raises the input method's mapped windows above ours again. */
static void raise_input_method(lockdown *l)
{
    Window r, p, *kids = NULL;
    unsigned n = 0;
    if (!XQueryTree(l->dpy, l->root, &r, &p, &kids, &n)) return;
    for (unsigned i = 0; i < n; i++) {
        XWindowAttributes wa;
        if (kids[i] != l->win && XGetWindowAttributes(l->dpy, kids[i], &wa) && wa.map_state == IsViewable &&
            is_input_method(l->dpy, kids[i]))
            XRaiseWindow(l->dpy, kids[i]);
    }
    if (kids) XFree(kids);
}

/* 1 if the topmost viewable child of the root, input method aside, is ours. */
static int on_top(lockdown *l)
{
    Window r, p, *kids = NULL;
    unsigned n = 0;
    if (!XQueryTree(l->dpy, l->root, &r, &p, &kids, &n)) return 1;
    int top = 1;
    for (unsigned i = n; i-- > 0;) { /* XQueryTree lists bottom to top */
        if (kids[i] == l->win) break;
        XWindowAttributes wa;
        if (XGetWindowAttributes(l->dpy, kids[i], &wa) && wa.map_state == IsViewable &&
            !is_input_method(l->dpy, kids[i])) {
            top = 0;
            break;
        }
    }
    if (kids) XFree(kids);
    return top;
}

int lockdown_tick(lockdown *l)
{
    if (!l) return 0;
    int done = 0;
    Uint32 t = SDL_GetTicks();
    if (t - l->last_full >= 1000) { /* once a second: check everything, not only what events said */
        l->last_full = t;
        Window f;
        int rev;
        XGetInputFocus(l->dpy, &f, &rev);
        if (f != l->win) l->need_focus = 1;
        if (!on_top(l)) l->need_raise = 1;
        l->need_grab = 1;
    }
    if (l->need_map) {
        XMapRaised(l->dpy, l->win);
        l->need_map = 0;
        l->need_raise = 0;
        done++;
        XSync(l->dpy, False);
    }
    if (l->need_geometry) {
        XWindowAttributes wa;
        if (XGetWindowAttributes(l->dpy, l->win, &wa) &&
            (wa.x != l->want.x || wa.y != l->want.y || wa.width != l->want.w || wa.height != l->want.h)) {
            XMoveResizeWindow(l->dpy, l->win, l->want.x, l->want.y, (unsigned)l->want.w, (unsigned)l->want.h);
            done++;
        }
        l->need_geometry = 0;
    }
    if (l->need_raise) {
        if (!on_top(l)) {
            XRaiseWindow(l->dpy, l->win);
            raise_input_method(l);
            done++;
        }
        l->need_raise = 0;
    }
    XWindowAttributes wa;
    int viewable = XGetWindowAttributes(l->dpy, l->win, &wa) && wa.map_state == IsViewable;
    l->pending = 0;
    if (l->need_focus && viewable) {
        Window f;
        int rev;
        XGetInputFocus(l->dpy, &f, &rev);
        if (f != l->win) {
            XSetInputFocus(l->dpy, l->win, RevertToParent, CurrentTime);
            done++;
        }
        l->need_focus = 0;
    }
    if (l->need_grab && viewable) {
        /* owner_events True: our own window gets its events as usual */
        int kb = XGrabKeyboard(l->dpy, l->win, True, GrabModeAsync, GrabModeAsync, CurrentTime);
        int pt = XGrabPointer(l->dpy, l->win, True, ButtonPressMask | ButtonReleaseMask | PointerMotionMask, GrabModeAsync,
                              GrabModeAsync, l->win, None, CurrentTime);
        if (kb != GrabSuccess || pt != GrabSuccess) l->pending = 1;
        else l->need_grab = 0;
    } else if (l->need_focus || l->need_grab)
        l->pending = 1;
    XFlush(l->dpy);
    if (!l->pending) l->pending_since = 0;
    else if (!l->pending_since) l->pending_since = t ? t : 1;
    l->takebacks += done;
    return done;
}

int lockdown_pending(const lockdown *l) { return l && l->pending; }

int lockdown_takebacks(const lockdown *l) { return l ? l->takebacks : 0; }

int lockdown_failing(const lockdown *l) { return l && l->pending_since && SDL_GetTicks() - l->pending_since > 2000; }

void lockdown_end(lockdown *l)
{
    if (!l) return;
    SDL_DelEventWatch(watch, l);
    XUngrabKeyboard(l->dpy, CurrentTime);
    XUngrabPointer(l->dpy, CurrentTime);
    XFlush(l->dpy);
    XSetErrorHandler(prev_handler);
    free(l);
}
