#ifndef BERTH_MONITOR_H
#define BERTH_MONITOR_H
#include <sys/types.h>

struct monitor_io {
    pid_t pid;     /* the container's init, a child of the monitor */
    int listen_fd; /* attach.sock */
    int master;    /* pty master with --tty, else -1 */
    int stdout_r, stderr_r, stdin_w;
};
int monitor_loop(const struct monitor_io *io, void (*on_first_client)(void *), void *arg);
void monitor_finish(const char *state, int status, char **exit_command) __attribute__((noreturn));
int monitor_listen(const char *state);
int monitor_open_log(const char *path, unsigned long long max_size, int max_file);
#endif
