/* `monitor`: the small process that outlives `berth run -d` (like podman's conmon). It starts
 * the container, holds its stdio pipes or pty master, writes the json-file log, serves the
 * attach socket, records the exit and then becomes the exit command. Fixed buffers only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor.h"
#include "runtime.h"

#define MAX_CLIENTS 32
#define LINE_MAX_BYTES 16384
/* --attach-wait holds the process for the client that started it; if that client died before
 * connecting (a killed `berth run`), the container runs anyway rather than hang forever. */
#define ATTACH_WAIT_MS 10000
/* How long an exited container's monitor waits for its attach clients to hang up. */
#define CLIENT_LINGER_MS 1000

struct client {
    int fd;
    unsigned char hdr[5];
    size_t hdr_len;
    uint32_t need;
    unsigned char payload[4];
    size_t plen;
    /* Sent frame 3: this client cleans up after the exit itself (the exit command is skipped
     * if it is still connected when the container exits). */
    bool cleans_up;
};

static struct client clients[MAX_CLIENTS];
static struct logfile logf;
static char lines[2][LINE_MAX_BYTES];
static size_t line_len[2];
static int stdin_fd = -1, master_fd = -1;
static bool tty_mode;

static void broadcast(int stream, const char *data, size_t len) {
    unsigned char hdr[5] = {(unsigned char)stream, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                            (unsigned char)(len >> 8), (unsigned char)len};
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd < 0) continue;
        struct iovec iov[2] = {{hdr, 5}, {(void *)data, len}};
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
        size_t total = len + 5, sent = 0;
        while (sent < total) {
            ssize_t n = sendmsg(clients[i].fd, &msg, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            sent += (size_t)n;
            /* Advance the iovecs past what went out. */
            size_t skip = (size_t)n;
            while (msg.msg_iovlen && skip >= msg.msg_iov[0].iov_len) {
                skip -= msg.msg_iov[0].iov_len;
                msg.msg_iov++;
                msg.msg_iovlen--;
            }
            if (msg.msg_iovlen) {
                msg.msg_iov[0].iov_base = (char *)msg.msg_iov[0].iov_base + skip;
                msg.msg_iov[0].iov_len -= skip;
            }
        }
        if (sent < total) {
            close(clients[i].fd);
            clients[i].fd = -1;
        }
    }
}

/* Split into json-file records: at each newline, and at 16 KiB without one. */
static void log_feed(int stream, const char *data, size_t n) {
    int s = stream - 1;
    const char *name = stream == 1 ? "stdout" : "stderr";
    while (n > 0) {
        size_t space = LINE_MAX_BYTES - line_len[s];
        size_t look = n < space ? n : space;
        const char *nl = memchr(data, '\n', look);
        size_t take = nl ? (size_t)(nl - data) + 1 : look;
        memcpy(lines[s] + line_len[s], data, take);
        line_len[s] += take;
        if (nl || line_len[s] == LINE_MAX_BYTES) {
            logfile_write(&logf, name, lines[s], line_len[s]);
            line_len[s] = 0;
        }
        data += take;
        n -= take;
    }
}

static void log_flush(int stream) {
    int s = stream - 1;
    if (line_len[s] == 0) return;
    logfile_write(&logf, stream == 1 ? "stdout" : "stderr", lines[s], line_len[s]);
    line_len[s] = 0;
}

static void close_stdin(void) {
    if (tty_mode && master_fd >= 0) {
        write_all(master_fd, "\x04", 1); /* EOF for a terminal in canonical mode */
    } else if (stdin_fd >= 0) {
        close(stdin_fd);
        stdin_fd = -1;
    }
}

/* --attach-wait: the container's process waits until a client has connected and sent its first
 * frame. Waiting for a frame, not just the connection, lets `berth run` say "cleanup handled"
 * (frame 3) before the container can exit: said after the start, a quick container could exit
 * and the monitor close before the frame landed. */
static void (*hold_release)(void *);
static void *hold_arg;
static bool holding_process;

static void release_hold(void) {
    if (!holding_process) return;
    holding_process = false;
    hold_release(hold_arg);
}

static void frame_done(struct client *c) {
    release_hold();
    if (c->hdr[0] == 1) close_stdin();
    if (c->hdr[0] == 3) c->cleans_up = true;
    if (c->hdr[0] == 2 && c->plen == 4 && master_fd >= 0)
        pty_set_size(master_fd, (unsigned short)(c->payload[0] << 8 | c->payload[1]),
                     (unsigned short)(c->payload[2] << 8 | c->payload[3]));
    c->hdr_len = 0;
    c->plen = 0;
}

