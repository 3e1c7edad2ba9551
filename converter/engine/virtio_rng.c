/* virtio-rng: entropy from the host (getentropy: getrandom natively, random_get on WASI), or
 * the fixed stream of a deterministic boot (machine_entropy). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostio.h"

static void rng_notify(VirtioDev *d, int qi)
{
    VirtqChain ch;
    while (virtq_pop(d, qi, &ch)) {
        uint8_t buf[256];
        uint32_t n = ch.write_len < sizeof buf ? ch.write_len : (uint32_t)sizeof buf;
        machine_entropy(d->m, buf, n);
        virtq_push(d, qi, &ch, virtq_write(d, &ch, 0, buf, n));
    }
}

VirtioDev *virtio_rng_new(Machine *m)
{
    VirtioDev *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    d->device_id = 4;
    d->features = VIRTIO_F_VERSION_1;
    d->nqueues = 1;
    d->notify = rng_notify;
    return d;
}
