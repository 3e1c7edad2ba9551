/* Probe: WAMR's socket extension: the guest creates its own listener
 * (sock_open, sock_bind, sock_listen: imports only WAMR provides; iwasm needs
 * --addr-pool covering the address), then accepts and echoes one line.
 * usage: sock_bind_accept IPV4:PORT
 * Prints "listener fd=N" once listening ("OP FAIL errno=N NAME" and exit 3
 * when sock_open/bind/listen fail), then behaves like sock_accept:
 * "accepted fd=N", "received=ESCAPED", "sent=N", exit 0. */
#include "sock_echo.h"

/* WAMR's socket extension (lib-socket/inc/wasi_socket_ext.h layout). */
typedef struct {
    uint8_t n0, n1, n2, n3;
    uint16_t port; /* host byte order */
} wamr_addr_ip4_port_t;
typedef struct {
    uint16_t n[8];
    uint16_t port;
} wamr_addr_ip6_port_t;
typedef struct {
    int32_t kind; /* 0 = IPv4 */
    union {
        wamr_addr_ip4_port_t ip4;
        wamr_addr_ip6_port_t ip6;
    } addr;
} wamr_addr_t;
__attribute__((import_module("wasi_snapshot_preview1"), import_name("sock_open"))) int32_t
wamr_sock_open(int32_t poolfd, int32_t af, int32_t socktype, int32_t sockfd);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("sock_bind"))) int32_t
wamr_sock_bind(int32_t fd, int32_t addr);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("sock_listen"))) int32_t
wamr_sock_listen(int32_t fd, int32_t backlog);

static int parse_ip4_port(const char *s, wamr_addr_t *a)
{
    unsigned v[5] = {0};
    int i = 0;
    for (; *s && i < 5; s++) {
        if (*s >= '0' && *s <= '9') {
            v[i] = v[i] * 10 + (unsigned)(*s - '0');
            if (v[i] > 65535)
                return -1;
        }
        else if ((*s == '.' && i < 3) || (*s == ':' && i == 3))
            i++;
        else
            return -1;
    }
    if (i != 4 || v[0] > 255 || v[1] > 255 || v[2] > 255 || v[3] > 255)
        return -1;
    memset(a, 0, sizeof *a);
    a->kind = 0;
    a->addr.ip4.n0 = (uint8_t)v[0];
    a->addr.ip4.n1 = (uint8_t)v[1];
    a->addr.ip4.n2 = (uint8_t)v[2];
    a->addr.ip4.n3 = (uint8_t)v[3];
    a->addr.ip4.port = (uint16_t)v[4];
    return 0;
}


int main(int argc, char **argv)
{
    wamr_addr_t a;
    if (argc != 2 || parse_ip4_port(argv[1], &a)) {
        p_puts(2, "usage: sock_bind_accept IPV4:PORT\n");
        return 2;
    }
    int32_t e, fd = -1;
    if ((e = wamr_sock_open(3, 0 /* INET4 */, 1 /* SOCKET_STREAM */, (int32_t)(intptr_t)&fd))) {
        fail("sock_open", (unsigned)e);
        return 3;
    }
    if ((e = wamr_sock_bind(fd, (int32_t)(intptr_t)&a))) {
        fail("bind", (unsigned)e);
        return 3;
    }
    if ((e = wamr_sock_listen(fd, 8))) {
        fail("listen", (unsigned)e);
        return 3;
    }
    return serve_one((__wasi_fd_t)fd);
}
