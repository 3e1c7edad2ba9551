/* virtio-console, always with VIRTIO_CONSOLE_F_MULTIPORT. Port 0 is the console (/dev/hvc0);
 * in container mode port 1 is a generic port named "c2w.ctl" (/dev/vport0p1) carrying the
 * control protocol (ctl.c). Ports are announced through the control queues (virtio 1.x,
 * 5.3.6.2). Multiport also tells us when the guest has connected a port (PORT_OPEN): Linux
 * posts a port's receive buffers before it connects it and discards what arrives in between,
 * so host input waits for that (stdin typed or piped before the console was up is kept).
 *
 * Queues: 0/1 = port 0 receive/transmit, 2/3 = control receive/transmit, 4/5 = port 1. */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "hostio.h"

#define VIRTIO_CONSOLE_F_MULTIPORT (1ULL << 1)
#define MAX_PORTS 2
#define CTRL_RXQ 2
#define CTRL_TXQ 3

enum {
    DEVICE_READY = 0, DEVICE_ADD = 1, DEVICE_REMOVE = 2, PORT_READY = 3, CONSOLE_PORT = 4,
    RESIZE = 5, PORT_OPEN = 6, PORT_NAME = 7,
};

#define CTRL_QUEUE 16

typedef struct {
    uint8_t msg[8 + 16]; /* id, event, value (+ name) */
    uint32_t len;
} CtrlMsg;

typedef struct {
    int nports;
    bool guest_open[MAX_PORTS];
    CtrlMsg ctrl[CTRL_QUEUE]; /* control messages waiting for guest buffers */
    int nctrl;
} Console;

static int port_rxq(int port) { return port == 0 ? 0 : 2 + 2 * port; }
static int port_txq(int port) { return port == 0 ? 1 : 3 + 2 * port; }

static void ctrl_queue(VirtioDev *d, uint32_t id, uint16_t event, uint16_t value, const char *name)
{
    Console *con = d->priv;
    if (con->nctrl == CTRL_QUEUE)
        return;
    CtrlMsg *c = &con->ctrl[con->nctrl++];
    uint8_t *p = c->msg;
    memcpy(p, &id, 4);
    memcpy(p + 4, &event, 2);
    memcpy(p + 6, &value, 2);
    c->len = 8;
    if (name) {
        size_t n = strlen(name);
        memcpy(p + 8, name, n);
        c->len += (uint32_t)n;
    }
}

static void ctrl_deliver(VirtioDev *d)
{
    Console *con = d->priv;
    int sent = 0;
    while (sent < con->nctrl && virtq_has_avail(d, CTRL_RXQ)) {
        VirtqChain ch;
        if (!virtq_pop(d, CTRL_RXQ, &ch))
            break;
        CtrlMsg *c = &con->ctrl[sent++];
        virtq_push(d, CTRL_RXQ, &ch, virtq_write(d, &ch, 0, c->msg, c->len));
    }
    if (sent) {
        memmove(con->ctrl, con->ctrl + sent, (size_t)(con->nctrl - sent) * sizeof(CtrlMsg));
        con->nctrl -= sent;
    }
}

static void ctrl_from_guest(VirtioDev *d)
{
    Console *con = d->priv;
    VirtqChain ch;
    while (virtq_pop(d, CTRL_TXQ, &ch)) {
        uint8_t msg[8];
        if (virtq_read(d, &ch, 0, msg, 8) == 8) {
            uint32_t id;
            uint16_t event, value;
            memcpy(&id, msg, 4);
            memcpy(&event, msg + 4, 2);
            memcpy(&value, msg + 6, 2);
            if (event == DEVICE_READY && value == 1) {
                for (int i = 0; i < con->nports; i++)
                    ctrl_queue(d, (uint32_t)i, DEVICE_ADD, 0, NULL);
            } else if (event == PORT_READY && value == 1 && id < (uint32_t)con->nports) {
                if (id == 0) {
                    ctrl_queue(d, 0, CONSOLE_PORT, 1, NULL);
                } else {
                    ctrl_queue(d, id, PORT_NAME, 1, "c2w.ctl");
                }
                ctrl_queue(d, id, PORT_OPEN, 1, NULL);
            } else if (event == PORT_OPEN && id < (uint32_t)con->nports) {
                con->guest_open[id] = value != 0;
            }
        }
        virtq_push(d, CTRL_TXQ, &ch, 0);
    }
    ctrl_deliver(d);
}

