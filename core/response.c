/* response: pure editing of canonical responses and the display↔original
 * mapping (see response.h). */
#include "core/response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/score.h"

const char *response_strerror(response_rc rc)
{
    switch (rc) {
    case RESPONSE_OK: return "ok";
    case RESPONSE_REFUSED: return "action does not apply to this response";
    case RESPONSE_NOMEM: return "out of memory";
    }
    return "unknown response error";
}

static response_rc give(char *s, char **out)
{
    *out = s;
    return s ? RESPONSE_OK : RESPONSE_NOMEM;
}

static response_rc refuse(char **out)
{
    *out = NULL;
    return RESPONSE_REFUSED;
}

static int text_type(qtype t) { return t == QT_FILL || t == QT_NUMERIC || t == QT_ESSAY; }

int response_display_of(const response_map *m, int orig)
{
    for (int d = 0; d < m->nopt; d++)
        if (m->perm[d] == orig) return d;
    return -1;
}

/* ---- choice, order, match ----------------------------------------------- */

response_rc response_choose(const response_map *m, const char *cur, int display, char **out)
{
    if (display < 0 || display >= m->nopt) return refuse(out);
    if (m->type == QT_JUDGE) return give(strdup(display == 0 ? "T" : "F"), out);
    char letter = (char)('A' + m->perm[display]);
    if (m->type == QT_SINGLE) return give(strndup(&letter, 1), out);
    if (m->type != QT_MULTI) return refuse(out);
    /* toggle, keep sorted original letters */
    int have[BANK_MAX_OPTIONS] = {0};
    for (const char *p = cur; *p; p++)
        if (*p >= 'A' && *p < 'A' + BANK_MAX_OPTIONS) have[*p - 'A'] = 1;
    have[letter - 'A'] ^= 1;
    char s[BANK_MAX_OPTIONS + 1];
    int n = 0;
    for (int k = 0; k < BANK_MAX_OPTIONS; k++)
        if (have[k]) s[n++] = (char)('A' + k);
    s[n] = 0;
    return give(strdup(s), out);
}

response_rc response_order_append(const response_map *m, const char *cur, int display, char **out)
{
    if (m->type != QT_ORDER || display < 0 || display >= m->nopt) return refuse(out);
    char letter = (char)('A' + m->perm[display]);
    size_t len = strlen(cur);
    if (strchr(cur, letter) || (int)len >= m->nopt) return refuse(out); /* each once */
    char *s = malloc(len + 2);
    if (s) {
        memcpy(s, cur, len);
        s[len] = letter;
        s[len + 1] = 0;
    }
    return give(s, out);
}

int response_match_entries(const char *cur, int vals[BANK_MAX_OPTIONS])
{
    int n = 0;
    for (int i = 0; i < BANK_MAX_OPTIONS; i++) vals[i] = 0;
    if (!*cur) return 0;
    for (const char *p = cur; n < BANK_MAX_OPTIONS;) {
        vals[n++] = atoi(p);
        p = strchr(p, ',');
        if (!p) break;
        p++;
    }
    return n;
}

response_rc response_match_digit(const response_map *m, const char *cur, int number, char **out)
{
    if (m->type != QT_MATCH || number < 1 || number > m->nopt) return refuse(out);
    int vals[BANK_MAX_OPTIONS];
    int n = response_match_entries(cur, vals);
    /* a match question has as many left-hand items as right-hand ones */
    if (n >= m->nopt) return refuse(out);
    vals[n++] = m->perm[number - 1] + 1;
    char s[64] = "";
    size_t o = 0;
    for (int i = 0; i < n; i++) o += (size_t)snprintf(s + o, sizeof s - o, "%s%d", i ? "," : "", vals[i]);
    return give(strdup(s), out);
}

/* ---- text ------------------------------------------------------------------ */

/* text fields: fill blanks are separated by SCORE_BLANK_SEP */
static char *blank_edit(const char *resp, int blank, int blanks, const char *append, int backspace, int newline)
{
    size_t cap = strlen(resp) + (append ? strlen(append) : 0) + (size_t)blanks + 8;
    char *out = malloc(cap);
    if (!out) return NULL;
    size_t o = 0;
    const char *p = resp;
    for (int b = 0; b < (blanks > 0 ? blanks : 1); b++) {
        const char *end = strchr(p, SCORE_BLANK_SEP);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (b) out[o++] = SCORE_BLANK_SEP;
        memcpy(out + o, p, len);
        size_t start = o;
        o += len;
        if (b == blank) {
            if (backspace && o > start) {
                do o--;
                while (o > start && ((unsigned char)out[o] & 0xC0) == 0x80);
            }
            if (append) { memcpy(out + o, append, strlen(append)); o += strlen(append); }
            if (newline) out[o++] = '\n';
        }
        p = end ? end + 1 : p + len;
    }
    out[o] = 0;
    /* drop trailing empty blanks so "unanswered" stays "" */
    while (o > 0 && out[o - 1] == SCORE_BLANK_SEP) out[--o] = 0;
    return out;
}

