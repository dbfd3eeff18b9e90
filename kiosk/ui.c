/* ui: SDL2 drawing layer with a rendered-line cache and CJK text layout. */
#include "kiosk/ui.h"

#include <SDL_image.h>
#include <dirent.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bank.h"
#include "kiosk/textlayout.h"

/* ---- rendered-line cache ----------------------------------------------------- */

#define CACHE_SLOTS 4096
#define CACHE_MAX 3000
/* Pixel bytes the cached lines may hold. Without a byte limit the cache grew
 * by one texture per second of the exam (each new timer value, ~37 KB at
 * 1080p) and by every question visited, to 150+ MB in a 90-minute sitting. A
 * full 1080p question screen needs a few MB, so the lines of the frame being
 * drawn always fit. */
#define CACHE_BYTES ((size_t)24 << 20)

typedef struct cache_entry {
    char *text;
    int px;
    uint32_t rgba;
    SDL_Texture *tex;
    int w, h;
    unsigned frame; /* last frame that drew it */
} cache_entry;

struct text_cache {
    cache_entry slot[CACHE_SLOTS];
    int used;
    size_t bytes;   /* pixel bytes of all cached lines (4 per pixel) */
    unsigned frame; /* counts ui_begin calls */
    int16_t *adv[UI_FONT_SIZES]; /* advance width per BMP code point, -1 unknown */
};

static uint32_t hash_key(const char *s, int px, uint32_t rgba)
{
    uint32_t h = 2166136261u ^ (uint32_t)px * 16777619u ^ rgba;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void cache_clear(text_cache *c)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (c->slot[i].tex) SDL_DestroyTexture(c->slot[i].tex);
        free(c->slot[i].text);
        memset(&c->slot[i], 0, sizeof c->slot[i]);
    }
    c->used = 0;
    c->bytes = 0;
}

/* Over a limit: drops the lines not drawn in the current frame (past timer
 * values, questions left) and rehashes the rest, so the screen on display
 * stays warm; starts afresh only if that is not enough. */
static void cache_evict(text_cache *c, size_t need)
{
    cache_entry *keep = malloc(CACHE_SLOTS * sizeof *keep);
    int n = 0;
    if (keep)
        for (int i = 0; i < CACHE_SLOTS; i++) {
            cache_entry *e = &c->slot[i];
            if (!e->text) continue;
            if (e->frame == c->frame) keep[n++] = *e;
            else {
                SDL_DestroyTexture(e->tex);
                free(e->text);
            }
            memset(e, 0, sizeof *e);
        }
    else
        cache_clear(c);
    c->used = 0;
    c->bytes = 0;
    for (int k = 0; k < n; k++) {
        uint32_t h = hash_key(keep[k].text, keep[k].px, keep[k].rgba) % CACHE_SLOTS;
        for (int probe = 0; probe < CACHE_SLOTS; probe++) {
            cache_entry *e = &c->slot[(h + (uint32_t)probe) % CACHE_SLOTS];
            if (e->text) continue;
            *e = keep[k];
            break;
        }
        c->used++;
        c->bytes += (size_t)keep[k].w * (size_t)keep[k].h * 4;
    }
    free(keep);
    if (c->used >= CACHE_MAX || c->bytes + need > CACHE_BYTES) cache_clear(c);
}

static uint32_t rgba_of(SDL_Color c) { return (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a; }

static cache_entry *cache_get(ui *u, int px, SDL_Color color, const char *s)
{
    text_cache *c = u->cache;
    uint32_t rgba = rgba_of(color);
    uint32_t h = hash_key(s, px, rgba) % CACHE_SLOTS;
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        cache_entry *e = &c->slot[(h + (uint32_t)probe) % CACHE_SLOTS];
        if (!e->text) break;
        if (e->px == px && e->rgba == rgba && !strcmp(e->text, s)) {
            e->frame = c->frame;
            return e;
        }
    }
    TTF_Font *f = ui_font(u, px);
    if (!f) return NULL;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f, s, color);
    if (!surf) return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(u->renderer, surf);
    int w = surf->w, hh = surf->h;
    SDL_FreeSurface(surf);
    if (!tex) return NULL;
    size_t need = (size_t)w * (size_t)hh * 4;
    if (c->used >= CACHE_MAX || c->bytes + need > CACHE_BYTES) cache_evict(c, need);
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        cache_entry *e = &c->slot[(h + (uint32_t)probe) % CACHE_SLOTS];
        if (e->text) continue;
        e->text = strdup(s);
        e->px = px;
        e->rgba = rgba;
        e->tex = tex;
        e->w = w;
        e->h = hh;
        e->frame = c->frame;
        c->used++;
        c->bytes += need;
        return e;
    }
    SDL_DestroyTexture(tex);
    return NULL;
}