/* Guest output on port i. */
static void port_tx(VirtioDev *d, int port)
{
    Machine *m = d->m;
    int q = port_txq(port);
    VirtqChain ch;
    while (virtq_pop(d, q, &ch)) {
        uint8_t buf[4096];
        for (uint32_t off = 0; off < ch.read_len;) {
            uint32_t n = virtq_read(d, &ch, off, buf, sizeof buf);
            if (!n)
                break;
            if (port == 0)
                console_out(m, buf, n);
            else if (m->ctl)
                ctl_from_guest(m, buf, n);
            off += n;
        }
        virtq_push(d, q, &ch, 0);
    }
}

/* Host input into the guest's receive buffers: port 0 gets stdin (console mode only),
 * port 1 gets the control records. */
static void port_rx(VirtioDev *d, int port)
{
    Machine *m = d->m;
    int q = port_rxq(port);
    Console *con = d->priv;
    if (!con->guest_open[port])
        return; /* not connected yet: Linux would discard the data */
    if (port == 0) {
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
        return;
    }
    if (!m->ctl)
        return;
    for (;;) {
        ctl_pump(m);
        const uint8_t *p;
        size_t n = ctl_pending(m, &p);
        if (!n || !virtq_has_avail(d, q))
            break;
        VirtqChain ch;
        if (!virtq_pop(d, q, &ch))
            break;
        uint32_t k = virtq_write(d, &ch, 0, p, n > ch.write_len ? ch.write_len : (uint32_t)n);
        virtq_push(d, q, &ch, k);
        ctl_consumed(m, k);
        if (!k)
            break;
    }
}

static void console_notify(VirtioDev *d, int qi)
{
    Console *con = d->priv;
    if (qi == CTRL_TXQ) {
        ctrl_from_guest(d);
        virtio_console_kick(d); /* a port may have just been connected */
        return;
    }
    if (qi == CTRL_RXQ) {
        ctrl_deliver(d);
        return;
    }
    for (int i = 0; i < con->nports; i++) {
        if (qi == port_txq(i))
            port_tx(d, i);
        else if (qi == port_rxq(i))
            port_rx(d, i);
    }
}

void virtio_console_kick(VirtioDev *d)
{
    Console *con = d->priv;
    for (int i = 0; i < con->nports; i++)
        port_rx(d, i);
}

static void console_reset(VirtioDev *d)
{
    Console *con = d->priv;
    memset(con->guest_open, 0, sizeof con->guest_open);
    con->nctrl = 0;
}

VirtioDev *virtio_console_new(Machine *m, bool ctl_port)
{
    VirtioDev *d = calloc(1, sizeof *d);
    Console *con = calloc(1, sizeof *con);
    if (!d || !con)
        return NULL;
    con->nports = ctl_port ? 2 : 1;
    d->m = m;
    d->device_id = 3;
    d->features = VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_MULTIPORT;
    d->nqueues = 2 + 2 * (uint32_t)con->nports; /* port 0, control, port 1.. */
    d->notify = console_notify;
    d->poll = virtio_console_kick;
    d->reset = console_reset;
    d->priv = con;
    d->config_size = 12; /* cols, rows, max_nr_ports, emerg_wr */
    uint32_t max_ports = (uint32_t)con->nports;
    memcpy(d->config + 4, &max_ports, 4);
    return d;
}
