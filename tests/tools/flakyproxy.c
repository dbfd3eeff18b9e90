/* flakyproxy: a small, deliberately unreliable TCP proxy for the end-to-end
 * tests of result upload. Listens on 127.0.0.1 only and forwards every
 * connection to 127.0.0.1:TARGET_PORT, misbehaving on purpose:
 *
 *   flakyproxy LISTEN_PORT TARGET_PORT SEED MODE [TIMEOUT_S]
 *
 *   LISTEN_PORT  0 = pick a free port; the port is printed on stdout when ready
 *   MODE         pass          forward everything
 *                cut           per connection, chosen pseudo-randomly from SEED
 *                              and the connection's number: forward, cut
 *                              mid-request or cut mid-response (in every block
 *                              of 4 connections: 2 forwarded, 1 of each cut)
 *                cut-request   every connection cut mid-request
 *                cut-response  every connection cut mid-response
 *                slow          forward everything, but hold each response for
 *                              5-30 ms (pseudo-random from SEED) once it has
 *                              fully arrived: the target has acted on the
 *                              request, the client waits for its answer
 *   TIMEOUT_S    the proxy exits by itself after this many seconds (default 300)
 *
 * mid-request: only the first K bytes of the HTTP request (head + body by
 * Content-Length), 1 ≤ K < its length, reach the target, then both sides are
 * closed. mid-response: the whole request is forwarded and the target's
 * answer awaited (so the target has acted on it), then only K bytes of the
 * response, 0 ≤ K < its length, reach the client. One line per connection on
 * stderr: "flakyproxy: conn N: forward|cut-request K/LEN|cut-response K/LEN|slow MS". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_MAX (64 * 1024)
#define IDLE_MS 30000

enum action { FORWARD, CUT_REQUEST, CUT_RESPONSE, SLOW };
enum mode { MODE_PASS, MODE_CUT, MODE_CUT_REQUEST, MODE_CUT_RESPONSE, MODE_SLOW };

static uint16_t target_port;
static uint64_t seed;
static enum mode mode;

typedef struct conn {
    int cfd;
    unsigned long idx;
} conn;

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* deterministic per connection: a seeded permutation of F F Q R per block of 4 */
static enum action choose(unsigned long idx)
{
    switch (mode) {
    case MODE_PASS: return FORWARD;
    case MODE_CUT_REQUEST: return CUT_REQUEST;
    case MODE_CUT_RESPONSE: return CUT_RESPONSE;
    case MODE_SLOW: return SLOW;
    case MODE_CUT: break;
    }
    enum action block[4] = {FORWARD, FORWARD, CUT_REQUEST, CUT_RESPONSE};
    uint64_t r = splitmix64(seed ^ splitmix64(idx / 4 + 1));
    for (int i = 3; i > 0; i--) { /* Fisher-Yates */
        int j = (int)(r % (uint64_t)(i + 1));
        r = splitmix64(r);
        enum action t = block[i];
        block[i] = block[j];
        block[j] = t;
    }
    return block[idx % 4];
}

/* a second, independent number for the cut point */
static uint64_t cut_random(unsigned long idx) { return splitmix64(seed ^ splitmix64(0x5eed0000ULL + idx)); }

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* reads from FD into BUF (appending at *len) until an HTTP head is complete;
 * returns the total message length (head + Content-Length), or -1 when the
 * peer closed or sent something that is not HTTP within HEAD_MAX bytes */
static long read_head(int fd, char *buf, size_t *len)
{
    for (;;) {
        buf[*len] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (end) {
            size_t head = (size_t)(end - buf) + 4;
            long body = 0;
            for (char *p = buf; p && p < end; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL)
                if (!strncasecmp(p, "Content-Length:", 15)) body = strtol(p + 15, NULL, 10);
            return (long)head + (body > 0 ? body : 0);
        }
        if (*len >= HEAD_MAX) return -1;
        struct pollfd pf = {fd, POLLIN, 0};
        int pr = poll(&pf, 1, IDLE_MS);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) return -1;
        ssize_t n = recv(fd, buf + *len, HEAD_MAX - *len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        *len += (size_t)n;
    }
}

