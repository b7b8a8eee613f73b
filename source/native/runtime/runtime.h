/* Shared declarations of berth-runtime: one header for the small C program that starts
 * containers from an OCI bundle, monitors them and enters them (see PROTOCOL.md). */
#ifndef BERTH_RUNTIME_H
#define BERTH_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- util.c ---- */
#define EXIT_RUNTIME 125
#define EXIT_CANNOT_INVOKE 126
#define EXIT_NOT_FOUND 127

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int write_all(int fd, const void *buf, size_t len);
int read_all(int fd, void *buf, size_t len); /* returns bytes read (< len only at EOF), -1 on error */
char *read_file(const char *path, size_t *len_out); /* malloc'd, NUL-terminated; NULL + errno on error */
int write_file(const char *path, const char *data);
int write_file_atomic(const char *path, const char *data, size_t len);
int mkdir_p(const char *path, mode_t mode);
void *xmalloc(size_t n);
char *xstrdup(const char *s);
void format_rfc3339nano(char *out, size_t len); /* now, UTC, trailing zeros trimmed as Go does */
int close_fds_from(int first, bool cloexec_only);
int exit_status_code(int status); /* waitpid status -> exit code, 128+signal when killed */

/* ---- json.c ---- */
enum json_type { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };
struct json {
    enum json_type type;
    bool boolean;
    double number;
    unsigned long long uinteger; /* exact value when the number is a non-negative integer */
    bool is_uint;
    char *string; /* J_STRING value */
    size_t count; /* J_ARRAY / J_OBJECT entries */
    char **keys;  /* J_OBJECT keys */
    struct json **items;
};
struct json *json_parse(const char *text, char *err, size_t errlen);
void json_free(struct json *value);
const struct json *json_get(const struct json *object, const char *key);
const char *json_str(const struct json *object, const char *key);   /* NULL if absent/not string */
bool json_bool(const struct json *object, const char *key, bool fallback);
bool json_int(const struct json *object, const char *key, long long *out); /* false if absent */
bool json_uint(const struct json *object, const char *key, unsigned long long *out);

/* ---- spec.c ---- */
struct mount_spec {
    char *destination, *type, *source;
    char **options;
    size_t noptions;
};
struct device_spec {
    char *path;
    char type; /* c, b, u, p */
    long long major, minor;
    mode_t mode;
    uid_t uid;
    gid_t gid;
};
struct rlimit_spec {
    int resource;
    unsigned long long soft, hard;
};
struct process_spec {
    bool terminal;
    unsigned short rows, cols; /* consoleSize, 0 when absent */
    char **args;
    char **env;
    char *cwd;
    uid_t uid;
    gid_t gid;
    gid_t *gids;
    size_t ngids;
    long umask; /* -1: default 022 */
    bool caps_given;
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
    bool no_new_privileges;
    struct rlimit_spec *rlimits;
    size_t nrlimits;
    bool has_oom_score_adj;
    int oom_score_adj;
};
enum ns_kind { NS_PID, NS_MOUNT, NS_UTS, NS_IPC, NS_NET, NS_CGROUP, NS_USER, NS_COUNT };
struct spec {
    struct json *doc;
    char *root; /* absolute host path of the rootfs */
    bool root_readonly;
    char *hostname, *domainname;
    struct process_spec process;
    struct mount_spec *mounts;
    size_t nmounts;
    bool ns_new[NS_COUNT];   /* create a new namespace of this kind */
    char *ns_path[NS_COUNT]; /* or join this one */
    struct device_spec *devices;
    size_t ndevices;
    char **masked, **readonly;
    size_t nmasked, nreadonly;
    char **sysctl_keys, **sysctl_values;
    size_t nsysctl;
    char *cgroups_path; /* colon separated absolute directories */
    char *rootfs_propagation;
};
struct spec *spec_load_bundle(const char *bundle);
void spec_parse_process(const struct json *process, struct process_spec *out);
int ns_clone_flag(enum ns_kind kind);
const char *ns_proc_name(enum ns_kind kind);

/* ---- caps.c ---- */
int cap_from_name(const char *name);
int caps_apply_bounding(const struct process_spec *p);
int caps_apply(const struct process_spec *p);

/* ---- process.c: everything between "namespaces are ready" and execve ---- */
struct child_error {
    int code;
    char message[1024];
};
int process_apply_rlimits(const struct process_spec *p, struct child_error *e);
int process_apply_user_and_caps(const struct process_spec *p, struct child_error *e);
int process_chdir(const struct process_spec *p, struct child_error *e);
int process_lookpath(const struct process_spec *p, char *out, size_t outlen, struct child_error *e);
void process_reset_signals(void);
const char *env_lookup(char **env, const char *name);
void process_default_home(struct process_spec *p);
void child_fail(int sync_fd, int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 3, 4)));
void child_report(int sync_fd, const struct child_error *e) __attribute__((noreturn));
void seterr(struct child_error *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- mounts.c ---- */
int resolve_in_root(const char *root, const char *path, char *out, size_t outlen);
int rootfs_prepare(const struct spec *s, struct child_error *e); /* mounts, devices, pivot_root */
int rootfs_finish(const struct spec *s, struct child_error *e);  /* sysctl, masked, readonly */

/* ---- net.c ---- */
int loopback_up(void);

/* ---- pty.c ---- */
int pty_open(int *master, int *slave, char *slave_name, size_t namelen);
int fd_send(int sock, int fd);
int fd_recv(int sock);
void pty_set_size(int fd, unsigned short rows, unsigned short cols);
int console_setup(const struct process_spec *p, int console_sock, bool bind_console, struct child_error *e);

/* ---- container.c: clone + the init side ---- */
struct start_opts {
    struct spec *spec;
    int console_sock; /* -1, or a unix socket where the pty master is sent */
    int stdio[3];     /* -1: inherit */
};
struct started {
    pid_t pid;
    int sync_r; /* child -> parent: 'R' ready, or 'E' code message */
    int go_w;   /* parent -> child: 'X' exec */
};
int container_start(const struct start_opts *o, struct started *st, struct child_error *e);
int container_wait_ready(struct started *st, struct child_error *e); /* 0 ready, -1 error in e */
int container_exec(struct started *st);
int join_cgroups(const char *paths, pid_t pid, struct child_error *e);

/* ---- commands ---- */
int cmd_run(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_exec(int argc, char **argv);

/* ---- logfile.c: docker json-file writer ---- */
struct logfile {
    int fd;
    char path[4096];
    unsigned long long size, max_size;
    int max_file;
};
int logfile_open(struct logfile *l, const char *path, unsigned long long max_size, int max_file);
void logfile_write(struct logfile *l, const char *stream, const char *data, size_t len);

#endif
