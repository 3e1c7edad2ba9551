/* Network frame transports for virtio-net.
 *
 * Frames travel in QEMU's stream framing (what `qemu -netdev stream` and passt speak): a u32
 * big-endian length, then that many bytes of Ethernet frame. The transport is one connected
 * stream socket:
 *  - image mode (WASI): the engine takes a listening socket the runtime pre-opened (the first
 *    fd whose filetype is SOCKET_STREAM, or `listenfd=N`) and `sock_accept`s one connection
 *    (the launcher connects to it and hands the connection to passt);
 *  - natively (tests): the same with an inherited listening fd;
 *  - `--net=stdio` (any runtime whose stdin polling works): the launcher multiplexes the
 *    network and the console over the engine's stdin and stdout. Every message is
 *        u32 BE length N | u8 type | N-1 bytes
 *    host -> engine (fd 0): 0 = network frame, 1 = container stdin bytes, 2 = stdin EOF;
 *    engine -> host (fd 1): 0 = network frame, 1 = container stdout bytes.
 *    stderr (fd 2) and the exit status are not multiplexed.
 * One transport per engine; its state is global (there is one virtio-net device). */
#ifndef C2W_NET_H
#define C2W_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct Machine;

#define NET_FRAME_MAX 65550 /* 65535-byte MTU + Ethernet header, rounded up */

/* Guest addresses for `--net` (PROTOCOL.md RUN field `n`); the launcher starts passt with the
 * same: passt -a 10.0.2.15 -n 24 -g 10.0.2.2 -D 10.0.2.3 (the gateway address reaches the
 * host's loopback through passt's gateway mapping). */
#define NET_GUEST_CONFIG "addr=10.0.2.15/24 gw=10.0.2.2 dns=10.0.2.3 mtu=65520"
#define NET_MTU 65520
#define NET_GUEST_IP {10, 0, 2, 15}
/* The default MAC: locally administered, unicast (QEMU's 52:54:00 prefix style). */
#define NET_DEFAULT_MAC {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}

typedef struct {
    bool on;          /* --net given */
    bool stdio;       /* --net=stdio: the multiplex on stdin/stdout */
    int listenfd;     /* -1: find the pre-opened listening socket */
    bool have_mac;
    uint8_t mac[6];
} NetOpts;

/* Parse the value of --net (NULL for a bare --net) into o. false + message in err. */
bool net_parse_opt(NetOpts *o, const char *value, char *err, size_t errlen);
/* Parse "xx:xx:xx:xx:xx:xx" (unicast) into o->mac. false + message in err. */
bool net_parse_mac(NetOpts *o, const char *value, char *err, size_t errlen);

/* Find the listening socket (o->listenfd or the first listening stream socket from fd 3) and
 * accept one connection, waiting at most timeout_ms. Then announce the guest (a gratuitous
 * ARP from its MAC and address): passt learns where the guest is before the guest says
 * anything itself (passt 2023-03 crashes on a forwarded connection before that).
 * false + message in err. */
bool net_connect(const NetOpts *o, int timeout_ms, char *err, size_t errlen);
bool net_connected(void);
/* Is fd a stream socket? (used to skip it when scanning for preopened directories) */
bool net_fd_is_socket(int fd);

/* Device side. Queue one frame for the peer; false when the send buffer is full (try again
 * after net_io) or there is no connection (the frame is dropped: returns true). */
bool net_send_frame(const void *frame, size_t len);
/* The next complete frame from the peer (pointer valid until net_frame_done; the same frame
 * again until then), or 0. */
size_t net_next_frame(const uint8_t **frame);
void net_frame_done(void);
/* Move bytes between the socket and the buffers without blocking. */
void net_io(void);
/* Idle wait: until the socket or stdin (when the engine wants it) is readable, or timeout_ns
 * (negative: no deadline, capped at 1 s). Replaces host_wait when the transport is up. */
void net_wait(struct Machine *m, int64_t timeout_ns);
/* --net=stdio: container stdout goes out as a multiplex message (returns false, doing
 * nothing, when the multiplex is off); container stdin comes from the multiplex into m's
 * input queue (net_mux_attach, called once the guest may receive stdin). */
bool net_mux_stdout(const void *p, size_t len);
void net_mux_attach(struct Machine *m, bool want_stdin);
bool net_mux_on(void);
/* Counters for --stats. */
void net_stats(uint64_t *frames_in, uint64_t *frames_out, uint64_t *bytes_in, uint64_t *bytes_out);

#endif
