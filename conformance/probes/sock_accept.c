/* Probe: accept a TCP connection on a listening socket preopened by the
 * runtime (wasmtime<=46 -S tcplisten=, wazero -listen) and echo one line.
 * usage: sock_accept
 * Takes the first fd >= 3 whose fd_fdstat_get filetype is SOCKET_STREAM and
 * prints "listener fd=N" (none: "no listening socket", exit 2). Accepts
 * (retrying on EAGAIN with poll_oneoff), prints "accepted fd=N [eagain=K]",
 * reads one line (up to '\n' or EOF), prints "received=ESCAPED", writes
 * "echo: LINE" back to the peer, prints "sent=N" and exits 0. An
 * accept/read/write error prints "OP FAIL errno=N NAME" and exits 1. */
#include "sock_echo.h"

int main(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        p_puts(2, "usage: sock_accept\n");
        return 2;
    }
    __wasi_fd_t lfd = 0;
    for (__wasi_fd_t fd = 3; fd < 64 && !lfd; fd++) {
        __wasi_fdstat_t st;
        if (!__wasi_fd_fdstat_get(fd, &st) && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
            lfd = fd;
    }
    if (!lfd) {
        p_puts(1, "no listening socket\n");
        return 2;
    }
    return serve_one(lfd);
}
