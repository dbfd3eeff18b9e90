/* app: event loop, screen selection, clock and shared widgets. */
#include "kiosk/app.h"

#include "kiosk/ime.h"
#include "kiosk/lockdown.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- platform services for the engine ------------------------------------- */

int64_t app_now(void *ctx)
{
    app *a = ctx;
    if (a->scripted) return a->vclock;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - a->mono0;
}

static int64_t app_wall(void *ctx)
{
    (void)ctx;
#ifdef EXAM_TEST_HOOKS
    /* the test kiosk only: a lab PC whose clock is wrong (KIOSK_TEST_WALL_OFFSET
     * seconds ahead, or behind), for the hub's tests of which sitting counts */
    const char *off = getenv("KIOSK_TEST_WALL_OFFSET");
    if (off) return (int64_t)time(NULL) + strtoll(off, NULL, 10);
#endif
    return (int64_t)time(NULL);
}

/* KIOSK_SEED (64 hex digits) makes the papers drawn on this run
 * reproducible, for demos and tests; session ids stay random. Honoured only
 * in scripted mode: on a real display every paper is drawn at random, so an
 * environment variable set on a lab PC cannot give every candidate a paper
 * known in advance. (The test kiosk, built with EXAM_TEST_HOOKS, takes it
 * on the display too.) */
static void app_random(void *ctx, void *buf, size_t n)
{
    const app *a = ctx;
#ifdef EXAM_TEST_HOOKS
    (void)a; /* the test kiosk takes it on the display too (tests/e2e/test_display.sh) */
    const char *seed = getenv("KIOSK_SEED");
#else
    const char *seed = a->scripted ? getenv("KIOSK_SEED") : NULL;
#endif
    size_t got = 0;
    if (seed && n == PAPER_SEED_BYTES &&
        sodium_hex2bin(buf, n, seed, strlen(seed), NULL, &got, NULL) == 0 && got == n)
        return;
    randombytes_buf(buf, n);
}

static void app_log(void *ctx, const char *msg)
{
    (void)ctx;
    SDL_Log("%s", msg);
}

/* images in stems come from the unlocked pack, in memory only */
static int app_image(void *ctx, const char *name, uint8_t **png, size_t *len)
{
    app *a = ctx;
    return exam_image(a->ex, name, png, len);
}

int app_init(app *a, const char *datadir, SDL_Window *w, int scripted, char **why)
{
    memset(a, 0, sizeof *a);
    a->scripted = scripted;
    snprintf(a->datadir, sizeof a->datadir, "%s", datadir);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    a->mono0 = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    platform pf = {app_now, app_wall, app_random, app_log, a};
    if (exam_open(&a->ex, datadir, &pf, why)) return -1;
    char fonts[1100];
    const char *env = getenv("KIOSK_FONTS_DIR");
    snprintf(fonts, sizeof fonts, "%s", env ? env : "fonts");
    if (ui_init(&a->ui, w, fonts, why)) return -1;
    a->ui.image_fn = app_image;
    a->ui.image_ctx = a;
    a->dirty = 1;
    a->last_second = -1;
    app_sync_screen(a);
    return 0;
}

void app_free(app *a)
{
    exam_close(a->ex);
    ui_free(&a->ui);
    sodium_memzero(a->field, sizeof a->field);
}

/* ---- screens ----------------------------------------------------------------- */

static const screen *screen_for(exam_phase p)
{
    switch (p) {
    case PHASE_LOCKED: return &SCREEN_START;
    case PHASE_SET_PIN: return &SCREEN_PIN;
    case PHASE_LOGIN: return &SCREEN_LOGIN;
    case PHASE_CONFIRM: return &SCREEN_CONFIRM;
    case PHASE_INSTRUCTIONS: return &SCREEN_INSTRUCTIONS;
    case PHASE_RUNNING: return &SCREEN_QUESTION;
    case PHASE_PAUSED: return &SCREEN_PAUSE;
    case PHASE_DONE: return &SCREEN_DONE;
    case PHASE_RESUME: return &SCREEN_RESUME;
    }
    return &SCREEN_START;
}

void app_sync_screen(app *a)
{
    const screen *s = screen_for(exam_get_phase(a->ex));
    if (s != a->scr) {
        a->scr = s;
        a->msg[0] = 0;
        a->handin_confirm = 0;
        a->dirty = 1;
        if (a->panel) return; /* the panel keeps its fields; the screen enters when it closes */
        sodium_memzero(a->field, sizeof a->field);
        a->nfields = 0;
        a->focus = 0;
        if (s->enter) s->enter(a);
    }
}

