/* The monitor's attach socket: a unix socket in the container's state dir, reachable however
 * long the store root makes that path (sun_path holds only 108 bytes). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "monitor.h"

/* A unix socket address for `dir/name` that fits sun_path (108 bytes) however long `dir` is:
 * past the limit it goes through an O_PATH fd of the directory (/proc/self/fd/N/name), which
 * the kernel resolves like the long path. `*dir_fd` is that fd (-1 when not needed); the caller
 * keeps it open while the address is used. Clients do the same (attach-client.ts). */
int unix_address(const char *dir, const char *name, struct sockaddr_un *addr, int *dir_fd) {
    char path[PATH_MAX];
    *dir_fd = -1;
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n > 0 && (size_t)n < sizeof addr->sun_path) {
        memcpy(addr->sun_path, path, (size_t)n + 1);
        return 0;
    }
    *dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*dir_fd < 0) return -1;
    n = snprintf(addr->sun_path, sizeof addr->sun_path, "/proc/%d/fd/%d/%s", (int)getpid(), *dir_fd, name);
    if (n < 0 || (size_t)n >= sizeof addr->sun_path) {
        close(*dir_fd);
        *dir_fd = -1;
        return errno = ENAMETOOLONG, -1;
    }
    return 0;
}

static int listen_unix(const char *dir, const char *name) {
    struct sockaddr_un addr;
    int dir_fd;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (unix_address(dir, name, &addr, &dir_fd) < 0) return -1;
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int ok = fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && chmod(path, 0600) == 0 &&
             listen(fd, 16) == 0;
    int saved = errno;
    if (dir_fd >= 0) close(dir_fd);
    if (!ok) {
        if (fd >= 0) close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int monitor_listen(const char *state) { return listen_unix(state, "attach.sock"); }
