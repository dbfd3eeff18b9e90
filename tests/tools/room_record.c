/* room_record: the room-console side of the hub's room-record tests
 * (tests/e2e/test_room_record.sh), until examroom report writes the real
 * record: a console key, a signed room record (FORMAT.md §17) whose seats'
 * heads are taken from kiosks' journals (kiosk.db), and the attack the
 * record defends against: a kiosk's journal rewritten after the console saw
 * it, by someone with the seat's disk, device key and release code, who
 * also re-makes the sealed result in the outbox.
 *
 *   room_record keygen --out DIR
 *       DIR/console.key and DIR/console.pub in examroom init's formats
 *       ("exam-room-console-key v1\nsign <base64 of 64>\n", "exam-room-console-pub v1\nsign <base64 of 32>\n"):
 *       a console the hub has not registered
 *   room_record make --key console.key --site S --room R [--pack HEX]...
 *                    [--seat KIOSK_DIR:N[:STATE]]... [--every K]
 *                    [--candidate TICKET:PACK|-:STATE:KIOSK_DIR|-:SEAT]... --out FILE
 *       the heads of each seat: the journal head after every K-th entry
 *       (default 3) and after the last one, as a console would mirror them
 *   room_record rewrite --data KIOSK_DIR --pack FILE.pack --pub authority.pub
 *                       --results-key results.key --release-code CODE --seq N
 *       changes journal entry N's data (an answer's digest, as if another
 *       answer had been given), chains every later entry again with the
 *       pack's real keys, and re-makes each sealed result in the outbox
 *       whose journal holds entry N (re-signed with the device key)
 *
 * SQL on kiosk.db directly: a test tool plays the attacker on the disk. */
#include <sodium.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/journal.h"
#include "core/pack.h"
#include "core/result.h"

static int die(const char *msg, char *why)
{
    fprintf(stderr, "room_record: %s%s%s\n", msg, why ? ": " : "", why ? why : "");
    free(why);
    return 1;
}

static const char *opt(int argc, char **argv, const char *name)
{
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return NULL;
}

static int keygen(const char *dir)
{
    char *kp = fileio_fmt("%s/console.key", dir), *pp = fileio_fmt("%s/console.pub", dir);
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, sk, sizeof sk, sodium_base64_VARIANT_ORIGINAL);
    FILE *f = fopen(kp, "w");
    if (!f || fprintf(f, "exam-room-console-key v1\nsign %s\n", b64) < 0 || fclose(f)) return die(kp, NULL);
    sodium_bin2base64(b64, sizeof b64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    f = fopen(pp, "w");
    if (!f || fprintf(f, "exam-room-console-pub v1\nsign %s\n", b64) < 0 || fclose(f)) return die(pp, NULL);
    sodium_memzero(sk, sizeof sk);
    free(kp);
    free(pp);
    return 0;
}

/* a console.key as examroom init writes it */
static int load_console_key(const char *path, uint8_t sk[crypto_sign_SECRETKEYBYTES])
{
    static const char HEAD[] = "exam-room-console-key v1\nsign ";
    unsigned char *buf;
    size_t len, got = 0;
    char *why = NULL;
    if (fileio_read(path, 4096, &buf, &len, &why)) return die(path, why);
    int bad = len <= sizeof HEAD || memcmp(buf, HEAD, sizeof HEAD - 1) || buf[len - 1] != '\n' ||
              sodium_base642bin(sk, crypto_sign_SECRETKEYBYTES, (const char *)buf + sizeof HEAD - 1, len - sizeof HEAD, NULL,
                                &got, NULL, sodium_base64_VARIANT_ORIGINAL) ||
              got != crypto_sign_SECRETKEYBYTES;
    sodium_memzero(buf, len);
    free(buf);
    return bad ? die(path, fileio_fmt("not an exam-room-console-key v1 file")) : 0;
}

static int kiosk_of(const char *dir, char id[17], char pkhex[65])
{
    char *why = NULL, *kp = fileio_fmt("%s/device.key", dir);
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    int rc = authority_load_device_sk(kp, sk, &why);
    free(kp);
    if (rc) return die(dir, why);
    result_kiosk_id(sk + 32, id);
    sodium_bin2hex(pkhex, 65, sk + 32, 32);
    sodium_memzero(sk, sizeof sk);
    return 0;
}

/* the dynamic text of the record */
typedef struct out {
    char *s;
    size_t n, cap;
} out;

