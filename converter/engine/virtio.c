/* virtio-mmio transport, version 2 (virtio 1.x), with split virtqueues. */
#include "virtio.h"

#include <string.h>

#include "hostio.h"

static uint16_t rd16(VirtioDev *d, uint64_t a)
{
    uint8_t *p = machine_gpa(d->m, a, 2);
    uint16_t v = 0;
    if (p)
        memcpy(&v, p, 2);
    return v;
}

/* True when guest RAM [a, a+len) (inside RAM: no overflow) covers the `idx` field of a ready
 * queue's available ring. That ring belongs to the driver: a device write there (the used ring
 * or a device-writable buffer placed over it by a hostile guest) could keep refilling the queue
 * the device is draining, and its loop would never end. Such writes are dropped. */
static bool hits_avail_idx(VirtioDev *d, uint64_t a, uint64_t len)
{
    for (uint32_t i = 0; i < d->nqueues && i < VIRTIO_MAX_QUEUES; i++) {
        const VirtQueue *q = &d->q[i];
        if (q->ready && q->avail <= UINT64_MAX - 4 && a < q->avail + 4 && q->avail + 2 < a + len)
            return true;
    }
    return false;
}

/* A device write into guest RAM: NULL outside RAM or over an available ring's idx. */
static uint8_t *dev_write_ptr(VirtioDev *d, uint64_t a, uint64_t len)
{
    if (!machine_gpa(d->m, a, len) || hits_avail_idx(d, a, len))
        return NULL;
    return machine_gpa_write(d->m, a, len);
}

static void wr16(VirtioDev *d, uint64_t a, uint16_t v)
{
    uint8_t *p = dev_write_ptr(d, a, 2);
    if (p)
        memcpy(p, &v, 2);
}

static void wr32(VirtioDev *d, uint64_t a, uint32_t v)
{
    uint8_t *p = dev_write_ptr(d, a, 4);
    if (p)
        memcpy(p, &v, 4);
}

static void update_irq(VirtioDev *d)
{
    machine_set_irq(d->m, d->irq, d->int_status != 0);
}

static void dev_reset(VirtioDev *d)
{
    memset(d->q, 0, sizeof d->q);
    d->status = 0;
    d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
    d->int_status = 0;
    d->drv_features = 0;
    update_irq(d);
    if (d->reset)
        d->reset(d);
}

void virtio_config_changed(VirtioDev *d)
{
    d->config_gen++;
    d->int_status |= 2;
    update_irq(d);
}

bool virtio_mmio_read(VirtioDev *d, uint64_t off, int size, uint64_t *val)
{
    if (off >= 0x100) {
        uint64_t o = off - 0x100, v = 0;
        if (o + (uint64_t)size <= d->config_size)
            memcpy(&v, d->config + o, (size_t)size);
        *val = v;
        return true;
    }
    VirtQueue *q = d->queue_sel < VIRTIO_MAX_QUEUES ? &d->q[d->queue_sel] : NULL;
    uint32_t v = 0;
    switch (off) {
    case 0x000: v = 0x74726976; break;
    case 0x004: v = 2; break;
    case 0x008: v = d->device_id; break;
    case 0x00c: v = 0x554d4551; break;
    case 0x010: v = d->dev_features_sel < 2 ? (uint32_t)(d->features >> (32 * d->dev_features_sel)) : 0; break;
    case 0x034: v = (q && d->queue_sel < d->nqueues) ? VIRTQ_MAX_SIZE : 0; break;
    case 0x044: v = q ? q->ready : 0; break;
    case 0x060: v = d->int_status; break;
    case 0x070: v = d->status; break;
    case 0x0fc: v = d->config_gen; break;
    default: v = 0;
    }
    *val = v;
    return true;
}

