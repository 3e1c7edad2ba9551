/* virtio-mmio (version 2) transport and split virtqueues. */
#ifndef C2W_VIRTIO_H
#define C2W_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

struct Machine;

#define VIRTIO_MAX_QUEUES 8
#define VIRTQ_MAX_SIZE 256
#define VIRTIO_CONFIG_MAX 64

#define VIRTIO_F_VERSION_1 (1ULL << 32)

typedef struct {
    uint32_t num;
    bool ready;
    uint64_t desc, avail, used;
    uint16_t last_avail;
} VirtQueue;

/* A popped descriptor chain, flattened. */
#define VIRTQ_MAX_SEGS 64
typedef struct {
    uint16_t head;
    int nseg;
    struct {
        uint64_t addr;
        uint32_t len;
        bool write; /* device writes into it */
    } seg[VIRTQ_MAX_SEGS];
    uint32_t read_len, write_len; /* totals of device-readable / device-writable bytes */
} VirtqChain;

typedef struct VirtioDev VirtioDev;
struct VirtioDev {
    struct Machine *m;
    int irq;
    uint32_t device_id;
    uint64_t features;
    uint32_t nqueues;
    uint32_t config_size;
    uint8_t config[VIRTIO_CONFIG_MAX];
    void (*notify)(VirtioDev *d, int q);
    void (*reset)(VirtioDev *d);
    void (*poll)(VirtioDev *d); /* called by the host loop */
    void *priv;

    /* transport state */
    VirtQueue q[VIRTIO_MAX_QUEUES];
    uint32_t status, dev_features_sel, drv_features_sel, queue_sel, int_status, config_gen;
    uint64_t drv_features;
};

bool virtio_mmio_read(VirtioDev *d, uint64_t off, int size, uint64_t *val);
bool virtio_mmio_write(VirtioDev *d, uint64_t off, int size, uint64_t val);
/* Pop the next available chain of queue q; returns false if none (or the ring is bad). */
bool virtq_pop(VirtioDev *d, int q, VirtqChain *ch);
/* Put a chain on the used ring with the number of bytes written; raises the interrupt. */
void virtq_push(VirtioDev *d, int q, const VirtqChain *ch, uint32_t written);
bool virtq_has_avail(VirtioDev *d, int q);
/* Copy from the device-readable part at offset off; returns bytes copied. */
uint32_t virtq_read(VirtioDev *d, const VirtqChain *ch, uint32_t off, void *buf, uint32_t len);
/* Copy into the device-writable part at offset off; returns bytes copied. */
uint32_t virtq_write(VirtioDev *d, const VirtqChain *ch, uint32_t off, const void *buf, uint32_t len);
void virtio_config_changed(VirtioDev *d);

/* devices */
VirtioDev *virtio_console_new(struct Machine *m, bool ctl_port); /* ctl_port: port 1 "c2w.ctl" */
void virtio_console_kick(VirtioDev *d); /* deliver pending host input into guest buffers */
VirtioDev *virtio_blk_new(struct Machine *m, const uint8_t *image, uint64_t size);
VirtioDev *virtio_rng_new(struct Machine *m);

#endif