void app_set_msg(app *a, const char *msg, int error)
{
    snprintf(a->msg, sizeof a->msg, "%s", msg ? msg : "");
    a->msg_error = error;
    a->dirty = 1;
}

static void fields(app *a, int n, int ascii)
{
    sodium_memzero(a->field, sizeof a->field);
    a->nfields = n;
    a->focus = 0;
    a->composing[0] = 0;
    a->ascii = ascii;
    /* every new set of fields starts with no composition left open; fields
     * for codes, PINs, tickets and ID numbers get no IME at all */
    ime_reset(n > 0 && !ascii);
}

void app_fields(app *a, int n) { fields(a, n, 0); }

void app_fields_ascii(app *a, int n) { fields(a, n, 1); }

/* The character a key types into an ASCII-only field (text input is off
 * there, so SDL sends no SDL_TEXTINPUT): letters, digits, '-'; 0 for others. */
static char ascii_key(const SDL_Keysym *k)
{
    if (k->mod & (KMOD_CTRL | KMOD_ALT | KMOD_GUI)) return 0;
    int upper = !!(k->mod & KMOD_SHIFT) ^ !!(k->mod & KMOD_CAPS);
    if (k->sym >= SDLK_a && k->sym <= SDLK_z) return (char)((upper ? 'A' : 'a') + (k->sym - SDLK_a));
    if (k->mod & KMOD_SHIFT) return 0;
    if (k->sym >= SDLK_0 && k->sym <= SDLK_9) return (char)('0' + (k->sym - SDLK_0));
    if (k->sym >= SDLK_KP_1 && k->sym <= SDLK_KP_9) return (char)('1' + (k->sym - SDLK_KP_1));
    if (k->sym == SDLK_KP_0) return '0';
    if (k->sym == SDLK_MINUS || k->sym == SDLK_KP_MINUS) return '-';
    return 0;
}

static void field_append(char *f, char c, int digits_only)
{
    if (digits_only && (c < '0' || c > '9')) return;
    size_t n = strlen(f);
    if (n + 1 < APP_FIELD_MAX) {
        f[n] = c;
        f[n + 1] = 0;
    }
}

int app_key_is(const SDL_Event *ev, SDL_Keycode k) { return ev->type == SDL_KEYDOWN && ev->key.keysym.sym == k; }

int app_field_event(app *a, const SDL_Event *ev, int digits_only)
{
    if (a->nfields <= 0) return 0;
    char *f = a->field[a->focus];
    if (ev->type == SDL_TEXTINPUT) {
        for (const char *p = ev->text.text; *p; p++) {
            if (a->ascii && (*p < 0x21 || *p > 0x7e)) continue; /* ASCII fields take no IME text */
            if (digits_only && (*p < '0' || *p > '9')) continue;
            field_append(f, *p, 0);
        }
        a->composing[0] = 0;
        return 1;
    }
    if (ev->type == SDL_TEXTEDITING) {
        if (a->ascii) a->composing[0] = 0;
        else snprintf(a->composing, sizeof a->composing, "%s", ev->edit.text);
        return 1;
    }
    if (a->ascii && ev->type == SDL_KEYDOWN && !SDL_IsTextInputActive()) {
        char c = ascii_key(&ev->key.keysym);
        if (c) {
            field_append(f, c, digits_only);
            return 1;
        }
    }
    if (app_key_is(ev, SDLK_BACKSPACE)) {
        size_t n = strlen(f);
        while (n > 0) {
            n--;
            if (((unsigned char)f[n] & 0xC0) != 0x80) break;
        }
        f[n] = 0;
        return 1;
    }
    if (app_key_is(ev, SDLK_TAB)) {
        if (ev->key.keysym.mod & KMOD_SHIFT) a->focus = (a->focus + a->nfields - 1) % a->nfields;
        else a->focus = (a->focus + 1) % a->nfields;
        return 1;
    }
    if (ev->type == SDL_MOUSEBUTTONDOWN) {
        const ui_target *t = ui_hit(&a->ui, ev->button.x, ev->button.y);
        if (t && t->action == ACT_FIELD && t->arg < a->nfields) {
            a->focus = t->arg;
            return 1;
        }
    }
    return 0;
}

