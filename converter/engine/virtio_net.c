/* virtio-net: queue 0 receive, queue 1 transmit; frames go through net.c. */
#include "virtio_net.h"

#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "net.h"

#define VIRTIO_NET_F_MTU (1ULL << 3)
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define HDR_LEN 12 /* struct virtio_net_hdr_v1 (VERSION_1: num_buffers always present) */
#define RXQ 0
#define TXQ 1

static uint8_t frame_buf[NET_FRAME_MAX];

/* Deliver frames from the transport while the guest has receive buffers. */
static void net_rx(VirtioDev *d)
{
    const uint8_t *f;
    size_t len;
    while ((len = net_next_frame(&f)) && virtq_has_avail(d, RXQ)) {
        VirtqChain ch;
        if (!virtq_pop(d, RXQ, &ch))
            break;
        if (ch.write_len < HDR_LEN + len) { /* too small for this frame: drop it */
            virtq_push(d, RXQ, &ch, 0);
            net_frame_done();
            continue;
        }
        uint8_t hdr[HDR_LEN] = {0};
        hdr[10] = 1; /* num_buffers */
        virtq_write(d, &ch, 0, hdr, HDR_LEN);
        virtq_write(d, &ch, HDR_LEN, f, (uint32_t)len);
        net_frame_done();
        virtq_push(d, RXQ, &ch, HDR_LEN + (uint32_t)len);
    }
}

/* Take the guest's frames while the transport has room. */
static void net_tx(VirtioDev *d)
{
    VirtqChain ch;
    while (virtq_pop(d, TXQ, &ch)) {
        uint32_t len = ch.read_len > HDR_LEN ? ch.read_len - HDR_LEN : 0;
        if (len > sizeof frame_buf)
            len = 0; /* larger than any MTU: dropped */
        if (len)
            len = virtq_read(d, &ch, HDR_LEN, frame_buf, len);
        if (len && !net_send_frame(frame_buf, len)) {
            net_io(); /* flush and retry once */
            if (!net_send_frame(frame_buf, len)) {
                d->q[TXQ].last_avail--; /* leave the chain for the next poll */
                return;
            }
        }
        virtq_push(d, TXQ, &ch, 0);
    }
}

static void net_notify(VirtioDev *d, int q)
{
    if (q == TXQ) {
        net_tx(d);
        net_io();
    } else
        net_rx(d);
}

static void net_poll(VirtioDev *d)
{
    if (!net_connected())
        return;
    net_io();
    net_rx(d);
    net_tx(d);
    net_io();
}

VirtioDev *virtio_net_new(Machine *m, const uint8_t mac[6])
{
    VirtioDev *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    d->device_id = 1;
    d->features = VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_MTU;
    d->nqueues = 2;
    d->config_size = 12; /* mac[6], status, max_virtqueue_pairs, mtu */
    memcpy(d->config, mac, 6);
    uint16_t mtu = NET_MTU;
    memcpy(d->config + 10, &mtu, 2);
    d->notify = net_notify;
    d->poll = net_poll;
    return d;
}
