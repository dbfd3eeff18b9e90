/* exam: the kiosk's exam engine, without SDL. It owns the data directory
 * (store), the unlocked pack (in memory only), the roster, the candidate's
 * session, paper, answers and clock, and turns user actions into durable
 * state: every answer is committed (with its journal entry) before the
 * engine reports it saved. The SDL front end only maps keys and clicks to
 * these calls and draws what the view functions return. */
#ifndef EXAM_H
#define EXAM_H

#include <stdint.h>

#include "core/paper.h"
#include "core/session.h"

typedef struct exam exam;

/* What the screen shows. The phases, the function that leaves each, what it
 * writes durably and what survives a crash: the block at the top of exam.c. */
typedef enum exam_phase {
    PHASE_LOCKED,        /* start screen: packs shown locked, release code entry */
    PHASE_SET_PIN,       /* code accepted: invigilator sets a PIN (twice) */
    PHASE_LOGIN,         /* candidate login */
    PHASE_CONFIRM,       /* identity confirmation */
    PHASE_INSTRUCTIONS,  /* 考生须知 */
    PHASE_RUNNING,       /* questions */
    PHASE_PAUSED,        /* paused by the invigilator: screen covered */
    PHASE_DONE,          /* handed in: receipt */
    PHASE_RESUME,        /* after a restart: release code + PIN to go on */
} exam_phase;

/* Outcome codes of actions; exam_message() gives the Chinese text to show. */
typedef enum exam_rc {
    EXAM_OK = 0,
    EXAM_CODE_TYPO, EXAM_CODE_WRONG, EXAM_NO_PACK,
    EXAM_PIN_SHORT, EXAM_PIN_MISMATCH, EXAM_PIN_WRONG,
    EXAM_ID_CHECKSUM, EXAM_NOT_ON_ROSTER, EXAM_LEVEL_MISMATCH, EXAM_LATE, EXAM_ALREADY_SAT,
    EXAM_TOO_EARLY, EXAM_BAD_STATE, EXAM_SAVE_FAILED, EXAM_INTERNAL,
    EXAM_PACK_REFUSED, /* a stored pack failed pack_verify_as (replaced, altered, KDF below the floor): alert + journal */
    EXAM_PIN_WAIT,       /* wrong PINs in a row: PIN entry waits (exam_pin_wait_ms) */
    EXAM_PIN_LOCKED,     /* too many wrong PINs in a row: only the release code opens (exam_pin_release) */
    EXAM_EXTEND_MINUTES, /* an extension of less than one minute */
    EXAM_EXTEND_CAP,     /* more than is left of the sitting's cap (exam_extra_left_min) */
    EXAM_EXTEND_REASON,  /* no reason given, or one longer than EXAM_REASON_MAX bytes */
    EXAM_ENTRY_CLOSED,   /* the room console closed entry: no more logins on this seat */
    EXAM_DUPLICATE_LOGIN, /* the ticket is logged in on another seat of the room (core/roomlink.c) */
} exam_rc;

const char *exam_message(exam_rc rc);

/* Opens the data directory. PF supplies the monotonic clock and randomness.
 * Returns 0 or -1 with *why (caller frees). */
int exam_open(exam **out, const char *datadir, const platform *pf, char **why) __attribute__((warn_unused_result));
void exam_close(exam *e);

exam_phase exam_get_phase(const exam *e);
int64_t exam_now(const exam *e);

/* ---- kiosk facts for the start screen ---- */
const char *exam_site(const exam *e);
const char *exam_room(const exam *e);
const char *exam_seat(const exam *e);
const char *exam_kiosk_id(const exam *e);
int exam_pack_count(const exam *e);
/* title, level, kind ("theory"/"practical"), duration, questions of pack I */
int exam_pack_info(const exam *e, int i, const char **title, int *level, const char **kind, int *duration, int *questions);

/* ---- invigilator ---- */
exam_rc exam_unlock(exam *e, const char *code);                 /* LOCKED → SET_PIN */
exam_rc exam_set_pin(exam *e, const char *pin, const char *again); /* SET_PIN → LOGIN */
exam_rc exam_resume(exam *e, const char *code, const char *pin);   /* RESUME → RUNNING / LOGIN */
/* Opening the panel (and the PIN of exam_resume). Guarded against guessing
 * (core/pin.h): after PIN_FREE_TRIES wrong PINs in a row each further one
 * makes PIN entry wait 1 s, 2 s, 4 s, … (at most 60 s: EXAM_PIN_WAIT while
 * it lasts, the PIN not even checked); the PIN_LOCKOUT-th locks PIN entry
 * (EXAM_PIN_LOCKED) until exam_pin_release. A right PIN resets the count in
 * a row. Every wrong PIN, delay, lockout and release is journaled, and the
 * counts and the lockout are kept in kiosk.db (meta pin_guard): a restart
 * keeps them and starts the current delay again from the restart. */
