/* A small strict JSON reader (RFC 8259) for config.json and process files: whole document into a
 * tree, no external libraries. Strings with NUL escapes are rejected (they cannot be C strings). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

struct parser {
    const char *p;
    const char *start;
    char *err;
    size_t errlen;
    int depth;
};

static struct json *fail(struct parser *ps, const char *what) {
    if (ps->err && ps->err[0] == 0) snprintf(ps->err, ps->errlen, "%s at offset %ld", what, (long)(ps->p - ps->start));
    return NULL;
}

static void skip_ws(struct parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

static struct json *node(enum json_type type) {
    struct json *j = xmalloc(sizeof *j);
    j->type = type;
    return j;
}

static int hex4(const char *s, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static char *parse_string_raw(struct parser *ps) {
    if (*ps->p != '"') return (char *)fail(ps, "expected string");
    ps->p++;
    const char *s = ps->p;
    size_t cap = 0;
    while (s[cap] && s[cap] != '"') cap += (s[cap] == '\\' && s[cap + 1]) ? 2 : 1;
    char *out = xmalloc(cap + 1), *o = out;
    for (;;) {
        unsigned char c = (unsigned char)*ps->p;
        if (c == 0) { free(out); return (char *)fail(ps, "unterminated string"); }
        if (c == '"') { ps->p++; break; }
        if (c < 0x20) { free(out); return (char *)fail(ps, "control character in string"); }
        if (c != '\\') { *o++ = (char)c; ps->p++; continue; }
        ps->p++;
        char e = *ps->p++;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (hex4(ps->p, &cp) < 0) { free(out); return (char *)fail(ps, "bad \\u escape"); }
            ps->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (ps->p[0] != '\\' || ps->p[1] != 'u' || hex4(ps->p + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF) {
                    free(out);
                    return (char *)fail(ps, "bad surrogate pair");
                }
                ps->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                free(out);
                return (char *)fail(ps, "lone surrogate");
            }
            if (cp == 0) { free(out); return (char *)fail(ps, "NUL in string"); }
            o += put_utf8(o, cp);
            break;
        }
        default: free(out); return (char *)fail(ps, "bad escape");
        }
    }
    *o = 0;
    return out;
}

static struct json *parse_value(struct parser *ps);

static int push(struct json *j, char *key, struct json *item, size_t *cap) {
    if (j->count == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        j->items = realloc(j->items, *cap * sizeof *j->items);
        if (j->type == J_OBJECT) j->keys = realloc(j->keys, *cap * sizeof *j->keys);
        if (!j->items || (j->type == J_OBJECT && !j->keys)) die("out of memory");
    }
    if (j->type == J_OBJECT) j->keys[j->count] = key;
    j->items[j->count++] = item;
    return 0;
}

static struct json *parse_container(struct parser *ps, enum json_type type) {
    char close = type == J_OBJECT ? '}' : ']';
    if (++ps->depth > 64) return fail(ps, "nesting too deep");
    struct json *j = node(type);
    size_t cap = 0;
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) { ps->p++; ps->depth--; return j; }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (type == J_OBJECT) {
            key = parse_string_raw(ps);
            if (!key) goto bad;
            skip_ws(ps);
            if (*ps->p != ':') { free(key); fail(ps, "expected ':'"); goto bad; }
            ps->p++;
        }
        struct json *item = parse_value(ps);
        if (!item) { free(key); goto bad; }
        push(j, key, item, &cap);
        skip_ws(ps);
        if (*ps->p == ',') { ps->p++; continue; }
        if (*ps->p == close) { ps->p++; break; }
        fail(ps, type == J_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
        goto bad;
    }
    ps->depth--;
    return j;
bad:
    json_free(j);
    return NULL;
}

static struct json *parse_number(struct parser *ps) {
    const char *s = ps->p;
    if (*s == '-') s++;
    if (*s == '0') s++;
    else if (*s >= '1' && *s <= '9') while (*s >= '0' && *s <= '9') s++;
    else return fail(ps, "bad number");
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9') return fail(ps, "bad number");
        while (*s >= '0' && *s <= '9') s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (*s < '0' || *s > '9') return fail(ps, "bad number");
        while (*s >= '0' && *s <= '9') s++;
    }
    struct json *j = node(J_NUMBER);
    j->number = strtod(ps->p, NULL);
    if (*ps->p != '-' && strcspn(ps->p, ".eE") >= (size_t)(s - ps->p)) {
        errno = 0;
        j->uinteger = strtoull(ps->p, NULL, 10);
        j->is_uint = errno == 0;
    }
    ps->p = s;
    return j;
}

static struct json *parse_value(struct parser *ps) {
    skip_ws(ps);
    char c = *ps->p;
    if (c == '{') return parse_container(ps, J_OBJECT);
    if (c == '[') return parse_container(ps, J_ARRAY);
    if (c == '"') {
        char *s = parse_string_raw(ps);
        if (!s) return NULL;
        struct json *j = node(J_STRING);
        j->string = s;
        return j;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(ps);
    if (strncmp(ps->p, "true", 4) == 0) { ps->p += 4; struct json *j = node(J_BOOL); j->boolean = true; return j; }
    if (strncmp(ps->p, "false", 5) == 0) { ps->p += 5; return node(J_BOOL); }
    if (strncmp(ps->p, "null", 4) == 0) { ps->p += 4; return node(J_NULL); }
    return fail(ps, "unexpected character");
}

struct json *json_parse(const char *text, char *err, size_t errlen) {
    struct parser ps = {text, text, err, errlen, 0};
    if (err && errlen) err[0] = 0;
    struct json *j = parse_value(&ps);
    if (!j) return NULL;
    skip_ws(&ps);
    if (*ps.p) {
        json_free(j);
        return fail(&ps, "trailing data");
    }
    return j;
}

void json_free(struct json *j) {
    if (!j) return;
    for (size_t i = 0; i < j->count; i++) {
        if (j->keys) free(j->keys[i]);
        json_free(j->items[i]);
    }
    free(j->keys);
    free(j->items);
    free(j->string);
    free(j);
}

const struct json *json_get(const struct json *o, const char *key) {
    if (!o || o->type != J_OBJECT) return NULL;
    /* Last one wins on duplicate keys, as Go's encoding/json (what runc reads with) does. */
    for (size_t i = o->count; i-- > 0;)
        if (strcmp(o->keys[i], key) == 0) return o->items[i];
    return NULL;
}

const char *json_str(const struct json *o, const char *key) {
    const struct json *v = json_get(o, key);
    return v && v->type == J_STRING ? v->string : NULL;
}

bool json_bool(const struct json *o, const char *key, bool fallback) {
    const struct json *v = json_get(o, key);
    return v && v->type == J_BOOL ? v->boolean : fallback;
}

bool json_int(const struct json *o, const char *key, long long *out) {
    const struct json *v = json_get(o, key);
    if (!v || v->type != J_NUMBER) return false;
    if (v->number > 9.2e18 || v->number < -9.2e18) return false;
    *out = (long long)v->number;
    return true;
}

bool json_uint(const struct json *o, const char *key, unsigned long long *out) {
    const struct json *v = json_get(o, key);
    if (!v || v->type != J_NUMBER || !v->is_uint) return false;
    *out = v->uinteger;
    return true;
}
