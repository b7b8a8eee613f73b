/* berth-forward: the command line, binding, daemonizing, and the event loop.
 *
 *   berth-forward (--pid PID | --netns PATH [--pid PID] | --wait-pid-file FILE)
 *                 [--pid-file FILE] [--foreground] [--udp-timeout SECONDS] [--wait-timeout SECONDS]
 *                 [--poll-us MICROSECONDS]
 *                 HOSTIP:HOSTPORT:CONTAINERPORT/tcp|udp ...
 *
 * Every listener is bound before anything else happens, so a port in use is reported (one line on
 * stderr, exit 125) before the caller reports the container started. Then it daemonizes, writes
 * --pid-file, prints one line per rule with the port actually bound (HOSTPORT 0 picks a free one)
 * and the foreground process exits 0. It serves until the container's init (--pid) exits, or
 * SIGTERM/SIGINT. With --wait-pid-file it binds first and learns the init pid from that file once
 * the runtime writes it (connections wait in the listen backlog meanwhile), so the ports can be
 * claimed before the container starts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "forward.h"

struct rule *rules;
size_t rule_count;
int udp_idle_seconds = 60;

static const char *own_pid_file;
static const char *wait_pid_file;
static struct timespec started_coarse;
static struct handle pid_h = {.kind = H_CONTROL, .fd = -1};
static struct handle signal_h = {.kind = H_CONTROL, .fd = -1};
static struct handle sweep_h = {.kind = H_CONTROL, .fd = -1};
static struct handle deadline_h = {.kind = H_CONTROL, .fd = -1};
static struct handle inotify_h = {.kind = H_CONTROL, .fd = -1};

static void usage(void) {
    die("usage: berth-forward (--pid PID | --netns PATH | --wait-pid-file FILE) [--pid-file FILE] "
        "[--foreground] [--udp-timeout S] [--wait-timeout S] [--poll-us US] HOSTIP:HOSTPORT:CONTAINERPORT/tcp|udp...");
}

static int parse_positive(const char *text, const char *flag) {
    char *end;
    long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value <= 0 || value > 1000000000) die("invalid %s: %s", flag, text);
    return (int)value;
}

/* Like parse_positive, but 0 is allowed (--poll-us 0 turns polling off). */
static int parse_count(const char *text, const char *flag, int most) {
    int value = strcmp(text, "0") == 0 ? 0 : parse_positive(text, flag);
    if (value > most) die("invalid %s: %s (at most %d)", flag, text, most);
    return value;
}

/* Removes our pid file on the way out, unless another forwarder already wrote its own there. */
static void finish(int status) {
    if (own_pid_file) {
        char buf[32] = {0};
        int fd = open(own_pid_file, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = read(fd, buf, sizeof buf - 1);
            close(fd);
            if (n > 0 && atoi(buf) == getpid()) unlink(own_pid_file);
        }
    }
    exit(status);
}

static void bind_rule(struct rule *rule) {
    int type = rule->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
    int fd = socket(rule->host.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket: %s", error_text(errno));
    int one = 1;
    /* TCP: rebinding over TIME_WAIT leftovers is fine (a live listener still conflicts). Never for
     * UDP, where SO_REUSEADDR would let two sockets share the port. */
    if (rule->proto == IPPROTO_TCP) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (rule->host.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    char where[96];
    format_address(&rule->host, where, sizeof where);
    int first = ntohs(rule->host.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&rule->host)->sin6_port
                                                       : ((struct sockaddr_in *)&rule->host)->sin_port);
    for (int port = first; bind(fd, (struct sockaddr *)&rule->host, rule->host_len) < 0; port++) {
        if (errno == EADDRINUSE && port < rule->host_port_last) {
            set_port(&rule->host, port + 1);
            continue;
        }
        if (rule->host_port_last > first) die("bind %s-%d: %s", where, rule->host_port_last, error_text(errno));
        die("bind %s: %s", where, error_text(errno));
    }
    if (rule->proto == IPPROTO_TCP && listen(fd, SOMAXCONN) < 0) die("listen %s: %s", where, error_text(errno));
    socklen_t len = sizeof rule->host;
    getsockname(fd, (struct sockaddr *)&rule->host, &len);
    rule->listener = (struct handle){.kind = rule->proto == IPPROTO_TCP ? H_TCP_LISTENER : H_UDP_LISTENER, .fd = fd, .owner = rule};
}

static void print_bindings(void) {
    for (size_t i = 0; i < rule_count; i++) {
        char where[96];
        format_address(&rules[i].host, where, sizeof where);
        printf("%s:%d/%s\n", where, rules[i].container_port, rules[i].proto == IPPROTO_TCP ? "tcp" : "udp");
    }
    fflush(stdout);
}

static void write_own_pid_file(void) {
    if (!own_pid_file) return;
    char tmp[4096], text[32];
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", own_pid_file, getpid());
    int len = snprintf(text, sizeof text, "%d\n", getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, text, (size_t)len) < 0 || close(fd) < 0 || rename(tmp, own_pid_file) < 0) {
        die("write %s: %s", own_pid_file, error_text(errno));
    }
}

