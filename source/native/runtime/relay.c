/* The terminal relay of `run` (without --console-socket) and `exec --tty`: berth-runtime
 * stays outside, copies raw bytes between its own stdio and the pty master, passes on
 * window size changes and termination signals, and returns the process's wait status. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime.h"
#include "relay.h"

static void copy_size(int master) {
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) ioctl(master, TIOCSWINSZ, &ws);
}

int relay_pty(int master, pid_t child) {
    struct termios saved, raw;
    bool restore = false;
    if (isatty(0) && tcgetattr(0, &saved) == 0) {
        raw = saved;
        cfmakeraw(&raw);
        restore = tcsetattr(0, TCSANOW, &raw) == 0;
    }
    copy_size(master);
    sigset_t mask;
    sigemptyset(&mask);
    int forwarded[] = {SIGCHLD, SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaddset(&mask, forwarded[i]);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    int status = 0;
    bool exited = false, stdin_open = true, master_open = true;
    char buf[8192];
    while (master_open) {
        struct pollfd fds[3] = {{master, POLLIN, 0}, {sfd, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
        /* Once the process is gone, read what is left without waiting for more. */
        if (poll(fds, 3, exited ? 0 : -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (exited && !(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) break;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0) write_all(1, buf, (size_t)n);
            else if (n == 0 || errno != EINTR) master_open = false;
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGWINCH) copy_size(master);
                else if (si.ssi_signo != SIGCHLD) kill(child, (int)si.ssi_signo);
            }
            if (!exited && waitpid(child, &status, WNOHANG) == child) exited = true;
        }
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n > 0) write_all(master, buf, (size_t)n);
            else if (n == 0 || errno != EINTR) stdin_open = false;
        }
    }
    if (!exited) waitpid(child, &status, 0);
    if (restore) tcsetattr(0, TCSANOW, &saved);
    close(sfd);
    return status;
}
