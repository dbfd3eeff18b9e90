/* fileio: bounded whole-file reads and atomic, durable whole-file writes
 * (temporary file in the same directory, fsync, rename, fsync directory). */
#ifndef FILEIO_H
#define FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Reads all of PATH into a malloc'd buffer (NUL-terminated for convenience,
 * the NUL is not counted in *len). Refuses files larger than MAX bytes.
 * Returns 0, or -1 with *why set (caller frees). */
int fileio_read(const char *path, size_t max, unsigned char **out, size_t *len,
                char **why) __attribute__((warn_unused_result));

/* Writes BUF to PATH atomically with permission MODE: either the complete new
 * file is there afterwards, or nothing changed. With NO_REPLACE an existing
 * PATH is an error and is left untouched. Returns 0, or -1 with *why set. */
int fileio_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
                        int no_replace, char **why) __attribute__((warn_unused_result));

/* Takes an exclusive advisory lock (flock) on DIR/NAME, created 0600, and
 * writes our pid into it, so that one program instance owns a data
 * directory. The lock lasts while *FD stays open (and ends with the process,
 * however it ends). Returns 0 with *FD set; 1 when another process holds it
 * (*HOLDER = its pid, or 0 if unknown); -1 with *why on other errors. */
int fileio_lock(const char *dir, const char *name, int *fd, long *holder, char **why)
    __attribute__((warn_unused_result));

/* An output directory for personal data: creates DIR with mode 0700
 * (whatever the umask), or accepts an existing one only when it is a
 * directory of ours that no other user can enter (mode & 077 == 0): a
 * directory open to others is refused with the fix in *why ("chmod 700"),
 * never changed behind the user's back. Returns 0, or -1 with *why. */
int fileio_private_dir(const char *dir, char **why) __attribute__((warn_unused_result));

/* Formats a message into a malloc'd string for a `why` out-parameter. */
char *fileio_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
