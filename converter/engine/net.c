/* Network frame transport: one connected stream socket, QEMU stream framing (net.h). */
#include "net.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __wasm__
#include <wasi/api.h>
#endif

#include "hostio.h"

#define RXBUF_SIZE (512 * 1024)
#define TXBUF_SIZE (512 * 1024)

static int conn = -1;          /* socket: the connection; stdio: 0 (and output on 1) */
static int wfd = -1;           /* where frames are written: conn, or 1 with the multiplex */
static bool mux;               /* --net=stdio */
static Machine *mux_m;         /* container stdin goes to its input queue */
static bool mux_stdin;
static uint8_t *rxbuf, *txbuf;
static size_t rx_off, rx_len; /* unconsumed bytes: rxbuf[rx_off .. rx_off + rx_len) */
static size_t tx_off, tx_len;
static size_t cur_frame;      /* length (with header) of the frame handed out, 0 if none */
static int spurious;          /* poll said readable, read said EAGAIN: runtime polls sockets badly */
static bool poll_broken;      /* then sleep in short slices instead of polling the socket */
static uint64_t st_fin, st_fout, st_bin, st_bout;

/* ---------------------------------------------------------------- options */

bool net_parse_opt(NetOpts *o, const char *v, char *err, size_t errlen)
{
    o->on = true;
    o->listenfd = -1;
    if (!v || !strcmp(v, "socket"))
        return true;
    if (!strcmp(v, "stdio")) {
        o->stdio = true;
        return true;
    }
    const char *p = "socket=listenfd=";
    if (!strncmp(v, p, strlen(p))) {
        char *end;
        long fd = strtol(v + strlen(p), &end, 10);
        if (*end || end == v + strlen(p) || fd < 0 || fd > 65535) {
            snprintf(err, errlen, "--net=%s: listenfd must be a file descriptor number", v);
            return false;
        }
        o->listenfd = (int)fd;
        return true;
    }
    snprintf(err, errlen, "--net=%s: expected --net, --net=socket, --net=socket=listenfd=N or --net=stdio", v);
    return false;
}

bool net_parse_mac(NetOpts *o, const char *v, char *err, size_t errlen)
{
    unsigned b[6];
    char tail;
    if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6 ||
        strlen(v) != 17) {
        snprintf(err, errlen, "--mac %s: expected six hex bytes like 52:54:00:12:34:56", v);
        return false;
    }
    if (b[0] & 1) {
        snprintf(err, errlen, "--mac %s: a multicast address (first byte odd) cannot be used", v);
        return false;
    }
    for (int i = 0; i < 6; i++)
        o->mac[i] = (uint8_t)b[i];
    o->have_mac = true;
    return true;
}

/* ---------------------------------------------------------------- connection */

bool net_fd_is_socket(int fd)
{
#ifdef __wasm__
    __wasi_fdstat_t st;
    return __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) == 0 &&
           st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM;
#else
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
#endif
}

