/* wf_plan: the workflow commands that seat a batch and print for it: plan
 * (rooms, seats, tickets), rosters (signed, with door lists), tickets (the
 * HTML admission tickets, written by html.c). */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/roster.h"
#include "core/text.h"
#include "tools/hub/html.h"
#include "tools/hub/textout.h"
#include "tools/hub/workflow_cmd_int.h"

/* ---- planning -------------------------------------------------------------------------- */

static int starts_ok(const char *s)
{
    char d[11];
    int h, m;
    char x;
    if (!s || strlen(s) != 16) return 0;
    memcpy(d, s, 10);
    d[10] = 0;
    return certrules_date_valid(d) && sscanf(s + 11, "%2d:%2d%c", &h, &m, &x) == 2 && s[10] == ' ' && h < 24 && m < 60;
}

/* seating order: level 4 first, then by the date received, then as registered */
static int app_order(const void *va, const void *vb)
{
    const wf_plan_app *a = va, *b = vb;
    if (a->level != b->level) return a->level > b->level ? -1 : 1;
    int c = strcmp(a->received, b->received);
    if (c) return c;
    return a->app < b->app ? -1 : a->app > b->app;
}

/* The seating rules: one level per room and batch; a room already used by
 * the batch keeps its level and next seat; otherwise the first free room in
 * site and name order. A room's number in tickets is its id, stable when
 * rooms are added later. Fills SEATS (one per application of IN, sorted
 * into seating order). Returns 0, or -1 with D filled when the rooms cannot
 * seat everyone. */
static int plan_seats(const char *batch, wf_plan_input *in, wf_seat *seats, diag *d)
{
    for (int i = 0; i < in->nrooms; i++) {
        if (i == 256) { diag_add(d, 0, "more than 256 rooms"); return -1; }
        if (in->rooms[i].id > 99) {
            diag_add(d, 0, "room number %lld does not fit the two digits of a ticket number", in->rooms[i].id);
            return -1;
        }
    }
    if (in->napps) qsort(in->apps, (size_t)in->napps, sizeof *in->apps, app_order);
    for (int k = 0; k < in->napps; k++) {
        int level = in->apps[k].level;
        wf_plan_room *r = NULL;
        for (int i = 0; i < in->nrooms && !r; i++)
            if (in->rooms[i].level == level && in->rooms[i].used < in->rooms[i].capacity) r = &in->rooms[i];
        for (int i = 0; i < in->nrooms && !r; i++)
            if (in->rooms[i].level == 0) { r = &in->rooms[i]; r->level = level; }
        if (!r) {
            diag_add(d, 0, "the rooms cannot seat every paid candidate of batch %s (level %d does not fit); add rooms", batch,
                     level);
            return -1;
        }
        r->used++;
        seats[k] = (wf_seat){in->apps[k].app, r->id, r->used, ""};
        certrules_ticket(batch, (int)r->id, r->used, seats[k].ticket);
    }
    return 0;
}

/* The levels the centre examines, each given the batch's start times: those
 * of the national scale (text_level_name) that have a fee (certrules_fee). */
static int certified_levels(int levels[], int max)
{
    int n = 0;
    for (int level = 1; *text_level_name(level) && n < max; level++)
        if (certrules_fee(level) > 0) levels[n++] = level;
    return n;
}

static int plan_batch(hubstore *s, const wopts *o, diag *d)
{
    wf_plan_input in;
    if (wf_plan_read(s, o->batch, &in, d)) return -1;
    wf_seat *seats = calloc(in.napps ? (size_t)in.napps : 1, sizeof *seats);
    int levels[16], nlevels = certified_levels(levels, 16), n = -1;
    if (!seats) diag_add(d, 0, "out of memory");
    else if (!plan_seats(o->batch, &in, seats, d))
        n = wf_plan_store(s, o->batch, levels, nlevels, o->theory, o->practical, seats, in.napps, d);
    free(seats);
    wf_plan_input_free(&in);
    return n;
}

