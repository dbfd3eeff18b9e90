/* ui: the kiosk's drawing layer on SDL2 + SDL2_ttf: a CJK font found via
 * fontconfig (or fonts/), text drawn through a cache of rendered lines,
 * wrapped paragraphs (textlayout.c) with pipe tables, buttons that register
 * click targets, themes, and a record of every text drawn in the current
 * frame (what scripted mode's `expect` reads). */
#ifndef UI_H
#define UI_H

#include <SDL.h>
#include <SDL_ttf.h>

#define UI_MAX_TARGETS 512
#define UI_FONT_SIZES 8

typedef struct ui_theme {
    SDL_Color bg, panel, text, dim, accent, accent_text, border, ok, warn, danger, selected_bg, flagged;
} ui_theme;

typedef struct ui_target {
    SDL_Rect r;
    int action; /* screen-defined action id */
    int arg;
} ui_target;

typedef struct text_cache text_cache;

/* Supplies the PNG bytes of an image named in a stem ([图:name.png]);
 * returns 0 with a malloc'd buffer the caller frees, or -1. */
typedef int (*ui_image_fn)(void *ctx, const char *name, uint8_t **png, size_t *len);

#define UI_IMAGE_CACHE 16
typedef struct ui_image {
    char name[72];
    SDL_Texture *tex;
    int w, h;
} ui_image;

typedef struct ui {
    SDL_Window *window;
    SDL_Renderer *renderer;
    int w, h;
    char font_path[1024];
    int font_index;
    TTF_Font *fonts[UI_FONT_SIZES];
    int font_px[UI_FONT_SIZES];
    int scale_pct;          /* candidate font size: 100 = normal (Ctrl+= / Ctrl+-) */
    int high_contrast;
    ui_theme theme;
    text_cache *cache;
    ui_target targets[UI_MAX_TARGETS];
    int ntargets;
    char *seen;             /* every text drawn this frame, '\n'-separated */
    size_t seen_len, seen_cap;
    ui_image_fn image_fn;   /* images in stems */
    void *image_ctx;
    ui_image images[UI_IMAGE_CACHE];
    int nimages;
} ui;

/* Finds the font and opens the renderer on WINDOW. Returns 0 or -1 with *why. */
int ui_init(ui *u, SDL_Window *window, const char *fonts_dir, char **why);
void ui_free(ui *u);
void ui_set_theme(ui *u, int high_contrast);

/* Frame: clears, resets click targets and the record of visible text. */
void ui_begin(ui *u);
void ui_end(ui *u);

/* Font px sizes scaled by scale_pct. */
TTF_Font *ui_font(ui *u, int px);
int ui_px(const ui *u, int base_px);

void ui_fill(ui *u, SDL_Rect r, SDL_Color c);
void ui_frame(ui *u, SDL_Rect r, SDL_Color c, int thickness);
/* One line of text at (x, y) (top-left); returns its width. Records it as seen. */
int ui_text(ui *u, int x, int y, int px, SDL_Color c, const char *s);
int ui_text_width(ui *u, int px, const char *s);
/* Centred horizontally in [x, x+w). */
void ui_text_center(ui *u, int x, int y, int w, int px, SDL_Color c, const char *s);
/* Wrapped paragraph in width W; lines starting with '|' form a table, and a
 * line [图:name.png] shows that image (from image_fn), scaled to fit.
 * Returns the height used. With DRAW 0 only measures. */
int ui_paragraph(ui *u, int x, int y, int w, int px, SDL_Color c, const char *s, int draw);
/* An editable text box at BOX: TEXT, then (when ACTIVE) the IME's
 * COMPOSING text underlined in the accent colour, then the caret — the
 * kiosk edits at the end only. MULTILINE wraps where the lines really
 * break (hard '\n' kept) and, when taller than the box, scrolls so the
 * caret line shows; otherwise one line scrolled left so the end shows.
 * Everything is clipped to the box; the IME's candidate window is placed
 * at the caret. Text is drawn as typed: no tables or images. Returns BOX.h. */
int ui_edit(ui *u, SDL_Rect box, int px, const char *text, const char *composing, int multiline, int active);
/* Button: filled rect, centred label, registers a click target. */
void ui_button(ui *u, SDL_Rect r, const char *label, int px, int primary, int action, int arg);
void ui_target_add(ui *u, SDL_Rect r, int action, int arg);
/* Target under (x, y), or NULL. */
const ui_target *ui_hit(const ui *u, int x, int y);

/* Records text as visible without drawing (e.g. a masked field's label). */
void ui_seen(ui *u, const char *s);
/* 1 if S appears in what the last frame drew. */
int ui_visible(const ui *u, const char *s);

/* Writes the current frame to a PNG file. Returns 0 or -1. */
int ui_screenshot(ui *u, const char *path);

#endif