bool virtio_mmio_write(VirtioDev *d, uint64_t off, int size, uint64_t val)
{
    if (off >= 0x100) {
        uint64_t o = off - 0x100;
        if (o + (uint64_t)size <= d->config_size)
            memcpy(d->config + o, &val, (size_t)size);
        return true;
    }
    uint32_t v = (uint32_t)val;
    VirtQueue *q = (d->queue_sel < d->nqueues) ? &d->q[d->queue_sel] : NULL;
    switch (off) {
    case 0x014: d->dev_features_sel = v; break;
    case 0x020:
        if (d->drv_features_sel < 2) {
            int sh = 32 * (int)d->drv_features_sel;
            d->drv_features = (d->drv_features & ~(0xffffffffULL << sh)) | ((uint64_t)v << sh);
            d->drv_features &= d->features;
        }
        break;
    case 0x024: d->drv_features_sel = v; break;
    case 0x030: d->queue_sel = v; break;
    case 0x038: if (q && v <= VIRTQ_MAX_SIZE && v && !(v & (v - 1))) q->num = v; break;
    case 0x044: if (q) q->ready = v & 1; break;
    case 0x050:
        if (v < d->nqueues && d->q[v].ready && d->notify && (d->status & 4))
            d->notify(d, (int)v);
        break;
    case 0x064:
        d->int_status &= ~v;
        update_irq(d);
        break;
    case 0x070:
        if (v == 0)
            dev_reset(d);
        else
            d->status = v;
        break;
    case 0x080: if (q) q->desc = (q->desc & ~0xffffffffULL) | v; break;
    case 0x084: if (q) q->desc = (q->desc & 0xffffffffULL) | ((uint64_t)v << 32); break;
    case 0x090: if (q) q->avail = (q->avail & ~0xffffffffULL) | v; break;
    case 0x094: if (q) q->avail = (q->avail & 0xffffffffULL) | ((uint64_t)v << 32); break;
    case 0x0a0: if (q) q->used = (q->used & ~0xffffffffULL) | v; break;
    case 0x0a4: if (q) q->used = (q->used & 0xffffffffULL) | ((uint64_t)v << 32); break;
    }
    return true;
}

bool virtq_has_avail(VirtioDev *d, int qi)
{
    VirtQueue *q = &d->q[qi];
    if (!q->ready || !q->num || !(d->status & 4))
        return false;
    /* more entries than the ring holds: a corrupt index (as QEMU, treat the ring as empty) */
    uint16_t pending = (uint16_t)(rd16(d, q->avail + 2) - q->last_avail);
    return pending && pending <= q->num;
}

bool virtq_pop(VirtioDev *d, int qi, VirtqChain *ch)
{
    VirtQueue *q = &d->q[qi];
    if (!virtq_has_avail(d, qi))
        return false;
    uint16_t head = rd16(d, q->avail + 4 + 2 * (uint64_t)(q->last_avail % q->num));
    q->last_avail++;
    ch->head = head;
    ch->nseg = 0;
    ch->read_len = ch->write_len = 0;
    uint16_t i = head;
    for (int n = 0; n < (int)q->num; n++) {
        if (i >= q->num)
            break;
        uint8_t *p = machine_gpa(d->m, q->desc + 16 * (uint64_t)i, 16);
        if (!p)
            break;
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
        memcpy(&addr, p, 8);
        memcpy(&len, p + 8, 4);
        memcpy(&flags, p + 12, 2);
        memcpy(&next, p + 14, 2);
        if (ch->nseg < VIRTQ_MAX_SEGS) {
            ch->seg[ch->nseg].addr = addr;
            ch->seg[ch->nseg].len = len;
            ch->seg[ch->nseg].write = flags & 2;
            ch->nseg++;
            if (flags & 2)
                ch->write_len += len;
            else
                ch->read_len += len;
        }
        if (!(flags & 1))
            break;
        i = next;
    }
    return true;
}

void virtq_push(VirtioDev *d, int qi, const VirtqChain *ch, uint32_t written)
{
    VirtQueue *q = &d->q[qi];
    uint16_t idx = rd16(d, q->used + 2);
    uint64_t e = q->used + 4 + 8 * (uint64_t)(idx % q->num);
    wr32(d, e, ch->head);
    wr32(d, e + 4, written);
    wr16(d, q->used + 2, (uint16_t)(idx + 1));
    if (!(rd16(d, q->avail) & 1)) { /* VIRTQ_AVAIL_F_NO_INTERRUPT */
        d->int_status |= 1;
        update_irq(d);
    }
}

static uint32_t chain_copy(VirtioDev *d, const VirtqChain *ch, bool write, uint32_t off, void *buf,
                           uint32_t len)
{
    uint32_t done = 0;
    uint8_t *b = buf;
    for (int i = 0; i < ch->nseg && done < len; i++) {
        if (ch->seg[i].write != write)
            continue;
        uint32_t sl = ch->seg[i].len;
        if (off >= sl) {
            off -= sl;
            continue;
        }
        uint32_t n = sl - off;
        if (n > len - done)
            n = len - done;
        uint8_t *p = write ? dev_write_ptr(d, ch->seg[i].addr + off, n)
                           : machine_gpa(d->m, ch->seg[i].addr + off, n);
        if (!p)
            break;
        if (write)
            memcpy(p, b + done, n);
        else
            memcpy(b + done, p, n);
        done += n;
        off = 0;
    }
    return done;
}

uint32_t virtq_read(VirtioDev *d, const VirtqChain *ch, uint32_t off, void *buf, uint32_t len)
{
    return chain_copy(d, ch, false, off, buf, len);
}

uint32_t virtq_write(VirtioDev *d, const VirtqChain *ch, uint32_t off, const void *buf, uint32_t len)
{
    return chain_copy(d, ch, true, off, (void *)buf, len);
}
