/* Waiting for the next epoll batch, with adaptive polling.
 *
 * A relay adds two wake-ups to every request/reply exchange: the forwarder's own when the
 * request arrives and again when the reply does. Where waking a sleeping CPU is expensive (a
 * virtual machine whose idle vCPU halts: measured ~25 us per cross-CPU wake-up here, which
 * made the relay cost more than the exchange itself), that doubles a round trip. So while the
 * traffic is chatty (the last gap between batches was shorter than the poll window) the
 * forwarder asks epoll without sleeping for up to that window before it blocks; this is what
 * the kernel's own busy_poll does for sockets with a NIC queue, which loopback has not.
 *
 * The cost stays bounded: one window of CPU per batch, and only while batches keep coming
 * faster than the window. A window that passes empty turns polling off until a gap is short
 * again, so an idle forwarder, or one with slow traffic, always sleeps. With one usable CPU
 * polling would only keep the peer we wait for off that CPU, so it is off there. */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/epoll.h>
#include <time.h>

#include "forward.h"

long poll_window_ns = 50 * 1000;

static bool polling; /* a window was given and there is a CPU to poll on */
static bool chatty;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

void wait_init(void) {
    cpu_set_t usable;
    polling = poll_window_ns > 0 && sched_getaffinity(0, sizeof usable, &usable) == 0 && CPU_COUNT(&usable) > 1;
}

int wait_for_events(struct epoll_event *events, int max) {
    if (chatty && polling) {
        long long start = now_ns();
        do {
            int n = epoll_wait(epoll_fd, events, max, 0);
            if (n != 0) return n; /* events, or an error for the caller to see */
        } while (now_ns() - start < poll_window_ns);
        chatty = false;
    }
    long long before = now_ns();
    int n = epoll_wait(epoll_fd, events, max, -1);
    /* The gap measured here includes our own wake-up; a short one means the peers answer fast. */
    chatty = n > 0 && now_ns() - before < poll_window_ns;
    return n;
}
