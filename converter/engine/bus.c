/* Device ranges of the physical address bus (see bus.h). */
#include "bus.h"

#include <stddef.h>

int bus_register(Bus *b, uint64_t base, uint64_t size, void *opaque, BusReadFn *rd, BusWriteFn *wr)
{
    if (b->n >= BUS_MAX_RANGES || size == 0)
        return -1;
    b->r[b->n++] = (BusRange){base, size, opaque, rd, wr};
    return 0;
}

/* The range answering pa: the latest registered one containing it. */
static const BusRange *find(const Bus *b, uint64_t pa)
{
    for (int i = b->n - 1; i >= 0; i--) {
        const BusRange *r = &b->r[i];
        if (pa - r->base < r->size)
            return r;
    }
    return NULL;
}

bool bus_read(const Bus *b, uint64_t pa, int size, uint64_t *val)
{
    const BusRange *r = find(b, pa);
    if (!r || !r->read)
        return false;
    return r->read(r->opaque, pa - r->base, size, val);
}

bool bus_write(const Bus *b, uint64_t pa, int size, uint64_t val)
{
    const BusRange *r = find(b, pa);
    if (!r || !r->write)
        return false;
    return r->write(r->opaque, pa - r->base, size, val);
}
