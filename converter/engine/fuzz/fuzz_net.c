/* libFuzzer harness: net.c, the relay between virtio-net and the host's network peer, in QEMU
 * stream framing (u32 big-endian length + Ethernet frame) over a connected socket. Built twice:
 * fuzz_net (a Unix stream socket, the way the image accepts the launcher's connection) and
 * fuzz_netmux (-DNET_MUX: `--net=stdio`, the multiplex on fd 0 / fd 1, here two pipes: u32 BE
 * length N | type | N-1 bytes; type 0 network frame, 1 container stdin, 2 stdin EOF).
 *
 * The harness is the peer. Input: first byte = flags (bit 0, fuzz_netmux: the container wants
 * stdin), then a program of ops, each an opcode byte and its operands:
 *   0 RAW  n:u8 bytes[n]          the peer writes these bytes (headers, short frames)
 *   1 FILL n:u16le b:u8            the peer writes n bytes of value b (big frames)
 *   2 NEXT                         net_io, then net_next_frame (twice: the same frame again)
 *   3 DONE                         net_frame_done
 *   4 SEND n:u16le b:u8            net_send_frame of n bytes (first byte b, then a counter)
 *   5 STDOUT n:u16le b:u8          fuzz_netmux: net_mux_stdout of n bytes; fuzz_net: net_io
 *   6 STDIN                        fuzz_netmux: the guest reads the stdin queue
 * The peer's writes are non-blocking: what does not fit is not sent (the model sees only what
 * was written). At the end the harness drains everything both ways.
 * Oracle (a reference decoder of the bytes the peer wrote): the frames net_next_frame hands out
 * are, in order, exactly the network frames of the stream (never stdin or control messages);
 * the same frame comes back until net_frame_done; stdin bytes reach the machine's input queue in
 * order; a bad length disconnects; after the final drain every complete message before a bad
 * length was delivered (nothing stalls); what the peer reads back is well framed and equals the
 * frames net_send_frame accepted (and the stdout bytes), in order. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../machine.h"
#include "../net.h"

#ifdef NET_MUX
#define HDR 5
#else
#define HDR 4
#endif
#define MAX_MSG (NET_FRAME_MAX + (HDR - 4)) /* largest length field */
#define STREAM_MAX (4u << 20)

#define CHECK(c)                                                                                  \
    do {                                                                                          \
        if (!(c)) {                                                                               \
            fprintf(stderr, "ORACLE: %s (%s:%d)\n", #c, __FILE__, __LINE__);                      \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

typedef struct {
    uint8_t *b;
    size_t len;
} Buf;

static void buf_add(Buf *x, const void *p, size_t n)
{
    CHECK(x->len + n <= STREAM_MAX);
    memcpy(x->b + x->len, p, n);
    x->len += n;
}

static int peer_w = -1, peer_r = -1; /* harness ends: write to the engine, read what it sends */
#ifndef NET_MUX
static int lfd = -1;
#endif
static Machine *m;
static bool want_stdin;

/* the peer's side, the model */
static Buf sent;        /* bytes the peer wrote */
static Buf got;         /* bytes the peer read back */
static Buf want_out;    /* what it should read back (framed) */
static Buf stdin_got;   /* bytes taken from the machine's input queue */
static size_t frames_seen; /* network frames handed out and done */

static uint8_t scratch[NET_FRAME_MAX + 16];

static void set_nonblock(int fd)
{
    CHECK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
}

static void setup_once(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    signal(SIGPIPE, SIG_IGN); /* as under WASI (no signals): writing to a closed peer is EPIPE */
    sent.b = malloc(STREAM_MAX), got.b = malloc(STREAM_MAX);
    want_out.b = malloc(STREAM_MAX), stdin_got.b = malloc(STREAM_MAX);
    m = calloc(1, sizeof *m);
    CHECK(sent.b && got.b && want_out.b && stdin_got.b && m);
#ifdef NET_MUX
    int in[2], out[2];
    CHECK(pipe(in) == 0 && pipe(out) == 0);
    CHECK(dup2(in[0], 0) == 0 && dup2(out[1], 1) == 1);
    close(in[0]), close(out[1]);
    peer_w = in[1], peer_r = out[0];
    set_nonblock(peer_w), set_nonblock(peer_r), set_nonblock(0), set_nonblock(1);
#else
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int n = snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "c2w-fuzz-net-%d", (int)getpid());
    CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) == 0);
    CHECK(listen(lfd, 4) == 0);
#endif
}