int wf_plan_run(const wopts *o)
{
    if (!o->db || !wfc_batch_ok(o->batch)) return wfc_usage("plan needs --db and --batch YYYY-MM");
    if ((o->theory && !starts_ok(o->theory)) || (o->practical && !starts_ok(o->practical)))
        return wfc_usage("--theory / --practical must be \"YYYY-MM-DD HH:MM\"");
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    diag d;
    diag_init(&d);
    int n = plan_batch(s, o, &d);
    for (size_t i = 0; i < d.n; i++) fprintf(wfc_msg(), "examhub plan: %s\n", d.v[i].msg);
    diag_free(&d);
    hubstore_close(s);
    if (n < 0) return 1;
    fprintf(wfc_out(), "batch %s: %d candidates given a room, seat and ticket\n", o->batch, n);
    return 0;
}

/* ---- rosters and door lists ------------------------------------------------------------------ */

typedef struct room_list {
    char key[200], site[128], room[64];
    roster r;
    FILE *door;
    char *door_buf;
    size_t door_len;
} room_list;

typedef struct rosters_ctx {
    room_list *rooms;
    int n, cap, failed;
    roster_kdf kdf;
} rosters_ctx;

void wfc_door_row(FILE *f, const wf_cand *c)
{
    char masked[19];
    wfc_mask_id(c->id_number, masked);
    /* the name through the one CSV cell writer: quoted, never a formula, never a second row */
    fprintf(f, "%d,", c->seat);
    out_csv(f, c->ticket);
    fputc(',', f);
    out_csv(f, c->name);
    fputc(',', f);
    out_csv(f, masked);
    fprintf(f, ",%d,%d\n", c->level, c->extra_minutes); /* the planned extra time, for the invigilators too */
}

static int collect_room(void *vctx, const wf_cand *c)
{
    rosters_ctx *rc = vctx;
    room_list *rl = NULL;
    char key[200];
    snprintf(key, sizeof key, "%s-%s", c->site, c->room);
    for (int i = 0; i < rc->n; i++)
        if (!strcmp(rc->rooms[i].key, key)) rl = &rc->rooms[i];
    if (!rl) {
        if (rc->n == rc->cap) {
            int cap = rc->cap ? rc->cap * 2 : 8;
            room_list *nr = realloc(rc->rooms, (size_t)cap * sizeof *nr);
            if (!nr) { rc->failed = 1; return 1; }
            rc->rooms = nr;
            rc->cap = cap;
        }
        rl = &rc->rooms[rc->n++];
        memset(rl, 0, sizeof *rl);
        snprintf(rl->key, sizeof rl->key, "%s", key);
        snprintf(rl->site, sizeof rl->site, "%s", c->site);
        snprintf(rl->room, sizeof rl->room, "%s", c->room);
        randombytes_buf(rl->r.roster_id, sizeof rl->r.roster_id);
        randombytes_buf(rl->r.salt, sizeof rl->r.salt);
        rl->r.kdf = rc->kdf;
        /* a longer room name is cut here, and roster_write then refuses it */
        snprintf(rl->r.site, sizeof rl->r.site, "%.*s", ROSTER_SITE_MAX, c->site);
        snprintf(rl->r.room, sizeof rl->r.room, "%.*s", ROSTER_ROOM_MAX, c->room);
        rl->door = open_memstream(&rl->door_buf, &rl->door_len);
        fprintf(rl->door, "%s\n", WFC_DOOR_HEADER);
    }
    roster_entry *ne = realloc(rl->r.e, (rl->r.n + 1) * sizeof *ne);
    if (!ne) { rc->failed = 1; return 1; }
    rl->r.e = ne;
    roster_entry *e = &rl->r.e[rl->r.n++];
    memset(e, 0, sizeof *e);
    snprintf(e->ticket, sizeof e->ticket, "%s", c->ticket);
    e->name = strdup(c->name);
    e->id_number = strdup(c->id_number); /* wiped by roster_free */
    e->room = strdup(c->room);
    e->level = c->level;
    e->seat = c->seat;
    e->extra_minutes = c->extra_minutes; /* signed into the roster: the kiosk grants it at the start */
    wfc_door_row(rl->door, c);
    return 0;
}

static void safe_name(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < size; p++) out[o++] = (*p == '/' || *p == ' ' || *p == '\\') ? '_' : *p;
    out[o] = 0;
}

