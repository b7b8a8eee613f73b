/* berth-runtime: start containers from an OCI bundle (`run`), keep them company (`monitor`)
 * and enter them (`exec`). The contract with the TypeScript side is PROTOCOL.md. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay.h"
#include "runtime.h"

extern char **environ;

/* CVE-2019-5736: a container process that opens /proc/<our pid>/exe must find a sealed
 * anonymous copy, never the binary on disk it could overwrite for the next caller. */
static void reexec_from_memfd(char **argv) {
    char link[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    bool sealed_copy = strncmp(link, "/memfd:berth-runtime", 20) == 0;
    const char *flag = getenv("_BERTH_MEMFD");
    unsetenv("_BERTH_MEMFD");
    if (sealed_copy && flag && strcmp(flag, "1") == 0) return;
    int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0) die_errno("open /proc/self/exe");
    struct stat st;
    if (fstat(src, &st) < 0) die_errno("stat /proc/self/exe");
    int mfd = memfd_create("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0) die_errno("memfd_create");
    for (off_t left = st.st_size; left > 0;) {
        ssize_t k = sendfile(mfd, src, NULL, (size_t)left);
        if (k <= 0) die_errno("copy to memfd");
        left -= k;
    }
    close(src);
    if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) die_errno("seal memfd");
    setenv("_BERTH_MEMFD", "1", 1);
    fexecve(mfd, argv, environ);
    die_errno("exec memfd copy");
}

static pid_t forward_to;
static void forward_signal(int sig) {
    if (forward_to > 0) kill(forward_to, sig);
}

static int connect_unix(const char *path) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) return errno = ENAMETOOLONG, -1;
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int cmd_run(int argc, char **argv) {
    const char *bundle = NULL, *pid_file = NULL, *console = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--bundle") == 0 && i + 1 < argc) bundle = argv[++i];
        else if (strcmp(argv[i], "--pid-file") == 0 && i + 1 < argc) pid_file = argv[++i];
        else if (strcmp(argv[i], "--console-socket") == 0 && i + 1 < argc) console = argv[++i];
        else if (argv[i][0] == '-') die("run: unknown option %s", argv[i]);
    }
    if (!bundle) die("run: --bundle is required");
    struct spec *s = spec_load_bundle(bundle);
    struct start_opts o = {.spec = s, .console_sock = -1, .stdio = {-1, -1, -1}};
    int relay_sock = -1;
    if (s->process.terminal) {
        if (console) {
            o.console_sock = connect_unix(console);
            if (o.console_sock < 0) die_errno("connect console socket %s", console);
        } else {
            /* No console socket: relay the pty ourselves, like `exec --tty`. */
            int pair[2];
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) die_errno("socketpair");
            relay_sock = pair[0];
            o.console_sock = pair[1];
        }
    }
    struct started st;
    struct child_error e = {0, ""};
    if (container_start(&o, &st, &e) < 0) die("%s", e.message);
    if (o.console_sock >= 0) close(o.console_sock);
    if (pid_file) {
        char v[32];
        int len = snprintf(v, sizeof v, "%d", (int)st.pid);
        if (write_file_atomic(pid_file, v, (size_t)len) < 0) {
            kill(st.pid, SIGKILL);
            die_errno("write pid file %s", pid_file);
        }
    }
    if (container_wait_ready(&st, &e) < 0) {
        warnx_("%s", e.message);
        exit(e.code ? e.code : EXIT_RUNTIME);
    }
    int master = relay_sock >= 0 ? fd_recv(relay_sock) : -1;
    if (relay_sock >= 0 && master < 0) {
        kill(st.pid, SIGKILL);
        die_errno("receive pty");
    }
    forward_to = st.pid;
    if (master < 0) {
        int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
        struct sigaction sa = {.sa_handler = forward_signal, .sa_flags = SA_RESTART};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
    }
    container_exec(&st);
    char buf[1100];
    int n = read_all(st.sync_r, buf, sizeof buf - 1);
    if (n > 2 && buf[0] == 'E') {
        buf[n] = 0;
        warnx_("%s", buf + 2);
    }
    int status = 0;
    if (master >= 0) {
        status = relay_pty(master, st.pid);
    } else {
        while (waitpid(st.pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    return exit_status_code(status);
}

static void usage(void) {
    fputs("usage: berth-runtime run --bundle DIR [--pid-file F] [--console-socket S]\n"
          "       berth-runtime monitor --bundle DIR --state DIR --log FILE [--log-max-size N] [--log-max-file N]\n"
          "                             [--tty] [--stdin] [--attach-wait] [--runtime PATH] -- EXIT_COMMAND...\n"
          "       berth-runtime exec --pid PID --process FILE [--tty] [--detach] [--pid-file F]\n",
          stderr);
    exit(EXIT_RUNTIME);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    reexec_from_memfd(argv);
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(argv[1], "monitor") == 0) return cmd_monitor(argc - 2, argv + 2);
    if (strcmp(argv[1], "exec") == 0) return cmd_exec(argc - 2, argv + 2);
    usage();
}