/* u32 BE */
static size_t be32(const uint8_t *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* The reference decoder: walk the complete messages the peer sent. Returns the number of
 * network frames; *bad = a bad length was reached. With want_frame >= 0, *frame / *flen = that
 * network frame. */
static size_t model(bool *bad, long want_frame, const uint8_t **frame, size_t *flen)
{
    size_t off = 0, frames = 0;
    *bad = false;
    while (sent.len - off >= 4) {
        size_t n = be32(sent.b + off);
        if (n == 0 || n > MAX_MSG) {
            *bad = true;
            break;
        }
        if (sent.len - off < 4 + n)
            break;
        const uint8_t *body = sent.b + off + 4;
#ifdef NET_MUX
        int type = body[0];
        body++, n--;
#else
        int type = 0;
#endif
        if (type == 0 && n > 0) {
            if ((long)frames == want_frame)
                *frame = body, *flen = n;
            frames++;
        }
        off += 4 + n + (HDR - 4);
    }
    return frames;
}

#ifdef NET_MUX
/* The stdin bytes of the stream, concatenated. */
static void model_stdin(Buf *out)
{
    size_t off = 0;
    out->len = 0;
    while (sent.len - off >= 4) {
        size_t n = be32(sent.b + off);
        if (n == 0 || n > MAX_MSG || sent.len - off < 4 + n)
            break;
        if (sent.b[off + 4] == 1 && want_stdin)
            buf_add(out, sent.b + off + 5, n - 1);
        off += 4 + n;
    }
}
#endif

static void peer_write(const uint8_t *p, size_t n)
{
    while (n && sent.len + n <= STREAM_MAX) {
        ssize_t k = write(peer_w, p, n);
        if (k <= 0)
            return; /* full: the rest is not sent */
        buf_add(&sent, p, (size_t)k);
        p += k, n -= (size_t)k;
    }
}

static void take_stdin(void)
{
#ifdef NET_MUX
    while (m->in_head != m->in_tail) {
        uint8_t c = m->inbuf[m->in_head % INBUF_SIZE];
        buf_add(&stdin_got, &c, 1);
        m->in_head++;
    }
#endif
}

/* A frame handed out must be the next network frame of the stream. */
static void check_frame(const uint8_t *f, size_t len)
{
    bool bad;
    const uint8_t *want = NULL;
    size_t wlen = 0;
    size_t total = model(&bad, (long)frames_seen, &want, &wlen);
    CHECK(frames_seen < total);
    CHECK(len == wlen && !memcmp(f, want, len));
}

static void next(void)
{
    net_io();
    const uint8_t *f = NULL, *g = NULL;
    size_t len = net_next_frame(&f);
    if (!len)
        return;
    check_frame(f, len);
    CHECK(net_next_frame(&g) == len && g == f);
}

static void done(void)
{
    const uint8_t *f;
    size_t len = net_next_frame(&f); /* 0 when none is handed out */
    if (len) {
        check_frame(f, len);
        frames_seen++;
    }
    net_frame_done();
}

/* Read what the engine sent; true if anything came. */
static bool peer_read(void)
{
    bool any = false;
    for (;;) {
        ssize_t k = read(peer_r, scratch, sizeof scratch);
        if (k <= 0)
            return any;
        buf_add(&got, scratch, (size_t)k);
        any = true;
    }
}

/* net_io and read until nothing more comes out. */
static void drain_out(void)
{
    for (int i = 0; i < 10000; i++) {
        net_io();
        if (!peer_read())
            return;
    }
    CHECK(!"output never drains");
}

static uint32_t counter;

static void fill(uint8_t *p, size_t n, uint8_t first)
{
    for (size_t i = 0; i < n; i++)
        p[i] = i ? (uint8_t)(counter + i) : first;
    counter++;
}

static void send_frame(size_t n, uint8_t b)
{
    n %= NET_FRAME_MAX + 2;
    fill(scratch, n, b);
    bool connected = net_connected();
    bool ok = net_send_frame(scratch, n);
    if (ok && connected && n > 0 && n <= NET_FRAME_MAX) {
        uint8_t h[5];
        put_be32(h, n + (HDR - 4));
        h[4] = 0;
        buf_add(&want_out, h, HDR);
        buf_add(&want_out, scratch, n);
    }
}

#ifdef NET_MUX
static void mux_stdout(size_t n, uint8_t b)
{
    drain_out(); /* an empty send buffer: net_mux_stdout never drops (fd 1 does not block here) */
    fill(scratch, n, b);
    CHECK(net_mux_stdout(scratch, n));
    for (size_t off = 0; off < n; off += 65536) {
        size_t k = n - off < 65536 ? n - off : 65536;
        uint8_t h[5];
        put_be32(h, k + 1);
        h[4] = 1;
        buf_add(&want_out, h, 5);
        buf_add(&want_out, scratch + off, k);
    }
}
#endif

static void connect_peer(void)
{
    NetOpts o = {0};
    char err[256];
#ifdef NET_MUX
    CHECK(net_parse_opt(&o, "stdio", err, sizeof err));
    while (read(0, scratch, sizeof scratch) > 0) { /* what the last input left unread */
    }
    peer_read();
#else
    CHECK(net_parse_opt(&o, "socket=listenfd=3", err, sizeof err));
    o.listenfd = lfd;
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int n = snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "c2w-fuzz-net-%d", (int)getpid());
    CHECK(c >= 0 && connect(c, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) == 0);
    set_nonblock(c);
    peer_w = peer_r = c;
#endif
    CHECK(net_connect(&o, 1000, err, sizeof err));
    CHECK(net_connected());
    /* the gratuitous ARP announcing the guest */
    got.len = 0;
    drain_out();
    CHECK(got.len == HDR + 42 && be32(got.b) == 42 + (HDR - 4) && got.b[HDR + 12] == 0x08 && got.b[HDR + 13] == 0x06);
    got.len = 0;
}

