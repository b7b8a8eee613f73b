/* The container's filesystem: spec mounts resolved inside the rootfs, device nodes, /dev
 * symlinks, pivot_root, then sysctls, masked and read-only paths. Runs in the init process
 * inside its fresh mount namespace, so nothing here can reach the host's mount table
 * (the namespace is made private first). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime.h"

/* Resolve `path` as if `root` were "/": symlinks (absolute or relative) and ".." never
 * leave root. Missing components are kept literally. `out` is the host path. */
int resolve_in_root(const char *root, const char *path, char *out, size_t outlen) {
    char rest[PATH_MAX], resolved[PATH_MAX] = "", probe[PATH_MAX], target[PATH_MAX];
    int links = 0;
    if (snprintf(rest, sizeof rest, "%s", path) >= (int)sizeof rest) return errno = ENAMETOOLONG, -1;
    char *cursor = rest;
    while (*cursor) {
        while (*cursor == '/') cursor++;
        if (!*cursor) break;
        size_t n = strcspn(cursor, "/");
        char comp[NAME_MAX + 1];
        if (n > NAME_MAX) return errno = ENAMETOOLONG, -1;
        memcpy(comp, cursor, n);
        comp[n] = 0;
        cursor += n;
        if (strcmp(comp, ".") == 0) continue;
        if (strcmp(comp, "..") == 0) {
            char *slash = strrchr(resolved, '/');
            if (slash) *slash = 0;
            continue;
        }
        size_t rl = strlen(resolved);
        if (rl + 1 + n >= sizeof resolved) return errno = ENAMETOOLONG, -1;
        if (snprintf(probe, sizeof probe, "%s%s/%s", root, resolved, comp) >= (int)sizeof probe)
            return errno = ENAMETOOLONG, -1;
        struct stat st;
        if (lstat(probe, &st) == 0 && S_ISLNK(st.st_mode)) {
            if (++links > 255) return errno = ELOOP, -1;
            ssize_t tl = readlink(probe, target, sizeof target - 1);
            if (tl < 0) return -1;
            target[tl] = 0;
            if (target[0] == '/') resolved[0] = 0;
            char next[PATH_MAX];
            if (snprintf(next, sizeof next, "%s/%s", target, cursor) >= (int)sizeof next)
                return errno = ENAMETOOLONG, -1;
            memcpy(rest, next, strlen(next) + 1);
            cursor = rest;
            continue;
        }
        resolved[rl] = '/';
        memcpy(resolved + rl + 1, comp, n + 1);
    }
    if (snprintf(out, outlen, "%s%s", root, resolved[0] ? resolved : "/") >= (int)outlen)
        return errno = ENAMETOOLONG, -1;
    return 0;
}

static const struct {
    const char *name;
    unsigned long flag;
    bool clear;
} flag_options[] = {
    {"ro", MS_RDONLY, false},          {"rw", MS_RDONLY, true},         {"nosuid", MS_NOSUID, false},
    {"suid", MS_NOSUID, true},         {"nodev", MS_NODEV, false},      {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},      {"exec", MS_NOEXEC, true},       {"sync", MS_SYNCHRONOUS, false},
    {"async", MS_SYNCHRONOUS, true},   {"dirsync", MS_DIRSYNC, false},  {"remount", MS_REMOUNT, false},
    {"mand", MS_MANDLOCK, false},      {"nomand", MS_MANDLOCK, true},   {"noatime", MS_NOATIME, false},
    {"atime", MS_NOATIME, true},       {"nodiratime", MS_NODIRATIME, false}, {"diratime", MS_NODIRATIME, true},
    {"relatime", MS_RELATIME, false},  {"norelatime", MS_RELATIME, true}, {"strictatime", MS_STRICTATIME, false},
    {"bind", MS_BIND, false},          {"rbind", MS_BIND | MS_REC, false},
};
static const struct {
    const char *name;
    unsigned long flag;
} propagation_options[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE},            {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static unsigned long parse_options(const struct mount_spec *m, unsigned long *propagation, char *data, size_t len) {
    unsigned long flags = 0;
    size_t used = 0;
    data[0] = 0;
    for (size_t i = 0; i < m->noptions; i++) {
        const char *o = m->options[i];
        bool known = false;
        for (size_t k = 0; k < sizeof flag_options / sizeof flag_options[0] && !known; k++) {
            if (strcmp(o, flag_options[k].name) != 0) continue;
            known = true;
            if (flag_options[k].clear) flags &= ~flag_options[k].flag;
            else flags |= flag_options[k].flag;
        }
        for (size_t k = 0; k < sizeof propagation_options / sizeof propagation_options[0] && !known; k++) {
            if (strcmp(o, propagation_options[k].name) != 0) continue;
            known = true;
            *propagation = propagation_options[k].flag;
        }
        if (!known) used += (size_t)snprintf(data + used, used < len ? len - used : 0, "%s%s", used ? "," : "", o);
    }
    return flags;
}

/* Flags a bind remount must keep, or the kernel refuses to change a locked mount. */
static unsigned long kept_flags(const char *path) {
    struct statvfs sv;
    unsigned long f = 0;
    if (statvfs(path, &sv) < 0) return 0;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

static int make_target(const char *target, bool directory) {
    if (directory) return mkdir_p(target, 0755);
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", target);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        if (mkdir_p(parent, 0755) < 0) return -1;
    }
    int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 && errno != EISDIR) return -1;
    if (fd >= 0) close(fd);
    return 0;
}