static void add(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(o->s ? o->s + o->n : NULL, o->s ? o->cap - o->n : 0, fmt, ap);
        va_end(ap);
        if (o->s && (size_t)k < o->cap - o->n) { o->n += (size_t)k; return; }
        o->cap = (o->cap + (size_t)k + 1) * 2;
        o->s = realloc(o->s, o->cap);
        if (!o->s) abort();
    }
}

static int seat_json(out *o, const char *spec, int every)
{
    char dir[1024], state[32] = "confirmed";
    int seat = 0;
    const char *c1 = strrchr(spec, ':');
    if (!c1) return die("--seat KIOSK_DIR:N[:STATE]", NULL);
    /* DIR:N or DIR:N:STATE */
    const char *c0 = c1;
    while (c0 > spec && c0[-1] != ':') c0--;
    if (c0 > spec && (c1[1] < '0' || c1[1] > '9')) { /* the last part is the state */
        snprintf(state, sizeof state, "%s", c1 + 1);
        seat = atoi(c0);
        snprintf(dir, sizeof dir, "%.*s", (int)(c0 - 1 - spec), spec);
    } else {
        seat = atoi(c1 + 1);
        snprintf(dir, sizeof dir, "%.*s", (int)(c1 - spec), spec);
    }
    char id[17], pkhex[65];
    if (kiosk_of(dir, id, pkhex)) return 1;
    char *dbp = fileio_fmt("%s/kiosk.db", dir);
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(dbp, &db, SQLITE_OPEN_READONLY, NULL) ||
        sqlite3_prepare_v2(db, "SELECT seq, hash FROM journal ORDER BY seq", -1, &st, NULL))
        return die(dbp, fileio_fmt("%s", sqlite3_errmsg(db)));
    add(o, "{\"kiosk_id\":\"%s\",\"seat\":%d,\"device_pk\":\"%s\",\"state\":\"%s\",\"first_contact\":1767225600,"
           "\"last_contact\":1767231000,\"heads\":[",
        id, seat, pkhex, state);
    int first = 1, r;
    long long last = 0;
    char lasthex[65] = "";
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(st, 0);
        char hx[65];
        sodium_bin2hex(hx, sizeof hx, sqlite3_column_blob(st, 1), 32);
        if (seq % every == 0) {
            add(o, "%s{\"count\":%lld,\"head\":\"%s\",\"at_ms\":%lld}", first ? "" : ",", seq, hx, 1767225600000LL + seq * 1000);
            first = 0;
        }
        last = seq;
        memcpy(lasthex, hx, sizeof hx);
    }
    if (last && last % every)
        add(o, "%s{\"count\":%lld,\"head\":\"%s\",\"at_ms\":%lld}", first ? "" : ",", last, lasthex, 1767225600000LL + last * 1000);
    add(o, "],\"diverged\":false}");
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(dbp);
    return r == SQLITE_DONE ? 0 : die("journal", NULL);
}

static int candidate_json(out *o, const char *spec)
{
    char buf[1200], *f[5];
    snprintf(buf, sizeof buf, "%s", spec);
    int n = 0;
    for (char *p = buf, *t; n < 5 && (t = strsep(&p, ":")); n++) f[n] = t;
    if (n != 5) return die("--candidate TICKET:PACK|-:STATE:KIOSK_DIR|-:SEAT", NULL);
    char id[17] = "", pkhex[65];
    if (strcmp(f[3], "-") && kiosk_of(f[3], id, pkhex)) return 1;
    add(o, "{\"ticket\":\"%s\",\"pack_id\":\"%s\",\"state\":\"%s\",\"kiosk_id\":\"%s\",\"seat\":%d,\"first_seen_ms\":%lld,"
           "\"last_seen_ms\":%lld,\"extra_minutes\":0}",
        f[0], strcmp(f[1], "-") ? f[1] : "", f[2], id, atoi(f[4]), *id ? 1767225600000LL : 0LL,
        *id ? 1767231000000LL : 0LL);
    return 0;
}

