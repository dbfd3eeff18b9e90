/* xgrab: a hostile X client for the lockdown tests. Tries to grab the
 * keyboard (root window, like a screen locker or a key logger would) and
 * prints "grabbed" or "refused: REASON"; with --hold SECONDS keeps a
 * successful grab that long, retrying the grab until it succeeds or the
 * time is up. Exit 0 when it grabbed, 1 when it never could. */
#include <X11/Xlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *why(int rc)
{
    switch (rc) {
    case AlreadyGrabbed: return "AlreadyGrabbed";
    case GrabNotViewable: return "GrabNotViewable";
    case GrabFrozen: return "GrabFrozen";
    case GrabInvalidTime: return "GrabInvalidTime";
    default: return "unknown";
    }
}

int main(int argc, char **argv)
{
    double hold = 0;
    if (argc == 3 && strcmp(argv[1], "--hold") == 0) hold = atof(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: xgrab [--hold SECONDS]\n");
        return 2;
    }
    Display *d = XOpenDisplay(NULL);
    if (!d) {
        fprintf(stderr, "xgrab: cannot open display\n");
        return 2;
    }
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc;
    for (;;) {
        rc = XGrabKeyboard(d, DefaultRootWindow(d), False, GrabModeAsync, GrabModeAsync, CurrentTime);
        clock_gettime(CLOCK_MONOTONIC, &t);
        double el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
        if (rc == GrabSuccess || el >= hold) break;
        usleep(50000);
    }
    if (rc != GrabSuccess) {
        printf("refused: %s\n", why(rc));
        XCloseDisplay(d);
        return 1;
    }
    printf("grabbed\n");
    fflush(stdout);
    if (hold > 0) usleep((useconds_t)(hold * 1e6));
    XUngrabKeyboard(d, CurrentTime);
    XCloseDisplay(d);
    return 0;
}
