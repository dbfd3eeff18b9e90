/* fileio: bounded reads and atomic durable writes. */
#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

char *fileio_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

static void set_why(char **why, char *msg)
{
    if (why)
        *why = msg;
    else
        free(msg);
}

int fileio_read(const char *path, size_t max, unsigned char **out, size_t *len, char **why)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_why(why, fileio_fmt("cannot open: %s", strerror(errno)));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        set_why(why, fileio_fmt("not a regular file"));
        close(fd);
        return -1;
    }
    if ((unsigned long long)st.st_size > max) {
        set_why(why, fileio_fmt("file too large (%lld bytes, limit %zu)", (long long)st.st_size, max));
        close(fd);
        return -1;
    }
    /* Not a dynbuf: the size is known from fstat, so the buffer is allocated
     * once and read(2) fills it in place. A dynbuf only appends bytes the
     * caller already holds: it would need a bounce buffer, copy every byte
     * of files up to a 1 GiB pack once more, and grow by doubling from 32
     * bytes instead of being sized once. */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        set_why(why, fileio_fmt("out of memory"));
        close(fd);
        return -1;
    }
    for (;;) {
        if (n + 1 >= cap) { /* full: at end of file, or the file grew while reading */
            if (n >= max) { /* at the limit: one more byte means too large */
                unsigned char probe;
                ssize_t r = read(fd, &probe, 1);
                if (r < 0 && errno == EINTR)
                    continue;
                if (r == 0)
                    break;
                set_why(why, r < 0 ? fileio_fmt("read error: %s", strerror(errno))
                                   : fileio_fmt("file too large (limit %zu)", max));
                free(buf);
                close(fd);
                return -1;
            }
            size_t ncap = cap > max / 2 ? max + 1 : cap * 2; /* never more than max bytes and the NUL */
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                set_why(why, fileio_fmt("out of memory"));
                free(buf);
                close(fd);
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            set_why(why, fileio_fmt("read error: %s", strerror(errno)));
            free(buf);
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int fileio_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
                        int no_replace, char **why)
{
    char *tmp = fileio_fmt("%s.tmp.XXXXXX", path);
    char *dircopy = strdup(path);
    if (!tmp || !dircopy) {
        free(tmp);
        free(dircopy);
        set_why(why, fileio_fmt("out of memory"));
        return -1;
    }
    int rc = -1;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        set_why(why, fileio_fmt("cannot create %s: %s", tmp, strerror(errno)));
        goto out;
    }
    if (fchmod(fd, mode) != 0 || write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
        set_why(why, fileio_fmt("cannot write %s: %s", path, strerror(errno)));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0) {
        set_why(why, fileio_fmt("cannot write %s: %s", path, strerror(errno)));
        unlink(tmp);
        goto out;
    }
    if (no_replace) {
        /* link() fails with EEXIST instead of replacing, atomically */
        if (link(tmp, path) != 0) {
            int e = errno;
            unlink(tmp);
            set_why(why, e == EEXIST ? fileio_fmt("%s already exists; refusing to overwrite", path)
                                     : fileio_fmt("cannot create %s: %s", path, strerror(e)));
            goto out;
        }
        unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        set_why(why, fileio_fmt("cannot rename onto %s: %s", path, strerror(errno)));
        unlink(tmp);
        goto out;
    }
    /* make the rename itself durable */
    int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    rc = 0;
out:
    free(tmp);
    free(dircopy);
    return rc;
}

int fileio_lock(const char *dir, const char *name, int *fd, long *holder, char **why)
{
    *fd = -1;
    *holder = 0;
    char *path = fileio_fmt("%s/%s", dir, name);
    if (!path) {
        *why = fileio_fmt("out of memory");
        return -1;
    }
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (f < 0) {
        *why = fileio_fmt("%s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        int busy = errno == EWOULDBLOCK;
        if (busy) {
            char buf[32] = {0};
            if (pread(f, buf, sizeof buf - 1, 0) > 0) *holder = strtol(buf, NULL, 10);
        } else
            *why = fileio_fmt("%s: cannot lock: %s", path, strerror(errno));
        close(f);
        free(path);
        return busy ? 1 : -1;
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(f, 0) != 0 || pwrite(f, buf, (size_t)n, 0) != n) { /* the pid is only informative */
    }
    free(path);
    *fd = f;
    return 0;
}

int fileio_private_dir(const char *dir, char **why)
{
    if (mkdir(dir, 0700) == 0) {
        if (chmod(dir, 0700) == 0) return 0; /* the umask may have taken more: exactly 0700 */
        *why = fileio_fmt("cannot set the mode of %s: %s", dir, strerror(errno));
        return -1;
    }
    if (errno != EEXIST) {
        *why = fileio_fmt("cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        *why = fileio_fmt("cannot read %s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        *why = fileio_fmt("%s exists and is not a directory", dir);
        return -1;
    }
    if (sb.st_uid != geteuid()) {
        *why = fileio_fmt("%s belongs to another user (uid %ld): give a directory of your own", dir, (long)sb.st_uid);
        return -1;
    }
    if (sb.st_mode & 077) {
        *why = fileio_fmt("%s is open to other users (mode %04o) and the files hold personal data: chmod 700 %s, or give a"
                          " new directory", dir, (unsigned)(sb.st_mode & 07777), dir);
        return -1;
    }
    return 0;
}
