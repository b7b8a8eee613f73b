/* `exec`: a new process inside a running container. Every inherited fd above stdio is
 * closed before anything else (CVE-2024-21626: no host directory fd may survive into the
 * container to serve as a cwd), namespaces are entered from /proc/PID/ns, cgroups are
 * joined by the parent for the child, and the fork puts the child inside the pid namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay.h"
#include "runtime.h"

static pid_t forward_to;
static void forward_signal(int sig) {
    if (forward_to > 0) kill(forward_to, sig);
}

static char wait_byte(int fd) {
    char c = 0;
    return read_all(fd, &c, 1) == 1 ? c : 0;
}

static void __attribute__((noreturn))
exec_child(struct process_spec *p, int sync_w, int go_r, int console_sock, int null_fd) {
    struct child_error e = {0, ""};
    char path[PATH_MAX];
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (wait_byte(go_r) != 'G') _exit(EXIT_RUNTIME);
    if (null_fd >= 0)
        for (int fd = 0; fd < 3; fd++) dup2(null_fd, fd);
    process_default_home(p);
    if (console_setup(p, console_sock, false, &e) < 0 || process_apply_rlimits(p, &e) < 0 ||
        process_apply_user_and_caps(p, &e) < 0 || process_chdir(p, &e) < 0 ||
        process_lookpath(p, path, sizeof path, &e) < 0)
        child_report(sync_w, &e);
    close_fds_from(3, true);
    process_reset_signals();
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    if (write_all(sync_w, "R", 1) < 0 || wait_byte(go_r) != 'X') _exit(EXIT_RUNTIME);
    execve(path, p->args, p->env);
    int err = errno;
    child_fail(sync_w, err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_INVOKE, "exec: \"%s\": %s", p->args[0], strerror(err));
}

int cmd_exec(int argc, char **argv) {
    /* First of all, before any namespace is entered. */
    close_fds_from(3, false);
    const char *pid_arg = NULL, *process_file = NULL, *pid_file = NULL;
    bool tty = false, detach = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc) pid_arg = argv[++i];
        else if (strcmp(argv[i], "--process") == 0 && i + 1 < argc) process_file = argv[++i];
        else if (strcmp(argv[i], "--pid-file") == 0 && i + 1 < argc) pid_file = argv[++i];
        else if (strcmp(argv[i], "--tty") == 0) tty = true;
        else if (strcmp(argv[i], "--detach") == 0) detach = true;
        else die("exec: unknown option %s", argv[i]);
    }
    if (!pid_arg || !process_file) die("exec: --pid and --process are required");
    pid_t target = (pid_t)atoi(pid_arg);
    if (target <= 0) die("exec: bad pid %s", pid_arg);

    char err[256];
    char *text = read_file(process_file, NULL);
    if (!text) die_errno("exec: read %s", process_file);
    struct json *doc = json_parse(text, err, sizeof err);
    free(text);
    if (!doc || doc->type != J_OBJECT) die("exec: %s: %s", process_file, doc ? "not an object" : err);
    const struct json *proc = json_get(doc, "process") ? json_get(doc, "process") : doc;
    const char *cgroups = json_str(doc, "cgroupsPath");
    if (!cgroups) cgroups = json_str(proc, "cgroupsPath");
    struct process_spec p;
    spec_parse_process(proc, &p);
    if (tty) p.terminal = true;
    if (detach) p.terminal = false; /* nobody would hold the master */

    /* Everything from the host side is opened now, before the mount namespace changes
     * what paths mean. */
    static const enum ns_kind order[] = {NS_IPC, NS_UTS, NS_NET, NS_CGROUP, NS_PID, NS_MOUNT};
    int nsfd[NS_COUNT];
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        enum ns_kind k = order[i];
        char theirs[64], ours[64];
        struct stat a, b;
        snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", (int)target, ns_proc_name(k));
        snprintf(ours, sizeof ours, "/proc/self/ns/%s", ns_proc_name(k));
        nsfd[k] = -1;
        if (stat(theirs, &a) < 0) {
            if (errno == ENOENT && k != NS_MOUNT && k != NS_PID) continue;
            die("exec: container process %d is not running", (int)target);
        }
        if (stat(ours, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) continue;
        nsfd[k] = open(theirs, O_RDONLY | O_CLOEXEC);
        if (nsfd[k] < 0) die_errno("exec: open %s", theirs);
    }
    int cgfd[16], ncg = 0;
    if (cgroups && *cgroups) {
        char list[PATH_MAX * 4], file[PATH_MAX];
        snprintf(list, sizeof list, "%s", cgroups);
        for (char *save, *dir = strtok_r(list, ":", &save); dir && ncg < 16; dir = strtok_r(NULL, ":", &save)) {
            snprintf(file, sizeof file, "%s/cgroup.procs", dir);
            cgfd[ncg] = open(file, O_WRONLY | O_CLOEXEC);
            if (cgfd[ncg] < 0) die_errno("exec: open %s", file);
            ncg++;
        }
    }
    int null_fd = detach ? open("/dev/null", O_RDWR | O_CLOEXEC) : -1;
    int pair[2] = {-1, -1}, sync[2], go[2];
    if (p.terminal && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) die_errno("exec: socketpair");
    if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) die_errno("exec: pipe");
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        enum ns_kind k = order[i];
        if (nsfd[k] < 0) continue;
        if (setns(nsfd[k], ns_clone_flag(k)) < 0) die_errno("exec: enter %s namespace", ns_proc_name(k));
        close(nsfd[k]);
    }
    pid_t child = fork();
    if (child < 0) die_errno("exec: fork");
    if (child == 0) {
        close(sync[0]);
        close(go[1]);
        if (pair[0] >= 0) close(pair[0]);
        exec_child(&p, sync[1], go[0], pair[1], null_fd);
    }
    close(sync[1]);
    close(go[0]);
    if (pair[1] >= 0) close(pair[1]);
    char value[32];
    int vlen = snprintf(value, sizeof value, "%d", (int)child);
    for (int i = 0; i < ncg; i++) {
        if (write_all(cgfd[i], value, (size_t)vlen) < 0) {
            kill(child, SIGKILL);
            die_errno("exec: join cgroup");
        }
        close(cgfd[i]);
    }
    if (write_all(go[1], "G", 1) < 0) die_errno("exec: start");
    struct started st = {child, sync[0], go[1]};
    struct child_error e = {0, ""};
    if (container_wait_ready(&st, &e) < 0) {
        warnx_("%s", e.message);
        exit(e.code ? e.code : EXIT_RUNTIME);
    }
    if (pid_file && write_file_atomic(pid_file, value, (size_t)vlen) < 0) {
        kill(child, SIGKILL);
        die_errno("exec: write pid file %s", pid_file);
    }
    int master = pair[0] >= 0 ? fd_recv(pair[0]) : -1;
    if (pair[0] >= 0 && master < 0) {
        kill(child, SIGKILL);
        die_errno("exec: receive pty");
    }
    forward_to = child;
    if (master < 0) {
        int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
        struct sigaction sa = {.sa_handler = forward_signal, .sa_flags = SA_RESTART};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
    }
    container_exec(&st);
    char buf[1100];
    int n = read_all(st.sync_r, buf, sizeof buf - 1);
    if (n > 2 && buf[0] == 'E') {
        buf[n] = 0;
        warnx_("%s", buf + 2);
        int status;
        waitpid(child, &status, 0);
        return exit_status_code(status);
    }
    if (detach) return 0;
    int status = 0;
    if (master >= 0) status = relay_pty(master, child);
    else
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
    return exit_status_code(status);
}
