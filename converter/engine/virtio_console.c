/* virtio-console. Port 0 is the console: stdin -> guest, guest -> stdout.
 * Ports are kept in a table (queue pair per port) so that the multiport feature
 * (a port for stderr, a control port) can be switched on without a new structure. */
#include <stdlib.h>

#include "machine.h"

#define MAX_PORTS 1

typedef struct {
    int rxq, txq; /* queue indexes: guest receives on rxq, transmits on txq */
    int out_fd;   /* host fd for guest output */
} Port;

typedef struct {
    Port port[MAX_PORTS];
    int nports;
} Console;

static void port_output(Machine *m, Port *p, const uint8_t *buf, uint32_t len)
{
    if (p->out_fd == 1)
        console_out(m, buf, len);
    else {
        console_flush(m);
        host_write_all(p->out_fd, buf, len);
    }
}

/* Move console input into the guest's receive buffers of port 0. */
static void console_rx(VirtioDev *d)
{
    Console *con = d->priv;
    Machine *m = d->m;
    int q = con->port[0].rxq;
    while (console_in_avail(m) > 0 && virtq_has_avail(d, q)) {
        VirtqChain ch;
        if (!virtq_pop(d, q, &ch))
            break;
        uint8_t buf[512];
        uint32_t n = 0;
        while (n < sizeof buf && n < ch.write_len) {
            int c = console_getc(m);
            if (c < 0)
                break;
            buf[n++] = (uint8_t)c;
        }
        virtq_push(d, q, &ch, virtq_write(d, &ch, 0, buf, n));
    }
}

static void console_notify(VirtioDev *d, int qi)
{
    Console *con = d->priv;
    for (int i = 0; i < con->nports; i++) {
        Port *p = &con->port[i];
        if (qi == p->txq) {
            VirtqChain ch;
            while (virtq_pop(d, qi, &ch)) {
                uint8_t buf[1024];
                for (uint32_t off = 0; off < ch.read_len;) {
                    uint32_t n = virtq_read(d, &ch, off, buf, sizeof buf);
                    if (!n)
                        break;
                    port_output(d->m, p, buf, n);
                    off += n;
                }
                virtq_push(d, qi, &ch, 0);
            }
        } else if (qi == p->rxq && i == 0)
            console_rx(d);
    }
}

static void console_poll(VirtioDev *d)
{
    console_rx(d);
}

VirtioDev *virtio_console_new(Machine *m)
{
    VirtioDev *d = calloc(1, sizeof *d);
    Console *con = calloc(1, sizeof *con);
    if (!d || !con)
        return NULL;
    con->nports = 1;
    con->port[0] = (Port){.rxq = 0, .txq = 1, .out_fd = 1};
    d->m = m;
    d->device_id = 3;
    d->features = VIRTIO_F_VERSION_1;
    d->nqueues = 2;
    d->notify = console_notify;
    d->poll = console_poll;
    d->priv = con;
    d->config_size = 12; /* cols, rows, max_nr_ports, emerg_wr */
    uint32_t max_ports = MAX_PORTS;
    memcpy(d->config + 4, &max_ports, 4);
    return d;
}
