/* Small helpers: error lines, whole writes, rule parsing and address formatting. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forward.h"

static void message(const char *fmt, va_list ap, int err) {
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "berth-forward: ");
    n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    if (n > (int)sizeof buf - 80) n = (int)sizeof buf - 80;
    if (err) n += snprintf(buf + n, sizeof buf - (size_t)n, ": %s", error_text(err));
    buf[n++] = '\n';
    (void)write_all(2, buf, (size_t)n);
}

void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    message(fmt, ap, 0);
    va_end(ap);
    exit(EXIT_FAILED);
}

void warn_errno(const char *fmt, ...) {
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    message(fmt, ap, err);
    va_end(ap);
}

const char *error_text(int err) {
    static char buf[128];
    snprintf(buf, sizeof buf, "%s", strerror(err));
    buf[0] = (char)tolower((unsigned char)buf[0]);
    return buf;
}

int write_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p) die("out of memory");
    return p;
}

static int parse_port(const char *text, size_t len, int min) {
    if (len == 0 || len > 5) return -1;
    int value = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)text[i])) return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value < min || value > 65535 ? -1 : value;
}

/* HOSTIP:HOSTPORT:CONTAINERPORT/PROTO, HOSTIP possibly [bracketed] IPv6; HOSTPORT 0 = any free,
 * FIRST-LAST = the first free one of a range. */
int parse_rule(const char *text, struct rule *rule) {
    memset(rule, 0, sizeof *rule);
    const char *slash = strrchr(text, '/');
    const char *last = strrchr(text, ':');
    if (!slash || !last || slash < last) goto bad;
    if (strcmp(slash + 1, "tcp") == 0) rule->proto = IPPROTO_TCP;
    else if (strcmp(slash + 1, "udp") == 0) rule->proto = IPPROTO_UDP;
    else goto bad;
    rule->container_port = parse_port(last + 1, (size_t)(slash - last - 1), 1);
    if (rule->container_port < 0) goto bad;
    const char *middle = last - 1;
    while (middle >= text && *middle != ':') middle--;
    if (middle < text) goto bad;
    const char *dash = memchr(middle + 1, '-', (size_t)(last - middle - 1));
    int host_port = parse_port(middle + 1, (size_t)((dash ? dash : last) - middle - 1), dash ? 1 : 0);
    rule->host_port_last = dash ? parse_port(dash + 1, (size_t)(last - dash - 1), 1) : host_port;
    if (host_port < 0 || rule->host_port_last < host_port) goto bad;
    size_t ip_len = (size_t)(middle - text);
    const char *ip = text;
    if (ip_len >= 2 && ip[0] == '[' && ip[ip_len - 1] == ']') {
        ip++;
        ip_len -= 2;
    }
    if (ip_len == 0 || ip_len >= sizeof rule->host_ip) goto bad;
    memcpy(rule->host_ip, ip, ip_len);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&rule->host;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&rule->host;
    if (inet_pton(AF_INET, rule->host_ip, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)host_port);
        rule->host_len = sizeof *v4;
    } else if (inet_pton(AF_INET6, rule->host_ip, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)host_port);
        rule->host_len = sizeof *v6;
    } else {
        goto bad;
    }
    return 0;
bad:
    fprintf(stderr, "berth-forward: invalid rule %s: want HOSTIP:HOSTPORT:CONTAINERPORT/tcp|udp\n", text);
    return -1;
}

void set_port(struct sockaddr_storage *addr, int port) {
    if (addr->ss_family == AF_INET6) ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)port);
    else ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)port);
}

void format_address(const struct sockaddr_storage *addr, char *out, size_t len) {
    char ip[INET6_ADDRSTRLEN] = "?";
    if (addr->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof ip);
        snprintf(out, len, "[%s]:%u", ip, ntohs(v6->sin6_port));
    } else {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip);
        snprintf(out, len, "%s:%u", ip, ntohs(v4->sin_port));
    }
}

time_t monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec;
}
