/* readiness: is this lab PC ready for tomorrow's sitting? The checks that
 * need no display (monotonic clock, free disk, fsync latency, ownership and
 * modes of the data directory, loaded packs and rosters verifying against
 * its authority.pub), and the list and line format that the display checks
 * of the kiosk (kiosk/check.c) share. Nothing here prints.
 *
 * Report format, one line per check, then a summary line:
 *     OK   name: detail
 *     FAIL name: reason
 *     N checks, N failed
 * The status word is padded to five columns; NAME is one of the
 * READINESS_* names below ([a-z-], no spaces); the text after ": " is free
 * (UTF-8, one line). A report with any FAIL line means "not ready". */
#ifndef READINESS_H
#define READINESS_H

#include <stddef.h>
#include <stdint.h>

#define READINESS_MAX 32          /* checks in one list */
#define READINESS_NAME_MAX 24
#define READINESS_DETAIL_MAX 768
#define READINESS_LINE_MAX (READINESS_NAME_MAX + READINESS_DETAIL_MAX + 8)

/* check names, in the order of a full report */
#define READINESS_CLOCK "clock"
#define READINESS_DISK "disk"
#define READINESS_FSYNC "fsync"
#define READINESS_DATA_DIR "data-dir"
#define READINESS_DATA_FILES "data-files"
#define READINESS_PACKS "packs"
#define READINESS_ROSTERS "rosters"
/* done by the kiosk, which has the display */
#define READINESS_DISPLAY "display"
#define READINESS_FONT "font"
#define READINESS_IME "ime"
#define READINESS_GRAB "keyboard-grab"

/* The display checks' names, NULL-terminated (examsync reports them failed
 * when it cannot have the kiosk run them). */
extern const char *const READINESS_DISPLAY_CHECKS[];

typedef struct readiness_item {
    char name[READINESS_NAME_MAX];
    int ok;
    char detail[READINESS_DETAIL_MAX]; /* what was found, or why it failed */
} readiness_item;

/* A list of results; zero-initialise it ({0}) before the first use. */
typedef struct readiness_list {
    readiness_item item[READINESS_MAX];
    size_t n;
} readiness_list;

typedef struct readiness_limits {
    uint64_t min_free_bytes; /* free space the sitting needs in the data directory's filesystem */
    int fsync_rounds;        /* write+fsync rounds of the probe file */
    double max_fsync_ms;     /* the worst round may take at most this long */
    int clock_sleep_ms;      /* the monotonic clock is watched over this long */
} readiness_limits;

/* 200 MB, 5 rounds, 200 ms, 20 ms. */
readiness_limits readiness_defaults(void);

/* Appends one result (DETAIL formatted like printf, cut at a character
 * boundary if too long). More than READINESS_MAX results is a programming
 * error and aborts. Returns OK. */
int readiness_add(readiness_list *l, const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Number of failed results. */
size_t readiness_failed(const readiness_list *l);

/* All the checks above on data directory DIR with limits LIM (NULL: the
 * defaults), appended to L in report order. Returns the number that failed. */
size_t readiness_run(readiness_list *l, const char *dir, const readiness_limits *lim);

/* The checks one by one; each appends one result (packs: two, packs and
 * rosters) and returns 1 when it passed, 0 when it failed. */
int readiness_check_clock(readiness_list *l, int sleep_ms);
int readiness_check_disk(readiness_list *l, const char *dir, uint64_t min_free_bytes);
/* Writes and fsyncs a small probe file in DIR ROUNDS times (then removes
 * it); fails when a round takes longer than MAX_MS. *WORST_MS (may be NULL)
 * gets the slowest round, -1 when the probe could not be written. */
int readiness_check_fsync(readiness_list *l, const char *dir, int rounds, double max_ms, double *worst_ms);
/* DIR owned by the running user, mode 0700 or stricter. */
int readiness_check_dir(readiness_list *l, const char *dir);
/* Every entry of DIR owned by the running user; authority.pub (public) not
 * writable by others, every other file neither readable nor writable by
 * group or others (0600), no symbolic links. */
int readiness_check_files(readiness_list *l, const char *dir);
/* Every pack and roster in DIR's kiosk.db verifies against DIR/authority.pub;
 * none loaded is a failure too. Appends READINESS_PACKS and READINESS_ROSTERS. */
int readiness_check_content(readiness_list *l, const char *dir);

/* Pure part of the clock check: NS[0..N-1] are successive readings; passes
 * when none goes backwards and the last is later than the first. On failure
 * *why (malloc'd, caller frees) says where. Returns 0 or -1. */
int readiness_clock_series(const int64_t *ns, size_t n, char **why);

/* Appends every display check as failed with REASON (no display, the
 * kiosk could not be run, ...). */
void readiness_fail_display(readiness_list *l, const char *reason);

/* "OK   name: detail" / "FAIL name: detail" into OUT (no newline). */
void readiness_format(const readiness_item *it, char *out, size_t size);
/* Reads such a line (a trailing newline is ignored). Returns 0, or -1 when
 * LINE is not a check line. */
int readiness_parse(const char *line, readiness_item *out);
/* The whole report, one line each, and with SUMMARY the final
 * "N checks, N failed" line; malloc'd (caller frees), NULL without memory. */
char *readiness_report(const readiness_list *l, int summary);

#endif
