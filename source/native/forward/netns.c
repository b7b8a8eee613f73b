/* Sockets inside the container's network namespace, and the one epoll set every part shares. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "forward.h"

int epoll_fd = -1;
static int host_ns = -1;
static int target_ns = -1;

void netns_init(int host_fd, int target_fd) {
    host_ns = host_fd;
    target_ns = target_fd;
}

/* setns → socket → setns back. The process is single-threaded, so nothing else runs in between;
 * failing to return to the host namespace would leave every later socket in the wrong place, so
 * that is fatal. */
int socket_in_target(int type) {
    if (setns(target_ns, CLONE_NEWNET) < 0) return -1;
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int saved = errno;
    if (setns(host_ns, CLONE_NEWNET) < 0) die("setns back to the host network namespace failed");
    errno = saved;
    return fd;
}

void watch(struct handle *h, uint32_t events) {
    if (events == h->events) return;
    struct epoll_event ev = {.events = events, .data.ptr = h};
    int op = h->events == 0 ? EPOLL_CTL_ADD : events == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (epoll_ctl(epoll_fd, op, h->fd, &ev) < 0) die("epoll_ctl failed");
    h->events = events;
}

static void **graveyard;
static size_t graveyard_len, graveyard_cap;

void free_later(void *object) {
    if (graveyard_len == graveyard_cap) {
        graveyard_cap = graveyard_cap ? graveyard_cap * 2 : 64;
        graveyard = realloc(graveyard, graveyard_cap * sizeof *graveyard);
        if (!graveyard) die("out of memory");
    }
    graveyard[graveyard_len++] = object;
}

void free_deferred(void) {
    for (size_t i = 0; i < graveyard_len; i++) free(graveyard[i]);
    graveyard_len = 0;
}