/* ---- fonts ---------------------------------------------------------------------- */

static int find_font_in_dir(const char *dir, char *out, size_t size)
{
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) return -1;
    struct dirent *de;
    int found = -1;
    while ((de = readdir(d))) {
        const char *dot = strrchr(de->d_name, '.');
        if (dot && (!strcasecmp(dot, ".ttf") || !strcasecmp(dot, ".otf") || !strcasecmp(dot, ".ttc"))) {
            snprintf(out, size, "%s/%s", dir, de->d_name);
            found = 0;
            break;
        }
    }
    closedir(d);
    return found;
}

static int find_font_fc(char *out, size_t size, int *index)
{
    if (!FcInit()) return -1;
    FcPattern *p = FcNameParse((const FcChar8 *)"Noto Sans CJK SC:lang=zh-cn");
    if (!p) return -1;
    FcConfigSubstitute(NULL, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult res;
    FcPattern *m = FcFontMatch(NULL, p, &res);
    FcPatternDestroy(p);
    if (!m) return -1;
    FcChar8 *file = NULL;
    FcCharSet *cs = NULL;
    int rc = -1;
    if (FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch &&
        FcPatternGetCharSet(m, FC_CHARSET, 0, &cs) == FcResultMatch && FcCharSetHasChar(cs, 0x4E2D /* 中 */)) {
        snprintf(out, size, "%s", (const char *)file);
        if (FcPatternGetInteger(m, FC_INDEX, 0, index) != FcResultMatch) *index = 0;
        rc = 0;
    }
    FcPatternDestroy(m);
    return rc;
}

int ui_px(const ui *u, int base) { return base * u->scale_pct / 100; }

TTF_Font *ui_font(ui *u, int px)
{
    if (px < 8) px = 8;
    if (px > 96) px = 96;
    int free_slot = -1;
    for (int i = 0; i < UI_FONT_SIZES; i++) {
        if (u->fonts[i] && u->font_px[i] == px) return u->fonts[i];
        if (!u->fonts[i] && free_slot < 0) free_slot = i;
    }
    if (free_slot < 0) { /* too many sizes (font zoom): start afresh */
        cache_clear(u->cache);
        for (int i = 0; i < UI_FONT_SIZES; i++) {
            TTF_CloseFont(u->fonts[i]);
            u->fonts[i] = NULL;
            free(u->cache->adv[i]);
            u->cache->adv[i] = NULL;
        }
        free_slot = 0;
    }
    TTF_Font *f = TTF_OpenFontIndex(u->font_path, px, u->font_index);
    if (!f) return NULL;
    u->fonts[free_slot] = f;
    u->font_px[free_slot] = px;
    return f;
}

void ui_set_theme(ui *u, int hc)
{
    u->high_contrast = hc;
    if (hc)
        u->theme = (ui_theme){.bg = {0, 0, 0, 255}, .panel = {0, 0, 0, 255}, .text = {255, 255, 255, 255},
                              .dim = {230, 230, 120, 255}, .accent = {255, 235, 0, 255}, .accent_text = {0, 0, 0, 255},
                              .border = {255, 255, 255, 255}, .ok = {0, 255, 120, 255}, .warn = {255, 200, 0, 255},
                              .danger = {255, 90, 90, 255}, .selected_bg = {255, 235, 0, 255},
                              .flagged = {255, 140, 0, 255}};
    else
        u->theme = (ui_theme){.bg = {246, 247, 249, 255}, .panel = {255, 255, 255, 255}, .text = {24, 28, 36, 255},
                              .dim = {96, 104, 118, 255}, .accent = {22, 93, 180, 255}, .accent_text = {255, 255, 255, 255},
                              .border = {200, 205, 214, 255}, .ok = {22, 140, 80, 255}, .warn = {200, 120, 0, 255},
                              .danger = {196, 40, 40, 255}, .selected_bg = {22, 93, 180, 255},
                              .flagged = {235, 120, 0, 255}};
    if (u->cache) cache_clear(u->cache);
}

int ui_init(ui *u, SDL_Window *window, const char *fonts_dir, char **why)
{
    memset(u, 0, sizeof *u);
    u->window = window;
    u->scale_pct = 100;
    /* The software renderer draws into the window surface. By default SDL
     * shows that surface by uploading it, every frame, as a texture to an
     * OpenGL renderer; without a GPU that is Mesa's llvmpipe: ~15 ms per
     * 1080p frame and ~110 MB more RSS (LLVM). Present the surface directly
     * (X11: shared-memory image) instead. The environment variable
     * SDL_FRAMEBUFFER_ACCELERATION still overrides this default. */
    SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0", SDL_HINT_DEFAULT);
    u->renderer = SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE);
    if (!u->renderer) {
        *why = strdup(SDL_GetError());
        return -1;
    }
    SDL_GetRendererOutputSize(u->renderer, &u->w, &u->h);
    if (TTF_Init() != 0) {
        *why = strdup(TTF_GetError());
        return -1;
    }
    if (find_font_in_dir(fonts_dir, u->font_path, sizeof u->font_path) != 0 &&
        find_font_fc(u->font_path, sizeof u->font_path, &u->font_index) != 0) {
        *why = strdup("no Chinese font found: install fonts-noto-cjk or put a CJK .ttf/.otf/.ttc into fonts/");
        return -1;
    }
    u->cache = calloc(1, sizeof *u->cache);
    if (!u->cache || !ui_font(u, 20)) {
        *why = strdup("cannot open the Chinese font");
        return -1;
    }
    ui_set_theme(u, 0);
    return 0;
}