int app_form_event(app *a, const SDL_Event *ev, int digits_only)
{
    if (app_key_is(ev, SDLK_RETURN) || app_key_is(ev, SDLK_KP_ENTER)) {
        if (a->focus + 1 < a->nfields) {
            a->focus++;
            return 0;
        }
        return 1;
    }
    app_field_event(a, ev, digits_only);
    return 0;
}

/* ---- shared widgets --------------------------------------------------------- */

void app_draw_field(app *a, int i, SDL_Rect r, const char *label, int masked)
{
    ui *u = &a->ui;
    ui_text(u, r.x, r.y - ui_px(u, 36), ui_px(u, 22), u->theme.dim, label);
    char shown[APP_FIELD_MAX * 3 + 4];
    if (masked) {
        size_t n = strlen(a->field[i]);
        shown[0] = 0;
        for (size_t k = 0; k < n && k < 40; k++) strcat(shown, "●");
    } else
        snprintf(shown, sizeof shown, "%s", a->field[i]);
    ui_edit(u, r, ui_px(u, 26), shown, a->composing, 0, i == a->focus);
    ui_target_add(u, r, ACT_FIELD, i);
}

static int header(app *a, const char *title, int place_on_right);

int app_draw_header(app *a, const char *title) { return header(a, title, 1); }
int app_draw_header_plain(app *a, const char *title) { return header(a, title, 0); }

static int header(app *a, const char *title, int place_on_right)
{
    ui *u = &a->ui;
    int h = ui_px(u, 64);
    ui_fill(u, (SDL_Rect){0, 0, u->w, h}, u->theme.accent);
    int px = ui_px(u, 26);
    int th = TTF_FontHeight(ui_font(u, px));
    ui_text(u, 24, (h - th) / 2, px, u->theme.accent_text, title);
    char place[256];
    snprintf(place, sizeof place, "%s  第%s考场  %s号座", exam_site(a->ex), exam_room(a->ex), exam_seat(a->ex));
    if (!place_on_right) place[0] = 0;
    int pw = ui_text_width(u, ui_px(u, 20), place);
    ui_text(u, u->w - pw - 24, (h - TTF_FontHeight(ui_font(u, ui_px(u, 20)))) / 2, ui_px(u, 20), u->theme.accent_text,
            place);
    const char *alert = exam_alert(a->ex);
    if (!alert && lockdown_failing(a->lock)) alert = "本机键盘未能锁定（另一程序占用键盘），请通知监考员检查本机";
    if (alert) { /* the invigilator must see storage (or lockdown) trouble */
        int ah = ui_px(u, 40);
        ui_fill(u, (SDL_Rect){0, h, u->w, ah}, u->theme.danger);
        ui_text(u, 24, h + (ah - TTF_FontHeight(ui_font(u, ui_px(u, 20)))) / 2, ui_px(u, 20), (SDL_Color){255, 255, 255, 255},
                alert);
        h += ah;
    }
    return h;
}

void app_draw_msg(app *a, int y)
{
    if (!a->msg[0]) return;
    ui *u = &a->ui;
    ui_text_center(u, 0, y, u->w, ui_px(u, 22), a->msg_error ? u->theme.danger : u->theme.ok, a->msg);
}

/* ---- events ---------------------------------------------------------------------- */

static int unlocked(const app *a)
{
    exam_phase p = exam_get_phase(a->ex);
    return p != PHASE_LOCKED && p != PHASE_SET_PIN && p != PHASE_RESUME;
}

void app_event(app *a, const SDL_Event *ev)
{
    if (ev->type == SDL_SYSWMEVENT) return; /* raw X events: the lockdown's (lockdown.c) */
    a->dirty = 1;
    if (ev->type == SDL_QUIT) return; /* closing is only possible from the panel */
    if (ev->type == SDL_WINDOWEVENT) {
        /* journaled and counted for the panel; the lockdown takes the focus back */
        if (ev->window.event == SDL_WINDOWEVENT_FOCUS_LOST) exam_focus_lost(a->ex);
        return;
    }
    if (ev->type == SDL_KEYDOWN) {
        SDL_Keycode k = ev->key.keysym.sym;
        Uint16 mod = ev->key.keysym.mod;
        if (k == SDLK_F4 && (mod & KMOD_ALT)) return; /* Alt+F4 ignored */
        if ((mod & KMOD_CTRL) && (mod & KMOD_ALT) && k == SDLK_i) {
            if (unlocked(a) && !a->panel) {
                a->panel = 1;
                if (SCREEN_PANEL.enter) SCREEN_PANEL.enter(a);
            }
            return;
        }
        if ((mod & KMOD_CTRL) && (k == SDLK_EQUALS || k == SDLK_PLUS || k == SDLK_KP_PLUS)) {
            if (a->ui.scale_pct < 160) a->ui.scale_pct += 15;
            return;
        }
        if ((mod & KMOD_CTRL) && (k == SDLK_MINUS || k == SDLK_KP_MINUS)) {
            if (a->ui.scale_pct > 85) a->ui.scale_pct -= 15;
            return;
        }
        if (k == SDLK_F11) {
            ui_set_theme(&a->ui, !a->ui.high_contrast);
            return;
        }
    }
    if (a->panel) SCREEN_PANEL.on_event(a, ev);
    else if (a->scr && a->scr->on_event) a->scr->on_event(a, ev);
    app_sync_screen(a);
}

