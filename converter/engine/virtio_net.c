/* virtio-net: queue 0 receive, queue 1 transmit; frames go through net.c. */
#include "virtio_net.h"

#include <stdlib.h>
#include <string.h>

#include "hostio.h"
#include "net.h"

#define VIRTIO_NET_F_CSUM (1ULL << 0)       /* the guest may leave transmit checksums to us */
#define VIRTIO_NET_F_GUEST_CSUM (1ULL << 1) /* we may mark received checksums as valid */
#define VIRTIO_NET_F_MTU (1ULL << 3)
#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define HDR_LEN 12 /* struct virtio_net_hdr_v1 (VERSION_1: num_buffers always present) */
#define RXQ 0
#define TXQ 1

static uint8_t frame_buf[NET_FRAME_MAX];

/* VIRTIO_NET_HDR_F_NEEDS_CSUM: the Internet checksum of frame[start..len) goes at start+off
 * (the guest left the pseudo-header sum there). */
static void finish_csum(uint8_t *f, uint32_t len, uint32_t start, uint32_t off)
{
    if (start >= len || off + 2 > len - start)
        return;
    uint64_t sum = 0;
    uint32_t i = start;
    for (; i + 1 < len; i += 2)
        sum += (uint32_t)f[i] << 8 | f[i + 1];
    if (i < len)
        sum += (uint32_t)f[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    if (c == 0 && len > 23 && f[12] == 0x08 && f[13] == 0 && f[23] == 17)
        c = 0xffff; /* UDP: 0 means "no checksum" */
    f[start + off] = (uint8_t)(c >> 8);
    f[start + off + 1] = (uint8_t)c;
}

/* Deliver frames from the transport while the guest has receive buffers. */
static void net_rx(VirtioDev *d)
{
    const uint8_t *f;
    size_t len;
    while (virtq_has_avail(d, RXQ) && (len = net_next_frame(&f))) {
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
        /* passt builds every frame with correct checksums and a local stream cannot corrupt
         * it: spare the guest from verifying them again in emulated code */
        if (d->drv_features & VIRTIO_NET_F_GUEST_CSUM)
            hdr[0] = HDR_F_DATA_VALID;
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
        uint8_t hdr[HDR_LEN] = {0};
        if (len) {
            virtq_read(d, &ch, 0, hdr, HDR_LEN);
            len = virtq_read(d, &ch, HDR_LEN, frame_buf, len);
            if (hdr[0] & HDR_F_NEEDS_CSUM)
                finish_csum(frame_buf, len, (uint32_t)(hdr[6] | hdr[7] << 8), (uint32_t)(hdr[8] | hdr[9] << 8));
        }
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
    d->features = VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_MTU | VIRTIO_NET_F_CSUM |
                  VIRTIO_NET_F_GUEST_CSUM;
    d->nqueues = 2;
    d->config_size = 12; /* mac[6], status, max_virtqueue_pairs, mtu */
    memcpy(d->config, mac, 6);
    uint16_t mtu = NET_MTU;
    memcpy(d->config + 10, &mtu, 2);
    d->notify = net_notify;
    d->poll = net_poll;
    return d;
}
