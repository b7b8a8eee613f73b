/* `monitor` arguments, daemonizing, and starting the container with the builtin runtime or
 * an OCI runtime CLI (runc: `create` with the monitor as child subreaper, `start` when
 * allowed, `delete` after the exit). The foreground parent waits for a one-byte verdict. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor.h"
#include "runtime.h"

struct monitor_args {
    const char *bundle, *state, *log, *runtime, *memory_cgroup;
    unsigned long long max_size;
    int max_file;
    bool tty, stdin_open, attach_wait;
    char **exit_command;
};

static int verdict_fd = -1;

static void __attribute__((noreturn)) report_failure(int code, const char *fmt, ...) {
    char buf[1100];
    va_list ap;
    va_start(ap, fmt);
    buf[0] = 'E';
    buf[1] = (char)code;
    int n = vsnprintf(buf + 2, sizeof buf - 2, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 3) n = (int)sizeof buf - 3;
    write_all(verdict_fd, buf, (size_t)n + 2);
    exit(code);
}

static void report_ok(void) {
    write_all(verdict_fd, "K", 1);
    close(verdict_fd);
    verdict_fd = -1;
}

static void parse(int argc, char **argv, struct monitor_args *a) {
    memset(a, 0, sizeof *a);
    a->max_file = 1;
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(o, "--") == 0) {
            a->exit_command = argv + i + 1;
            break;
        }
        if (strcmp(o, "--bundle") == 0 && has) a->bundle = argv[++i];
        else if (strcmp(o, "--state") == 0 && has) a->state = argv[++i];
        else if (strcmp(o, "--log") == 0 && has) a->log = argv[++i];
        else if (strcmp(o, "--runtime") == 0 && has) a->runtime = argv[++i];
        else if (strcmp(o, "--memory-cgroup") == 0 && has) a->memory_cgroup = argv[++i];
        else if (strcmp(o, "--log-max-size") == 0 && has) a->max_size = strtoull(argv[++i], NULL, 10);
        else if (strcmp(o, "--log-max-file") == 0 && has) a->max_file = atoi(argv[++i]);
        else if (strcmp(o, "--tty") == 0) a->tty = true;
        else if (strcmp(o, "--stdin") == 0) a->stdin_open = true;
        else if (strcmp(o, "--attach-wait") == 0) a->attach_wait = true;
        else die("monitor: unknown option %s", o);
    }
    if (!a->bundle || !a->state || !a->log) die("monitor: --bundle, --state and --log are required");
}

static void write_pid(const char *state, const char *name, pid_t pid) {
    char path[PATH_MAX], v[32];
    int n = snprintf(v, sizeof v, "%d", (int)pid);
    snprintf(path, sizeof path, "%s/%s", state, name);
    if (write_file_atomic(path, v, (size_t)n) < 0) report_failure(EXIT_RUNTIME, "write %s: %s", path, strerror(errno));
}

/* ---- builtin runtime ---- */
static void builtin_go(void *arg) { container_exec(arg); }

