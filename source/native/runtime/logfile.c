/* docker's json-file log format: one JSON object per record,
 * {"log":"...","stream":"stdout","time":"RFC3339Nano"}, escaped as Go's encoding/json does
 * (<, > and & as \u00XX, invalid UTF-8 as U+FFFD), rotated by size into log.1, log.2, ...
 * One static buffer: nothing is allocated per line. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime.h"

#define LOG_CHUNK 16384
static char record[LOG_CHUNK * 6 + 256];

int logfile_open(struct logfile *l, const char *path, unsigned long long max_size, int max_file) {
    snprintf(l->path, sizeof l->path, "%s", path);
    l->max_size = max_size;
    l->max_file = max_file < 1 ? 1 : max_file;
    l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (l->fd < 0) return -1;
    struct stat st;
    l->size = fstat(l->fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
    return 0;
}

static void rotate(struct logfile *l) {
    char from[4200], to[4200];
    if (l->max_file > 1) {
        for (int i = l->max_file - 1; i > 1; i--) {
            snprintf(from, sizeof from, "%s.%d", l->path, i - 1);
            snprintf(to, sizeof to, "%s.%d", l->path, i);
            rename(from, to);
        }
        snprintf(to, sizeof to, "%s.1", l->path);
        rename(l->path, to);
    }
    close(l->fd);
    /* max-file 1 keeps no old file: the log starts over, as docker does. */
    l->fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
    l->size = 0;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

static size_t escape(char *o, const char *data, size_t len) {
    static const char hex[] = "0123456789abcdef";
    char *start = o;
    const unsigned char *s = (const unsigned char *)data;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t n = utf8_len(s + i, len - i);
            if (n == 0) {
                memcpy(o, "\\ufffd", 6);
                o += 6;
                i++;
            } else {
                memcpy(o, s + i, n);
                o += n;
                i += n;
            }
            continue;
        }
        i++;
        if (c == '"' || c == '\\') { *o++ = '\\'; *o++ = (char)c; }
        else if (c == '\n') { *o++ = '\\'; *o++ = 'n'; }
        else if (c == '\r') { *o++ = '\\'; *o++ = 'r'; }
        else if (c == '\t') { *o++ = '\\'; *o++ = 't'; }
        else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        } else *o++ = (char)c;
    }
    return (size_t)(o - start);
}

void logfile_write(struct logfile *l, const char *stream, const char *data, size_t len) {
    if (l->fd < 0) return;
    if (len > LOG_CHUNK) len = LOG_CHUNK;
    char now[64];
    format_rfc3339nano(now, sizeof now);
    size_t n = 0;
    memcpy(record, "{\"log\":\"", 8);
    n = 8;
    n += escape(record + n, data, len);
    n += (size_t)snprintf(record + n, sizeof record - n, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, now);
    if (l->max_size > 0 && l->size > 0 && l->size + n > l->max_size) rotate(l);
    if (l->fd >= 0 && write_all(l->fd, record, n) == 0) l->size += n;
}
