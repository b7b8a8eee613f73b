/* Applying an OCI `process` to the current process, shared by `run` (container init) and
 * `exec`: rlimits, user and groups, capabilities, working directory, PATH lookup with
 * docker's messages and exit codes, and the error channel back to the waiting parent. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime.h"

void seterr(struct child_error *e, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    e->code = code;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

void child_report(int sync_fd, const struct child_error *e) {
    char buf[sizeof e->message + 2];
    size_t len = strlen(e->message);
    buf[0] = 'E';
    buf[1] = (char)e->code;
    memcpy(buf + 2, e->message, len);
    if (sync_fd < 0 || write_all(sync_fd, buf, len + 2) < 0) {
        /* Nobody listens: say it on stderr at least. */
        dprintf(2, "berth-runtime: %s\n", e->message);
    }
    _exit(e->code);
}

void child_fail(int sync_fd, int code, const char *fmt, ...) {
    struct child_error e;
    va_list ap;
    va_start(ap, fmt);
    e.code = code;
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    child_report(sync_fd, &e);
}

const char *env_lookup(char **env, const char *name) {
    size_t n = strlen(name);
    const char *found = NULL;
    for (; env && *env; env++)
        if (strncmp(*env, name, n) == 0 && (*env)[n] == '=') found = *env + n + 1;
    return found;
}

/* As runc does: without HOME in the env, the user's home from the container's /etc/passwd (read
 * once the root is the container's), else "/". */
