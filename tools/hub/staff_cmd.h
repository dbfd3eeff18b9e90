/* staff_cmd: `examhub user` — the staff accounts of the web interface
 * (README: The staff pages): add (password from a terminal, typed twice, or
 * one line on standard input; stored as an Argon2id verifier), list,
 * disable and enable. This is main()'s layer: it prints. */
#ifndef STAFF_CMD_H
#define STAFF_CMD_H

/* examhub user ACTION [NAME] --db DB [--role ROLE]: ACTION is add, list,
 * disable or enable. KDF_OPS and KDF_MEM (MiB; 0: the interactive default
 * of libsodium, 2 passes and 64 MiB) set the verifier's cost, for tests.
 * Returns the exit status (0, 1, 2 misuse). */
int staff_user_cmd(const char *db, const char *action, const char *name, const char *role, int kdf_ops, int kdf_mem);

#endif
