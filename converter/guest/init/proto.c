#define _GNU_SOURCE
#include "proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        static const char msg[] = "c2w-init: out of memory\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(125);
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        return xmalloc(SIZE_MAX); /* reports and exits */
    return p;
}

uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int rec_send(int fd, uint8_t type, const void *payload, size_t len)
{
    uint8_t hdr[REC_HDR] = {type, 0, 0, 0};
    if (len > REC_MAX) {
        errno = EMSGSIZE;
        return -1;
    }
    put_le32(hdr + 4, (uint32_t)len);
    if (write_all(fd, hdr, sizeof hdr) < 0)
        return -1;
    return len ? write_all(fd, payload, len) : 0;
}

long rbuf_fill(struct rbuf *rb, int fd)
{
    if (rb->cap - rb->len < 65536) {
        rb->cap = rb->cap ? rb->cap * 2 : 131072;
        rb->buf = xrealloc(rb->buf, rb->cap);
    }
    for (;;) {
        ssize_t r = read(fd, rb->buf + rb->len, rb->cap - rb->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r > 0)
            rb->len += (size_t)r;
        return (long)r;
    }
}

int rec_peek(const struct rbuf *rb, uint8_t *type, const uint8_t **payload, uint32_t *len)
{
    if (rb->len < REC_HDR)
        return 0;
    uint32_t n = get_le32(rb->buf + 4);
    if (n > REC_MAX || rb->buf[1] || rb->buf[2] || rb->buf[3])
        return -1;
    if (rb->len - REC_HDR < n)
        return 0;
    *type = rb->buf[0];
    *payload = rb->buf + REC_HDR;
    *len = n;
    return 1;
}

void rec_consume(struct rbuf *rb)
{
    size_t n = REC_HDR + get_le32(rb->buf + 4);
    memmove(rb->buf, rb->buf + n, rb->len - n);
    rb->len -= n;
}

void strv_push(struct strv *sv, const char *s, size_t len)
{
    if (sv->n + 2 > sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 8;
        sv->v = xrealloc(sv->v, sv->cap * sizeof *sv->v);
    }
    char *c = xmalloc(len + 1);
    memcpy(c, s, len);
    c[len] = 0;
    sv->v[sv->n++] = c;
    sv->v[sv->n] = NULL;
}

void strv_clear(struct strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    sv->n = 0;
    if (sv->v)
        sv->v[0] = NULL;
}

static char *dupn(const uint8_t *p, size_t n)
{
    char *c = xmalloc(n + 1);
    memcpy(c, p, n);
    c[n] = 0;
    return c;
}

static int decode_mount(const uint8_t *v, size_t n, struct run_req *rq, char *err, size_t errlen)
{
    const uint8_t *z1 = memchr(v, 0, n);
    if (!z1 || z1 == v) {
        snprintf(err, errlen, "run request: 9p mount field needs TAG NUL PATH");
        return -1;
    }
    const uint8_t *path = z1 + 1;
    const uint8_t *end = v + n;
    const uint8_t *z2 = memchr(path, 0, (size_t)(end - path));
    size_t plen = (size_t)((z2 ? z2 : end) - path);
    int ro = 0;
    if (z2) {
        size_t olen = (size_t)(end - z2 - 1);
        if (olen == 2 && memcmp(z2 + 1, "ro", 2) == 0)
            ro = 1;
        else if (olen != 0 && !(olen == 2 && memcmp(z2 + 1, "rw", 2) == 0)) {
            snprintf(err, errlen, "run request: unknown 9p mount option '%.*s'", (int)olen,
                     (const char *)z2 + 1);
            return -1;
        }
    }
    if (plen == 0 || path[0] != '/') {
        snprintf(err, errlen, "run request: 9p mount path '%.*s' is not absolute", (int)plen,
                 (const char *)path);
        return -1;
    }
    rq->mounts = xrealloc(rq->mounts, (rq->nmounts + 1) * sizeof *rq->mounts);
    struct mount9p *m = &rq->mounts[rq->nmounts++];
    m->tag = dupn(v, (size_t)(z1 - v));
    m->path = dupn(path, plen);
    m->ro = ro;
    return 0;
}

