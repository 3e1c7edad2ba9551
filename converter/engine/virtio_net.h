/* virtio-net (virtio-mmio device id 1): Ethernet frames between the guest and net.c's
 * transport. Features: VERSION_1, MAC, MTU (65520: the driver then posts 64 KiB receive
 * buffers, so passt's large frames fit), CSUM (the engine fills in transmit checksums natively)
 * and GUEST_CSUM (received frames are marked DATA_VALID); no segmentation offloads. */
#ifndef C2W_VIRTIO_NET_H
#define C2W_VIRTIO_NET_H

#include <stdint.h>

struct Machine;
struct VirtioDev;

/* The device; mac = its MAC address (config space, read by the guest driver at probe). */
struct VirtioDev *virtio_net_new(struct Machine *m, const uint8_t mac[6]);

#endif
