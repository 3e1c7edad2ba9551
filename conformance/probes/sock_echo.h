/* Shared by the socket probes: accept one connection and echo one line. */
#ifndef C2W_SOCK_ECHO_H
#define C2W_SOCK_ECHO_H

#include "probe.h"

/* sock_accept is missing from bookworm's wasi-libc headers: import it. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("sock_accept"))) int32_t
c2w_sock_accept(int32_t fd, int32_t flags, int32_t fd_new);

static void fail(const char *op, unsigned e)
{
    p_puts(1, op);
    p_puts(1, " FAIL");
    p_errno(1, e);
    p_puts(1, "\n");
}

/* Wait until fd is readable or ms elapsed. */
static void wait_readable(__wasi_fd_t fd, uint64_t ms)
{
    __wasi_subscription_t s[2];
    __wasi_event_t ev[2];
    __wasi_size_t n;
    memset(s, 0, sizeof s);
    s[0].userdata = 1;
    s[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    s[0].u.u.fd_read.file_descriptor = fd;
    s[1].userdata = 2;
    s[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    s[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s[1].u.u.clock.timeout = ms * 1000000u;
    if (__wasi_poll_oneoff(s, ev, 2, &n))
        (void)(void)__wasi_poll_oneoff(&s[1], ev, 1, &n); /* fd not pollable: just sleep */
}

/* Print the listener, accept one connection (retrying on EAGAIN), echo one
 * line back as "echo: LINE"; returns the exit status. */
static int serve_one(__wasi_fd_t lfd)
{
    int32_t e;
    p_puts(1, "listener fd=");
    p_putu(1, lfd);
    p_puts(1, "\n");

    int32_t conn = -1;
    uint64_t eagain = 0;
    for (;;) {
        e = c2w_sock_accept((int32_t)lfd, 0, (int32_t)(intptr_t)&conn);
        if (e != __WASI_ERRNO_AGAIN)
            break;
        eagain++;
        wait_readable(lfd, 100);
    }
    if (e) {
        fail("accept", (unsigned)e);
        return 1;
    }
    p_puts(1, "accepted fd=");
    p_putu(1, (uint64_t)conn);
    if (eagain) {
        p_puts(1, " eagain=");
        p_putu(1, eagain);
    }
    p_puts(1, "\n");

    static uint8_t line[4096];
    size_t len = 0;
    while (len < sizeof line) {
        __wasi_iovec_t iov = {line + len, 1};
        __wasi_size_t n = 0;
        __wasi_errno_t re = __wasi_fd_read((__wasi_fd_t)conn, &iov, 1, &n);
        if (re == __WASI_ERRNO_AGAIN) {
            wait_readable((__wasi_fd_t)conn, 100);
            continue;
        }
        if (re) {
            fail("read", re);
            return 1;
        }
        if (n == 0)
            break;
        len += n;
        if (line[len - 1] == '\n')
            break;
    }
    p_puts(1, "received=");
    p_escaped(1, line, len);
    p_puts(1, "\n");
    static uint8_t reply[4200];
    memcpy(reply, "echo: ", 6);
    memcpy(reply + 6, line, len);
    if (p_write(conn, reply, len + 6)) {
        p_puts(1, "write FAIL\n");
        return 1;
    }
    p_puts(1, "sent=");
    p_putu(1, len + 6);
    p_puts(1, "\n");
    (void)__wasi_fd_close((__wasi_fd_t)conn);
    return 0;
}

#endif