int run_decode(const uint8_t *p, size_t len, struct run_req *rq, char *err, size_t errlen)
{
    size_t off = 0;
    while (off < len) {
        if (len - off < 5) {
            snprintf(err, errlen, "run request: truncated field header at byte %zu", off);
            return -1;
        }
        uint8_t tag = p[off];
        uint32_t n = get_le32(p + off + 1);
        off += 5;
        if (n > len - off) {
            snprintf(err, errlen, "run request: field '%c' longer than the request", tag);
            return -1;
        }
        const uint8_t *v = p + off;
        off += n;
        /* 'm' carries NUL separators; everything else must be NUL-free */
        if (tag != 'm' && tag != 'T' && tag != 'z' && tag != 'r' && memchr(v, 0, n)) {
            snprintf(err, errlen, "run request: field '%c' contains a NUL byte", tag);
            return -1;
        }
        char **dst = NULL;
        switch (tag) {
        case 'E': strv_push(&rq->img_entry, (const char *)v, n); break;
        case 'C': strv_push(&rq->img_cmd, (const char *)v, n); break;
        case 'V': strv_push(&rq->img_env, (const char *)v, n); break;
        case 'a': strv_push(&rq->args, (const char *)v, n); rq->has_args = 1; break;
        case 'e': strv_push(&rq->entry, (const char *)v, n); rq->has_entry = 1; break;
        case 'v': strv_push(&rq->env, (const char *)v, n); break;
        case 'm':
            if (decode_mount(v, n, rq, err, errlen) < 0)
                return -1;
            break;
        case 'W': dst = &rq->img_workdir; break;
        case 'U': dst = &rq->img_user; break;
        case 'w': dst = &rq->workdir; break;
        case 'u': dst = &rq->user; break;
        case 'h': dst = &rq->hostname; break;
        case 'n': dst = &rq->net; break;
        case 'r':
            free(rq->seed);
            rq->seed = xmalloc(n);
            memcpy(rq->seed, v, n);
            rq->seed_len = n;
            break;
        case 't': rq->tty = n == 1 && v[0] == '1'; break;
        case 'i': rq->stdin_null = n == 1 && v[0] == '0'; break;
        case 'd': rq->debug = n == 1 && v[0] == '1'; break;
        case 'T':
            if (n != 12) {
                snprintf(err, errlen, "run request: time field must be 12 bytes, not %u", n);
                return -1;
            }
            rq->sec = get_le32(v) | (uint64_t)get_le32(v + 4) << 32;
            rq->nsec = get_le32(v + 8);
            rq->has_time = 1;
            break;
        case 'z':
            if (n != 4) {
                snprintf(err, errlen, "run request: window size field must be 4 bytes, not %u", n);
                return -1;
            }
            rq->rows = (uint16_t)(v[0] | v[1] << 8);
            rq->cols = (uint16_t)(v[2] | v[3] << 8);
            rq->has_winsize = 1;
            break;
        default: break; /* unknown: ignored (newer engine) */
        }
        if (dst) {
            free(*dst);
            *dst = dupn(v, n);
        }
    }
    return 0;
}

void env_set(struct strv *env, const char *kv, size_t len)
{
    const char *eq = memchr(kv, '=', len);
    size_t klen = eq ? (size_t)(eq - kv) : len;
    for (size_t i = 0; i < env->n; i++) {
        if (strncmp(env->v[i], kv, klen) == 0 && env->v[i][klen] == '=') {
            free(env->v[i]);
            if (eq) {
                env->v[i] = dupn((const uint8_t *)kv, len);
            } else {
                memmove(env->v + i, env->v + i + 1, (env->n - i) * sizeof *env->v);
                env->n--;
            }
            return;
        }
    }
    if (eq)
        strv_push(env, kv, len);
}

const char *env_get(const struct strv *env, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < env->n; i++)
        if (strncmp(env->v[i], key, klen) == 0 && env->v[i][klen] == '=')
            return env->v[i] + klen + 1;
    return NULL;
}

int run_argv(const struct run_req *rq, struct strv *argv, char *err, size_t errlen)
{
    const struct strv *ep = rq->has_entry ? &rq->entry : &rq->img_entry;
    const struct strv *cmd = rq->has_args ? &rq->args : rq->has_entry ? NULL : &rq->img_cmd;
    int empty_entry = rq->has_entry && rq->entry.n == 1 && rq->entry.v[0][0] == 0;
    if (!empty_entry)
        for (size_t i = 0; i < ep->n; i++)
            strv_push(argv, ep->v[i], strlen(ep->v[i]));
    if (cmd)
        for (size_t i = 0; i < cmd->n; i++)
            strv_push(argv, cmd->v[i], strlen(cmd->v[i]));
    if (argv->n == 0 || argv->v[0][0] == 0) {
        snprintf(err, errlen, "no command specified");
        return -1;
    }
    return 0;
}
