/* virtio-blk: a read-only disk image held in memory (/dev/vda). */
#include <stdlib.h>
#include <string.h>

#include "hostio.h"

#define VIRTIO_BLK_F_SEG_MAX (1ULL << 2)
#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ULL << 6)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8

typedef struct {
    const uint8_t *image;
    uint64_t size;
} Blk;

static void blk_notify(VirtioDev *d, int qi)
{
    Blk *b = d->priv;
    VirtqChain ch;
    while (virtq_pop(d, qi, &ch)) {
        uint8_t hdr[16];
        uint8_t status = 0;
        uint32_t written = 0;
        if (virtq_read(d, &ch, 0, hdr, 16) != 16 || ch.write_len < 1) {
            virtq_push(d, qi, &ch, 0);
            continue;
        }
        uint32_t type;
        uint64_t sector;
        memcpy(&type, hdr, 4);
        memcpy(&sector, hdr + 8, 8);
        uint32_t data_len = ch.write_len - 1;
        switch (type) {
        case T_IN: {
            uint64_t off = sector * 512;
            if (off > b->size || b->size - off < data_len) {
                status = 1;
                break;
            }
            written = virtq_write(d, &ch, 0, b->image + off, data_len);
            break;
        }
        case T_GET_ID: {
            static const char id[20] = "c2w-rootfs";
            written = virtq_write(d, &ch, 0, id, data_len < 20 ? data_len : 20);
            break;
        }
        case T_FLUSH:
            break;
        default: /* writes to a read-only disk and unknown requests */
            status = type == T_OUT ? 1 : 2;
        }
        virtq_write(d, &ch, ch.write_len - 1, &status, 1);
        virtq_push(d, qi, &ch, written + 1);
    }
}

VirtioDev *virtio_blk_new(Machine *m, const uint8_t *image, uint64_t size)
{
    VirtioDev *d = calloc(1, sizeof *d);
    Blk *b = calloc(1, sizeof *b);
    if (!d || !b)
        return NULL;
    b->image = image;
    b->size = size;
    d->m = m;
    d->device_id = 2;
    d->features = VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_RO | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE;
    d->nqueues = 1;
    d->notify = blk_notify;
    d->priv = b;
    uint64_t sectors = size / 512;
    uint32_t seg_max = VIRTQ_MAX_SEGS - 2, blk_size = 512;
    memcpy(d->config + 0, &sectors, 8);
    memcpy(d->config + 12, &seg_max, 4);
    memcpy(d->config + 20, &blk_size, 4);
    d->config_size = 24;
    return d;
}