static void images_clear(ui *u)
{
    for (int i = 0; i < u->nimages; i++)
        if (u->images[i].tex) SDL_DestroyTexture(u->images[i].tex);
    u->nimages = 0;
}

/* the decoded image NAME, cached; NULL when it cannot be had */
static ui_image *image_get(ui *u, const char *name)
{
    for (int i = 0; i < u->nimages; i++)
        if (!strcmp(u->images[i].name, name)) return u->images[i].tex ? &u->images[i] : NULL;
    if (u->nimages == UI_IMAGE_CACHE) images_clear(u);
    ui_image *im = &u->images[u->nimages++];
    memset(im, 0, sizeof *im);
    snprintf(im->name, sizeof im->name, "%s", name);
    uint8_t *png = NULL;
    size_t len = 0;
    if (!u->image_fn || u->image_fn(u->image_ctx, name, &png, &len) != 0) return NULL;
    SDL_RWops *rw = SDL_RWFromConstMem(png, (int)len);
    SDL_Surface *surf = rw ? IMG_LoadPNG_RW(rw) : NULL;
    if (rw) SDL_RWclose(rw);
    free(png);
    if (!surf) return NULL;
    im->tex = SDL_CreateTextureFromSurface(u->renderer, surf);
    im->w = surf->w;
    im->h = surf->h;
    SDL_FreeSurface(surf);
    return im->tex ? im : NULL;
}

void ui_free(ui *u)
{
    images_clear(u);
    tl_shutdown(); /* ICU's line break iterators */
    if (u->cache) {
        cache_clear(u->cache);
        for (int i = 0; i < UI_FONT_SIZES; i++) free(u->cache->adv[i]);
        free(u->cache);
    }
    for (int i = 0; i < UI_FONT_SIZES; i++)
        if (u->fonts[i]) TTF_CloseFont(u->fonts[i]);
    if (u->renderer) SDL_DestroyRenderer(u->renderer);
    free(u->seen);
    TTF_Quit();
    memset(u, 0, sizeof *u);
}

/* ---- frame ------------------------------------------------------------------------ */

void ui_seen(ui *u, const char *s)
{
    size_t n = strlen(s);
    if (u->seen_len + n + 2 > u->seen_cap) {
        size_t cap = u->seen_cap ? u->seen_cap * 2 : 8192;
        while (cap < u->seen_len + n + 2) cap *= 2;
        char *p = realloc(u->seen, cap);
        if (!p) return;
        u->seen = p;
        u->seen_cap = cap;
    }
    memcpy(u->seen + u->seen_len, s, n);
    u->seen_len += n;
    u->seen[u->seen_len++] = '\n';
    u->seen[u->seen_len] = 0;
}