/* reads from FD into BUF until *LEN reaches WANT (≤ HEAD_MAX); -1 on EOF/error */
static int copy_into(int fd, char *buf, size_t *len, size_t want)
{
    while (*len < want) {
        struct pollfd pf = {fd, POLLIN, 0};
        int pr = poll(&pf, 1, IDLE_MS);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) return -1;
        ssize_t n = recv(fd, buf + *len, want - *len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        *len += (size_t)n;
    }
    return 0;
}

/* copies exactly N more bytes (or until EOF) from IN to OUT; -1 on error/EOF */
static int copy_n(int in, int out, long n)
{
    char buf[16384];
    while (n > 0) {
        struct pollfd pf = {in, POLLIN, 0};
        int pr = poll(&pf, 1, IDLE_MS);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) return -1;
        ssize_t r = recv(in, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        if (write_all(out, buf, (size_t)r)) return -1;
        n -= r;
    }
    return 0;
}

/* plain two-way relay until both sides are done or idle */
static void relay(int a, int b)
{
    char buf[16384];
    int open_a = 1, open_b = 1;
    while (open_a || open_b) {
        struct pollfd pf[2] = {{open_a ? a : -1, POLLIN, 0}, {open_b ? b : -1, POLLIN, 0}};
        int pr = poll(pf, 2, IDLE_MS);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) return;
        for (int i = 0; i < 2; i++) {
            if (!pf[i].revents) continue;
            int from = i ? b : a, to = i ? a : b;
            ssize_t r = recv(from, buf, sizeof buf, 0);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                shutdown(to, SHUT_WR);
                if (i) open_b = 0;
                else open_a = 0;
                continue;
            }
            if (write_all(to, buf, (size_t)r)) return;
        }
    }
}