static bool is_listener(int fd)
{
    if (!net_fd_is_socket(fd))
        return false;
#ifdef __wasm__
    return true; /* WASI cannot tell; a pre-opened socket is a listener */
#else
    int v = 0;
    socklen_t len = sizeof v;
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
#endif
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Accept without blocking: the new fd, -1 with errno. */
static int try_accept(int lfd)
{
#ifdef __wasm__
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_sock_accept((__wasi_fd_t)lfd, __WASI_FDFLAGS_NONBLOCK, &fd);
    if (e) {
        errno = e;
        return -1;
    }
    return (int)fd;
#else
    return accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#endif
}

/* Gratuitous ARP request: who-has GUEST_IP tell GUEST_IP, from the guest's MAC. */
static void announce(const NetOpts *o)
{
    static const uint8_t def_mac[6] = NET_DEFAULT_MAC, ip[4] = NET_GUEST_IP;
    const uint8_t *mac = o->have_mac ? o->mac : def_mac;
    uint8_t f[42] = {0};
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08, f[13] = 0x06;                         /* ARP */
    f[14] = 0, f[15] = 1, f[16] = 0x08, f[17] = 0;      /* Ethernet, IPv4 */
    f[18] = 6, f[19] = 4, f[20] = 0, f[21] = 1;         /* sizes, request */
    memcpy(f + 22, mac, 6);
    memcpy(f + 28, ip, 4);
    memcpy(f + 38, ip, 4);
    net_send_frame(f, sizeof f);
    net_io();
}

static void flush_at_exit(void)
{
    net_io(); /* the multiplex writes block: everything queued goes out */
}

static bool mux_ready; /* net_wait's poll saw fd 0 readable (node reports it only with a timeout) */

/* A new connection starts with empty buffers (nothing of an earlier one is handed out). */
static void reset_buffers(void)
{
    rx_off = rx_len = tx_off = tx_len = cur_frame = 0;
    mux_ready = false;
}

bool net_connect(const NetOpts *o, int timeout_ms, char *err, size_t errlen)
{
    if (o->stdio) {
        if (!rxbuf)
            rxbuf = malloc(RXBUF_SIZE);
        if (!txbuf)
            txbuf = malloc(TXBUF_SIZE);
        if (!rxbuf || !txbuf) {
            snprintf(err, errlen, "--net: out of memory");
            return false;
        }
        static bool flush_registered;
        if (!flush_registered)
            atexit(flush_at_exit);
        flush_registered = true;
        mux = true;
        conn = 0;
        wfd = 1;
        reset_buffers();
        announce(o);
        return true;
    }
    int lfd = o->listenfd;
    if (lfd >= 0) {
        if (!is_listener(lfd)) {
            snprintf(err, errlen, "--net: fd %d is not a listening socket", lfd);
            return false;
        }
    } else {
        for (int fd = 3; fd < 64 && lfd < 0; fd++)
            if (is_listener(fd))
                lfd = fd;
        if (lfd < 0) {
            snprintf(err, errlen, "--net: no listening socket was pre-opened by the runtime "
                                  "(wasmtime <= 46: -S preview2=n -S tcplisten=HOST:PORT; wazero: -listen=HOST:PORT)");
            return false;
        }
    }
    if (!rxbuf)
        rxbuf = malloc(RXBUF_SIZE);
    if (!txbuf)
        txbuf = malloc(TXBUF_SIZE);
    if (!rxbuf || !txbuf) {
        snprintf(err, errlen, "--net: out of memory");
        return false;
    }
    int64_t deadline = host_now_ns() + (int64_t)timeout_ms * 1000000;
    for (;;) {
        int fd = try_accept(lfd);
        if (fd >= 0) {
            conn = wfd = fd;
            reset_buffers();
            announce(o);
            return true;
        }
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
            snprintf(err, errlen, "--net: accept on fd %d: %s", lfd, strerror(errno));
            return false;
        }
        int64_t left = deadline - host_now_ns();
        if (left <= 0) {
            snprintf(err, errlen, "--net: nobody connected to the network socket within %d s",
                     timeout_ms / 1000);
            return false;
        }
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        int64_t t0 = host_now_ns();
        if (poll(&p, 1, 20) != 0 && host_now_ns() - t0 < 1000000)
            sleep_ms(2); /* poll returned at once (error or a runtime that cannot poll it) */
    }
}

bool net_connected(void)
{
    return conn >= 0 || (mux && wfd >= 0);
}

static void drop_connection(void)
{
    if (mux) { /* stdin ended (or broke): no more input; output goes on while fd 1 takes it */
        conn = -1;
        if (mux_m && mux_stdin)
            mux_m->stdin_eof = true;
        return;
    }
    if (conn >= 0)
        close(conn);
    conn = wfd = -1;
    tx_off = tx_len = 0;
}

/* ---------------------------------------------------------------- frames */

/* Queue one message (with the multiplex: type + data); false if the buffer has no room. */
static bool queue(int type, const void *data, size_t len)
{
    size_t hdr = mux ? 5 : 4, n = mux ? len + 1 : len;
    if (tx_off + tx_len + hdr + len > TXBUF_SIZE) {
        if (tx_off) {
            memmove(txbuf, txbuf + tx_off, tx_len);
            tx_off = 0;
        }
        if (tx_len + hdr + len > TXBUF_SIZE)
            return false;
    }
    uint8_t *p = txbuf + tx_off + tx_len;
    p[0] = (uint8_t)(n >> 24);
    p[1] = (uint8_t)(n >> 16);
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
    if (mux)
        p[4] = (uint8_t)type;
    memcpy(p + hdr, data, len);
    tx_len += hdr + len;
    return true;
}