static bool detached; /* the caller has its answer: from now on, problems end us quietly */

static void watch_pid(pid_t pid) {
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
        if (errno == ESRCH && detached) finish(0); /* the container is already gone */
        if (errno == ESRCH) die("no such process: %d", pid);
        die("pidfd_open %d: %s", pid, error_text(errno));
    }
    pid_h.fd = fd;
    watch(&pid_h, EPOLLIN);
}

/* The container's namespace is known: start serving. */
static void attach_target(pid_t pid, const char *netns_path) {
    char path[64];
    if (pid > 0) watch_pid(pid);
    if (!netns_path) {
        snprintf(path, sizeof path, "/proc/%d/ns/net", pid);
        netns_path = path;
    }
    int target = open(netns_path, O_RDONLY | O_CLOEXEC);
    if (target < 0) die("open %s: %s", netns_path, error_text(errno));
    int host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (host < 0) die("open /proc/self/ns/net: %s", error_text(errno));
    netns_init(host, target);
    /* If the pid died (and was maybe reused) before the namespace was opened, leave now. */
    if (pid_h.fd >= 0) {
        struct pollfd check = {.fd = pid_h.fd, .events = POLLIN};
        if (poll(&check, 1, 0) > 0) {
            if (detached) finish(0);
            die("no such process: %d", pid);
        }
    }
    for (size_t i = 0; i < rule_count; i++) watch(&rules[i].listener, EPOLLIN);
}

/* --wait-pid-file: a pid there that predates us belongs to an earlier run of the container. */
static bool try_pid_file(void) {
    struct stat st;
    if (stat(wait_pid_file, &st) < 0) return false;
    if (st.st_mtim.tv_sec < started_coarse.tv_sec ||
        (st.st_mtim.tv_sec == started_coarse.tv_sec && st.st_mtim.tv_nsec < started_coarse.tv_nsec)) {
        return false;
    }
    FILE *file = fopen(wait_pid_file, "re");
    if (!file) return false;
    int pid = 0;
    int got = fscanf(file, "%d", &pid);
    fclose(file);
    if (got != 1 || pid <= 0) return false;
    if (inotify_h.fd >= 0) {
        watch(&inotify_h, 0);
        close(inotify_h.fd);
        inotify_h.fd = -1;
    }
    if (deadline_h.fd >= 0) {
        watch(&deadline_h, 0);
        close(deadline_h.fd);
        deadline_h.fd = -1;
    }
    attach_target(pid, NULL);
    return true;
}

static int make_timer(int seconds, bool repeat) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) die("timerfd_create: %s", error_text(errno));
    struct itimerspec spec = {.it_value = {.tv_sec = seconds}};
    if (repeat) spec.it_interval.tv_sec = seconds;
    timerfd_settime(fd, 0, &spec, NULL);
    return fd;
}

static void control_event(struct handle *h) {
    if (h == &pid_h || h == &signal_h || h == &deadline_h) finish(0);
    if (h == &sweep_h) {
        uint64_t ticks;
        (void)!read(h->fd, &ticks, sizeof ticks);
        udp_expire(monotonic_seconds(), udp_idle_seconds);
    } else if (h == &inotify_h) {
        char buf[4096] __attribute__((aligned(8)));
        while (read(h->fd, buf, sizeof buf) > 0) {
        }
        try_pid_file();
    }
}

static void raise_fd_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max; /* never above the hard limit */
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