static int connect_target(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(target_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* never anywhere else */
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* closes a socket with a reset, like a link that dropped */
static void drop(int fd)
{
    struct linger l = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

static void *serve_conn(void *arg)
{
    conn c = *(conn *)arg;
    free(arg);
    enum action act = choose(c.idx);
    char *head = malloc(HEAD_MAX + 1);
    int sfd = -1;
    if (!head) goto out;
    size_t hlen = 0;
    long total = read_head(c.cfd, head, &hlen);
    sfd = connect_target();
    if (sfd < 0) {
        fprintf(stderr, "flakyproxy: conn %lu: target 127.0.0.1:%u unreachable\n", c.idx, target_port);
        goto out;
    }
    if (total < 0) { /* not HTTP (or closed early): just pass along what came */
        if (hlen && write_all(sfd, head, hlen)) goto out;
        fprintf(stderr, "flakyproxy: conn %lu: forward (not HTTP)\n", c.idx);
        relay(c.cfd, sfd);
        goto out;
    }
    if (act == FORWARD) {
        fprintf(stderr, "flakyproxy: conn %lu: forward\n", c.idx);
        if (write_all(sfd, head, hlen)) goto out;
        relay(c.cfd, sfd);
        goto out;
    }
    if (act == CUT_REQUEST) {
        long k = total > 1 ? 1 + (long)(cut_random(c.idx) % (uint64_t)(total - 1)) : 0;
        fprintf(stderr, "flakyproxy: conn %lu: cut-request %ld/%ld\n", c.idx, k, total);
        long first = (long)hlen < k ? (long)hlen : k;
        if (write_all(sfd, head, (size_t)first)) goto out;
        if (k > first) copy_n(c.cfd, sfd, k - first);
        usleep(20000); /* let the partial request arrive before the drop */
        goto out;
    }
    /* CUT_RESPONSE, SLOW: the whole request (it may be longer than what came with the head) */
    if (write_all(sfd, head, hlen)) goto out;
    if ((long)hlen < total && copy_n(c.cfd, sfd, total - (long)hlen)) goto out;
    size_t rlen = 0;
    long rtotal = read_head(sfd, head, &rlen); /* the target has answered: it acted on the request */
    if (act == SLOW) {
        unsigned ms = 5 + (unsigned)(cut_random(c.idx) % 26);
        fprintf(stderr, "flakyproxy: conn %lu: slow %u\n", c.idx, ms);
        if (rtotal > (long)rlen) { /* the rest of the answer first, then the wait */
            char *full = rtotal <= HEAD_MAX ? head : NULL;
            if (full && copy_into(sfd, full, &rlen, (size_t)rtotal)) goto out;
        }
        usleep(ms * 1000u);
        if (rlen && write_all(c.cfd, head, rlen)) goto out;
        relay(c.cfd, sfd);
        goto out;
    }
    if (rtotal <= 0) {
        fprintf(stderr, "flakyproxy: conn %lu: cut-response (no answer)\n", c.idx);
        goto out;
    }
    long k = (long)(cut_random(c.idx) % (uint64_t)rtotal);
    fprintf(stderr, "flakyproxy: conn %lu: cut-response %ld/%ld\n", c.idx, k, rtotal);
    long first = (long)rlen < k ? (long)rlen : k;
    if (write_all(c.cfd, head, (size_t)first)) goto out;
    if (k > first) copy_n(sfd, c.cfd, k - first);
    usleep(20000);
out:
    free(head);
    if (sfd >= 0) {
        if (act == FORWARD || act == SLOW) close(sfd);
        else drop(sfd);
    }
    if (act == FORWARD || act == SLOW) close(c.cfd);
    else drop(c.cfd);
    return NULL;
}

static int parse_port(const char *s, int allow_zero)
{
    char *end;
    long p = strtol(s, &end, 10);
    if (*end || p < (allow_zero ? 0 : 1) || p > 65535) return -1;
    return (int)p;
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: flakyproxy LISTEN_PORT TARGET_PORT SEED pass|cut|cut-request|cut-response|slow [TIMEOUT_S]\n");
        return 2;
    }
    int lport = parse_port(argv[1], 1), tport = parse_port(argv[2], 0);
    char *end;
    seed = strtoull(argv[3], &end, 10);
    if (lport < 0 || tport < 0 || *end) {
        fprintf(stderr, "flakyproxy: ports must be 0-65535 (target 1-65535), SEED a number\n");
        return 2;
    }
    if (!strcmp(argv[4], "pass")) mode = MODE_PASS;
    else if (!strcmp(argv[4], "cut")) mode = MODE_CUT;
    else if (!strcmp(argv[4], "cut-request")) mode = MODE_CUT_REQUEST;
    else if (!strcmp(argv[4], "cut-response")) mode = MODE_CUT_RESPONSE;
    else if (!strcmp(argv[4], "slow")) mode = MODE_SLOW;
    else {
        fprintf(stderr, "flakyproxy: unknown MODE '%s'\n", argv[4]);
        return 2;
    }
    long timeout = 300;
    if (argc == 6) {
        timeout = strtol(argv[5], &end, 10);
        if (*end || timeout < 1 || timeout > 86400) {
            fprintf(stderr, "flakyproxy: TIMEOUT_S must be 1-86400\n");
            return 2;
        }
    }
    target_port = (uint16_t)tport;
    signal(SIGPIPE, SIG_IGN);
    alarm((unsigned)timeout); /* bounded: SIGALRM ends the process */

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) {
        perror("flakyproxy: socket");
        return 1;
    }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)lport);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 64) ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl)) {
        fprintf(stderr, "flakyproxy: cannot listen on 127.0.0.1:%d: %s\n", lport, strerror(errno));
        return 1;
    }
    printf("%u\n", ntohs(sa.sin_port));
    fflush(stdout);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (unsigned long idx = 0;; idx++) {
        int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
                if (errno == EMFILE || errno == ENFILE) usleep(100000);
                idx--;
                continue;
            }
            perror("flakyproxy: accept");
            return 1;
        }
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn *c = malloc(sizeof *c);
        pthread_t th;
        if (!c) {
            close(cfd);
            continue;
        }
        c->cfd = cfd;
        c->idx = idx;
        if (pthread_create(&th, &attr, serve_conn, c)) {
            close(cfd);
            free(c);
        }
    }
}