response_rc response_text(const response_map *m, const char *cur, int blank, int blanks, const char *utf8, char **out)
{
    if (!text_type(m->type) || !utf8 || !*utf8) return refuse(out);
    /* the separator and control characters never enter an answer */
    for (const char *p = utf8; *p; p++)
        if ((unsigned char)*p < 0x20) return refuse(out);
    if (!csv_utf8_valid(utf8, strlen(utf8), NULL)) return refuse(out);
    if (strlen(cur) + strlen(utf8) > RESPONSE_TEXT_MAX) return refuse(out);
    return give(blank_edit(cur, blank, blanks, utf8, 0, 0), out);
}

response_rc response_newline(const response_map *m, const char *cur, char **out)
{
    if (m->type != QT_ESSAY) return refuse(out);
    return give(blank_edit(cur, 0, 1, NULL, 0, 1), out);
}

response_rc response_backspace(const response_map *m, const char *cur, int blank, int blanks, char **out)
{
    if (!*cur && (text_type(m->type) || m->type == QT_ORDER || m->type == QT_MATCH)) return give(strdup(""), out);
    if (text_type(m->type)) return give(blank_edit(cur, blank, blanks, NULL, 1, 0), out);
    if (m->type == QT_ORDER) return give(strndup(cur, strlen(cur) - 1), out);
    if (m->type == QT_MATCH) {
        const char *comma = strrchr(cur, ',');
        return give(comma ? strndup(cur, (size_t)(comma - cur)) : strdup(""), out);
    }
    return refuse(out);
}

/* ---- reading --------------------------------------------------------------- */

void response_display(const response_map *m, const char *r, char *out, size_t size)
{
    out[0] = 0;
    if (size < 2) return;
    size_t o = 0;
    if (m->type == QT_JUDGE) {
        snprintf(out, size, "%s", !strcmp(r, "T") ? "A" : !strcmp(r, "F") ? "B" : "");
        return;
    }
    if (m->type == QT_SINGLE || m->type == QT_MULTI) { /* display letters, ascending */
        for (int d = 0; d < m->nopt && o + 1 < size; d++)
            if (*r && strchr(r, 'A' + m->perm[d])) out[o++] = (char)('A' + d);
        out[o] = 0;
        return;
    }
    if (m->type == QT_ORDER) {
        for (const char *p = r; *p && o + 1 < size; p++) {
            int d = response_display_of(m, *p - 'A');
            if (d >= 0) out[o++] = (char)('A' + d);
        }
        out[o] = 0;
        return;
    }
    if (m->type == QT_MATCH) {
        int vals[BANK_MAX_OPTIONS];
        int n = response_match_entries(r, vals);
        for (int k = 0; k < n; k++) {
            int disp = 0;
            for (int d = 0; d < m->nopt; d++)
                if (m->perm[d] + 1 == vals[k]) disp = d + 1;
            int w = snprintf(out + o, size - o, "%s%d", k ? "," : "", disp);
            if (w < 0 || (size_t)w >= size - o) break;
            o += (size_t)w;
        }
        return;
    }
    snprintf(out, size, "%s", r);
}

int response_is_selected(const response_map *m, const char *r, int display)
{
    if (m->type == QT_JUDGE) return (display == 0 && !strcmp(r, "T")) || (display == 1 && !strcmp(r, "F"));
    if (display < 0 || display >= m->nopt) return 0;
    return *r && strchr(r, 'A' + m->perm[display]) != NULL;
}

const char *response_blank(const char *cur, int k, char *buf, size_t n)
{
    const char *p = cur;
    for (int i = 0; i < k && p; i++) {
        p = strchr(p, SCORE_BLANK_SEP);
        if (p) p++;
    }
    if (!p) { buf[0] = 0; return buf; }
    const char *e = strchr(p, SCORE_BLANK_SEP);
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len >= n) len = n - 1;
    memcpy(buf, p, len);
    buf[len] = 0;
    return buf;
}