int ui_visible(const ui *u, const char *s) { return u->seen && strstr(u->seen, s) != NULL; }

void ui_begin(ui *u)
{
    SDL_GetRendererOutputSize(u->renderer, &u->w, &u->h);
    u->ntargets = 0;
    u->cache->frame++;
    u->seen_len = 0;
    if (u->seen) u->seen[0] = 0;
    SDL_Color b = u->theme.bg;
    SDL_SetRenderDrawColor(u->renderer, b.r, b.g, b.b, 255);
    SDL_RenderClear(u->renderer);
}

void ui_end(ui *u) { SDL_RenderPresent(u->renderer); }

void ui_fill(ui *u, SDL_Rect r, SDL_Color c)
{
    SDL_SetRenderDrawColor(u->renderer, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(u->renderer, &r);
}

void ui_frame(ui *u, SDL_Rect r, SDL_Color c, int t)
{
    SDL_SetRenderDrawColor(u->renderer, c.r, c.g, c.b, c.a);
    for (int i = 0; i < t; i++) {
        SDL_Rect k = {r.x + i, r.y + i, r.w - 2 * i, r.h - 2 * i};
        if (k.w <= 0 || k.h <= 0) break;
        SDL_RenderDrawRect(u->renderer, &k);
    }
}

int ui_text(ui *u, int x, int y, int px, SDL_Color c, const char *s)
{
    if (!s || !*s) return 0;
    ui_seen(u, s);
    cache_entry *e = cache_get(u, px, c, s);
    if (!e) return 0;
    SDL_Rect dst = {x, y, e->w, e->h};
    SDL_RenderCopy(u->renderer, e->tex, NULL, &dst);
    return e->w;
}

void ui_text_center(ui *u, int x, int y, int w, int px, SDL_Color c, const char *s)
{
    int tw = ui_text_width(u, px, s);
    ui_text(u, x + (w - tw) / 2, y, px, c, s);
}

/* advance widths per code point, cached per font size */
typedef struct measure_ctx {
    ui *u;
    TTF_Font *f;
    int16_t *adv;
} measure_ctx;

static int16_t *advances_for(ui *u, int px)
{
    TTF_Font *f = ui_font(u, px);
    for (int i = 0; i < UI_FONT_SIZES; i++)
        if (u->fonts[i] == f) {
            if (!u->cache->adv[i]) {
                u->cache->adv[i] = malloc(65536 * sizeof(int16_t));
                if (u->cache->adv[i]) memset(u->cache->adv[i], 0xff, 65536 * sizeof(int16_t));
            }
            return u->cache->adv[i];
        }
    return NULL;
}

static int measure(void *vctx, const char *s, int n)
{
    measure_ctx *m = vctx;
    int w = 0;
    for (int i = 0; i < n;) {
        unsigned cp;
        int k = tl_decode(s + i, &cp);
        if (k <= 0) break;
        i += k;
        int a = -1;
        if (cp < 65536 && m->adv && m->adv[cp] >= 0) a = m->adv[cp];
        if (a < 0) {
            int minx, maxx, miny, maxy, adv = 0;
            if (TTF_GlyphMetrics32(m->f, cp, &minx, &maxx, &miny, &maxy, &adv) != 0) adv = TTF_FontHeight(m->f) / 2;
            a = adv;
            if (cp < 65536 && m->adv) m->adv[cp] = (int16_t)a;
        }
        w += a;
    }
    return w;
}

int ui_text_width(ui *u, int px, const char *s)
{
    measure_ctx m = {u, ui_font(u, px), advances_for(u, px)};
    if (!m.f) return 0;
    return measure(&m, s, (int)strlen(s));
}

static int line_height(ui *u, int px)
{
    TTF_Font *f = ui_font(u, px);
    return f ? TTF_FontLineSkip(f) + px / 4 : px * 3 / 2;
}

/* draws (or measures) table rows [rows, rows+n) as a grid; returns height */
static int draw_table(ui *u, int x, int y, int w, int px, SDL_Color c, char **rows, int n, int draw)
{
    enum { MAXC = 12 };
    char *cells[64][MAXC];
    int ncols = 0, nrows = 0;
    for (int r = 0; r < n && nrows < 64; r++) {
        char *line = rows[r];
        int k = 0;
        char *p = line + 1; /* after the leading '|' */
        while (*p && k < MAXC) {
            char *bar = strchr(p, '|');
            if (bar) *bar = 0;
            while (*p == ' ') p++;
            char *end = p + strlen(p);
            while (end > p && end[-1] == ' ') *--end = 0;
            cells[nrows][k++] = p;
            if (!bar) break;
            p = bar + 1;
            if (!*p) break;
        }
        if (k > ncols) ncols = k;
        for (int j = k; j < MAXC; j++) cells[nrows][j] = "";
        nrows++;
    }
    if (!ncols) return 0;
    int colw[MAXC] = {0}, total = 0, pad = px / 2;
    for (int j = 0; j < ncols; j++) {
        for (int r = 0; r < nrows; r++) {
            int tw = ui_text_width(u, px, cells[r][j]) + 2 * pad;
            if (tw > colw[j]) colw[j] = tw;
        }
        total += colw[j];
    }
    if (total > w) /* squeeze proportionally */
        for (int j = 0; j < ncols; j++) colw[j] = colw[j] * w / total;
    int rh = line_height(u, px) + pad / 2;
    if (draw) {
        int yy = y;
        for (int r = 0; r < nrows; r++) {
            int xx = x;
            if (r == 0) {
                int tw = 0;
                for (int j = 0; j < ncols; j++) tw += colw[j];
                ui_fill(u, (SDL_Rect){x, yy, tw, rh}, u->high_contrast ? u->theme.bg : (SDL_Color){232, 238, 247, 255});
            }
            for (int j = 0; j < ncols; j++) {
                ui_frame(u, (SDL_Rect){xx, yy, colw[j] + 1, rh + 1}, u->theme.border, 1);
                ui_text(u, xx + pad, yy + (rh - TTF_FontHeight(ui_font(u, px))) / 2, px, c, cells[r][j]);
                xx += colw[j];
            }
            yy += rh;
        }
    }
    return nrows * rh + pad;
}

int ui_paragraph(ui *u, int x, int y, int w, int px, SDL_Color c, const char *s, int draw)
{
    if (!s) return 0;
    char *copy = strdup(s);
    if (!copy) return 0;
    if (draw) { /* what `expect` may find: the text, without image reference lines */
        char *vis = malloc(strlen(s) + 1);
        if (vis) {
            size_t o = 0;
            for (const char *p = s; *p;) {
                const char *e = strchr(p, '\n');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                char nm[BANK_IMAGE_NAME_MAX + 1];
                if (bank_image_line(p, len, nm) != 1) {
                    memcpy(vis + o, p, len);
                    o += len;
                    if (e) vis[o++] = '\n';
                }
                p = e ? e + 1 : p + len;
            }
            vis[o] = 0;
            ui_seen(u, vis);
            free(vis);
        }
    }
    measure_ctx m = {u, ui_font(u, px), advances_for(u, px)};
    int lh = line_height(u, px), yy = y;
    /* split into runs of plain lines and of table lines */
    char *lines[512];
    int n = 0;
    for (char *p = copy; n < 512;) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) break;
        *nl = 0;
        p = nl + 1;
    }
    for (int i = 0; i < n;) {
        char *t = lines[i];
        while (*t == ' ') t++;
        char iname[BANK_IMAGE_NAME_MAX + 1];
        if (bank_image_line(lines[i], strlen(lines[i]), iname) == 1) {
            ui_image *im = image_get(u, iname);
            if (im) { /* scaled to the width and to under half the screen's height */
                int maxh = u->h * 45 / 100, iw = im->w, ih = im->h;
                if (iw > w) { ih = ih * w / iw; iw = w; }
                if (ih > maxh) { iw = iw * maxh / ih; ih = maxh; }
                if (draw) SDL_RenderCopy(u->renderer, im->tex, NULL, &(SDL_Rect){x, yy + lh / 8, iw, ih});
                yy += ih + lh / 4;
            } else {
                char missing[128];
                snprintf(missing, sizeof missing, "（图片 %s 无法显示，请报告监考员）", iname);
                if (draw) ui_text(u, x, yy, px, u->theme.danger, missing);
                yy += lh;
            }
            i++;
            continue;
        }
        if (*t == '|') {
            int j = i;
            char *rows[64];
            int nr = 0;
            while (j < n && nr < 64) {
                char *q = lines[j];
                while (*q == ' ') q++;
                if (*q != '|') break;
                rows[nr++] = q;
                j++;
            }
            yy += draw_table(u, x, yy + lh / 8, w, px, c, rows, nr, draw) + lh / 8;
            i = j;
            continue;
        }
        tl_line ls[256];
        int nl = tl_break(lines[i], w, measure, &m, ls, 256);
        if (nl > 256) nl = 256;
        for (int k = 0; k < nl; k++) {
            if (draw && ls[k].len > 0) {
                char buf[4096];
                int len = ls[k].len < (int)sizeof buf - 1 ? ls[k].len : (int)sizeof buf - 1;
                memcpy(buf, lines[i] + ls[k].start, (size_t)len);
                buf[len] = 0;
                cache_entry *e = cache_get(u, px, c, buf);
                if (e) SDL_RenderCopy(u->renderer, e->tex, NULL, &(SDL_Rect){x, yy, e->w, e->h});
            }
            yy += lh;
        }
        i++;
    }
    free(copy);
    return yy - y;
}