/* cgroup v1: a tmpfs with one mount per hierarchy this process is in (read-only when asked),
 * each showing only its own cgroup when a cgroup namespace is in use; cgroup v2: one cgroup2
 * mount. */
static int mount_cgroup(const char *target, unsigned long flags) {
    char *text = read_file("/proc/self/cgroup", NULL);
    if (!text) return -1;
    bool v1 = false;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *ctrls = strchr(line, ':');
        if (!ctrls || ctrls[1] == ':') continue;
        v1 = true;
    }
    free(text);
    if (!v1) return mount("cgroup2", target, "cgroup2", flags, NULL);
    if (mount("tmpfs", target, "tmpfs", (flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
        return -1;
    text = read_file("/proc/self/cgroup", NULL);
    if (!text) return -1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *ctrls = strchr(line, ':');
        if (!ctrls) continue;
        ctrls++;
        char *end = strchr(ctrls, ':');
        if (!end || end == ctrls) continue;
        *end = 0;
        char dir[PATH_MAX];
        const char *name = strncmp(ctrls, "name=", 5) == 0 ? ctrls + 5 : ctrls;
        if (snprintf(dir, sizeof dir, "%s/%s", target, name) >= (int)sizeof dir) continue;
        mkdir(dir, 0755);
        /* runc's sources: a named hierarchy by its name, the others "cgroup". */
        const char *source = name != ctrls ? name : "cgroup";
        if (mount(source, dir, "cgroup", flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, ctrls) < 0) rmdir(dir);
    }
    free(text);
    /* The tmpfs holding them stays writable, as runc (and so docker) leaves it. */
    return 0;
}

static int do_mount(const struct spec *s, const struct mount_spec *m, struct child_error *e) {
    char target[PATH_MAX], data[4096];
    unsigned long propagation = 0;
    unsigned long flags = parse_options(m, &propagation, data, sizeof data);
    bool bind = (flags & MS_BIND) || strcmp(m->type, "bind") == 0;
    if (resolve_in_root(s->root, m->destination, target, sizeof target) < 0) goto fail;
    if (bind) {
        struct stat st;
        if (stat(m->source, &st) < 0) goto fail;
        if (make_target(target, S_ISDIR(st.st_mode)) < 0) goto fail;
        if (mount(m->source, target, NULL, MS_BIND | (flags & MS_REC), NULL) < 0) goto fail;
        unsigned long extra = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (extra && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | extra | kept_flags(target), NULL) < 0) goto fail;
    } else {
        if (mkdir_p(target, 0755) < 0) goto fail;
        if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0) {
            if (mount_cgroup(target, flags) < 0) goto fail;
        } else if (mount(m->source, target, m->type, flags, data[0] ? data : NULL) < 0) {
            /* sysfs cannot be mounted without owning the network namespace (host
             * network): bind the host's read-only instead, as runc does. */
            if (strcmp(m->type, "sysfs") != 0 || (errno != EPERM && errno != EBUSY)) goto fail;
            if (mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) < 0 ||
                mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags | kept_flags(target), NULL) < 0)
                goto fail;
        }
    }
    if (propagation && mount(NULL, target, NULL, propagation, NULL) < 0) goto fail;
    return 0;
fail:
    seterr(e, EXIT_RUNTIME, "mount %s (%s) on %s: %s", m->source, m->type, m->destination, strerror(errno));
    return -1;
}

static int make_device(const struct spec *s, const char *path, char type, long long major, long long minor,
                       mode_t mode, uid_t uid, gid_t gid) {
    char target[PATH_MAX];
    if (resolve_in_root(s->root, path, target, sizeof target) < 0) return -1;
    if (make_target(target, false) < 0 && errno != EEXIST) return -1;
    unlink(target);
    mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
    /* chmod after mknod: the mode must not depend on the runtime's umask (docker's 0666 nodes). */
    if (mknod(target, kind | (mode & 07777), makedev(major, minor)) == 0)
        return chmod(target, mode & 07777) == 0 ? chown(target, uid, gid) : -1;
    if (errno != EPERM) return -1;
    /* No CAP_MKNOD here: bind the host's node instead. */
    if (make_target(target, false) < 0) return -1;
    return mount(path, target, NULL, MS_BIND, NULL);
}

