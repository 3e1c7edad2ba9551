/* Probe: non-blocking reads of stdin (fd_fdstat_set_flags(0, NONBLOCK)).
 * usage: stdin_nonblock [ROUNDS [SLEEP_MS]]     (defaults: 1 100)
 * Prints "set_flags=OK" or "set_flags FAIL errno=N NAME", then
 * "flags=N nonblock=0|1" from fd_fdstat_get. If set_flags failed it prints
 * "read=SKIPPED" (a read could block) and exits 3. Otherwise up to ROUNDS
 * reads, SLEEP_MS apart, stopping at data, EOF or error; one line each:
 *   read=EAGAIN | read=N data=ESCAPED | read=EOF | read FAIL errno=N NAME
 * Exit 0 when set_flags succeeded. */
#include "probe.h"

static void sleep_ms(int64_t ms)
{
    __wasi_subscription_t s;
    __wasi_event_t ev;
    __wasi_size_t n;
    memset(&s, 0, sizeof s);
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s.u.u.clock.timeout = (uint64_t)ms * 1000000u;
    (void)__wasi_poll_oneoff(&s, &ev, 1, &n);
}

int main(int argc, char **argv)
{
    int64_t rounds = argc > 1 ? p_atou(argv[1]) : 1;
    int64_t sleep = argc > 2 ? p_atou(argv[2]) : 100;
    if (rounds < 1 || sleep < 0) {
        p_puts(2, "usage: stdin_nonblock [ROUNDS [SLEEP_MS]]\n");
        return 2;
    }
    __wasi_errno_t e = __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_NONBLOCK);
    if (e) {
        p_puts(1, "set_flags FAIL");
        p_errno(1, e);
        p_puts(1, "\n");
    }
    else
        p_puts(1, "set_flags=OK\n");
    __wasi_fdstat_t st;
    __wasi_errno_t e2 = __wasi_fd_fdstat_get(0, &st);
    if (e2) {
        p_puts(1, "flags FAIL");
        p_errno(1, e2);
        p_puts(1, "\n");
    }
    else {
        p_puts(1, "flags=");
        p_putu(1, st.fs_flags);
        p_puts(1, (st.fs_flags & __WASI_FDFLAGS_NONBLOCK) ? " nonblock=1\n" : " nonblock=0\n");
    }
    if (e) {
        p_puts(1, "read=SKIPPED\n");
        return 3;
    }
    for (int64_t r = 1; r <= rounds; r++) {
        static uint8_t buf[4096];
        __wasi_iovec_t iov = {buf, sizeof buf};
        __wasi_size_t n = 0;
        e = __wasi_fd_read(0, &iov, 1, &n);
        if (e == __WASI_ERRNO_AGAIN) {
            p_puts(1, "read=EAGAIN\n");
            if (r < rounds)
                sleep_ms(sleep);
            continue;
        }
        if (e) {
            p_puts(1, "read FAIL");
            p_errno(1, e);
            p_puts(1, "\n");
        }
        else if (n == 0)
            p_puts(1, "read=EOF\n");
        else {
            p_puts(1, "read=");
            p_putu(1, n);
            p_puts(1, " data=");
            p_escaped(1, buf, n);
            p_puts(1, "\n");
        }
        break;
    }
    return 0;
}
