/* Probe: blocking reads of stdin until EOF.
 * usage: stdin_cat
 * Copies fd 0 to fd 1 byte-exact with blocking fd_read calls; at EOF prints
 * "bytes=N reads=R" on fd 2 and exits 0. A read error prints
 * "read FAIL errno=N NAME" on fd 2 and exits 1. */
#include "probe.h"

int main(void)
{
    static uint8_t buf[65536];
    uint64_t total = 0, reads = 0;
    for (;;) {
        __wasi_iovec_t iov = {buf, sizeof buf};
        __wasi_size_t n = 0;
        __wasi_errno_t e = __wasi_fd_read(0, &iov, 1, &n);
        reads++;
        if (e) {
            p_puts(2, "read FAIL");
            p_errno(2, e);
            p_puts(2, "\n");
            return 1;
        }
        if (n == 0)
            break;
        if (p_write(1, buf, n)) {
            p_puts(2, "write FAIL\n");
            return 1;
        }
        total += n;
    }
    p_puts(2, "bytes=");
    p_putu(2, total);
    p_puts(2, " reads=");
    p_putu(2, reads);
    p_puts(2, "\n");
    return 0;
}
