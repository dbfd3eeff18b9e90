/* textlayout: line breaking for Chinese and mixed text, without SDL.
 * Break opportunities come from ICU's line break iterator for "zh"
 * (UAX #14 with ICU's Chinese tailoring), so URLs, SKUs and hyphenated words
 * break only after / - ? and the like, and ￥128.50 or $5 stay whole; lines
 * are filled greedily to a width from a caller-supplied measuring function,
 * so the rules are unit-tested without fonts. On top of ICU, the line-start /
 * line-end prohibitions (FORMAT.md §1, "How the kiosk shows and marks a question") are checked on every opportunity (no
 * line starts with ，。、；：？！）》」』 and similar closing marks; no line
 * ends with （《「『 and similar opening marks). Hard line breaks are kept; a
 * segment wider than the line is split at grapheme boundaries as a last
 * resort.
 *
 * Decision (issue 8, item 13): ICU is the breaker, not an oracle for a
 * breaker of our own. The spec names UAX #14 "as ICU's zh breaker"; a
 * hand-written breaker had already got ￥ amounts and URLs wrong, and
 * keeping one in step with every UAX #14 rule is the library's job
 * (DESIGN.md: well-kept libraries over hand-written ones). Tests showed ICU
 * "zh" alone satisfies the §6.2 list; the post-check with tl_no_line_start /
 * tl_no_line_end costs two decodes per opportunity and adds what our sets
 * forbid beyond ICU (· — ﹑ at a line start), so it stays; "zh@lb=strict"
 * gave the same breaks on all sample banks and is not needed.
 *
 * Threads: each thread opens its own ICU iterators on first use and reuses
 * them (opening one costs far more than breaking a stem). */
#ifndef TEXTLAYOUT_H
#define TEXTLAYOUT_H

/* Width in pixels of the UTF-8 bytes [s, s+n) set on one line. */
typedef int (*tl_measure_fn)(void *ctx, const char *s, int n);

typedef struct tl_line {
    int start; /* byte offset of the line in the text */
    int len;   /* bytes, without the trailing '\n' and without trailing spaces */
    int width; /* measured width of those bytes */
} tl_line;

/* Breaks TEXT (UTF-8, NUL-terminated; ill-formed bytes are allowed) into
 * lines no wider than WIDTH, except where a closing mark hangs past it or a
 * single grapheme is wider than WIDTH. Writes at most MAX lines to LINES and
 * returns the total number of lines the text needs (which may exceed MAX;
 * call again with a bigger array). Lines are in text order and within it.
 * An empty text, or an empty line between two '\n', is one line of len 0. */
int tl_break(const char *text, int width, tl_measure_fn measure, void *ctx, tl_line *lines, int max);

/* 1 if the code point may not start a line (closing punctuation). */
int tl_no_line_start(unsigned cp);
/* 1 if the code point may not end a line (opening brackets and quotes). */
int tl_no_line_end(unsigned cp);

/* Frees the calling thread's ICU break iterators (reopened on the next
 * tl_break). Optional; for a clean leak report at exit or thread end. */
void tl_shutdown(void);

/* Decodes one UTF-8 code point at S (invalid bytes decode as U+FFFD and
 * advance one byte). Returns the number of bytes used (0 at end of string). */
int tl_decode(const char *s, unsigned *cp);

#endif