static void __attribute__((noreturn)) run_builtin(struct monitor_args *a, struct spec *s, int listen_fd) {
    int out[2], err[2], in[2] = {-1, -1}, console[2] = {-1, -1};
    struct start_opts o = {.spec = s, .console_sock = -1, .stdio = {-1, -1, -1}};
    s->process.terminal = a->tty;
    if (a->tty) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0) report_failure(EXIT_RUNTIME, "socketpair");
        o.console_sock = console[1];
        o.stdio[0] = o.stdio[1] = o.stdio[2] = 0; /* /dev/null until the pty replaces it */
    } else {
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) report_failure(EXIT_RUNTIME, "pipe");
        if (a->stdin_open && pipe2(in, O_CLOEXEC) < 0) report_failure(EXIT_RUNTIME, "pipe");
        o.stdio[0] = a->stdin_open ? in[0] : 0;
        o.stdio[1] = out[1];
        o.stdio[2] = err[1];
    }
    struct started st;
    struct child_error e = {0, ""};
    if (container_start(&o, &st, &e) < 0) report_failure(e.code, "%s", e.message);
    if (a->tty) close(console[1]);
    else {
        close(out[1]);
        close(err[1]);
        if (in[0] >= 0) close(in[0]);
    }
    write_pid(a->state, "pid", st.pid);
    if (container_wait_ready(&st, &e) < 0) report_failure(e.code, "%s", e.message);
    struct monitor_io io = {st.pid, listen_fd, -1, -1, -1, -1};
    if (a->tty) {
        io.master = fd_recv(console[0]);
        if (io.master < 0) {
            kill(st.pid, SIGKILL);
            report_failure(EXIT_RUNTIME, "receive pty: %s", strerror(errno));
        }
        close(console[0]);
    } else {
        io.stdout_r = out[0];
        io.stderr_r = err[0];
        io.stdin_w = in[1];
    }
    report_ok();
    if (!a->attach_wait) container_exec(&st);
    int status = monitor_loop(&io, a->attach_wait ? builtin_go : NULL, &st);
    monitor_note_oom(a->memory_cgroup);
    if (monitor_report_exit(a->state, status)) exit(0);
    monitor_exec_exit_command(a->exit_command);
}

/* ---- OCI runtime CLI ---- */
static pid_t spawn(char **args, int in, int out, int err) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    int fds[3] = {in, out, err};
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0) dup2(fds[i], i);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(args[0], args);
    _exit(EXIT_NOT_FOUND);
}

static int run_wait(char **args) {
    int status = 0;
    pid_t pid = spawn(args, -1, -1, -1);
    if (pid < 0 || waitpid(pid, &status, 0) < 0) return -1;
    return exit_status_code(status);
}

struct oci_ctx {
    const char *runtime, *id;
};
static void oci_start(void *arg) {
    struct oci_ctx *c = arg;
    char *args[] = {(char *)c->runtime, "start", (char *)c->id, NULL};
    run_wait(args);
}