/* ---- editable text ----------------------------------------------------------- */

/* draws bytes [s, s+n) of FULL at (x, y): the part before TLEN in the text
 * colour, the part from TLEN on (the IME composition) in the accent colour,
 * underlined; returns the width drawn */
static int draw_span(ui *u, int x, int y, int px, const char *full, int s, int n, int tlen)
{
    char buf[4096];
    int w = 0;
    for (int part = 0; part < 2; part++) {
        int a = part == 0 ? s : (s > tlen ? s : tlen);
        int b = part == 0 ? (s + n < tlen ? s + n : tlen) : s + n;
        if (b <= a) continue;
        int len = b - a < (int)sizeof buf - 1 ? b - a : (int)sizeof buf - 1;
        memcpy(buf, full + a, (size_t)len);
        buf[len] = 0;
        SDL_Color c = part == 0 ? u->theme.text : u->theme.accent;
        cache_entry *e = cache_get(u, px, c, buf);
        if (!e) continue;
        SDL_RenderCopy(u->renderer, e->tex, NULL, &(SDL_Rect){x + w, y, e->w, e->h});
        if (part == 1) ui_fill(u, (SDL_Rect){x + w, y + TTF_FontHeight(ui_font(u, px)), e->w, 2}, u->theme.accent);
        w += e->w;
    }
    return w;
}

