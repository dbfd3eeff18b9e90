/* app: the kiosk front end: window, event loop, screen stack, clock (real
 * monotonic or virtual in scripted mode), and the glue between SDL events
 * and the exam engine (core/exam.h). Screens are one file each
 * (screen_*.c) implementing the small vtable below. */
#ifndef APP_H
#define APP_H

#include <SDL.h>
#include <signal.h>

#include "core/exam.h"
#include "kiosk/ui.h"

typedef struct app app;

typedef struct screen {
    const char *name;
    void (*enter)(app *a);
    void (*on_event)(app *a, const SDL_Event *ev);
    void (*draw)(app *a);
} screen;

extern const screen SCREEN_START, SCREEN_PIN, SCREEN_LOGIN, SCREEN_CONFIRM, SCREEN_INSTRUCTIONS, SCREEN_QUESTION,
    SCREEN_DONE, SCREEN_RESUME, SCREEN_PAUSE, SCREEN_PANEL;

#define APP_FIELDS 4
#define APP_FIELD_MAX 512

/* click actions shared by screens */
enum { ACT_NONE, ACT_FIELD, ACT_SUBMIT, ACT_BACK, ACT_OPTION, ACT_GOTO, ACT_PREV, ACT_NEXT, ACT_FLAG, ACT_HANDIN,
       ACT_CONFIRM_YES, ACT_CONFIRM_NO, ACT_PANEL, ACT_BLANK };

struct app {
    ui ui;
    exam *ex;
    const screen *scr;      /* screen of the current phase */
    int panel;              /* invigilator panel shown over it */
    int scripted;           /* virtual clock, no real waiting (app_use_real_clock switches) */
    int64_t vclock;         /* virtual clock, ms */
    int64_t mono0;          /* real clock origin */
    int quit;
    int dirty;
    /* text fields of the current screen */
    char field[APP_FIELDS][APP_FIELD_MAX];
    int focus, nfields;
    int ascii;              /* the fields take ASCII only (no IME) */
    char composing[256];    /* IME composition (SDL_TEXTEDITING), drawn in place */
    char msg[256];          /* message line of the current screen */
    int msg_error;
    char banner[160];       /* timer warning banner */
    int64_t banner_until;
    int handin_confirm;     /* F10 pressed: asking to confirm */
    int scroll, scroll_max; /* question area scrolled by (px), and how far it can be */
    int panel_mode;         /* panel sub-screen */
    int irr_category;
    int ext_minutes;        /* panel: the extension being granted, minutes */
    int64_t last_second;    /* last whole second drawn on the timer */
    char datadir[1024];
    struct lockdown *lock;  /* X11 lockdown (NULL when windowed, scripted or not X11) */
    volatile sig_atomic_t *stop; /* set by SIGTERM: leave the loop for an orderly stop */
    int lock_alert;         /* the keyboard-lock alert is shown */
};

int app_init(app *a, const char *datadir, SDL_Window *w, int scripted, char **why);
void app_free(app *a);
int64_t app_now(void *ctx);       /* platform clock */
void app_event(app *a, const SDL_Event *ev);
void app_tick(app *a);            /* engine tick + screen sync */
void app_draw(app *a);            /* draws when dirty */
void app_run(app *a);             /* real event loop until quit */
/* For scripted mode's `realtime` command (make bench): app_run's event loop
 * for MS milliseconds of the app clock (or until quit), and a switch between
 * the virtual clock (REAL 0) and the real monotonic clock (REAL 1) that
 * continues from the current time, so the exam timer does not jump.
 * app_run_for needs the real clock (the virtual one does not move there). */
void app_run_for(app *a, int64_t ms);
void app_use_real_clock(app *a, int real);
void app_sync_screen(app *a);

/* helpers for screens */
void app_set_msg(app *a, const char *msg, int error);
void app_fields(app *a, int n);   /* reset N empty fields, focus the first (IME allowed) */
/* The same for fields that take only codes, PINs, tickets and ID numbers:
 * ASCII letters, digits and '-', typed from key events with the IME off. */
void app_fields_ascii(app *a, int n);
/* Handles typing into the focused field (text input, BackSpace, Tab);
 * returns 1 when the event was consumed. MASK_DIGITS: only digits kept. */
int app_field_event(app *a, const SDL_Event *ev, int digits_only);
/* A form of fields: Return moves to the next field and, on the last one,
 * returns 1 (submit); other events go to app_field_event. */
int app_form_event(app *a, const SDL_Event *ev, int digits_only);
/* Draws field I at R with LABEL; MASKED shows dots. */
void app_draw_field(app *a, int i, SDL_Rect r, const char *label, int masked);
/* Top header bar with the kiosk's place (unless the screen puts its own
 * content at the right, e.g. the timer); returns its height. */
int app_draw_header(app *a, const char *title);
int app_draw_header_plain(app *a, const char *title);
void app_draw_msg(app *a, int y);
int app_key_is(const SDL_Event *ev, SDL_Keycode k);

#endif