bool net_send_frame(const void *frame, size_t len)
{
    if (wfd < 0 || len == 0 || len > NET_FRAME_MAX)
        return true; /* dropped, like a cable that is not plugged in */
    if (!queue(0, frame, len))
        return false;
    st_fout++;
    st_bout += len;
    return true;
}

bool net_mux_on(void)
{
    return mux;
}

bool net_mux_stdout(const void *data, size_t len)
{
    if (!mux)
        return false;
    const uint8_t *p = data;
    while (len) {
        size_t n = len < 65536 ? len : 65536;
        if (!queue(1, p, n)) {
            net_io(); /* blocking writes: makes room */
            if (!queue(1, p, n))
                return true; /* output closed: dropped */
        }
        p += n;
        len -= n;
    }
    net_io();
    return true;
}

void net_mux_attach(Machine *m, bool want_stdin)
{
    mux_m = m;
    mux_stdin = want_stdin;
}

/* Multiplex: handle the stdin messages at the head of the input (network frames stay for
 * net_next_frame). Stops at a frame, an incomplete message, or a full stdin queue. */
static void mux_control(void)
{
    while (mux && !cur_frame && rx_len >= 5) {
        uint8_t *p = rxbuf + rx_off;
        size_t n = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        if (n == 0 || n > NET_FRAME_MAX + 1) {
            fprintf(stderr, "c2w: bad message length %zu on the stdio multiplex; network disconnected\n", n);
            conn = wfd = -1;
            rx_len = 0;
            return;
        }
        if (rx_len < 4 + n)
            return; /* not all there yet */
        if (p[4] == 0 && n > 1)
            return; /* a network frame, for net_next_frame (an empty one is dropped below) */
        Machine *m = mux_m;
        if (p[4] == 2) {
            if (m && mux_stdin)
                m->stdin_eof = true;
        } else if (p[4] == 1 && m && mux_stdin && n > 1) {
            uint32_t space = INBUF_SIZE - (m->in_tail - m->in_head);
            size_t k = n - 1 < space ? n - 1 : space;
            for (size_t i = 0; i < k; i++)
                m->inbuf[(m->in_tail + i) % INBUF_SIZE] = p[5 + i];
            m->in_tail += (uint32_t)k;
            if (k < n - 1) { /* the rest waits: rewrite the header in front of it */
                size_t left = n - k;
                uint8_t *q = p + k;
                q[0] = (uint8_t)(left >> 24), q[1] = (uint8_t)(left >> 16), q[2] = (uint8_t)(left >> 8);
                q[3] = (uint8_t)left, q[4] = 1;
                rx_off += k;
                rx_len -= k;
                return;
            }
        } else if (p[4] == 1 && !mux_m) {
            return; /* stdin before the container runs: keep it */
        }
        rx_off += 4 + n;
        rx_len -= 4 + n;
        if (!rx_len)
            rx_off = 0;
    }
}

size_t net_next_frame(const uint8_t **frame)
{
    if (cur_frame) { /* handed out and not done yet: the same frame again */
        *frame = rxbuf + rx_off + (mux ? 5 : 4);
        return cur_frame - (mux ? 5 : 4);
    }
    mux_control();
    if (rx_len < 4)
        return 0;
    const uint8_t *p = rxbuf + rx_off;
    size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    if (len == 0 || len > NET_FRAME_MAX + (mux ? 1 : 0)) { /* the multiplex adds a type byte */
        fprintf(stderr, "c2w: network peer sent a bad frame length %zu; network disconnected\n", len);
        drop_connection();
        rx_len = 0;
        return 0;
    }
    if (rx_len < 4 + len)
        return 0;
    if (mux) {
        /* mux_control stopped at the head: a network frame (type 0), or stdin waiting for room in
         * the input queue or for the container; only the first is the guest's */
        if (p[4] != 0)
            return 0;
        *frame = p + 5;
        cur_frame = 4 + len;
        return len - 1;
    }
    *frame = p + 4;
    cur_frame = 4 + len;
    return len;
}