static int make(int argc, char **argv)
{
    const char *keyf = opt(argc, argv, "--key"), *site = opt(argc, argv, "--site"), *room = opt(argc, argv, "--room");
    const char *outf = opt(argc, argv, "--out"), *ev = opt(argc, argv, "--every");
    int every = ev ? atoi(ev) : 3;
    if (!keyf || !site || !room || !outf || every < 1) return die("make needs --key --site --room --out", NULL);
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    if (load_console_key(keyf, sk)) return 1;
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, sk + 32, 32, sodium_base64_VARIANT_ORIGINAL);
    out o = {0};
    add(&o, "exam-room-record v1\n{\"site\":\"%s\",\"room\":\"%s\",\"console_pk\":\"%s\",\"made_at\":1767231000,\"packs\":[", site,
        room, b64);
    int k = 0;
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--pack")) add(&o, "%s\"%s\"", k++ ? "," : "", argv[i + 1]);
    add(&o, "],\"seats\":[");
    k = 0;
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--seat")) {
            if (k++) add(&o, ",");
            if (seat_json(&o, argv[i + 1], every)) return 1;
        }
    add(&o, "],\"candidates\":[");
    k = 0;
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--candidate")) {
            if (k++) add(&o, ",");
            if (candidate_json(&o, argv[i + 1])) return 1;
        }
    add(&o, "],\"events\":[{\"at\":1767225700,\"actor\":\"监考员\",\"action\":\"unlock\",\"detail\":\"room unlocked\"}]}\n");
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)o.s, o.n, sk);
    sodium_memzero(sk, sizeof sk);
    char sb64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(sb64, sizeof sb64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    add(&o, "sig %s\n", sb64);
    FILE *f = fopen(outf, "w");
    if (!f || fwrite(o.s, 1, o.n, f) != o.n || fclose(f)) return die(outf, NULL);
    free(o.s);
    return 0;
}

/* ---- rewrite: the attacker with the disk, the device key and the release code ---- */

typedef struct entry {
    journal_entry e;
    uint8_t hash[32];
} entry;

static int load_entries(sqlite3 *db, entry **v, int *n)
{
    sqlite3_stmt *st;
    *v = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db, "SELECT seq, mono_ms, wall, session, type, data, keyid, hash FROM journal ORDER BY seq", -1, &st,
                           NULL))
        return -1;
    int cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) *v = realloc(*v, (size_t)(cap = cap ? cap * 2 : 256) * sizeof **v);
        entry *x = &(*v)[(*n)++];
        x->e = (journal_entry){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                               strdup((const char *)sqlite3_column_text(st, 3)), strdup((const char *)sqlite3_column_text(st, 4)),
                               strdup((const char *)sqlite3_column_text(st, 5)), strdup((const char *)sqlite3_column_text(st, 6))};
        memcpy(x->hash, sqlite3_column_blob(st, 7), 32);
    }
    sqlite3_finalize(st);
    return 0;
}

