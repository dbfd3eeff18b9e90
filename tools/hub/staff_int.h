/* staff internals shared by the files of the staff web interface: staff.c
 * (log-in, sessions, CSRF, roles, routing, the frame of every page, the
 * audit page) and the pages (staff_batches.c, staff_results.c). A page
 * function gets a request that has passed the session, role and (for a
 * POST) CSRF checks; it writes its page into q->page between sp_begin and
 * sp_send, escaping every field with out_html. */
#ifndef STAFF_INT_H
#define STAFF_INT_H

#include <stdint.h>
#include <stdio.h>

#include "tools/hub/hubstore_staff.h"
#include "tools/hub/staff.h"

struct staff {
    hubstore *st;
    const char *db;
    int idle_s;
    uint8_t key[32];            /* this process's key of the CSRF tokens */
    char dummy[STAFF_VERIFIER_MAX]; /* verified against for unknown names: the same time as a wrong password */
    char style_csp[80];         /* 'sha256-…' of STAFF_STYLE */
};

/* one field of the posted form */
typedef struct sform_field {
    char name[32], filename[128];
    char *data; /* NUL-terminated */
    size_t len;
} sform_field;
#define SFORM_MAX 12

typedef struct sreq {
    staff *sf;
    struct MHD_Connection *c;
    staff_user u;      /* who (the session's user) */
    char csrf[33];     /* the session's CSRF token, for the forms of the page */
    int64_t now;
    sform_field form[SFORM_MAX];
    int nform;
    int bare;   /* sp_begin writes no title: the page places its own (the log-in box) */
    FILE *page; /* the page being written (open_memstream) */
    char *buf;
    size_t len;
} sreq;

/* A field of the form: its value (NULL when absent); the file's name too. */
const char *sform_get(const sreq *q, const char *name, size_t *len, const char **filename);
/* A GET parameter (NULL when absent). */
const char *squery(const sreq *q, const char *name);

/* Starts the page TITLE: the frame (header with the user, the pages of the
 * user's role and log-out). Returns q->page, or NULL when out of memory. */
FILE *sp_begin(sreq *q, const char *title);
/* The hidden CSRF field of a form. */
void sp_csrf(sreq *q);
/* Ends the page and answers it with STATUS. */
enum MHD_Result sp_send(sreq *q, unsigned status);
/* A redirect (303) to LOCATION (a path of the staff interface). */
enum MHD_Result sp_redirect(sreq *q, const char *location);
/* Answers TEXT (N bytes, taken) as a CSV download named FILENAME (plain
 * ASCII: [A-Za-z0-9._-]). */
enum MHD_Result sp_send_csv(sreq *q, const char *filename, char *text, size_t n);
/* A short page with STATUS and one escaped line MSG (403, 404, 400, 500). */
enum MHD_Result sp_message(sreq *q, unsigned status, const char *title, const char *msg);
/* Writes a row of the audit log by q's user; 0, or -1 (the store's error). */
int sp_audit(sreq *q, const char *action, const char *detail);
/* A connection of the page's own to the hub's store (the walks of the
 * workflow read with no lock of the shared one), or NULL; hubstore_close it. */
hubstore *staff_store(sreq *q);
/* Writes T as local time "YYYY-MM-DD HH:MM:SS" (the centre's clock). */
void sp_time(FILE *f, int64_t t);

/* The pages (routes in staff.c). */
enum MHD_Result staff_page_batches(sreq *q);
enum MHD_Result staff_upload_applications(sreq *q);
enum MHD_Result staff_upload_payments(sreq *q);
enum MHD_Result staff_upload_rooms(sreq *q);
enum MHD_Result staff_plan(sreq *q);
enum MHD_Result staff_doorlist(sreq *q);
enum MHD_Result staff_page_results(sreq *q);
enum MHD_Result staff_decide(sreq *q);

#endif