exam_rc exam_check_pin(exam *e, const char *pin);
int64_t exam_pin_wait_ms(const exam *e);      /* > 0: PIN entry refused for so long */
int exam_pin_locked(const exam *e);           /* 1: locked until the release code is typed */
int exam_pin_failures(const exam *e);         /* wrong PINs in a row */
int exam_pin_failures_total(const exam *e);   /* wrong PINs since the PIN was set */
/* Lifts a lockout with the release code of the unlocked (or resumed) pack:
 * the PIN works again, the count in a row starts from 0 (the total stays).
 * EXAM_CODE_TYPO / EXAM_CODE_WRONG for a wrong code, EXAM_BAD_STATE when not
 * locked. */
exam_rc exam_pin_release(exam *e, const char *code);
exam_rc exam_pause(exam *e);
exam_rc exam_continue(exam *e);                                 /* PAUSED → RUNNING */
/* Extends the sitting by MINUTES (at least 1, at most what is left of the
 * pack's max_extra for this sitting) for REASON (required: trimmed, 1 to
 * EXAM_REASON_MAX bytes of UTF-8 text). The extension, its reason and the
 * exam time it was granted at are committed with the clock and the journal
 * entry in one transaction, and listed in the result. Nothing changes when
 * it is refused (EXAM_EXTEND_*) or not saved (EXAM_SAVE_FAILED). */
#define EXAM_REASON_MAX 120
exam_rc exam_extend(exam *e, int minutes, const char *reason);
int exam_extra_max_min(const exam *e);  /* the unlocked pack's cap (max_extra), minutes */
int exam_extra_used_min(const exam *e); /* extensions of the current sitting so far, minutes */
int exam_extra_left_min(const exam *e); /* what may still be granted, minutes */
/* The candidate's planned extra time (roster extra_minutes, e.g. 残疾考生
 * 延长时间): exam_start grants it with the sitting, in the same commit, as an
 * extension with reason EXAM_PLANNED_REASON at exam time 0, journaled as
 * "accommodation". It is not counted in exam_extra_used_min (so not against
 * max_extra), and exam_extend refuses the reserved reason. */
#define EXAM_PLANNED_REASON "planned accommodation"
int exam_extra_planned_min(const exam *e); /* the current sitting's planned extra time, minutes */
exam_rc exam_force_handin(exam *e);
exam_rc exam_mark_absent(exam *e, const char *ticket);          /* from the login phase */
exam_rc exam_irregularity(exam *e, const char *category, const char *note);
exam_rc exam_reset(exam *e);                                    /* DONE → LOGIN */
/* LOGIN/DONE → LOCKED: closes the unlocked paper (e.g. theory in the morning,
 * then the practical paper is unlocked in the afternoon). */
exam_rc exam_lock(exam *e);
/* An orderly stop (SIGTERM from the system, e.g. systemctl stop): saves
 * whatever is still unsaved and the clock, and journals kiosk_stop with
 * REASON. The sitting stays as after a crash: the next start asks for the
 * release code and PIN and continues it, with the time in between not
 * charged. EXAM_SAVE_FAILED if something could not be written. */
exam_rc exam_stop(exam *e, const char *reason);
exam_rc exam_focus_lost(exam *e);                               /* journaled; counted for the panel */
/* The front end could not hold the keyboard (HELD 0: another program has
 * it) or has it again (HELD 1): journaled for the record. */
exam_rc exam_keyboard_lock(exam *e, int held);
int exam_focus_losses(const exam *e);
const char *exam_alert(const exam *e); /* non-NULL while saving fails: shown to the invigilator */

/* ---- candidate ---- */
exam_rc exam_login(exam *e, const char *ticket, const char *id_number); /* LOGIN → CONFIRM */
exam_rc exam_confirm(exam *e);     /* CONFIRM → INSTRUCTIONS */
exam_rc exam_back(exam *e);        /* CONFIRM → LOGIN (not me) */
exam_rc exam_start(exam *e);       /* INSTRUCTIONS → RUNNING */
exam_rc exam_handin(exam *e);      /* refused with EXAM_TOO_EARLY before min_submit */
int exam_handin_allowed(const exam *e); /* 1 once min_submit has passed */
/* Minutes left of the unlocked pack's late-entry window (0 when closed). */
int exam_late_entry_left_min(const exam *e);
/* Title of the unlocked pack, "" when none. */
const char *exam_unlocked_title(const exam *e);

