/* slowloris: a small HTTP abuser for the end-to-end tests of the hub's limits
 * (tests/e2e/test_abuse.sh). Talks to 127.0.0.1:PORT only.
 *
 *   slowloris slow  PORT N SECONDS [SRC]  N connections that send a request's
 *                   headers one byte every 500 ms and never finish them; a
 *                   connection the hub closes (or refuses) is opened again
 *                   a second later, so N are always tried
 *   slowloris flood PORT N SECONDS [SRC]  N connections that each announce a
 *                   4 MiB POST /v1/results and send its body 64 KiB every
 *                   100 ms (each reopened a second after the hub ends it)
 *   slowloris cl    PORT LENGTH [SRC]     one POST /v1/results announcing a
 *                   Content-Length of LENGTH, sending 1 KiB of it; prints the
 *                   status of the answer and the milliseconds it took
 *   slowloris relay PORT SRC SECONDS      a TCP relay for a legitimate client:
 *                   listens on 127.0.0.1 (a free port, printed on stdout when
 *                   ready) and forwards every connection to 127.0.0.1:PORT
 *                   from the source address SRC (e.g. 127.0.0.2, another
 *                   address of lo), so the hub sees the client as SRC
 *
 * SRC: the source address of the attack (default 127.0.0.1), or a range of
 * them, A.B.C.D-E (connection i from A.B.C.(D + i mod (E - D + 1))). slow and flood
 * run for SECONDS, then print one line of figures on stdout:
 *   slow: opened O held_max H oldest_ms A cut_by_hub C
 *     (H: the most connections open at once that had lived ≥ 1 s; A: the
 *     longest any connection lived, those still open at the end included)
 *   flood: opened O answers A s503 X s413 Y other Z body_bytes B
 * relay exits after SECONDS. Every mode exits 2 on a usage or socket error. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SLOTS 1000
#define BODY_LEN (4u << 20)
#define FLOOD_CHUNK (64u << 10)

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
    fprintf(stderr, "slowloris: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* SRC, or the first address of a range A.B.C.D-E and in *SPAN its size */
static struct in_addr addr_of(const char *s, int *span)
{
    struct in_addr a;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    char *dash = strchr(buf, '-');
    if (dash) *dash = 0;
    int last = dash ? atoi(dash + 1) : -1;
    if (inet_pton(AF_INET, buf, &a) != 1 || (dash && (last < (int)(ntohl(a.s_addr) & 255) || last > 254))) {
        fprintf(stderr, "slowloris: not an IPv4 address or range A.B.C.D-E: %s\n", s);
        exit(2);
    }
    if (span) *span = dash ? last - (int)(ntohl(a.s_addr) & 255) + 1 : 1;
    return a;
}

/* a socket bound to SRC, connecting (non-blocking when NB) to 127.0.0.1:PORT; -1 on failure */
static int dial(struct in_addr src, uint16_t port, int nb)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = src};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa)) { close(fd); return -1; }
    if (nb) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) && errno != EINPROGRESS) { close(fd); return -1; }
    return fd;
}

typedef struct slot {
    int fd;
    int64_t opened, next; /* when opened; when to send next (or reopen when fd < 0) */
    size_t sent;          /* bytes of the request sent */
    int answered;
} slot;

static int status_of(const char *buf, ssize_t n)
{
    if (n < 12 || memcmp(buf, "HTTP/1.", 7)) return 0;
    return atoi(buf + 9);
}

