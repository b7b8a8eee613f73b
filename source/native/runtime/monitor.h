#ifndef BERTH_MONITOR_H
#define BERTH_MONITOR_H
#include <stdbool.h>
#include <sys/types.h>

struct monitor_io {
    pid_t pid;     /* the container's init, a child of the monitor */
    int listen_fd; /* attach.sock */
    int master;    /* pty master with --tty, else -1 */
    int stdout_r, stderr_r, stdin_w;
};
int monitor_loop(const struct monitor_io *io, void (*on_first_client)(void *), void *arg);
void monitor_note_oom(const char *memory_cgroup);
bool monitor_report_exit(const char *state, int status);
void monitor_exec_exit_command(char **exit_command) __attribute__((noreturn));
struct sockaddr_un;
int unix_address(const char *dir, const char *name, struct sockaddr_un *addr, int *dir_fd);
int monitor_listen(const char *state);
int monitor_open_log(const char *path, unsigned long long max_size, int max_file);
#endif