void process_default_home(struct process_spec *p) {
    if (env_lookup(p->env, "HOME")) return;
    char home[PATH_MAX] = "/";
    char *passwd = read_file("/etc/passwd", NULL);
    for (char *line = passwd ? strtok(passwd, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        char *field[7] = {0};
        int n = 0;
        for (char *cur = line; n < 7; n++) {
            field[n] = cur;
            char *colon = strchr(cur, ':');
            if (!colon) break;
            *colon = 0;
            cur = colon + 1;
        }
        if (n >= 5 && field[2] && field[5] && field[5][0] && strtoul(field[2], NULL, 10) == p->uid) {
            snprintf(home, sizeof home, "%s", field[5]);
            break;
        }
    }
    free(passwd);
    size_t count = 0;
    while (p->env && p->env[count]) count++;
    char **env = xmalloc((count + 2) * sizeof *env);
    for (size_t i = 0; i < count; i++) env[i] = p->env[i];
    env[count] = xmalloc(strlen(home) + 6);
    sprintf(env[count], "HOME=%s", home);
    env[count + 1] = NULL;
    p->env = env;
}

int process_apply_rlimits(const struct process_spec *p, struct child_error *e) {
    for (size_t i = 0; i < p->nrlimits; i++) {
        struct rlimit cur, want;
        if (getrlimit(p->rlimits[i].resource, &cur) < 0) {
            seterr(e, EXIT_RUNTIME, "getrlimit: %s", strerror(errno));
            return -1;
        }
        /* Never above the current hard limit: raising it needs CAP_SYS_RESOURCE, which
         * containers (and some hosts) lack; the clamp keeps start working there. */
        want.rlim_max = p->rlimits[i].hard;
        if (cur.rlim_max != RLIM_INFINITY && (want.rlim_max == RLIM_INFINITY || want.rlim_max > cur.rlim_max))
            want.rlim_max = cur.rlim_max;
        want.rlim_cur = p->rlimits[i].soft;
        if (want.rlim_max != RLIM_INFINITY && (want.rlim_cur == RLIM_INFINITY || want.rlim_cur > want.rlim_max))
            want.rlim_cur = want.rlim_max;
        if (setrlimit(p->rlimits[i].resource, &want) < 0) {
            seterr(e, EXIT_RUNTIME, "setrlimit %d: %s", p->rlimits[i].resource, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int process_apply_user_and_caps(const struct process_spec *p, struct child_error *e) {
    if (p->has_oom_score_adj) {
        char v[32];
        snprintf(v, sizeof v, "%d", p->oom_score_adj);
        if (write_file("/proc/self/oom_score_adj", v) < 0) {
            seterr(e, EXIT_RUNTIME, "oom_score_adj: %s", strerror(errno));
            return -1;
        }
    }
    if (caps_apply_bounding(p) < 0) {
        seterr(e, EXIT_RUNTIME, "capability bounding set: %s", strerror(errno));
        return -1;
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(p->ngids, p->gids) < 0 ||
        setresgid(p->gid, p->gid, p->gid) < 0 || setresuid(p->uid, p->uid, p->uid) < 0 ||
        prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
        seterr(e, EXIT_RUNTIME, "set user %u:%u: %s", (unsigned)p->uid, (unsigned)p->gid, strerror(errno));
        return -1;
    }
    if (caps_apply(p) < 0) {
        seterr(e, EXIT_RUNTIME, "capabilities: %s", strerror(errno));
        return -1;
    }
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        seterr(e, EXIT_RUNTIME, "no_new_privs: %s", strerror(errno));
        return -1;
    }
    umask(p->umask >= 0 ? (mode_t)p->umask : 022);
    return 0;
}

int process_chdir(const struct process_spec *p, struct child_error *e) {
    char buf[PATH_MAX];
    if (chdir(p->cwd) < 0) {
        seterr(e, EXIT_RUNTIME, "chdir to cwd (\"%s\") set in config.json failed: %s", p->cwd, strerror(errno));
        return -1;
    }
    /* CVE-2024-21626: a cwd that resolves outside this process's root (a leaked host
     * directory fd, a racing rename) has no path under "/": getcwd fails or says
     * "(unreachable)". Refuse to run there. */
    if (!getcwd(buf, sizeof buf) || buf[0] != '/') {
        seterr(e, EXIT_RUNTIME, "current working directory is outside of container mount namespace root");
        return -1;
    }
    return 0;
}

/* Go's exec.LookPath semantics (what runc uses, hence docker's messages). */
static int find_executable(const char *path, int *err) {
    struct stat st;
    if (stat(path, &st) < 0) {
        *err = errno;
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        *err = EISDIR;
        return -1;
    }
    if (!(st.st_mode & 0111)) {
        *err = EACCES;
        return -1;
    }
    return 0;
}

/* Go spells errno texts in lower case ("no such file or directory"); docker users and
 * scripts see Go's spelling, so use it. */
static const char *go_strerror(int err) {
    static char buf[128];
    snprintf(buf, sizeof buf, "%s", strerror(err));
    if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

static int code_for(int err) { return err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_INVOKE; }

int process_lookpath(const struct process_spec *p, char *out, size_t outlen, struct child_error *e) {
    const char *file = p->args[0];
    int err = 0;
    if (strchr(file, '/')) {
        if (find_executable(file, &err) == 0) {
            snprintf(out, outlen, "%s", file);
            return 0;
        }
        if (err == EISDIR || err == EACCES)
            seterr(e, EXIT_CANNOT_INVOKE, "exec: \"%s\": %s", file, go_strerror(err));
        else
            seterr(e, code_for(err), "exec: \"%s\": stat %s: %s", file, file, go_strerror(err));
        return -1;
    }
    const char *path = env_lookup(p->env, "PATH");
    if (path) {
        const char *dir = path;
        for (;;) {
            size_t n = strcspn(dir, ":");
            if (n == 0) snprintf(out, outlen, "./%s", file);
            else snprintf(out, outlen, "%.*s/%s", (int)n, dir, file);
            if (find_executable(out, &err) == 0) return 0;
            if (dir[n] == 0) break;
            dir += n + 1;
        }
    }
    seterr(e, EXIT_NOT_FOUND, "exec: \"%s\": executable file not found in $PATH", file);
    return -1;
}

void process_reset_signals(void) {
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        signal(sig, SIG_DFL);
    }
}