/* slow and flood: N slots kept busy for SECONDS */
static int attack(int flood, uint16_t port, int n, int seconds, struct in_addr src, int span)
{
    static slot s[MAX_SLOTS];
    static const char slow_head[] = "GET /v1/health HTTP/1.1\r\nHost: hub\r\nX-Slow: ";
    char flood_head[256];
    int flood_head_len = snprintf(flood_head, sizeof flood_head,
                                  "POST /v1/results HTTP/1.1\r\nHost: hub\r\nX-Kiosk-Id: 0000000000000000\r\n"
                                  "Content-Type: application/octet-stream\r\nContent-Length: %u\r\n\r\n",
                                  BODY_LEN);
    static char zeros[FLOOD_CHUNK];
    long opened = 0, cut = 0, answers = 0, s503 = 0, s413 = 0, other = 0, held_max = 0;
    long long body_bytes = 0;
    int64_t oldest = 0, start = now_ms(), end = start + (int64_t)seconds * 1000, next_count = start;
    for (int i = 0; i < n; i++) s[i] = (slot){.fd = -1, .next = start};
    while (now_ms() < end) {
        int64_t t = now_ms();
        for (int i = 0; i < n; i++) {
            slot *k = &s[i];
            if (k->fd < 0) {
                if (t < k->next) continue;
                struct in_addr from = {.s_addr = htonl(ntohl(src.s_addr) + (uint32_t)(i % span))};
                k->fd = dial(from, port, 1);
                k->opened = t, k->next = t + 20, k->sent = 0, k->answered = 0;
                if (k->fd < 0) { k->next = t + 100; continue; }
                opened++;
                continue;
            }
            /* anything from the hub: an answer, or the end */
            char buf[512];
            ssize_t r = recv(k->fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r > 0 && !k->answered) {
                k->answered = 1;
                answers++;
                int st = status_of(buf, r);
                if (st == 503) s503++;
                else if (st == 413) s413++;
                else other++;
            }
            int gone = r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOTCONN);
            if (!gone && t >= k->next) {
                const char *p;
                size_t len;
                if (!flood) { /* one more header byte, forever */
                    p = k->sent < sizeof slow_head - 1 ? slow_head + k->sent : "a";
                    len = 1;
                    k->next = t + 500;
                } else if (k->sent < (size_t)flood_head_len) {
                    p = flood_head + k->sent, len = (size_t)flood_head_len - k->sent;
                    k->next = t;
                } else {
                    size_t left = (size_t)flood_head_len + BODY_LEN - k->sent;
                    p = zeros, len = left < FLOOD_CHUNK ? left : FLOOD_CHUNK;
                    k->next = t + 100;
                }
                if (len) {
                    ssize_t w = send(k->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
                    if (w > 0) {
                        if (flood && k->sent >= (size_t)flood_head_len) body_bytes += w;
                        k->sent += (size_t)w;
                    } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOTCONN)
                        gone = 1;
                } else
                    k->next = t + 100;
            }
            if (gone) {
                if (t - k->opened > oldest) oldest = t - k->opened;
                if (t - k->opened >= 1000) cut++;
                close(k->fd);
                k->fd = -1;
                k->next = t + 1000;
            }
        }
        if (t >= next_count) { /* how many have lived a second or more */
            long held = 0;
            for (int i = 0; i < n; i++)
                if (s[i].fd >= 0 && t - s[i].opened >= 1000) held++;
            if (held > held_max) held_max = held;
            next_count = t + 250;
        }
        usleep(5000);
    }
    int64_t t = now_ms();
    for (int i = 0; i < n; i++)
        if (s[i].fd >= 0) {
            if (t - s[i].opened > oldest) oldest = t - s[i].opened;
            close(s[i].fd);
        }
    if (!flood)
        printf("slow: opened %ld held_max %ld oldest_ms %lld cut_by_hub %ld\n", opened, held_max, (long long)oldest,
               cut);
    else
        printf("flood: opened %ld answers %ld s503 %ld s413 %ld other %ld body_bytes %lld\n", opened, answers, s503,
               s413, other, body_bytes);
    return 0;
}