int ui_edit(ui *u, SDL_Rect box, int px, const char *text, const char *composing, int multiline, int active)
{
    ui_fill(u, box, u->theme.panel);
    ui_frame(u, box, active ? u->theme.accent : u->theme.border, active ? 3 : 1);
    if (!text) text = "";
    if (!active || !composing) composing = "";
    size_t tl = strlen(text), cl = strlen(composing);
    char *full = malloc(tl + cl + 1);
    if (!full) return 0;
    memcpy(full, text, tl);
    memcpy(full + tl, composing, cl + 1);
    if (*full) ui_seen(u, full);
    TTF_Font *f = ui_font(u, px);
    if (!f) { free(full); return 0; }
    measure_ctx m = {u, f, advances_for(u, px)};
    int pad = 10, th = TTF_FontHeight(f);
    SDL_Rect inner = {box.x + pad, box.y + 6, box.w - 2 * pad, box.h - 12};
    /* clip to the box, inside whatever clip is already set */
    SDL_Rect old, clip = inner;
    SDL_bool had = SDL_RenderIsClipEnabled(u->renderer);
    if (had) {
        SDL_RenderGetClipRect(u->renderer, &old);
        if (!SDL_IntersectRect(&old, &inner, &clip)) clip = (SDL_Rect){inner.x, inner.y, 0, 0};
    }
    SDL_RenderSetClipRect(u->renderer, &clip);
    int cx, cy, lh = line_height(u, px), overflow = 0;
    if (!multiline) {
        /* one line: scrolled left so that the end (where the caret is) shows */
        int wfull = measure(&m, full, (int)strlen(full));
        int off = wfull + 6 > inner.w ? wfull + 6 - inner.w : 0;
        int y = box.y + (box.h - th) / 2;
        cx = inner.x - off + draw_span(u, inner.x - off, y, px, full, 0, (int)strlen(full), (int)tl);
        cy = y;
        lh = th;
        overflow = off > 0;
    } else {
        /* wrapped where the lines really break; the caret follows the last line */
        int cap = 64, n = 0;
        tl_line *ls = malloc((size_t)cap * sizeof *ls);
        int start = 0, flen = (int)strlen(full);
        while (ls) {
            const char *nl = memchr(full + start, '\n', (size_t)(flen - start));
            int end = nl ? (int)(nl - full) : flen;
            char save = full[end];
            full[end] = 0;
            int need = tl_break(full + start, inner.w, measure, &m, ls + n, cap - n);
            if (n + need > cap) { /* more lines than room: grow and break again */
                while (n + need > cap) cap *= 2;
                tl_line *g = realloc(ls, (size_t)cap * sizeof *ls);
                if (!g) { full[end] = save; break; }
                ls = g;
                tl_break(full + start, inner.w, measure, &m, ls + n, cap - n);
            }
            for (int k = n; k < n + need; k++) ls[k].start += start;
            /* the last line of a paragraph runs to its end (trailing spaces included) */
            ls[n + need - 1].len = end - ls[n + need - 1].start;
            n += need;
            full[end] = save;
            if (!nl) break;
            start = end + 1;
        }
        if (!ls || n == 0) { /* out of memory: nothing drawn */
            free(ls);
            free(full);
            SDL_RenderSetClipRect(u->renderer, had ? &old : NULL);
            return 0;
        }
        /* scrolled by whole lines, so that the top line is never cut in half */
        int content = n * lh, scroll = content > inner.h ? (content - inner.h + lh - 1) / lh * lh : 0;
        overflow = scroll > 0;
        int w_last = 0;
        for (int k = 0; k < n; k++) {
            int y = inner.y + k * lh - scroll;
            if (k == n - 1) w_last = measure(&m, full + ls[k].start, ls[k].len);
            if (y + lh < inner.y || y > inner.y + inner.h) continue;
            int w = draw_span(u, inner.x, y, px, full, ls[k].start, ls[k].len, (int)tl);
            if (k == n - 1) w_last = w > 0 || ls[k].len == 0 ? w : w_last;
        }
        /* the caret after the last character; past the box's right edge it starts the next line */
        cx = inner.x + w_last;
        cy = inner.y + (n - 1) * lh - scroll;
        if (cx > inner.x + inner.w - 2) cx = inner.x + inner.w - 2;
        lh = th;
        free(ls);
    }
    SDL_RenderSetClipRect(u->renderer, had ? &old : NULL);
    if (overflow && multiline) { /* where in the text the box is: a bar at the right */
        ui_fill(u, (SDL_Rect){box.x + box.w - 6, box.y + 4, 3, box.h - 8}, u->theme.border);
        ui_fill(u, (SDL_Rect){box.x + box.w - 6, box.y + box.h - 4 - (box.h - 8) / 3, 3, (box.h - 8) / 3}, u->theme.accent);
    }
    if (active) {
        ui_fill(u, (SDL_Rect){cx + 1, cy + 2, 2, lh - 4}, u->theme.text);
        SDL_Rect ime = {cx, cy, 10, lh};
        SDL_SetTextInputRect(&ime);
    }
    free(full);
    return box.h;
}