int wf_plan_rosters(const wopts *o)
{
    if (!o->db || !wfc_batch_ok(o->batch) || !o->key || !o->out)
        return wfc_usage("rosters needs --db, --batch YYYY-MM, --key DIR/authority.key and --out DIR");
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char *why = NULL;
    if (authority_load_sign_sk(o->key, sk, &why)) return wfc_err(o->key, why);
    if (fileio_private_dir(o->out, &why)) return wfc_err(o->out, why); /* 0700: personal data (README: Files and modes) */
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    rosters_ctx rc = {0};
    rc.kdf = (roster_kdf){o->kdf_ops ? (unsigned long long)o->kdf_ops : ROSTER_KDF_DEFAULT_OPS,
                          o->kdf_mem ? (size_t)o->kdf_mem << 20 : ROSTER_KDF_DEFAULT_MEM};
    char *swhy;
    int partial = wf_each_candidate(s, o->batch, collect_room, &rc, &swhy) ? wfc_storage(o, s, swhy) : 0;
    hubstore_close(s);
    int bad = partial | rc.failed;
    for (int i = 0; i < rc.n; i++) {
        room_list *rl = &rc.rooms[i];
        fclose(rl->door);
        char base[256];
        safe_name(rl->key, base, sizeof base);
        uint8_t *buf = NULL;
        size_t len = 0;
        char *path = fileio_fmt("%s/%s.roster", o->out, base), *dpath = fileio_fmt("%s/%s-door.csv", o->out, base);
        if (partial) { /* no roster from a partial read */
        } else if (roster_write(&rl->r, sk, &buf, &len, &why) || fileio_write_atomic(path, buf, len, 0600, 0, &why) ||
            fileio_write_atomic(dpath, rl->door_buf, rl->door_len, 0600, 0, &why))
            bad |= wfc_err(path, why ? why : fileio_fmt("cannot write"));
        else
            printf("%s: %zu candidates (door list %s)\n", path, rl->r.n, dpath);
        why = NULL;
        free(buf);
        free(path);
        free(dpath);
        free(rl->door_buf);
        roster_free(&rl->r);
    }
    sodium_memzero(sk, sizeof sk);
    free(rc.rooms);
    if (!rc.n && !partial) fprintf(stderr, "examhub rosters: batch %s has no planned candidates (examhub plan)\n", o->batch);
    return bad || !rc.n;
}

/* ---- admission tickets --------------------------------------------------------------------------- */

typedef struct tickets_ctx {
    const char *out;
    int n, failed;
} tickets_ctx;

static int write_ticket(void *vctx, const wf_cand *c)
{
    tickets_ctx *tc = vctx;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char masked[19];
    wfc_mask_id(c->id_number, masked);
    html_ticket(f, c, masked);
    fclose(f);
    char *path = fileio_fmt("%s/%s.html", tc->out, c->ticket), *why = NULL;
    if (fileio_write_atomic(path, buf, len, 0600, 0, &why)) {
        wfc_err(path, why);
        tc->failed = 1;
    } else
        tc->n++;
    free(path);
    free(buf);
    return 0;
}

int wf_plan_tickets(const wopts *o)
{
    if (o->pdf || o->one_pdf) return wf_print_tickets(o); /* the same tickets as PDF, with a signed QR code (wf_print.c) */
    if (!o->db || !wfc_batch_ok(o->batch) || !o->out) return wfc_usage("tickets needs --db, --batch YYYY-MM and --out DIR");
    char *why = NULL;
    if (fileio_private_dir(o->out, &why)) return wfc_err(o->out, why); /* 0700: personal data (README: Files and modes) */
    hubstore *s = wfc_open_db(o);
    if (!s) return 1;
    tickets_ctx tc = {o->out, 0, 0};
    char *swhy;
    if (wf_each_candidate(s, o->batch, write_ticket, &tc, &swhy)) tc.failed = wfc_storage(o, s, swhy);
    hubstore_close(s);
    printf("%d admission tickets written to %s\n", tc.n, o->out);
    return tc.failed || !tc.n;
}