static void client_input(struct client *c) {
    unsigned char buf[8192];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n <= 0) {
        if (n < 0 && errno == EINTR) return;
        close(c->fd);
        c->fd = -1;
        return;
    }
    for (size_t i = 0; i < (size_t)n;) {
        if (c->hdr_len < 5) {
            c->hdr[c->hdr_len++] = buf[i++];
            if (c->hdr_len == 5) {
                c->need = (uint32_t)c->hdr[1] << 24 | (uint32_t)c->hdr[2] << 16 | (uint32_t)c->hdr[3] << 8 | c->hdr[4];
                if (c->need == 0) frame_done(c);
            }
            continue;
        }
        size_t take = (size_t)n - i < c->need ? (size_t)n - i : c->need;
        if (c->hdr[0] == 0) {
            int target = tty_mode ? master_fd : stdin_fd;
            if (target >= 0) write_all(target, buf + i, take);
        } else if (c->hdr[0] == 2) {
            for (size_t k = 0; k < take && c->plen < 4; k++) c->payload[c->plen++] = buf[i + k];
        }
        i += take;
        c->need -= (uint32_t)take;
        if (c->need == 0) frame_done(c);
    }
}

/* -1 unknown, else whether the kernel's OOM killer struck in the container's memory cgroup. */
static int oom_killed = -1;

/* Reads `oom_kill N` from the memory cgroup (v1 memory.oom_control, v2 memory.events). */
void monitor_note_oom(const char *memory_cgroup) {
    if (!memory_cgroup || !memory_cgroup[0]) return;
    const char *files[] = {"memory.oom_control", "memory.events"};
    for (int i = 0; i < 2 && oom_killed < 0; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", memory_cgroup, files[i]);
        char *text = read_file(path, NULL);
        if (!text) continue;
        const char *at = strstr(text, "oom_kill ");
        if (at) oom_killed = strtoll(at + strlen("oom_kill "), NULL, 10) > 0;
        free(text);
    }
}

static void write_exit_file(const char *state, int status) {
    char path[PATH_MAX], json[256], now[64], sig[16] = "null", oom[32] = "";
    format_rfc3339nano(now, sizeof now);
    if (WIFSIGNALED(status)) snprintf(sig, sizeof sig, "%d", WTERMSIG(status));
    if (oom_killed >= 0) snprintf(oom, sizeof oom, ",\"oomKilled\":%s", oom_killed ? "true" : "false");
    int n = snprintf(json, sizeof json, "{\"exitCode\":%d,\"signal\":%s,\"finishedAt\":\"%s\"%s}\n",
                     exit_status_code(status), sig, now, oom);
    snprintf(path, sizeof path, "%s/exit", state);
    write_file_atomic(path, json, (size_t)n);
}

/* The event loop: returns the container init's wait status once it exited and its output
 * is drained. `go` is called once a client has sent its first frame (--attach-wait). */
