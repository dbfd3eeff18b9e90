/* textlayout: line breaking for Chinese and mixed text, without SDL.
 * Breaks between CJK characters, at spaces, never inside a Latin word or
 * number (unless it alone is wider than the line), honours hard line breaks,
 * and applies the line-start / line-end prohibitions of SPEC §6.2 (no line
 * starts with ，。、；：？！）》」』 and similar closing marks; no line ends with
 * （《「『 and similar opening marks). Widths come from a caller-supplied
 * measuring function, so the rules are unit-tested without fonts. */
#ifndef TEXTLAYOUT_H
#define TEXTLAYOUT_H

/* Width in pixels of the UTF-8 bytes [s, s+n) set on one line. */
typedef int (*tl_measure_fn)(void *ctx, const char *s, int n);

typedef struct tl_line {
    int start; /* byte offset of the line in the text */
    int len;   /* bytes, without the trailing '\n' and without trailing spaces */
    int width; /* measured width of those bytes */
} tl_line;

/* Breaks TEXT (UTF-8, NUL-terminated) into lines no wider than WIDTH.
 * Writes at most MAX lines to LINES and returns the total number of lines
 * the text needs (which may exceed MAX; call again with a bigger array).
 * An empty text, or an empty line between two '\n', is one line of len 0. */
int tl_break(const char *text, int width, tl_measure_fn measure, void *ctx, tl_line *lines, int max);

/* 1 if the code point may not start a line (closing punctuation). */
int tl_no_line_start(unsigned cp);
/* 1 if the code point may not end a line (opening brackets and quotes). */
int tl_no_line_end(unsigned cp);

/* Decodes one UTF-8 code point at S (invalid bytes decode as U+FFFD and
 * advance one byte). Returns the number of bytes used (0 at end of string). */
int tl_decode(const char *s, unsigned *cp);

#endif