void ui_target_add(ui *u, SDL_Rect r, int action, int arg)
{
    if (u->ntargets < UI_MAX_TARGETS) u->targets[u->ntargets++] = (ui_target){r, action, arg};
}

void ui_button(ui *u, SDL_Rect r, const char *label, int px, int primary, int action, int arg)
{
    ui_fill(u, r, primary ? u->theme.accent : u->theme.panel);
    ui_frame(u, r, primary ? u->theme.accent : u->theme.border, u->high_contrast ? 2 : 1);
    TTF_Font *f = ui_font(u, px);
    int th = f ? TTF_FontHeight(f) : px;
    ui_text_center(u, r.x, r.y + (r.h - th) / 2, r.w, px, primary ? u->theme.accent_text : u->theme.text, label);
    ui_target_add(u, r, action, arg);
}

const ui_target *ui_hit(const ui *u, int x, int y)
{
    for (int i = u->ntargets - 1; i >= 0; i--) {
        SDL_Rect r = u->targets[i].r;
        if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) return &u->targets[i];
    }
    return NULL;
}

int ui_screenshot(ui *u, const char *path)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, u->w, u->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s) return -1;
    int rc = SDL_RenderReadPixels(u->renderer, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch);
    if (rc == 0) rc = IMG_SavePNG(s, path);
    SDL_FreeSurface(s);
    return rc;
}