int monitor_loop(const struct monitor_io *io, void (*on_first_client)(void *), void *arg) {
    for (int i = 0; i < MAX_CLIENTS; i++) clients[i].fd = -1;
    tty_mode = io->master >= 0;
    master_fd = io->master;
    stdin_fd = io->stdin_w;
    int out[3] = {-1, tty_mode ? io->master : io->stdout_r, tty_mode ? -1 : io->stderr_r};
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    bool exited = false;
    hold_release = on_first_client;
    hold_arg = arg;
    holding_process = on_first_client != NULL;
    int status = 0, waited_ms = 0;
    char buf[32768];
    for (;;) {
        if (exited) {
            /* All container processes are gone with its init (pid namespace); what is
             * still buffered in the pipes or pty is read, then done. */
            if (out[1] < 0 && out[2] < 0) break;
        }
        struct pollfd fds[4 + MAX_CLIENTS];
        int nf = 0;
        fds[nf++] = (struct pollfd){io->listen_fd, POLLIN, 0};
        fds[nf++] = (struct pollfd){sfd, POLLIN, 0};
        fds[nf++] = (struct pollfd){out[1], POLLIN, 0};
        fds[nf++] = (struct pollfd){out[2], POLLIN, 0};
        for (int i = 0; i < MAX_CLIENTS; i++) fds[nf++] = (struct pollfd){clients[i].fd, POLLIN, 0};
        bool holding = holding_process && !exited;
        /* Never blocks for long: the reap below runs on every wake-up, so an exit whose
         * SIGCHLD came before the signalfd existed is still seen. */
        int rc = poll(fds, (nfds_t)nf, exited ? 1000 : holding ? 100 : 500);
        if (rc < 0 && errno == EINTR) continue;
        if (rc == 0 && exited) break; /* a lingering writer outside the pid namespace */
        if (rc == 0 && holding && (waited_ms += 100) >= ATTACH_WAIT_MS) {
            release_hold();
            continue;
        }
        if (fds[0].revents & POLLIN) {
            int c = accept4(io->listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (c >= 0) {
                int slot = -1;
                for (int i = 0; i < MAX_CLIENTS && slot < 0; i++)
                    if (clients[i].fd < 0) slot = i;
                if (slot < 0) close(c);
                else clients[slot] = (struct client){.fd = c};
            }
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == sizeof si) break;
        }
        if (!exited) {
            /* Reap on every pass, not only on SIGCHLD: a quick container can exit while
             * `runc start` (or the exec) is still returning, before this loop listens. */
            pid_t r;
            int st;
            while ((r = waitpid(-1, &st, WNOHANG)) > 0)
                if (r == io->pid) {
                    status = st;
                    exited = true;
                }
        }
        for (int s = 1; s <= 2; s++) {
            if (out[s] < 0 || !(fds[1 + s].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(out[s], buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                log_flush(s);
                if (!tty_mode) close(out[s]);
                out[s] = -1;
                continue;
            }
            broadcast(s, buf, (size_t)n);
            log_feed(s, buf, (size_t)n);
        }
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (clients[i].fd >= 0 && (fds[4 + i].revents & (POLLIN | POLLHUP | POLLERR))) client_input(&clients[i]);
    }
    log_flush(1);
    log_flush(2);
    close(sfd);
    return status;
}

/* Records the exit (the `exit` file first, so whoever hears of it can read it), tells every
 * attach client the exit code in a frame of stream 3 (4-byte BE code), and lets them go. */
bool monitor_report_exit(const char *state, int status) {
    char path[PATH_MAX];
    int code = exit_status_code(status);
    write_exit_file(state, status);
    snprintf(path, sizeof path, "%s/attach.sock", state);
    unlink(path);
    /* Frames already queued (a `stop` announces its cleanup just before it signals) count too. */
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd < 0) continue;
        struct pollfd p = {clients[i].fd, POLLIN, 0};
        while (clients[i].fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) client_input(&clients[i]);
    }
    unsigned char payload[4] = {(unsigned char)(code >> 24), (unsigned char)(code >> 16), (unsigned char)(code >> 8),
                                (unsigned char)code};
    broadcast(3, (const char *)payload, sizeof payload);
    /* Half-close, then read until each client closes (or a short deadline): closing outright
     * would make a client's late write (its stdin EOF, a resize) fail with EPIPE, and Node tears
     * down a socket whose write failed, with our last frames still unread in it. Frames that
     * arrive meanwhile still count ("cleanup handled" included). */
    bool present[MAX_CLIENTS];
    for (int i = 0; i < MAX_CLIENTS; i++) {
        present[i] = clients[i].fd >= 0;
        if (present[i]) shutdown(clients[i].fd, SHUT_WR);
    }
    for (int waited = 0; waited < CLIENT_LINGER_MS; waited += 50) {
        struct pollfd fds[MAX_CLIENTS];
        int open_clients = 0;
        for (int i = 0; i < MAX_CLIENTS; i++) {
            fds[i] = (struct pollfd){clients[i].fd, POLLIN, 0};
            if (clients[i].fd >= 0) open_clients++;
        }
        if (open_clients == 0) break;
        if (poll(fds, MAX_CLIENTS, 50) < 0 && errno != EINTR) break;
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (clients[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) client_input(&clients[i]);
    }
    bool handled = false;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (present[i] && clients[i].cleans_up) handled = true;
        if (clients[i].fd >= 0) {
            close(clients[i].fd);
            clients[i].fd = -1;
        }
    }
    return handled;
}

void monitor_exec_exit_command(char **exit_command) {
    if (!exit_command || !exit_command[0]) exit(0);
    close_fds_from(3, false);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    execvp(exit_command[0], exit_command);
    exit(EXIT_RUNTIME);
}

int monitor_open_log(const char *path, unsigned long long max_size, int max_file) {
    return logfile_open(&logf, path, max_size, max_file);
}
