/* TCP: accept on the host, connect inside the container, relay with splice through one pipe per
 * direction (the bytes never enter this process). Each direction keeps its own EOF so a
 * half-close travels through (shutdown(SHUT_WR) once the pipe is drained), and a full pipe or a
 * full destination stops reading from the source: the kernel's buffers are the backpressure. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "forward.h"

/* One direction: bytes read from side[d] wait in the pipe until side[1-d] takes them. */
struct half {
    int pipe_r, pipe_w;
    size_t pending;
    bool eof;       /* side[d] said it will send no more */
    bool shut;      /* ... and that EOF has been passed on */
    bool pipe_full; /* splice into the pipe refused although bytes were pending */
};

struct conn {
    struct handle side[2]; /* 0: the host client, 1: the socket inside the container */
    struct half half[2];
    bool connecting;
};

bool accept_paused = false;

#define PIPE_BYTES (256 * 1024)
#define ROUNDS_PER_EVENT 32

static struct handle retry_h = {.kind = H_ACCEPT_RETRY, .fd = -1};

/* Out of descriptors or memory: stop accepting (the backlog holds new clients) until a
 * connection closes or, should none be open, a short timer fires. */
static void pause_accepting(void) {
    accept_paused = true;
    for (size_t i = 0; i < rule_count; i++) {
        if (rules[i].proto == IPPROTO_TCP) watch(&rules[i].listener, 0);
    }
    if (retry_h.fd < 0) return;
    struct itimerspec in_a_moment = {.it_value = {.tv_nsec = 200 * 1000 * 1000}};
    timerfd_settime(retry_h.fd, 0, &in_a_moment, NULL);
    watch(&retry_h, EPOLLIN);
}