void app_tick(app *a)
{
    int ev = exam_tick(a->ex);
    if (ev & SESSION_WARN15) {
        snprintf(a->banner, sizeof a->banner, "距离考试结束还有15分钟，请合理安排时间");
        a->banner_until = app_now(a) + 20000;
    }
    if (ev & SESSION_WARN5) {
        snprintf(a->banner, sizeof a->banner, "距离考试结束还有5分钟，到时将自动交卷");
        a->banner_until = app_now(a) + 30000;
    }
    if (a->banner[0] && app_now(a) > a->banner_until) {
        a->banner[0] = 0;
        a->dirty = 1;
    }
    /* a PIN lockout (exam_pin_locked) puts the lockout screen over every
     * screen that has a PIN, also after a restart, until the release code */
    if (exam_pin_locked(a->ex) && unlocked(a) && !a->panel) {
        a->panel = 1;
        SCREEN_PANEL.enter(a);
        a->dirty = 1;
    }
    int64_t sec = app_now(a) / 1000;
    exam_phase ph = exam_get_phase(a->ex);
    /* whole seconds: the exam timer, and the PIN delay's countdown */
    if (sec != a->last_second && (ph == PHASE_RUNNING || ph == PHASE_LOGIN || a->panel || ph == PHASE_RESUME)) {
        a->last_second = sec;
        a->dirty = 1; /* the timer shows whole seconds */
    }
    int lf = lockdown_failing(a->lock);
    if (lf != a->lock_alert) { /* the keyboard-lock alert comes and goes on any screen */
        a->lock_alert = lf;
        exam_keyboard_lock(a->ex, !lf);
        a->dirty = 1;
    }
    if (ev) a->dirty = 1;
    app_sync_screen(a);
}

void app_draw(app *a)
{
    if (!a->dirty) return;
    ui_begin(&a->ui);
    if (a->scr && a->scr->draw) a->scr->draw(a);
    if (a->panel) SCREEN_PANEL.draw(a);
    ui_end(&a->ui);
    a->dirty = 0;
}

/* The event loop; UNTIL < 0: until quit, else also until app_now() reaches
 * UNTIL (the wait is then cut short at UNTIL, nothing else differs). */
static void run_loop(app *a, int64_t until)
{
    while (!a->quit && !(a->stop && *a->stop)) {
        lockdown_tick(a->lock); /* whatever the last events took away, taken back at once */
        app_tick(a);
        app_draw(a);
        /* sleep until the next event or the next whole second of the timer */
        int64_t now = app_now(a);
        if (until >= 0 && now >= until) break;
        int timeout = (int)(1000 - now % 1000) + 1;
        if (lockdown_pending(a->lock) && timeout > 100) timeout = 100; /* a grab to retry */
        if (until >= 0 && until - now < timeout) timeout = (int)(until - now);
        SDL_Event ev;
        if (SDL_WaitEventTimeout(&ev, timeout)) {
            app_event(a, &ev);
            while (SDL_PollEvent(&ev)) app_event(a, &ev);
        }
    }
}

void app_run(app *a) { run_loop(a, -1); }

void app_run_for(app *a, int64_t ms) { run_loop(a, app_now(a) + ms); }

void app_use_real_clock(app *a, int real)
{
    int64_t now = app_now(a); /* the clock of the mode being left */
    if (real) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        a->mono0 = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - now;
        a->scripted = 0;
    } else {
        a->vclock = now;
        a->scripted = 1;
    }
}
