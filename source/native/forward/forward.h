/* berth-forward: publishes container ports on the host. Listens on host addresses and, for each
 * connection or UDP client, opens a socket inside the container's network namespace and relays
 * bytes both ways. One small process per container with published ports. */
#ifndef BERTH_FORWARD_H
#define BERTH_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#define EXIT_FAILED 125

/* What an epoll event's data.ptr points to: the first member of every watched object. */
enum handle_kind {
    H_TCP_LISTENER,
    H_UDP_LISTENER,
    H_TCP_CONN,     /* one of a connection's two sockets; side tells which */
    H_UDP_UPSTREAM, /* a UDP flow's socket inside the container */
    H_ACCEPT_RETRY, /* timer: accepting was paused for lack of descriptors or memory */
    H_CONTROL,      /* pidfd, signalfd, timerfd, inotify: handled by main.c */
};

struct handle {
    enum handle_kind kind;
    int fd;
    uint32_t events;  /* what epoll currently watches for (0: not registered) */
    int side;         /* H_TCP_CONN: 0 client, 1 upstream */
    void *owner;
};

struct rule {
    struct handle listener;
    int proto; /* IPPROTO_TCP or IPPROTO_UDP */
    struct sockaddr_storage host;
    socklen_t host_len;
    int container_port;
    int host_port_last; /* HOSTPORT as FIRST-LAST: the first free port of the range is taken */
    char host_ip[64]; /* as given: 127.0.0.1 or ::1 (brackets removed) */
};

/* ---- util.c ---- */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *error_text(int err); /* strerror, first letter lowercased: "address already in use" */
int write_all(int fd, const void *buf, size_t len);
void *xcalloc(size_t n, size_t size);
int parse_rule(const char *text, struct rule *rule); /* 0, or -1 with a message on stderr */
void set_port(struct sockaddr_storage *addr, int port);
void format_address(const struct sockaddr_storage *addr, char *out, size_t len); /* 127.0.0.1:80, [::1]:80 */
time_t monotonic_seconds(void);

/* ---- netns.c ---- */
/* Sockets made inside the target namespace keep it for their whole life, whatever namespace the
 * thread moves to afterwards: that is how one host process reaches a container's loopback. */
void netns_init(int host_fd, int target_fd);
int socket_in_target(int type);          /* AF_INET socket of `type` inside the container */
void watch(struct handle *h, uint32_t events); /* epoll add/mod/del so that exactly `events` are watched */
extern int epoll_fd;
/* Objects closed while handling one epoll batch may still be named by later events of that batch
 * (their handle's fd is then -1): they are freed only after the batch. */
void free_later(void *object);
void free_deferred(void);

/* ---- wait.c ---- */
void wait_init(void); /* once the arguments are read: --poll-us decides */
int wait_for_events(struct epoll_event *events, int max); /* epoll_wait, polling briefly while traffic is chatty */
extern long poll_window_ns;                                /* 0: never poll */

/* ---- tcp.c ---- */
void tcp_init(void);
void tcp_accept(struct rule *rule);
void tcp_event(struct handle *h, uint32_t events);
void tcp_resume_accepting(void);
extern bool accept_paused;

/* ---- udp.c ---- */
void udp_listener_event(struct rule *rule);
void udp_upstream_event(struct handle *h);
void udp_expire(time_t now, int idle_seconds);

extern struct rule *rules;
extern size_t rule_count;
extern int udp_idle_seconds;

#endif
