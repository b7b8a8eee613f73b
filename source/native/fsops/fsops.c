/*
 * berth-fsops: the file operations Node cannot do (mknod, xattrs), served in batch so one
 * process handles a whole layer.
 *
 * Usage: berth-fsops batch
 *   Requests on stdin are NUL-terminated fields; the first names the operation:
 *     mknod    PATH TYPE(c|b|p) MODE(octal) MAJOR MINOR
 *     setxattr PATH NAME VALUE(hex)           lsetxattr: never follows a final symlink
 *     xattrs   PATH                           llistxattr + lgetxattr
 *     chown    PATH UID GID                   lchown
 *   One reply line per request, in order:
 *     ok                                     (mknod, setxattr, chown)
 *     ok [NAMEHEX=VALUEHEX ...]              (xattrs; names and values hex-encoded)
 *     err ERRNO MESSAGE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_FIELDS 6

static char *fields[MAX_FIELDS];
static size_t field_caps[MAX_FIELDS];

static int read_field(int index) {
    ssize_t length = getdelim(&fields[index], &field_caps[index], '\0', stdin);
    return length > 0 ? 0 : -1;
}

static void reply_errno(int error) {
    printf("err %d %s\n", error, strerror(error));
}

static void hex_out(const unsigned char *data, size_t length) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < length; i++) {
        putchar(digits[data[i] >> 4]);
        putchar(digits[data[i] & 15]);
    }
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void op_mknod(void) {
    const char *path = fields[1];
    mode_t type;
    switch (fields[2][0]) {
    case 'c': type = S_IFCHR; break;
    case 'b': type = S_IFBLK; break;
    case 'p': type = S_IFIFO; break;
    default: reply_errno(EINVAL); return;
    }
    mode_t mode = (mode_t)strtoul(fields[3], NULL, 8) & 07777;
    dev_t dev = makedev(strtoul(fields[4], NULL, 10), strtoul(fields[5], NULL, 10));
    if (mknod(path, type | mode, dev) != 0) {
        reply_errno(errno);
        return;
    }
    puts("ok");
}

static void op_setxattr(void) {
    const char *hex = fields[3];
    size_t hex_length = strlen(hex);
    if (hex_length % 2 != 0) {
        reply_errno(EINVAL);
        return;
    }
    unsigned char *value = malloc(hex_length / 2 + 1);
    if (!value) {
        reply_errno(ENOMEM);
        return;
    }
    for (size_t i = 0; i < hex_length / 2; i++) {
        int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) {
            free(value);
            reply_errno(EINVAL);
            return;
        }
        value[i] = (unsigned char)(high << 4 | low);
    }
    int result = lsetxattr(fields[1], fields[2], value, hex_length / 2, 0);
    int error = errno;
    free(value);
    if (result != 0) {
        reply_errno(error);
        return;
    }
    puts("ok");
}

static void op_xattrs(void) {
    const char *path = fields[1];
    ssize_t size = llistxattr(path, NULL, 0);
    if (size < 0) {
        if (errno == ENOTSUP) {
            puts("ok");
            return;
        }
        reply_errno(errno);
        return;
    }
    char *names = malloc((size_t)size + 1);
    if (!names) {
        reply_errno(ENOMEM);
        return;
    }
    size = llistxattr(path, names, (size_t)size);
    if (size < 0) {
        reply_errno(errno);
        free(names);
        return;
    }
    fputs("ok", stdout);
    for (char *name = names; name < names + size; name += strlen(name) + 1) {
        ssize_t length = lgetxattr(path, name, NULL, 0);
        if (length < 0) continue; /* removed meanwhile */
        unsigned char *value = malloc((size_t)length + 1);
        if (!value) continue;
        length = lgetxattr(path, name, value, (size_t)length);
        if (length >= 0) {
            putchar(' ');
            hex_out((const unsigned char *)name, strlen(name));
            putchar('=');
            hex_out(value, (size_t)length);
        }
        free(value);
    }
    putchar('\n');
    free(names);
}

static void op_chown(void) {
    uid_t uid = (uid_t)strtoul(fields[2], NULL, 10);
    gid_t gid = (gid_t)strtoul(fields[3], NULL, 10);
    if (lchown(fields[1], uid, gid) != 0) {
        reply_errno(errno);
        return;
    }
    puts("ok");
}

int main(int argc, char **argv) {
    umask(0); /* modes come from the archive, exactly */
    if (argc != 2 || strcmp(argv[1], "batch") != 0) {
        fprintf(stderr, "usage: berth-fsops batch\n");
        return 2;
    }
    while (read_field(0) == 0) {
        const char *op = fields[0];
        int count;
        void (*handler)(void);
        if (strcmp(op, "mknod") == 0) count = 5, handler = op_mknod;
        else if (strcmp(op, "setxattr") == 0) count = 3, handler = op_setxattr;
        else if (strcmp(op, "xattrs") == 0) count = 1, handler = op_xattrs;
        else if (strcmp(op, "chown") == 0) count = 3, handler = op_chown;
        else {
            fprintf(stderr, "berth-fsops: unknown operation %s\n", op);
            return 2;
        }
        for (int i = 1; i <= count; i++) {
            if (read_field(i) != 0) {
                fprintf(stderr, "berth-fsops: truncated request\n");
                return 2;
            }
        }
        handler();
        /* Flush only when no further request is already buffered: pipelined batches then cost
           one write per burst instead of one per reply. */
        if (stdin->_IO_read_ptr >= stdin->_IO_read_end) fflush(stdout);
    }
    fflush(stdout);
    return 0;
}
