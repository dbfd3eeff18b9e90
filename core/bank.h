/* bank: a question bank (题库) read from CSV and checked row by row:
 * unique ids, known types, options and answers consistent with each other.
 * Answers are stored normalised (see exam-packs/FORMAT.md). */
#ifndef BANK_H
#define BANK_H

#include <stddef.h>

#include "core/csv.h"
#include "core/diag.h"

#define BANK_MAX_OPTIONS 8
#define BANK_ID_MAX 32

typedef enum qtype {
    QT_JUDGE, QT_SINGLE, QT_MULTI, QT_FILL, QT_NUMERIC, QT_ORDER, QT_MATCH, QT_ESSAY,
    QT_COUNT
} qtype;

typedef struct question {
    char id[BANK_ID_MAX + 1];
    qtype type;
    char *section;     /* "" when none */
    char *stem;
    char *options[BANK_MAX_OPTIONS]; /* NULL past noptions */
    int noptions;
    char *answer;      /* normalised; "" for an essay without reference */
    int points;        /* tenths; -1 = take the blueprint rule's points */
    char *explanation; /* "" when none; never packed */
    long line;         /* line of the row in the CSV (row of the sheet) */
} question;

typedef struct bank {
    question *q;
    size_t n;
    int stem_col;      /* the stem's cell in a row, for messages about a stem (diag_where) */
} bank;

/* Reads a bank from CSV bytes. Every mistake is added to D as one line
 * (at most one per row); returns 0 when the bank is clean, else -1, and then
 * *out is empty. Free with bank_free. */
int bank_parse(const char *buf, size_t len, bank *out, diag *d) __attribute__((warn_unused_result));
/* The same from a table read by table_read (core/xlsx.h): a CSV file's or a workbook's. */
int bank_from_csv(const csv_table *t, bank *out, diag *d) __attribute__((warn_unused_result));
void bank_free(bank *b);
/* The bank's columns (English and Chinese header names), for templates; *N their number. */
const csv_column *bank_columns(size_t *n);

/* "judge", "single", … ; and the reverse (English or Chinese name), -1 if unknown */
const char *qtype_name(qtype t);
const char *qtype_label_zh(qtype t); /* 判断题, 单项选择题, … */
int qtype_parse(const char *s);

/* Images in stems: a line "[图:NAME]" (or "[img:NAME]") shows the PNG named
 * NAME ([A-Za-z0-9._-]{1,64}, ending in .png), stored in the pack. Writes up
 * to MAX names found in STEM into NAMES and returns how many there are;
 * returns -1 when a reference is malformed. */
#define BANK_IMAGE_NAME_MAX 64
int bank_stem_images(const char *stem, char names[][BANK_IMAGE_NAME_MAX + 1], int max);
/* If LINE (one line of a stem) is an image reference, copies the name into
 * NAME and returns 1, else 0. */
int bank_image_line(const char *line, size_t len, char name[BANK_IMAGE_NAME_MAX + 1]);

/* Number of blanks of a fill answer ("a|b;c" → 2). */
int bank_fill_blanks(const char *answer);

#endif
