/* Starting a container's init: clone into new namespaces, the parent joins it to its
 * cgroups, the child builds its root and process, reports "ready" and execs when told.
 *
 * Parent and child talk over two close-on-exec pipes: go (parent -> child: 'G' after the
 * cgroups are joined, 'X' to exec) and sync (child -> parent: 'R' ready to exec, or 'E'
 * code message on failure; EOF after 'R' means execve succeeded). */
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime.h"

int join_cgroups(const char *paths, pid_t pid, struct child_error *e) {
    if (!paths || !*paths) return 0;
    char list[PATH_MAX * 4], file[PATH_MAX], value[32];
    snprintf(list, sizeof list, "%s", paths);
    snprintf(value, sizeof value, "%d", (int)pid);
    for (char *save, *dir = strtok_r(list, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        if (dir[0] != '/') {
            seterr(e, EXIT_RUNTIME, "cgroupsPath entry %s is not absolute", dir);
            return -1;
        }
        snprintf(file, sizeof file, "%s/cgroup.procs", dir);
        if (write_file(file, value) < 0) {
            seterr(e, EXIT_RUNTIME, "join cgroup %s: %s", dir, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static char wait_byte(int fd) {
    char c = 0;
    if (read_all(fd, &c, 1) != 1) return 0;
    return c;
}

static void __attribute__((noreturn)) child_main(const struct start_opts *o, int sync_w, int go_r) {
    struct spec *s = o->spec;
    struct process_spec *p = &s->process;
    struct child_error e = {0, ""};
    char path[PATH_MAX];

    /* Die with the parent before exec: nobody would reap or report us. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (wait_byte(go_r) != 'G') _exit(EXIT_RUNTIME);
    for (int fd = 0; fd < 3; fd++)
        if (o->stdio[fd] >= 0 && dup2(o->stdio[fd], fd) < 0) child_fail(sync_w, EXIT_RUNTIME, "stdio: %s", strerror(errno));

    static const enum ns_kind join_order[] = {NS_IPC, NS_UTS, NS_NET, NS_CGROUP, NS_MOUNT};
    for (size_t i = 0; i < sizeof join_order / sizeof join_order[0]; i++) {
        enum ns_kind k = join_order[i];
        if (!s->ns_path[k]) continue;
        int fd = open(s->ns_path[k], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, ns_clone_flag(k)) < 0)
            child_fail(sync_w, EXIT_RUNTIME, "join %s namespace %s: %s", ns_proc_name(k), s->ns_path[k], strerror(errno));
        close(fd);
    }
    /* The cgroup namespace is made only now, after the parent moved us into our cgroups,
     * so its root is the container's own cgroup. */
    if (s->ns_new[NS_CGROUP] && unshare(CLONE_NEWCGROUP) < 0)
        child_fail(sync_w, EXIT_RUNTIME, "cgroup namespace: %s", strerror(errno));
    if (s->ns_new[NS_NET] && loopback_up() < 0)
        child_fail(sync_w, EXIT_RUNTIME, "bring up lo: %s", strerror(errno));
    if (s->ns_new[NS_MOUNT] || s->ns_path[NS_MOUNT]) {
        if (rootfs_prepare(s, &e) < 0 || rootfs_finish(s, &e) < 0) child_report(sync_w, &e);
    } else {
        child_fail(sync_w, EXIT_RUNTIME, "a mount namespace is required");
    }
    if (s->hostname && s->ns_new[NS_UTS] && sethostname(s->hostname, strlen(s->hostname)) < 0)
        child_fail(sync_w, EXIT_RUNTIME, "sethostname: %s", strerror(errno));
    if (s->domainname && s->ns_new[NS_UTS] && setdomainname(s->domainname, strlen(s->domainname)) < 0)
        child_fail(sync_w, EXIT_RUNTIME, "setdomainname: %s", strerror(errno));
    if (console_setup(p, o->console_sock, true, &e) < 0) child_report(sync_w, &e);
    process_default_home(p);
    if (process_apply_rlimits(p, &e) < 0 || process_apply_user_and_caps(p, &e) < 0 || process_chdir(p, &e) < 0 ||
        process_lookpath(p, path, sizeof path, &e) < 0)
        child_report(sync_w, &e);
    /* Nothing of ours survives exec: every fd above stdio is close-on-exec from here
     * (the sync pipe included, whose EOF tells the parent exec worked). */
    close_fds_from(3, true);
    process_reset_signals();
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    if (write_all(sync_w, "R", 1) < 0) _exit(EXIT_RUNTIME);
    if (wait_byte(go_r) != 'X') _exit(EXIT_RUNTIME);
    execve(path, p->args, p->env);
    int err = errno;
    dprintf(2, "exec: \"%s\": %s\n", p->args[0], strerror(err));
    child_fail(sync_w, err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_INVOKE, "exec: \"%s\": %s", p->args[0], strerror(err));
}

int container_start(const struct start_opts *o, struct started *st, struct child_error *e) {
    const struct spec *s = o->spec;
    int sync[2], go[2];
    if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
        seterr(e, EXIT_RUNTIME, "pipe: %s", strerror(errno));
        return -1;
    }
    int flags = 0;
    for (int k = 0; k < NS_COUNT; k++)
        if (s->ns_new[k] && k != NS_CGROUP) flags |= ns_clone_flag((enum ns_kind)k);
    /* Joining an existing pid namespace must happen here: it applies to children only. */
    if (s->ns_path[NS_PID]) {
        int fd = open(s->ns_path[NS_PID], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWPID) < 0) {
            seterr(e, EXIT_RUNTIME, "join pid namespace %s: %s", s->ns_path[NS_PID], strerror(errno));
            return -1;
        }
        close(fd);
    }
    pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid < 0) {
        seterr(e, EXIT_RUNTIME, "clone: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(sync[0]);
        close(go[1]);
        child_main(o, sync[1], go[0]);
    }
    close(sync[1]);
    close(go[0]);
    st->pid = pid;
    st->sync_r = sync[0];
    st->go_w = go[1];
    if (join_cgroups(s->cgroups_path, pid, e) < 0 || write_all(go[1], "G", 1) < 0) {
        if (!e->message[0]) seterr(e, EXIT_RUNTIME, "start: %s", strerror(errno));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    return 0;
}

int container_wait_ready(struct started *st, struct child_error *e) {
    char buf[sizeof e->message + 2];
    int n = read_all(st->sync_r, buf, 1);
    if (n == 1 && buf[0] == 'R') return 0;
    if (n == 1 && buf[0] == 'E') {
        int m = read_all(st->sync_r, buf, sizeof buf - 1);
        if (m >= 1) {
            buf[m] = 0;
            e->code = (unsigned char)buf[0];
            size_t len = strnlen(buf + 1, sizeof e->message - 1);
            memcpy(e->message, buf + 1, len);
            e->message[len] = 0;
            waitpid(st->pid, NULL, 0);
            return -1;
        }
    }
    int status = 0;
    waitpid(st->pid, &status, 0);
    seterr(e, EXIT_RUNTIME, "container init exited before it was ready (status %d)", exit_status_code(status));
    return -1;
}

int container_exec(struct started *st) {
    int rc = write_all(st->go_w, "X", 1);
    close(st->go_w);
    st->go_w = -1;
    return rc;
}