void net_frame_done(void)
{
    if (!cur_frame)
        return;
    st_fin++;
    st_bin += cur_frame - (mux ? 5 : 4);
    rx_off += cur_frame;
    rx_len -= cur_frame;
    cur_frame = 0;
    if (!rx_len)
        rx_off = 0;
}

void net_io(void)
{
    while (tx_len && wfd >= 0) {
        ssize_t n = write(wfd, txbuf + tx_off, tx_len);
        if (n > 0) {
            tx_off += (size_t)n;
            tx_len -= (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (mux) { /* stdout closed: nothing more can go out */
            wfd = -1;
            tx_off = tx_len = 0;
            break;
        }
        drop_connection(); /* peer gone */
        return;
    }
    if (!tx_len)
        tx_off = 0;
    if (conn < 0)
        return;
    if (cur_frame)
        return; /* the frame handed out points into rxbuf: do not move it */
    if (rx_off && rx_off + rx_len + NET_FRAME_MAX + 4 > RXBUF_SIZE) {
        memmove(rxbuf, rxbuf + rx_off, rx_len);
        rx_off = 0;
    }
    for (;;) {
        size_t space = RXBUF_SIZE - rx_off - rx_len;
        if (!space)
            break;
        if (mux && !mux_ready) { /* fd 0 blocks: read only what poll says is there, once */
            struct pollfd pf = {.fd = 0, .events = POLLIN};
            if (poll(&pf, 1, 0) <= 0 || !(pf.revents & (POLLIN | POLLHUP)))
                break;
        }
        mux_ready = false;
        ssize_t n = read(conn, rxbuf + rx_off + rx_len, space);
        if (n > 0) {
            rx_len += (size_t)n;
            spurious = 0;
            mux_control();
            continue; /* the multiplex: read again only if poll says more is there */
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        drop_connection(); /* EOF or error: the host side is gone */
        return;
    }
}

/* Is there room for more input, and no complete frame waiting for the guest? */
static bool rx_wanted(void)
{
    if (cur_frame)
        return false;
    if (rx_len >= 4) {
        const uint8_t *p = rxbuf + rx_off;
        size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        if (rx_len >= 4 + len)
            return false;
    }
    return RXBUF_SIZE - rx_len > 0;
}

void net_wait(Machine *m, int64_t timeout_ns)
{
    int ms;
    if (timeout_ns < 0 || timeout_ns > 1000000000)
        ms = 1000;
    else
        ms = (int)((timeout_ns + 999999) / 1000000);
    if (ms <= 0)
        return;
    struct pollfd p[2];
    int n = 0, sock = -1;
    bool want_stdin = host_stdin_wanted(m);
    if (want_stdin && m->stdin_mode == STDIN_POLL && !mux)
        p[n++] = (struct pollfd){.fd = 0, .events = POLLIN};
    else if (want_stdin && ms > 10)
        ms = 10; /* non-blocking stdin: look again soon */
    short ev = (short)((conn >= 0 && rx_wanted() ? POLLIN : 0) | (conn >= 0 && tx_len && !mux ? POLLOUT : 0));
    if (ev && !poll_broken) {
        sock = n;
        p[n++] = (struct pollfd){.fd = conn, .events = ev};
    } else if (ev && ms > 2)
        ms = 2; /* this runtime cannot wait on the socket: short slices */
    if (!n) {
        sleep_ms(ms);
        return;
    }
    int64_t t0 = host_now_ns();
    int r = poll(p, (nfds_t)n, ms);
    if (r < 0 && sock >= 0) {
        poll_broken = true;
        return;
    }
    if (r > 0 && sock >= 0 && mux && (p[sock].revents & (POLLIN | POLLHUP))) {
        mux_ready = true;
        net_io();
        return;
    }
    if (r > 0 && sock >= 0 && p[sock].revents && host_now_ns() - t0 < 200000) {
        /* ready at once: real data, or a runtime that reports sockets always ready */
        size_t before = rx_len, tx_before = tx_len;
        net_io();
        if (rx_len == before && (!tx_before || tx_len == tx_before) && conn >= 0 && ++spurious > 50)
            poll_broken = true;
    }
}

void net_stats(uint64_t *fi, uint64_t *fo, uint64_t *bi, uint64_t *bo)
{
    *fi = st_fin;
    *fo = st_fout;
    *bi = st_bin;
    *bo = st_bout;
}