static void __attribute__((noreturn)) run_oci(struct monitor_args *a, int listen_fd) {
    char pid_path[PATH_MAX], sock_path[PATH_MAX], id[256], console_address[sizeof(struct sockaddr_un)];
    int console_dir = -1;
    snprintf(pid_path, sizeof pid_path, "%s/pid", a->state);
    snprintf(sock_path, sizeof sock_path, "%s/console.sock", a->state);
    const char *base = strrchr(a->state, '/');
    snprintf(id, sizeof id, "%s", base && base[1] ? base + 1 : a->state);
    /* The container's init is runc's grandchild: as subreaper we still get its exit. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    int out[2], err[2], in[2] = {-1, -1}, console = -1;
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) report_failure(EXIT_RUNTIME, "pipe");
    if (a->stdin_open && !a->tty && pipe2(in, O_CLOEXEC) < 0) report_failure(EXIT_RUNTIME, "pipe");
    if (a->tty) {
        /* A long state dir is reached through an fd of it (runc connects to the same address). */
        struct sockaddr_un addr;
        if (unix_address(a->state, "console.sock", &addr, &console_dir) < 0)
            report_failure(EXIT_RUNTIME, "console socket: %s", strerror(errno));
        snprintf(console_address, sizeof console_address, "%s", addr.sun_path);
        unlink(sock_path);
        console = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (console < 0 || bind(console, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(console, 1) < 0)
            report_failure(EXIT_RUNTIME, "console socket: %s", strerror(errno));
    }
    char *args[12];
    int n = 0;
    args[n++] = (char *)a->runtime;
    args[n++] = "create";
    args[n++] = "--bundle";
    args[n++] = (char *)a->bundle;
    args[n++] = "--pid-file";
    args[n++] = pid_path;
    if (a->tty) {
        args[n++] = "--console-socket";
        args[n++] = console_address;
    }
    args[n++] = id;
    args[n] = NULL;
    pid_t creator = spawn(args, a->tty ? -1 : in[0], out[1], err[1]);
    if (creator < 0) report_failure(EXIT_RUNTIME, "fork: %s", strerror(errno));
    close(out[1]);
    if (in[0] >= 0) close(in[0]);
    int master = -1, status = 0;
    if (a->tty) {
        for (;;) {
            struct pollfd p = {console, POLLIN, 0};
            if (poll(&p, 1, 100) > 0) {
                int c = accept4(console, NULL, NULL, SOCK_CLOEXEC);
                master = c >= 0 ? fd_recv(c) : -1;
                if (c >= 0) close(c);
                break;
            }
            if (waitpid(creator, &status, WNOHANG) == creator) {
                creator = -1;
                break;
            }
        }
        close(console);
        if (console_dir >= 0) close(console_dir);
        unlink(sock_path);
    }
    if (creator > 0) waitpid(creator, &status, 0);
    close(err[1]);
    if (exit_status_code(status) != 0) {
        char msg[1000] = "";
        int m = read(err[0], msg, sizeof msg - 1); /* runc's own complaint, if it said one */
        msg[m > 0 ? m : 0] = 0;
        msg[strcspn(msg, "\n")] = 0;
        report_failure(EXIT_RUNTIME, "%s create: %s", a->runtime, msg[0] ? msg : "failed");
    }
    char *text = read_file(pid_path, NULL);
    pid_t pid = text ? (pid_t)atoi(text) : 0;
    free(text);
    if (pid <= 0) report_failure(EXIT_RUNTIME, "%s create wrote no pid", a->runtime);
    struct monitor_io io = {pid, listen_fd, master, a->tty ? -1 : out[0], a->tty ? -1 : err[0], in[1]};
    if (a->tty) {
        close(out[0]);
        close(err[0]);
    }
    report_ok();
    struct oci_ctx ctx = {a->runtime, id};
    if (!a->attach_wait) oci_start(&ctx);
    status = monitor_loop(&io, a->attach_wait ? oci_start : NULL, &ctx);
    /* Before `delete`: the runtime removes the cgroup and with it the OOM record. */
    monitor_note_oom(a->memory_cgroup);
    bool handled = monitor_report_exit(a->state, status);
    char *del[] = {(char *)a->runtime, "delete", "--force", id, NULL};
    run_wait(del);
    if (handled) exit(0);
    monitor_exec_exit_command(a->exit_command);
}

int cmd_monitor(int argc, char **argv) {
    struct monitor_args a;
    parse(argc, argv, &a);
    struct spec *s = a.runtime ? NULL : spec_load_bundle(a.bundle);
    int verdict[2];
    if (pipe2(verdict, O_CLOEXEC) < 0) die_errno("pipe");
    pid_t pid = fork();
    if (pid < 0) die_errno("fork");
    if (pid > 0) {
        close(verdict[1]);
        char buf[1100];
        /* One byte first: the container's init holds the pipe open until it execs. */
        int n = read_all(verdict[0], buf, 1);
        if (n == 1 && buf[0] == 'K') return 0;
        if (n == 1) n += read_all(verdict[0], buf + 1, sizeof buf - 2);
        if (n >= 2 && buf[0] == 'E') {
            buf[n] = 0;
            warnx_("%s", buf + 2);
            return (unsigned char)buf[1] ? (unsigned char)buf[1] : EXIT_RUNTIME;
        }
        die("monitor exited before the container started");
    }
    close(verdict[0]);
    verdict_fd = verdict[1];
    setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    close(null);
    write_pid(a.state, "monitor.pid", getpid());
    if (monitor_open_log(a.log, a.max_size, a.max_file) < 0)
        report_failure(EXIT_RUNTIME, "open log %s: %s", a.log, strerror(errno));
    int listen_fd = monitor_listen(a.state);
    if (listen_fd < 0) report_failure(EXIT_RUNTIME, "attach socket: %s", strerror(errno));
    if (a.runtime) run_oci(&a, listen_fd);
    run_builtin(&a, s, listen_fd);
}