int main(int argc, char **argv) {
    pid_t pid = 0;
    const char *netns_path = NULL;
    bool foreground = false;
    int wait_seconds = 120;
    rules = xcalloc((size_t)argc, sizeof *rules);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(arg, "--pid") == 0 && has_value) pid = parse_positive(argv[++i], "--pid");
        else if (strcmp(arg, "--netns") == 0 && has_value) netns_path = argv[++i];
        else if (strcmp(arg, "--wait-pid-file") == 0 && has_value) wait_pid_file = argv[++i];
        else if (strcmp(arg, "--pid-file") == 0 && has_value) own_pid_file = argv[++i];
        else if (strcmp(arg, "--udp-timeout") == 0 && has_value) udp_idle_seconds = parse_positive(argv[++i], arg);
        else if (strcmp(arg, "--wait-timeout") == 0 && has_value) wait_seconds = parse_positive(argv[++i], arg);
        else if (strcmp(arg, "--poll-us") == 0 && has_value) poll_window_ns = 1000L * parse_count(argv[++i], arg, 100000);
        else if (strcmp(arg, "--foreground") == 0) foreground = true;
        else if (arg[0] == '-') usage();
        else if (parse_rule(arg, &rules[rule_count++]) < 0) exit(EXIT_FAILED);
    }
    if (rule_count == 0 || (!pid && !netns_path && !wait_pid_file) || (wait_pid_file && (pid || netns_path))) usage();
    /* Whatever the caller left open (a lock file, a pipe) must not live on in the daemon. */
    syscall(SYS_close_range, 3U, ~0U, 0U);
    clock_gettime(CLOCK_REALTIME_COARSE, &started_coarse);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    if (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH) die("no such process: %d", pid);
    for (size_t i = 0; i < rule_count; i++) bind_rule(&rules[i]);

    int ready[2] = {-1, -1};
    if (!foreground) {
        if (pipe2(ready, O_CLOEXEC) < 0) die("pipe: %s", error_text(errno));
        pid_t child = fork();
        if (child < 0) die("fork: %s", error_text(errno));
        if (child > 0) {
            /* The caller learns the result from us: bindings and 0 once the daemon serves. */
            close(ready[1]);
            char byte;
            ssize_t n;
            while ((n = read(ready[0], &byte, 1)) < 0 && errno == EINTR) {
            }
            if (n != 1) exit(EXIT_FAILED); /* the daemon printed why on our shared stderr */
            print_bindings();
            exit(0);
        }
        close(ready[0]);
        setsid();
    }
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) die("epoll_create1: %s", error_text(errno));
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    signal_h.fd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
    tcp_init();
    wait_init();
    watch(&signal_h, EPOLLIN);
    for (size_t i = 0; i < rule_count; i++) {
        if (rules[i].proto == IPPROTO_UDP && sweep_h.fd < 0) {
            sweep_h.fd = make_timer(udp_idle_seconds < 5 ? 1 : 5, true);
            watch(&sweep_h, EPOLLIN);
        }
    }
    if (wait_pid_file) {
        char dir_copy[4096];
        snprintf(dir_copy, sizeof dir_copy, "%s", wait_pid_file);
        inotify_h.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (inotify_h.fd < 0 || inotify_add_watch(inotify_h.fd, dirname(dir_copy), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
            die("watch %s: %s", wait_pid_file, error_text(errno));
        }
        watch(&inotify_h, EPOLLIN);
        deadline_h.fd = make_timer(wait_seconds, false);
        watch(&deadline_h, EPOLLIN);
    } else {
        attach_target(pid, netns_path);
    }
    write_own_pid_file();
    if (foreground) {
        print_bindings();
    } else {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (chdir("/") < 0 || null < 0) die("cannot detach: %s", error_text(errno));
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        close(null);
        (void)write_all(ready[1], "1", 1);
        close(ready[1]);
    }
    detached = true;
    if (wait_pid_file) try_pid_file();

    struct epoll_event events[256];
    for (;;) {
        int n = wait_for_events(events, 256);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait: %s", error_text(errno));
        }
        for (int i = 0; i < n; i++) {
            struct handle *h = events[i].data.ptr;
            switch (h->kind) {
            case H_TCP_LISTENER: tcp_accept(h->owner); break;
            case H_UDP_LISTENER: udp_listener_event(h->owner); break;
            case H_TCP_CONN: tcp_event(h, events[i].events); break;
            case H_UDP_UPSTREAM: udp_upstream_event(h); break;
            case H_ACCEPT_RETRY: tcp_resume_accepting(); break;
            case H_CONTROL: control_event(h); break;
            }
        }
        free_deferred();
    }
}
