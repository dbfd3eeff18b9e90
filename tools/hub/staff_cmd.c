/* staff_cmd: `examhub user` (see staff_cmd.h). */
#include "tools/hub/staff_cmd.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "tools/cmdtab.h"
#include "tools/hub/checks_cmd.h"
#include "tools/hub/hubstore_staff.h"
#include "tools/hub/staff.h"

static int misuse(const char *msg)
{
    fprintf(stderr, "examhub: %s (see examhub user --help)\n", msg);
    return CMDTAB_EXIT_MISUSE;
}

static int fail(const char *what, const char *why)
{
    fprintf(stderr, "%s: %s\n", what, why);
    return 1;
}

/* The new password into PW: typed twice at a terminal, or one line of
 * standard input. 0, or 1 after saying why. */
static int read_password(const char *name, char pw[STAFF_PASSWORD_MAX + 2])
{
    const char *why = NULL;
    char prompt[96];
    snprintf(prompt, sizeof prompt, "password for %s", name);
    if (cmdtab_secret("-", prompt, pw, STAFF_PASSWORD_MAX + 2, &why)) return fail("examhub user add", why);
    if (isatty(STDIN_FILENO)) {
        char again[STAFF_PASSWORD_MAX + 2];
        int same = !cmdtab_secret("-", "the same password again", again, sizeof again, &why) && !strcmp(pw, again);
        sodium_memzero(again, sizeof again);
        if (!same) {
            sodium_memzero(pw, STAFF_PASSWORD_MAX + 2);
            return fail("examhub user add", "the two passwords differ; nothing changed");
        }
    }
    const char *bad = staff_password_problem(pw);
    if (bad) {
        sodium_memzero(pw, STAFF_PASSWORD_MAX + 2);
        return fail("examhub user add", bad);
    }
    return 0;
}

/* who the audit log names for a change made on the command line */
static const char *cli_actor(void)
{
    static char who[96];
    char user[64];
    checks_who(user); /* the account running the command, as examhub admit and revoke record it */
    snprintf(who, sizeof who, "(command line: %s)", user);
    return who;
}

static int add(hubstore *s, const char *db, const char *name, const char *role, int kdf_ops, int kdf_mem)
{
    int r = staff_role_parse(role);
    if (r < 0) return misuse("user add needs --role admin|clerk|planner|marker");
    staff_user u;
    memset(&u, 0, sizeof u);
    if (hubstore_staff_user_get(s, name, &u) == 0) return fail(db, "a user of that name exists (examhub user list)");
    char pw[STAFF_PASSWORD_MAX + 2];
    if (read_password(name, pw)) return 1;
    unsigned long long ops = kdf_ops ? (unsigned long long)kdf_ops : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = kdf_mem ? (size_t)kdf_mem << 20 : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    int hashed = crypto_pwhash_str_alg(u.verifier, pw, strlen(pw), ops, mem, crypto_pwhash_ALG_ARGON2ID13);
    sodium_memzero(pw, sizeof pw);
    if (hashed) return fail("examhub user add", "out of memory for the password hash");
    snprintf(u.name, sizeof u.name, "%s", name);
    u.role = (staff_role)r;
    u.created = (int64_t)time(NULL);
    int rc = hubstore_staff_user_add(s, &u);
    if (rc == 1) return fail(db, "a user of that name exists (examhub user list)");
    if (rc) return fail(db, hubstore_error(s));
    char detail[96];
    snprintf(detail, sizeof detail, "%s (%s)", name, role);
    if (hubstore_staff_audit(s, u.created, cli_actor(), "user-add", detail)) return fail(db, hubstore_error(s));
    printf("user %s added with role %s\n", name, role);
    return 0;
}

static int list_one(void *ctx, const staff_user *u)
{
    (void)ctx;
    char when[32];
    time_t t = (time_t)u->created;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(when, sizeof when, "?");
    /* names are [A-Za-z0-9._-] (staff_name_ok): no CSV quoting needed */
    printf("%s,%s,%s,%s\n", u->name, staff_role_name(u->role), u->disabled ? "disabled" : "enabled", when);
    return 0;
}

int staff_user_cmd(const char *db, const char *action, const char *name, const char *role, int kdf_ops, int kdf_mem)
{
    if (!db || !action) return misuse("user needs add|list|disable|enable and --db FILE");
    int is_list = !strcmp(action, "list");
    if (!is_list && strcmp(action, "add") && strcmp(action, "disable") && strcmp(action, "enable"))
        return misuse("user needs add, list, disable or enable");
    if (is_list && name) return misuse("user list takes no NAME");
    if (!is_list && !name) return misuse("user add|disable|enable needs a NAME");
    if (name && !staff_name_ok(name)) return misuse("NAME must be 1-32 letters, digits, '.', '_' or '-'");
    if (role && strcmp(action, "add")) return misuse("--role is for user add");
    hubstore *s;
    char *why = NULL;
    if (hubstore_open(db, 0, &s, &why)) {
        fprintf(stderr, "%s: %s\n", db, why);
        free(why);
        return 1;
    }
    int rc;
    if (is_list) {
        printf("name,role,state,created\n");
        rc = hubstore_staff_user_each(s, list_one, NULL) ? fail(db, hubstore_error(s)) : 0;
    } else if (!strcmp(action, "add"))
        rc = add(s, db, name, role, kdf_ops, kdf_mem);
    else {
        int off = !strcmp(action, "disable");
        rc = hubstore_staff_user_disable(s, name, off);
        if (rc == 1) rc = fail(db, "no such user (examhub user list)");
        else if (rc || hubstore_staff_audit(s, (int64_t)time(NULL), cli_actor(), off ? "user-disable" : "user-enable", name))
            rc = fail(db, hubstore_error(s));
        else printf("user %s %s\n", name, off ? "disabled (its sessions ended)" : "enabled (its failed log-ins forgotten)");
    }
    hubstore_close(s);
    return rc;
}
