/* Probe: poll_oneoff on stdin plus a relative clock, the way an emulator
 * waits for input while idle.
 * usage: stdin_poll [TIMEOUT_MS [ROUNDS]]      (defaults: 300 1)
 * First line: "fd0_filetype=N NAME" (from fd_fdstat_get on fd 0).
 * Then ROUNDS rounds (stops early at EOF). Each round is one poll_oneoff with
 * two subscriptions (fd_read on fd 0, userdata 1; monotonic clock of
 * TIMEOUT_MS, userdata 2) and prints one line:
 *   round=I fired=stdin|clock|stdin+clock elapsed_ms=N [stdin_errno=N NAME]
 *          [read=N data=ESCAPED | read=EOF | read FAIL errno=N NAME]
 * When stdin fired (without error) the probe does one fd_read of up to 4096
 * bytes. Exit 0; 1 when poll_oneoff itself fails ("round=I poll FAIL errno=..."),
 * 2 on bad arguments. */
#include "probe.h"

static const char *ftname(unsigned t)
{
    static const char *n[] = {"UNKNOWN", "BLOCK_DEVICE", "CHARACTER_DEVICE", "DIRECTORY",
                              "REGULAR_FILE", "SOCKET_DGRAM", "SOCKET_STREAM", "SYMBOLIC_LINK"};
    return t < 8 ? n[t] : "?";
}

int main(int argc, char **argv)
{
    int64_t timeout_ms = argc > 1 ? p_atou(argv[1]) : 300;
    int64_t rounds = argc > 2 ? p_atou(argv[2]) : 1;
    if (timeout_ms < 0 || rounds < 1) {
        p_puts(2, "usage: stdin_poll [TIMEOUT_MS [ROUNDS]]\n");
        return 2;
    }
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(0, &st);
    p_puts(1, "fd0_filetype=");
    if (e) {
        p_puts(1, "?");
        p_errno(1, e);
    }
    else {
        p_putu(1, st.fs_filetype);
        p_puts(1, " ");
        p_puts(1, ftname(st.fs_filetype));
    }
    p_puts(1, "\n");

    for (int64_t r = 1; r <= rounds; r++) {
        __wasi_subscription_t sub[2];
        memset(sub, 0, sizeof sub);
        sub[0].userdata = 1;
        sub[0].u.tag = __WASI_EVENTTYPE_FD_READ;
        sub[0].u.u.fd_read.file_descriptor = 0;
        sub[1].userdata = 2;
        sub[1].u.tag = __WASI_EVENTTYPE_CLOCK;
        sub[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        sub[1].u.u.clock.timeout = (uint64_t)timeout_ms * 1000000u;
        sub[1].u.u.clock.precision = 0;
        sub[1].u.u.clock.flags = 0;
        __wasi_event_t ev[2];
        __wasi_size_t nev = 0;
        uint64_t t0 = p_now_ns();
        e = __wasi_poll_oneoff(sub, ev, 2, &nev);
        uint64_t ms = (p_now_ns() - t0) / 1000000u;
        p_puts(1, "round=");
        p_putu(1, (uint64_t)r);
        if (e) {
            p_puts(1, " poll FAIL");
            p_errno(1, e);
            p_puts(1, "\n");
            return 1;
        }
        int got_stdin = 0, got_clock = 0;
        __wasi_errno_t stdin_err = 0;
        for (__wasi_size_t i = 0; i < nev; i++) {
            if (ev[i].userdata == 1) {
                got_stdin = 1;
                stdin_err = ev[i].error;
            }
            else if (ev[i].userdata == 2)
                got_clock = 1;
        }
        p_puts(1, " fired=");
        p_puts(1, got_stdin && got_clock ? "stdin+clock" : got_stdin ? "stdin" : got_clock ? "clock" : "none");
        p_puts(1, " elapsed_ms=");
        p_putu(1, ms);
        int eof = 0;
        if (got_stdin && stdin_err) {
            p_puts(1, " stdin_errno=");
            p_putu(1, stdin_err);
            p_puts(1, " ");
            p_puts(1, p_errname(stdin_err));
        }
        else if (got_stdin) {
            static uint8_t buf[4096];
            __wasi_iovec_t iov = {buf, sizeof buf};
            __wasi_size_t n = 0;
            e = __wasi_fd_read(0, &iov, 1, &n);
            if (e) {
                p_puts(1, " read FAIL");
                p_errno(1, e);
            }
            else if (n == 0) {
                p_puts(1, " read=EOF");
                eof = 1;
            }
            else {
                p_puts(1, " read=");
                p_putu(1, n);
                p_puts(1, " data=");
                p_escaped(1, buf, n);
            }
        }
        p_puts(1, "\n");
        if (eof || (got_stdin && stdin_err))
            break;
    }
    return 0;
}