/* The retry timer exists from the start: when it is needed, there may be no descriptor left. */
void tcp_init(void) {
    retry_h.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

void tcp_resume_accepting(void) {
    if (!accept_paused) return;
    accept_paused = false;
    if (retry_h.fd >= 0) {
        uint64_t ticks;
        (void)!read(retry_h.fd, &ticks, sizeof ticks);
        watch(&retry_h, 0);
    }
    for (size_t i = 0; i < rule_count; i++) {
        if (rules[i].proto == IPPROTO_TCP) watch(&rules[i].listener, EPOLLIN);
    }
}

static void conn_close(struct conn *conn, bool reset) {
    for (int s = 0; s < 2; s++) {
        if (conn->side[s].fd < 0) continue;
        watch(&conn->side[s], 0);
        if (reset) {
            /* The other end was reset: pass the reset on rather than a clean FIN. */
            struct linger hard = {.l_onoff = 1, .l_linger = 0};
            setsockopt(conn->side[s].fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        }
        close(conn->side[s].fd);
        conn->side[s].fd = -1;
    }
    for (int d = 0; d < 2; d++) {
        if (conn->half[d].pipe_r >= 0) close(conn->half[d].pipe_r);
        if (conn->half[d].pipe_w >= 0) close(conn->half[d].pipe_w);
    }
    free_later(conn);
    tcp_resume_accepting();
}

/* Moves what it can from side[d] to side[1-d]; -1 with errno when a socket failed. */
static int relay(struct conn *conn, int d) {
    struct half *h = &conn->half[d];
    int src = conn->side[d].fd, dst = conn->side[1 - d].fd;
    bool drained = false; /* a short read emptied the socket: epoll says when more comes */
    for (int round = 0; round < ROUNDS_PER_EVENT; round++) {
        bool progress = false;
        if (!h->eof && !h->pipe_full && !drained) {
            size_t room = PIPE_BYTES - h->pending;
            ssize_t n = room == 0 ? -1 : splice(src, NULL, h->pipe_w, NULL, room, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (room == 0) {
                h->pipe_full = true;
            } else if (n > 0) {
                h->pending += (size_t)n;
                progress = true;
                drained = (size_t)n < room;
            } else if (n == 0) {
                h->eof = true;
            } else if (errno == EAGAIN) {
                /* Either the socket is empty or the pipe ran out of slots (small segments):
                 * only an empty pipe tells them apart; otherwise drain first, then retry. */
                if (h->pending > 0) h->pipe_full = true;
            } else if (errno != EINTR) {
                return -1;
            }
        }
        if (h->pending > 0) {
            ssize_t m = splice(h->pipe_r, NULL, dst, NULL, h->pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (m > 0) {
                h->pending -= (size_t)m;
                h->pipe_full = false;
                progress = true;
            } else if (m < 0 && errno != EAGAIN && errno != EINTR) {
                return -1;
            }
        }
        if (!progress) break;
    }
    if (h->eof && h->pending == 0 && !h->shut) {
        shutdown(dst, SHUT_WR);
        h->shut = true;
    }
    return 0;
}

/* Relays the directions `dirs` (bit d: from side[d]) names, then re-arms what each needs next. */
static void pump(struct conn *conn, unsigned dirs) {
    for (int d = 0; d < 2; d++) {
        if (!(dirs & (1u << d))) continue;
        if (relay(conn, d) < 0) {
            conn_close(conn, errno == ECONNRESET);
            return;
        }
    }
    if (conn->half[0].shut && conn->half[1].shut) {
        conn_close(conn, false);
        return;
    }
    uint32_t want[2] = {0, 0};
    for (int d = 0; d < 2; d++) {
        const struct half *h = &conn->half[d];
        if (!h->eof && !h->pipe_full) want[d] |= EPOLLIN;
        if (h->pending > 0) want[1 - d] |= EPOLLOUT;
    }
    watch(&conn->side[0], want[0]);
    watch(&conn->side[1], want[1]);
}

static bool resource_shortage(int err) {
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

/* Everything a connection needs except its client: made before accept() so that running out of
 * descriptors never means accepting a client only to drop it. */
static struct conn *spare;

static struct conn *spare_new(void) {
    int fds[2][2] = {{-1, -1}, {-1, -1}};
    int upstream = socket_in_target(SOCK_STREAM);
    if (upstream < 0 || pipe2(fds[0], O_NONBLOCK | O_CLOEXEC) < 0 || pipe2(fds[1], O_NONBLOCK | O_CLOEXEC) < 0) {
        int err = errno;
        if (upstream >= 0) close(upstream);
        for (int i = 0; i < 4; i++) {
            if (fds[i / 2][i % 2] >= 0) close(fds[i / 2][i % 2]);
        }
        errno = err;
        return NULL;
    }
    struct conn *conn = xcalloc(1, sizeof *conn);
    for (int i = 0; i < 2; i++) {
        conn->side[i] = (struct handle){.kind = H_TCP_CONN, .fd = i == 0 ? -1 : upstream, .side = i, .owner = conn};
        conn->half[i].pipe_r = fds[i][0];
        conn->half[i].pipe_w = fds[i][1];
        /* A bigger pipe means fewer wake-ups per megabyte; the default stays if refused. */
        fcntl(fds[i][1], F_SETPIPE_SZ, PIPE_BYTES);
    }
    return conn;
}

void tcp_accept(struct rule *rule) {
    int one = 1;
    for (;;) {
        if (!spare && !(spare = spare_new())) {
            if (resource_shortage(errno)) pause_accepting();
            /* Otherwise the container's namespace refuses sockets: clients wait in the backlog. */
            return;
        }
        int client = accept4(rule->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (resource_shortage(errno)) pause_accepting();
            return;
        }
        struct conn *conn = spare;
        spare = NULL;
        conn->side[0].fd = client;
        int upstream = conn->side[1].fd;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons((uint16_t)rule->container_port)};
        target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(upstream, (struct sockaddr *)&target, sizeof target) == 0) {
            pump(conn, 3);
        } else if (errno == EINPROGRESS) {
            conn->connecting = true;
            watch(&conn->side[1], EPOLLOUT);
        } else {
            conn_close(conn, true);
        }
    }
}

void tcp_event(struct handle *h, uint32_t events) {
    struct conn *conn = h->owner;
    if (h->fd < 0) return; /* closed earlier in this batch */
    if (conn->connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(conn->side[1].fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == EINPROGRESS || err == EALREADY) return;
        if (err != 0) {
            /* Nothing listens in the container (yet): the client sees a reset, as with docker-proxy. */
            conn_close(conn, true);
            return;
        }
        conn->connecting = false;
        pump(conn, 3);
        return;
    }
    /* Readable: the direction from this side. Writable: the one towards it. Errors: both, so the
     * failing splice reports them. */
    unsigned dirs = 0;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) dirs |= 1u << h->side;
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) dirs |= 1u << (1 - h->side);
    pump(conn, dirs);
}
