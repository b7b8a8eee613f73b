/* Ptys from the devpts instance of the current mount namespace, and passing the master
 * over a unix socket (SCM_RIGHTS) as runc's --console-socket does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "runtime.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int pty_open(int *master, int *slave, char *name, size_t namelen) {
    int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -1;
    int unlock = 0, n = 0;
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0 || ioctl(m, TIOCGPTN, &n) < 0) goto fail;
    /* TIOCGPTPEER opens the slave through the master's own devpts, never a path that
     * something in the container could have swapped. */
    int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) goto fail;
    snprintf(name, namelen, "/dev/pts/%d", n);
    *master = m;
    *slave = s;
    return 0;
fail:
    close(m);
    return -1;
}

int fd_send(int sock, int fd) {
    char data[] = "pty";
    struct iovec iov = {data, sizeof data - 1};
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int fd_recv(int sock) {
    char data[256];
    struct iovec iov = {data, sizeof data};
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n;
    do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return fd;
        }
    }
    errno = EBADMSG;
    return -1;
}

void pty_set_size(int fd, unsigned short rows, unsigned short cols) {
    if (!rows || !cols) return;
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    ioctl(fd, TIOCSWINSZ, &ws);
}

/* In the process about to exec: a new session whose controlling terminal is a fresh pty
 * slave on stdio; the master goes to whoever listens on console_sock. */
int console_setup(const struct process_spec *p, int console_sock, bool bind_console, struct child_error *e) {
    int master, slave;
    char name[64];
    if (setsid() < 0 && errno != EPERM) goto fail;
    if (!p->terminal) return 0;
    if (pty_open(&master, &slave, name, sizeof name) < 0) goto fail;
    pty_set_size(master, p->rows, p->cols);
    if (fchown(slave, p->uid, (gid_t)-1) < 0) goto fail;
    if (bind_console) {
        int fd = open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) close(fd);
        if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0) goto fail;
    }
    if (console_sock < 0 || fd_send(console_sock, master) < 0) goto fail;
    close(master);
    close(console_sock);
    if (ioctl(slave, TIOCSCTTY, 0) < 0) goto fail;
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0) goto fail;
    if (slave > 2) close(slave);
    return 0;
fail:
    seterr(e, EXIT_RUNTIME, "console: %s", strerror(errno));
    return -1;
}