/* cl: one request announcing LENGTH bytes; prints "status S ms M" */
static int one_cl(uint16_t port, unsigned long long length, struct in_addr src)
{
    int fd = dial(src, port, 0);
    if (fd < 0) die("connect");
    struct timeval tv = {.tv_sec = 60};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char head[256], body[1024];
    memset(body, 0, sizeof body);
    int n = snprintf(head, sizeof head,
                     "POST /v1/results HTTP/1.1\r\nHost: hub\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Length: %llu\r\n\r\n",
                     length);
    int64_t t0 = now_ms();
    if (send(fd, head, (size_t)n, MSG_NOSIGNAL) != n) die("send");
    (void)!send(fd, body, sizeof body, MSG_NOSIGNAL);
    char buf[512];
    ssize_t r = recv(fd, buf, sizeof buf - 1, 0);
    int64_t ms = now_ms() - t0;
    printf("status %d ms %lld\n", r > 0 ? status_of(buf, r) : 0, (long long)ms);
    close(fd);
    return 0;
}

typedef struct pair {
    int a, b;
} pair;

static void *pump(void *arg)
{
    pair *p = arg;
    struct pollfd f[2] = {{.fd = p->a, .events = POLLIN}, {.fd = p->b, .events = POLLIN}};
    char buf[65536];
    int open_dirs = 2;
    while (open_dirs) {
        if (poll(f, 2, 60000) <= 0) break;
        for (int i = 0; i < 2; i++) {
            if (!(f[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t r = recv(f[i].fd, buf, sizeof buf, 0);
            int to = i ? p->a : p->b;
            if (r <= 0) {
                shutdown(to, SHUT_WR);
                f[i].fd = -1;
                open_dirs--;
                continue;
            }
            for (ssize_t o = 0; o < r;) {
                ssize_t w = send(to, buf + o, (size_t)(r - o), MSG_NOSIGNAL);
                if (w <= 0) { open_dirs = 0; break; }
                o += w;
            }
        }
    }
    close(p->a);
    close(p->b);
    free(p);
    return NULL;
}

static _Noreturn void relay(uint16_t port, struct in_addr src, int seconds)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0) die("socket");
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 64)) die("listen");
    socklen_t sl = sizeof sa;
    getsockname(l, (struct sockaddr *)&sa, &sl);
    printf("%u\n", ntohs(sa.sin_port));
    fflush(stdout);
    alarm((unsigned)seconds); /* the relay never outlives its test */
    for (;;) {
        int c = accept(l, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR) continue;
            die("accept");
        }
        int u = dial(src, port, 0);
        if (u < 0) { close(c); continue; }
        pair *p = malloc(sizeof *p);
        pthread_t th;
        if (!p) { close(c); close(u); continue; }
        *p = (pair){c, u};
        if (pthread_create(&th, NULL, pump, p)) { close(c); close(u); free(p); continue; }
        pthread_detach(th);
    }
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc < 4) {
        fprintf(stderr, "usage: slowloris slow|flood PORT N SECONDS [SRC] | cl PORT LENGTH [SRC] | relay PORT SRC SECONDS\n");
        return 2;
    }
    const char *mode = argv[1];
    int port = atoi(argv[2]);
    if (port < 1 || port > 65535) { fprintf(stderr, "slowloris: bad port %s\n", argv[2]); return 2; }
    if (!strcmp(mode, "slow") || !strcmp(mode, "flood")) {
        if (argc < 5) { fprintf(stderr, "slowloris: %s needs PORT N SECONDS\n", mode); return 2; }
        int n = atoi(argv[3]), secs = atoi(argv[4]);
        if (n < 1 || n > MAX_SLOTS || secs < 1) { fprintf(stderr, "slowloris: N must be 1-%d\n", MAX_SLOTS); return 2; }
        int span = 1;
        struct in_addr src = addr_of(argc > 5 ? argv[5] : "127.0.0.1", &span);
        return attack(!strcmp(mode, "flood"), (uint16_t)port, n, secs, src, span);
    }
    if (!strcmp(mode, "cl"))
        return one_cl((uint16_t)port, strtoull(argv[3], NULL, 10), addr_of(argc > 4 ? argv[4] : "127.0.0.1", NULL));
    if (!strcmp(mode, "relay") && argc >= 5) relay((uint16_t)port, addr_of(argv[3], NULL), atoi(argv[4]));
    fprintf(stderr, "slowloris: unknown mode %s\n", mode);
    return 2;
}
