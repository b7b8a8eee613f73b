/* UDP: one socket inside the container per host client address (so replies find their way back),
 * created on the first datagram and closed after `udp_idle_seconds` without traffic either way. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "forward.h"

struct flow {
    struct handle upstream;
    struct rule *rule;
    struct sockaddr_storage client;
    socklen_t client_len;
    time_t last;
    struct flow *next;
};

#define MAX_FLOWS 4096

static struct flow *flows;
static size_t flow_count;
static char datagram[65536];

static struct flow *find_flow(struct rule *rule, const struct sockaddr_storage *client, socklen_t len) {
    for (struct flow *f = flows; f; f = f->next) {
        if (f->rule == rule && f->client_len == len && memcmp(&f->client, client, len) == 0) return f;
    }
    return NULL;
}

static void flow_close(struct flow *dead) {
    for (struct flow **link = &flows; *link; link = &(*link)->next) {
        if (*link != dead) continue;
        *link = dead->next;
        watch(&dead->upstream, 0);
        close(dead->upstream.fd);
        dead->upstream.fd = -1;
        free_later(dead);
        flow_count--;
        return;
    }
}

static struct flow *flow_open(struct rule *rule, const struct sockaddr_storage *client, socklen_t len) {
    if (flow_count >= MAX_FLOWS) {
        /* The flow idle the longest makes room. */
        struct flow *oldest = flows;
        for (struct flow *f = flows; f; f = f->next) {
            if (f->last <= oldest->last) oldest = f;
        }
        flow_close(oldest);
    }
    int fd = socket_in_target(SOCK_DGRAM);
    if (fd < 0) return NULL;
    struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons((uint16_t)rule->container_port)};
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&target, sizeof target) < 0) {
        close(fd);
        return NULL;
    }
    struct flow *f = xcalloc(1, sizeof *f);
    f->upstream = (struct handle){.kind = H_UDP_UPSTREAM, .fd = fd, .owner = f};
    f->rule = rule;
    memcpy(&f->client, client, len);
    f->client_len = len;
    f->next = flows;
    flows = f;
    flow_count++;
    watch(&f->upstream, EPOLLIN);
    return f;
}

void udp_listener_event(struct rule *rule) {
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage client;
        socklen_t len = sizeof client;
        ssize_t n = recvfrom(rule->listener.fd, datagram, sizeof datagram, 0, (struct sockaddr *)&client, &len);
        if (n < 0) return; /* EAGAIN, or an ICMP error for an earlier reply: nothing to do */
        struct flow *f = find_flow(rule, &client, len);
        if (!f) f = flow_open(rule, &client, len);
        if (!f) return;
        f->last = monotonic_seconds();
        /* A refused or full send drops the datagram, as the network would. */
        (void)send(f->upstream.fd, datagram, (size_t)n, 0);
    }
}

void udp_upstream_event(struct handle *h) {
    struct flow *f = h->owner;
    if (h->fd < 0) return; /* expired earlier in this batch */
    for (int i = 0; i < 64; i++) {
        ssize_t n = recv(h->fd, datagram, sizeof datagram, 0);
        if (n < 0) {
            /* ECONNREFUSED: nothing listens in the container; keep the flow until it idles out. */
            return;
        }
        f->last = monotonic_seconds();
        (void)sendto(f->rule->listener.fd, datagram, (size_t)n, 0, (struct sockaddr *)&f->client, f->client_len);
    }
}

void udp_expire(time_t now, int idle_seconds) {
    struct flow *f = flows;
    while (f) {
        struct flow *next = f->next;
        if (now - f->last >= idle_seconds) flow_close(f);
        f = next;
    }
}