/* Candidate facts after login (name, ticket, level, room, seat). */
const char *exam_cand_name(const exam *e);
const char *exam_cand_ticket(const exam *e);
int exam_cand_level(const exam *e);
int exam_cand_seat(const exam *e);
int exam_cand_extra_min(const exam *e); /* the logged-in candidate's planned extra minutes (0: none) */

/* ---- the paper ---- */
const paper *exam_paper(const exam *e);
int exam_current(const exam *e);
void exam_goto(exam *e, int item);
/* The PNG named NAME from the unlocked pack (malloc'd; caller frees). */
int exam_image(exam *e, const char *name, uint8_t **png, size_t *len);
/* Loaded content of the current item (stem, options in original order). */
const paper_question *exam_question(exam *e);

/* Answer actions on the current item, in DISPLAY terms (what the screen shows):
 * choose: single/judge select, multi toggle (display index 0 = A);
 * order: append display letter, backspace removes the last;
 * match: digit = display number of the right-hand item for the next left item;
 * text: append to the active blank / field, backspace removes a character;
 * next_blank: Tab. Each returns EXAM_OK once saved durably, EXAM_SAVE_FAILED
 * when kept in memory only (retried on every tick). */
exam_rc exam_choose(exam *e, int display);
exam_rc exam_order_append(exam *e, int display);
exam_rc exam_match_digit(exam *e, int number);
exam_rc exam_backspace(exam *e);
exam_rc exam_text(exam *e, const char *utf8);
exam_rc exam_newline(exam *e);
void exam_next_blank(exam *e);
int exam_active_blank(const exam *e);
exam_rc exam_toggle_flag(exam *e);

/* View of item I's answer: canonical response ("" = none), flagged, saved. */
const char *exam_response(const exam *e, int item);
int exam_flagged(const exam *e, int item);
int exam_saved(const exam *e, int item);
int exam_answered_count(const exam *e);
/* Display form of a response: single/multi/order "BD", match "2,3,1" (display numbers). */
void exam_display_response(const exam *e, int item, char *out, size_t size);
/* Is display option D selected on the current item (single/multi/judge)? */
int exam_is_selected(const exam *e, int display);

/* The current item as the screen draws it, in DISPLAY terms (display
 * position d = letter 'A' + d, or number d + 1 for match), so the front end
 * needs neither the option permutation nor the response encoding. */
typedef struct exam_item_view {
    qtype type;
    int nopt;                             /* options shown (match: right-hand items) */
    const char *option[BANK_MAX_OPTIONS]; /* text shown at d (match: right-hand item); "" for judge */
    int selected[BANK_MAX_OPTIONS];       /* judge/single/multi: d is selected */
    char order[BANK_MAX_OPTIONS + 1];     /* order: display letters in the candidate's order */
    int step[BANK_MAX_OPTIONS];           /* order: 1-based place of d in that order, 0 = not placed */
    int match[BANK_MAX_OPTIONS];          /* match: display number chosen for left-hand item i, 0 none */
    int nmatch;                           /* match: left-hand items filled (the next one is nmatch) */
    int nblanks;                          /* fill: blanks (>= 1); 1 for the other text types */
    const char *const *blank;             /* fill: text of blank k, k < nblanks */
    int active_blank;                     /* fill: blank that takes typing */
    const char *text;                     /* canonical response (numeric, essay: the text typed) */
} exam_item_view;

/* View of the current item; NULL without a paper or when its content cannot
 * be read. Owned by E: valid until the next exam_* call. */
const exam_item_view *exam_view(exam *e);

/* ---- clock ---- */
int64_t exam_remaining_ms(const exam *e);
int64_t exam_elapsed_ms(const exam *e);
/* Advance: persist the clock at least once a second, retry failed saves,
 * fire warnings and the timeout hand-in. Returns SESSION_WARN15 / WARN5 /
 * TIMEOUT bits of what happened. */
int exam_tick(exam *e);

/* ---- after hand-in ---- */
const char *exam_receipt(const exam *e);
int exam_score_tenths(const exam *e);
int exam_show_score(const exam *e);
int exam_pending_items(const exam *e);
const char *exam_final_status(const exam *e);

#ifdef EXAM_TEST_HOOKS
/* test hook: the KDF floor this engine holds packs to (default
 * pack_kdf_floor()), so unit tests can unlock cheap packs quickly. The
 * shipped kiosk has no way to lower it. */
void exam_set_kdf_floor(exam *e, unsigned long long opslimit, size_t memlimit);
/* test hook (test builds only, -DEXAM_TEST_HOOKS): make the next N database
 * commits fail like a full disk */
void exam_fail_writes(exam *e, int n);
#endif

#endif
