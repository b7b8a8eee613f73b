/* The fields of an OCI runtime-spec config.json that berth-runtime applies. Invalid or
 * unsupported input fails before anything is cloned, with exit 125. */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "runtime.h"

static const struct {
    const char *name;
    enum ns_kind kind;
    int flag;
    const char *proc;
} namespaces[] = {
    {"pid", NS_PID, CLONE_NEWPID, "pid"},       {"mount", NS_MOUNT, CLONE_NEWNS, "mnt"},
    {"uts", NS_UTS, CLONE_NEWUTS, "uts"},       {"ipc", NS_IPC, CLONE_NEWIPC, "ipc"},
    {"network", NS_NET, CLONE_NEWNET, "net"},   {"cgroup", NS_CGROUP, CLONE_NEWCGROUP, "cgroup"},
    {"user", NS_USER, CLONE_NEWUSER, "user"},
};

int ns_clone_flag(enum ns_kind kind) { return namespaces[kind].flag; }
const char *ns_proc_name(enum ns_kind kind) { return namespaces[kind].proc; }

static const struct {
    const char *name;
    int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},     {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},   {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},   {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME}, {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

/* An array of strings, NULL-terminated; a missing key gives an empty list. */
static char **string_list(const struct json *v, const char *what, size_t *count) {
    size_t n = 0;
    if (v && v->type != J_ARRAY) die("config: %s must be an array", what);
    if (v) n = v->count;
    char **out = xmalloc((n + 1) * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        if (v->items[i]->type != J_STRING) die("config: %s[%zu] must be a string", what, i);
        out[i] = v->items[i]->string;
    }
    if (count) *count = n;
    return out;
}

static uint64_t cap_set(const struct json *caps, const char *key) {
    uint64_t set = 0;
    size_t n;
    char **names = string_list(json_get(caps, key), key, &n);
    for (size_t i = 0; i < n; i++) {
        int cap = cap_from_name(names[i]);
        if (cap < 0) die("config: unknown capability %s", names[i]);
        set |= 1ULL << cap;
    }
    free(names);
    return set;
}

void spec_parse_process(const struct json *p, struct process_spec *out) {
    memset(out, 0, sizeof *out);
    out->umask = -1;
    if (!p || p->type != J_OBJECT) die("config: process must be an object");
    out->terminal = json_bool(p, "terminal", false);
    const struct json *cs = json_get(p, "consoleSize");
    long long v;
    if (cs && json_int(cs, "height", &v)) out->rows = (unsigned short)v;
    if (cs && json_int(cs, "width", &v)) out->cols = (unsigned short)v;
    size_t nargs;
    out->args = string_list(json_get(p, "args"), "process.args", &nargs);
    if (nargs == 0) die("config: process.args must not be empty");
    out->env = string_list(json_get(p, "env"), "process.env", NULL);
    const char *cwd = json_str(p, "cwd");
    out->cwd = (char *)(cwd ? cwd : "/");
    if (out->cwd[0] != '/') die("config: process.cwd must be absolute");
    const struct json *user = json_get(p, "user");
    if (user && json_int(user, "uid", &v)) out->uid = (uid_t)v;
    if (user && json_int(user, "gid", &v)) out->gid = (gid_t)v;
    if (user && json_int(user, "umask", &v)) out->umask = (long)v;
    const struct json *gids = json_get(user, "additionalGids");
    if (gids && gids->type == J_ARRAY) {
        out->gids = xmalloc((gids->count + 1) * sizeof *out->gids);
        for (size_t i = 0; i < gids->count; i++) {
            if (gids->items[i]->type != J_NUMBER) die("config: additionalGids must be numbers");
            out->gids[out->ngids++] = (gid_t)gids->items[i]->number;
        }
    }
    const struct json *caps = json_get(p, "capabilities");
    if (caps) {
        out->caps_given = true;
        out->cap_bounding = cap_set(caps, "bounding");
        out->cap_effective = cap_set(caps, "effective");
        out->cap_permitted = cap_set(caps, "permitted");
        out->cap_inheritable = cap_set(caps, "inheritable");
        out->cap_ambient = cap_set(caps, "ambient");
    }
    out->no_new_privileges = json_bool(p, "noNewPrivileges", false);
    if (json_int(p, "oomScoreAdj", &v)) {
        out->has_oom_score_adj = true;
        out->oom_score_adj = (int)v;
    }
    const struct json *rl = json_get(p, "rlimits");
    if (rl && rl->type == J_ARRAY) {
        out->rlimits = xmalloc((rl->count + 1) * sizeof *out->rlimits);
        for (size_t i = 0; i < rl->count; i++) {
            const char *type = json_str(rl->items[i], "type");
            struct rlimit_spec *r = &out->rlimits[out->nrlimits];
            size_t k, nnames = sizeof rlimit_names / sizeof rlimit_names[0];
            for (k = 0; k < nnames; k++)
                if (type && strcmp(type, rlimit_names[k].name) == 0) break;
            if (k == nnames) die("config: unknown rlimit %s", type ? type : "(none)");
            r->resource = rlimit_names[k].resource;
            if (!json_uint(rl->items[i], "hard", &r->hard) || !json_uint(rl->items[i], "soft", &r->soft))
                die("config: rlimit %s needs hard and soft", type);
            out->nrlimits++;
        }
    }
}

static void parse_mounts(struct spec *s, const struct json *m) {
    if (!m) return;
    if (m->type != J_ARRAY) die("config: mounts must be an array");
    s->mounts = xmalloc((m->count + 1) * sizeof *s->mounts);
    for (size_t i = 0; i < m->count; i++) {
        struct mount_spec *ms = &s->mounts[s->nmounts++];
        const char *dest = json_str(m->items[i], "destination");
        if (!dest || dest[0] != '/') die("config: mounts[%zu].destination must be absolute", i);
        ms->destination = (char *)dest;
        const char *type = json_str(m->items[i], "type"), *source = json_str(m->items[i], "source");
        ms->type = (char *)(type ? type : "none");
        ms->source = (char *)(source ? source : ms->type);
        ms->options = string_list(json_get(m->items[i], "options"), "mount options", &ms->noptions);
    }
}

static void parse_linux(struct spec *s, const struct json *lx) {
    if (!lx) return;
    const struct json *ns = json_get(lx, "namespaces");
    for (size_t i = 0; ns && ns->type == J_ARRAY && i < ns->count; i++) {
        const char *type = json_str(ns->items[i], "type"), *path = json_str(ns->items[i], "path");
        size_t k;
        for (k = 0; k < NS_COUNT; k++)
            if (type && strcmp(type, namespaces[k].name) == 0) break;
        if (k == NS_COUNT) die("config: unknown namespace type %s", type ? type : "(none)");
        if (k == NS_USER) die("config: user namespaces are not supported by berth-runtime");
        if (path && path[0]) s->ns_path[k] = (char *)path;
        else s->ns_new[k] = true;
    }
    const struct json *dev = json_get(lx, "devices");
    if (dev && dev->type == J_ARRAY) {
        s->devices = xmalloc((dev->count + 1) * sizeof *s->devices);
        for (size_t i = 0; i < dev->count; i++) {
            const struct json *d = dev->items[i];
            struct device_spec *ds = &s->devices[s->ndevices++];
            const char *path = json_str(d, "path"), *type = json_str(d, "type");
            long long v;
            if (!path || path[0] != '/' || !type) die("config: linux.devices[%zu] needs path and type", i);
            ds->path = (char *)path;
            ds->type = type[0];
            json_int(d, "major", &ds->major);
            json_int(d, "minor", &ds->minor);
            ds->mode = json_int(d, "fileMode", &v) ? (mode_t)v : 0666;
            ds->uid = json_int(d, "uid", &v) ? (uid_t)v : 0;
            ds->gid = json_int(d, "gid", &v) ? (gid_t)v : 0;
        }
    }
    s->masked = string_list(json_get(lx, "maskedPaths"), "linux.maskedPaths", &s->nmasked);
    s->readonly = string_list(json_get(lx, "readonlyPaths"), "linux.readonlyPaths", &s->nreadonly);
    const struct json *sc = json_get(lx, "sysctl");
    if (sc && sc->type == J_OBJECT) {
        s->sysctl_keys = xmalloc((sc->count + 1) * sizeof(char *));
        s->sysctl_values = xmalloc((sc->count + 1) * sizeof(char *));
        for (size_t i = 0; i < sc->count; i++) {
            if (sc->items[i]->type != J_STRING) die("config: sysctl values must be strings");
            s->sysctl_keys[s->nsysctl] = sc->keys[i];
            s->sysctl_values[s->nsysctl++] = sc->items[i]->string;
        }
    }
    s->cgroups_path = (char *)json_str(lx, "cgroupsPath");
    s->rootfs_propagation = (char *)json_str(lx, "rootfsPropagation");
}

struct spec *spec_load_bundle(const char *bundle) {
    char path[PATH_MAX], err[256];
    snprintf(path, sizeof path, "%s/config.json", bundle);
    char *text = read_file(path, NULL);
    if (!text) die_errno("config: read %s", path);
    struct spec *s = xmalloc(sizeof *s);
    s->doc = json_parse(text, err, sizeof err);
    free(text);
    if (!s->doc || s->doc->type != J_OBJECT) die("config: %s: %s", path, s->doc ? "not an object" : err);
    const struct json *root = json_get(s->doc, "root");
    const char *rp = json_str(root, "path");
    if (!rp) die("config: root.path is required");
    char joined[PATH_MAX];
    if (rp[0] == '/') snprintf(joined, sizeof joined, "%s", rp);
    else snprintf(joined, sizeof joined, "%s/%s", bundle, rp);
    char *real = realpath(joined, NULL);
    if (!real) die_errno("config: root.path %s", joined);
    s->root = real;
    s->root_readonly = json_bool(root, "readonly", false);
    s->hostname = (char *)json_str(s->doc, "hostname");
    s->domainname = (char *)json_str(s->doc, "domainname");
    spec_parse_process(json_get(s->doc, "process"), &s->process);
    parse_mounts(s, json_get(s->doc, "mounts"));
    parse_linux(s, json_get(s->doc, "linux"));
    return s;
}
