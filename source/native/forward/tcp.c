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

static void pause_accepting(void) {
    accept_paused = true;
    for (size_t i = 0; i < rule_count; i++) {
        if (rules[i].proto == IPPROTO_TCP) watch(&rules[i].listener, 0);
    }
}

void tcp_resume_accepting(void) {
    if (!accept_paused) return;
    accept_paused = false;
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
    for (int round = 0; round < ROUNDS_PER_EVENT; round++) {
        bool progress = false;
        if (!h->eof && !h->pipe_full) {
            size_t room = PIPE_BYTES - h->pending;
            ssize_t n = room == 0 ? -1 : splice(src, NULL, h->pipe_w, NULL, room, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (room == 0) {
                h->pipe_full = true;
            } else if (n > 0) {
                h->pending += (size_t)n;
                progress = true;
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

static void pump(struct conn *conn) {
    for (int d = 0; d < 2; d++) {
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

static struct conn *conn_new(int client, int upstream) {
    struct conn *conn = xcalloc(1, sizeof *conn);
    int fds[2][2];
    if (pipe2(fds[0], O_NONBLOCK | O_CLOEXEC) < 0) {
        free(conn);
        return NULL;
    }
    if (pipe2(fds[1], O_NONBLOCK | O_CLOEXEC) < 0) {
        close(fds[0][0]);
        close(fds[0][1]);
        free(conn);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        conn->side[i] = (struct handle){.kind = H_TCP_CONN, .fd = i == 0 ? client : upstream, .side = i, .owner = conn};
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
        int client = accept4(rule->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            /* Out of descriptors: stop accepting (the backlog holds the rest) until one closes. */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) pause_accepting();
            return;
        }
        int upstream = socket_in_target(SOCK_STREAM);
        struct conn *conn = upstream < 0 ? NULL : conn_new(client, upstream);
        if (!conn) {
            if (upstream >= 0) close(upstream);
            close(client);
            pause_accepting();
            return;
        }
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons((uint16_t)rule->container_port)};
        target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(upstream, (struct sockaddr *)&target, sizeof target) == 0) {
            pump(conn);
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
    (void)events;
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
    }
    pump(conn);
}
