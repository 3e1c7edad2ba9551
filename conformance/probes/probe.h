/* Helpers shared by the WASI probes: unbuffered output through fd_write,
 * byte-exact escaping, errno names, a monotonic clock. Header-only. */
#ifndef C2W_PROBE_H
#define C2W_PROBE_H

#include <stdint.h>
#include <string.h>
#include <wasi/api.h>

/* Write all of buf to fd with raw fd_write (no stdio buffering). */
static inline int p_write(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        __wasi_ciovec_t iov = {p, len};
        __wasi_size_t n = 0;
        if (__wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &n) != 0 || n == 0)
            return -1;
        p += n;
        len -= n;
    }
    return 0;
}

static inline void p_puts(int fd, const char *s) { p_write(fd, s, strlen(s)); }

static inline void p_putu(int fd, uint64_t v)
{
    char b[24];
    int i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    p_write(fd, b + i, sizeof b - i);
}

static inline void p_puti(int fd, int64_t v)
{
    if (v < 0) {
        p_puts(fd, "-");
        p_putu(fd, (uint64_t)(-(v + 1)) + 1);
    }
    else
        p_putu(fd, (uint64_t)v);
}

/* Escape bytes so one value stays on one line and is byte-exact:
 * printable ASCII except '\\' as is; \\, \n, \t, \r; others as \xHH. */
static inline void p_escaped(int fd, const void *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = buf;
    char out[256];
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        if (o > sizeof out - 8) {
            p_write(fd, out, o);
            o = 0;
        }
        if (c == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
        }
        else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        }
        else if (c == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        }
        else if (c == '\r') {
            out[o++] = '\\';
            out[o++] = 'r';
        }
        else if (c >= 0x20 && c < 0x7f)
            out[o++] = (char)c;
        else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    p_write(fd, out, o);
}

static inline const char *p_errname(unsigned e)
{
    switch (e) {
    case __WASI_ERRNO_SUCCESS: return "SUCCESS";
    case __WASI_ERRNO_ACCES: return "EACCES";
    case __WASI_ERRNO_AGAIN: return "EAGAIN";
    case __WASI_ERRNO_BADF: return "EBADF";
    case __WASI_ERRNO_EXIST: return "EEXIST";
    case __WASI_ERRNO_FAULT: return "EFAULT";
    case __WASI_ERRNO_INTR: return "EINTR";
    case __WASI_ERRNO_INVAL: return "EINVAL";
    case __WASI_ERRNO_IO: return "EIO";
    case __WASI_ERRNO_ISDIR: return "EISDIR";
    case __WASI_ERRNO_LOOP: return "ELOOP";
    case __WASI_ERRNO_NAMETOOLONG: return "ENAMETOOLONG";
    case __WASI_ERRNO_NOENT: return "ENOENT";
    case __WASI_ERRNO_NOSYS: return "ENOSYS";
    case __WASI_ERRNO_NOTDIR: return "ENOTDIR";
    case __WASI_ERRNO_NOTEMPTY: return "ENOTEMPTY";
    case __WASI_ERRNO_NOTSOCK: return "ENOTSOCK";
    case __WASI_ERRNO_NOTSUP: return "ENOTSUP";
    case __WASI_ERRNO_PERM: return "EPERM";
    case __WASI_ERRNO_PIPE: return "EPIPE";
    case __WASI_ERRNO_SPIPE: return "ESPIPE";
    case __WASI_ERRNO_NOTCAPABLE: return "ENOTCAPABLE";
    case __WASI_ERRNO_ADDRINUSE: return "EADDRINUSE";
    case __WASI_ERRNO_ADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case __WASI_ERRNO_CONNRESET: return "ECONNRESET";
    case __WASI_ERRNO_NOTCONN: return "ENOTCONN";
    case __WASI_ERRNO_XDEV: return "EXDEV";
    default: return "E?";
    }
}

/* " errno=N NAME" */
static inline void p_errno(int fd, unsigned e)
{
    p_puts(fd, " errno=");
    p_putu(fd, e);
    p_puts(fd, " ");
    p_puts(fd, p_errname(e));
}

static inline uint64_t p_now_ns(void)
{
    __wasi_timestamp_t t = 0;
    if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1000, &t))
        return 0;
    return t;
}

/* Parse a non-negative decimal; -1 on anything else. */
static inline int64_t p_atou(const char *s)
{
    int64_t v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

#endif