static int rewrite(int argc, char **argv)
{
    const char *dir = opt(argc, argv, "--data"), *packf = opt(argc, argv, "--pack"), *pubf = opt(argc, argv, "--pub");
    const char *resf = opt(argc, argv, "--results-key"), *code = opt(argc, argv, "--release-code"), *sq = opt(argc, argv, "--seq");
    if (!dir || !packf || !pubf || !resf || !code || !sq) return die("rewrite needs --data --pack --pub --results-key --release-code --seq", NULL);
    long long target = atoll(sq);
    char *why = NULL;
    authority_pub pub;
    uint8_t bpk[crypto_box_PUBLICKEYBYTES], bsk[crypto_box_SECRETKEYBYTES], key[PACK_KEY_BYTES], dsk[crypto_sign_SECRETKEYBYTES];
    unsigned char *pack;
    size_t plen;
    pack_info info;
    if (authority_load_pub(pubf, &pub, &why) || authority_load_results_key(resf, bpk, bsk, &why) ||
        fileio_read(packf, 1u << 30, &pack, &plen, &why) || pack_verify(pack, plen, pub.sign_pk, &info, &why) != PACK_OK ||
        pack_unwrap_key(pack, plen, code, key, &why) != PACK_OK)
        return die("keys", why);
    char *kp = fileio_fmt("%s/device.key", dir), *dbp = fileio_fmt("%s/kiosk.db", dir);
    if (authority_load_device_sk(kp, dsk, &why)) return die(kp, why);
    journal_key jk;
    journal_key_derive(&jk, info.pack_id_hex, key);
    sqlite3 *db;
    if (sqlite3_open(dbp, &db)) return die(dbp, NULL);
    entry *v;
    int n;
    if (load_entries(db, &v, &n) || target < 1 || target > n) return die("no such journal entry", NULL);
    /* entry N: another answer's digest (or, for another type, other data) */
    entry *t = &v[target - 1];
    int item = 0, flagged = 0;
    char *nd;
    if (!strcmp(t->e.type, "answer") && sscanf(t->e.data, "item=%d flagged=%d", &item, &flagged) == 2) {
        uint8_t d[JOURNAL_DIGEST_BYTES];
        char hx[2 * JOURNAL_DIGEST_BYTES + 1];
        journal_answer_digest(&jk, t->e.session, item, flagged, "Z", d);
        sodium_bin2hex(hx, sizeof hx, d, sizeof d);
        nd = fileio_fmt("item=%d flagged=%d h=%s", item, flagged, hx);
    } else
        nd = fileio_fmt("%s (rewritten)", t->e.data);
    free((char *)t->e.data);
    t->e.data = nd;
    /* chain again from N on, with the real keys */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *up;
    sqlite3_prepare_v2(db, "UPDATE journal SET data=?, hash=? WHERE seq=?", -1, &up, NULL);
    for (int i = (int)target - 1; i < n; i++) {
        const uint8_t *prev = i ? v[i - 1].hash : (const uint8_t[32]){0};
        int keyed = *v[i].e.keyid;
        if (keyed && strcmp(v[i].e.keyid, jk.id)) return die("an entry of another pack", NULL);
        journal_hash(prev, &v[i].e, keyed ? jk.chain : NULL, v[i].hash);
        sqlite3_bind_text(up, 1, v[i].e.data, -1, SQLITE_STATIC);
        sqlite3_bind_blob(up, 2, v[i].hash, 32, SQLITE_STATIC);
        sqlite3_bind_int64(up, 3, v[i].e.seq);
        if (sqlite3_step(up) != SQLITE_DONE) return die("update journal", fileio_fmt("%s", sqlite3_errmsg(db)));
        sqlite3_reset(up);
    }
    sqlite3_finalize(up);
    /* each sealed result whose journal holds entry N: made again */
    sqlite3_stmt *ob, *ou;
    sqlite3_prepare_v2(db, "SELECT result_id, sealed FROM outbox", -1, &ob, NULL);
    sqlite3_prepare_v2(db, "UPDATE outbox SET result_id=?, sealed=? WHERE result_id=?", -1, &ou, NULL);
    int remade = 0;
    while (sqlite3_step(ob) == SQLITE_ROW) {
        char *json = NULL, rid[RESULT_ID_HEX], nrid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
        char *oldid = strdup((const char *)sqlite3_column_text(ob, 0));
        uint8_t dpk[32];
        if (result_open(sqlite3_column_blob(ob, 1), (size_t)sqlite3_column_bytes(ob, 1), bpk, bsk, &json, dpk, rid, &why))
            return die("open result", why);
        result_record rr;
        if (result_parse(json, strlen(json), &rr, &why) != RESULT_OK) return die("parse result", why);
        result_rec *r = &rr.rec;
        if (r->has_journal && r->journal_base_count < target && target <= r->journal_count) {
            journal_entry *ne = calloc((size_t)r->njournal, sizeof *ne);
            for (int i = 0; i < r->njournal; i++) ne[i] = v[r->journal_base_count + i].e;
            char hx[65];
            sodium_bin2hex(hx, sizeof hx, v[r->journal_count - 1].hash, 32);
            r->journal = ne;
            r->journal_head_hex = hx;
            char *nj = result_json(r);
            uint8_t *sealed;
            size_t sl;
            if (!nj || result_seal(nj, dsk, bpk, &sealed, &sl, nrid, receipt) != RESULT_OK) return die("seal", NULL);
            sqlite3_bind_text(ou, 1, nrid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_blob(ou, 2, sealed, (int)sl, SQLITE_TRANSIENT);
            sqlite3_bind_text(ou, 3, oldid, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(ou) != SQLITE_DONE) return die("update outbox", fileio_fmt("%s", sqlite3_errmsg(db)));
            sqlite3_reset(ou);
            free(sealed);
            free(nj);
            free(ne);
            printf("%s\n", nrid);
            remade++;
        }
        result_record_free(&rr);
        free(json);
        free(oldid);
    }
    sqlite3_finalize(ob);
    sqlite3_finalize(ou);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) return die("commit", fileio_fmt("%s", sqlite3_errmsg(db)));
    sqlite3_close(db);
    sodium_memzero(dsk, sizeof dsk);
    sodium_memzero(&jk, sizeof jk);
    return remade ? 0 : die("no result in the outbox holds that entry", NULL);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return die("libsodium", NULL);
    if (argc >= 4 && !strcmp(argv[1], "keygen") && !strcmp(argv[2], "--out")) return keygen(argv[3]);
    if (argc >= 2 && !strcmp(argv[1], "make")) return make(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "rewrite")) return rewrite(argc, argv);
    return die("usage: room_record keygen --out DIR | make ... | rewrite ...", NULL);
}