static void disconnect_peer(void)
{
    net_frame_done();
#ifndef NET_MUX
    close(peer_w);
    peer_w = peer_r = -1;
    for (int i = 0; i < 1000 && net_connected(); i++)
        net_io(); /* EOF: the engine drops the connection */
    CHECK(!net_connected());
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    if (size < 1)
        return 0;
    sent.len = got.len = want_out.len = stdin_got.len = 0;
    frames_seen = 0;
    memset(m, 0, sizeof *m);
    want_stdin = data[0] & 1;
    connect_peer();
#ifdef NET_MUX
    net_mux_attach(m, want_stdin);
#endif
    size_t i = 1;
#define NEED(k)                                                                                   \
    if (size - i < (k))                                                                           \
        goto end
    while (i < size) {
        uint8_t op = data[i++] % 7;
        switch (op) {
        case 0: {
            NEED(1);
            size_t n = data[i++];
            if (n > size - i)
                n = size - i;
            peer_write(data + i, n);
            i += n;
            break;
        }
        case 1: {
            NEED(3);
            size_t n = (size_t)data[i] | (size_t)data[i + 1] << 8;
            memset(scratch, data[i + 2], n);
            i += 3;
            peer_write(scratch, n);
            break;
        }
        case 2:
            next();
            break;
        case 3:
            done();
            break;
        case 4:
            NEED(3);
            send_frame((size_t)data[i] | (size_t)data[i + 1] << 8, data[i + 2]);
            i += 3;
            peer_read();
            break;
        case 5:
            NEED(3);
#ifdef NET_MUX
            mux_stdout((size_t)data[i] | (size_t)data[i + 1] << 8, data[i + 2]);
#else
            net_io();
#endif
            i += 3;
            break;
        case 6:
            take_stdin();
            break;
        }
    }
end:;
    /* drain both ways until nothing moves */
    for (int round = 0; round < 100000; round++) {
        size_t before = frames_seen, in_before = stdin_got.len, got_before = got.len;
        net_io();
        const uint8_t *f;
        if (net_next_frame(&f))
            done();
        take_stdin();
        drain_out();
        if (frames_seen == before && stdin_got.len == in_before && got.len == got_before)
            break;
    }
    bool bad;
    size_t total = model(&bad, -1, NULL, NULL);
    CHECK(frames_seen == total); /* every complete frame before a bad length was delivered */
#ifdef NET_MUX
    Buf ref = {malloc(STREAM_MAX), 0};
    CHECK(ref.b);
    model_stdin(&ref);
    CHECK(stdin_got.len == ref.len && !memcmp(stdin_got.b, ref.b, ref.len));
    free(ref.b);
#endif
    /* what came back: a prefix of what was accepted (all of it while connected) */
    CHECK(got.len <= want_out.len && !memcmp(got.b, want_out.b, got.len));
    if (net_connected())
        CHECK(got.len == want_out.len);
    if (bad)
        CHECK(!net_connected() || HDR == 5);
    disconnect_peer();
    return 0;
}