static int setup_dev(const struct spec *s, struct child_error *e) {
    static const struct {
        const char *path;
        int major, minor;
    } defaults[] = {{"/dev/null", 1, 3}, {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        bool listed = false;
        for (size_t k = 0; k < s->ndevices; k++) listed |= strcmp(s->devices[k].path, defaults[i].path) == 0;
        if (!listed && make_device(s, defaults[i].path, 'c', defaults[i].major, defaults[i].minor, 0666, 0, 0) < 0) {
            seterr(e, EXIT_RUNTIME, "create device %s: %s", defaults[i].path, strerror(errno));
            return -1;
        }
    }
    for (size_t k = 0; k < s->ndevices; k++) {
        const struct device_spec *d = &s->devices[k];
        if (make_device(s, d->path, d->type, d->major, d->minor, d->mode, d->uid, d->gid) < 0) {
            seterr(e, EXIT_RUNTIME, "create device %s: %s", d->path, strerror(errno));
            return -1;
        }
    }
    static const char *links[][2] = {{"/proc/self/fd", "fd"},     {"/proc/self/fd/0", "stdin"},
                                     {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
                                     {"pts/ptmx", "ptmx"}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        char target[PATH_MAX];
        snprintf(target, sizeof target, "%s/dev/%s", s->root, links[i][1]);
        if (strcmp(links[i][1], "ptmx") == 0) unlink(target);
        if (symlink(links[i][0], target) < 0 && errno != EEXIST) {
            seterr(e, EXIT_RUNTIME, "symlink /dev/%s: %s", links[i][1], strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int pivot(const char *root, struct child_error *e) {
    int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    int newroot = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (oldroot < 0 || newroot < 0 || fchdir(newroot) < 0) goto fail;
    /* pivot_root(".", ".") stacks the old root on top of the new one; unmounting "."
     * from the old root's point of view then drops it, with no directory to create. */
    if (syscall(SYS_pivot_root, ".", ".") < 0) goto fail;
    if (fchdir(oldroot) < 0) goto fail;
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) goto fail;
    if (umount2(".", MNT_DETACH) < 0) goto fail;
    if (chdir("/") < 0) goto fail;
    close(oldroot);
    close(newroot);
    return 0;
fail:
    seterr(e, EXIT_RUNTIME, "pivot_root %s: %s", root, strerror(errno));
    return -1;
}

int rootfs_prepare(const struct spec *s, struct child_error *e) {
    unsigned long prop = MS_PRIVATE | MS_REC;
    if (s->rootfs_propagation) {
        for (size_t k = 0; k < sizeof propagation_options / sizeof propagation_options[0]; k++)
            if (strcmp(s->rootfs_propagation, propagation_options[k].name) == 0) prop = propagation_options[k].flag;
    }
    /* Private first, so not one of the mounts below shows up in the host's table. */
    if (mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0) {
        seterr(e, EXIT_RUNTIME, "make / private: %s", strerror(errno));
        return -1;
    }
    if (mount(s->root, s->root, NULL, MS_BIND | MS_REC, NULL) < 0) {
        seterr(e, EXIT_RUNTIME, "bind rootfs %s: %s", s->root, strerror(errno));
        return -1;
    }
    bool dev_tmpfs = false;
    for (size_t i = 0; i < s->nmounts; i++) {
        if (do_mount(s, &s->mounts[i], e) < 0) return -1;
        if (strcmp(s->mounts[i].destination, "/dev") == 0 && strcmp(s->mounts[i].type, "bind") != 0) dev_tmpfs = true;
    }
    if (dev_tmpfs && setup_dev(s, e) < 0) return -1;
    if (pivot(s->root, e) < 0) return -1;
    if (prop != (MS_PRIVATE | MS_REC) && mount(NULL, "/", NULL, prop, NULL) < 0) {
        seterr(e, EXIT_RUNTIME, "rootfs propagation: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int rootfs_finish(const struct spec *s, struct child_error *e) {
    for (size_t i = 0; i < s->nsysctl; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "/proc/sys/%s", s->sysctl_keys[i]);
        for (char *c = path + 10; *c; c++)
            if (*c == '.') *c = '/';
        if (strstr(path, "..") || write_file(path, s->sysctl_values[i]) < 0) {
            seterr(e, EXIT_RUNTIME, "sysctl %s: %s", s->sysctl_keys[i], strerror(errno));
            return -1;
        }
    }
    for (size_t i = 0; i < s->nmasked; i++) {
        struct stat st;
        const char *p = s->masked[i];
        if (stat(p, &st) < 0) continue;
        int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL)
                                     : mount("/dev/null", p, NULL, MS_BIND, NULL);
        if (rc < 0) {
            seterr(e, EXIT_RUNTIME, "mask %s: %s", p, strerror(errno));
            return -1;
        }
    }
    for (size_t i = 0; i < s->nreadonly; i++) {
        const char *p = s->readonly[i];
        if (access(p, F_OK) < 0) continue;
        if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
            mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept_flags(p), NULL) < 0) {
            seterr(e, EXIT_RUNTIME, "readonly %s: %s", p, strerror(errno));
            return -1;
        }
    }
    if (s->root_readonly && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept_flags("/"), NULL) < 0) {
        seterr(e, EXIT_RUNTIME, "readonly rootfs: %s", strerror(errno));
        return -1;
    }
    return 0;
}
