/* libFuzzer harness: guest-controlled split virtqueues (virtio.c) driven over a small fake guest
 * RAM, through the real devices behind them: virtio-blk (an in-memory image), virtio-rng,
 * virtio-console (with the control port, whose records from the guest go to ctl.c as in
 * container mode) and virtio-9p (a read-only temp share).
 *
 * Input: a program of ops, each one opcode byte then its operands (little endian):
 *   0 RAM  off:u16 n:u8 bytes[n]        write bytes into guest RAM (clamped to RAM)
 *   1 MMIO dev:u8 off:u16 val:u32       a 32-bit register write (off & 0x1ff)
 *   2 READ dev:u8 off:u16               a register read (config space included)
 *   3 QUEUE dev:u8 q:u8 num:u16 desc:u32 avail:u32 used:u32
 *                                        set the queue up and the device DRIVER_OK; an address
 *                                        with bit 31 set is taken raw << 12 (outside RAM, huge),
 *                                        else RAM_BASE + (a & 0xffff)
 *   4 DESC dev:u8 q:u8 i:u8 addr:u32 len:u32 flags:u8 next:u16
 *                                        write descriptor i of that queue (addr as in QUEUE)
 *   5 AVAIL dev:u8 q:u8 head:u16        append head to the available ring
 *   6 KICK dev:u8 q:u8                  QueueNotify
 *   7 POLL                               the host loop's poll of every device
 * Every device is reset (status 0) and the RAM zeroed before each input. Oracle: no crash, no
 * sanitizer report, no write outside the RAM buffer (ASan), the canary beside the 9p share
 * untouched, no fd leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../ctl.h"
#include "../machine.h"
#include "../virtio_9p.h"
#include "share_fixture.h"

#define RAM_SIZE (64 * 1024)
#define NDEV 4

static Machine *m;
static uint8_t *ram, *image;
static VirtioDev *dev[NDEV];

typedef struct {
    const uint8_t *p;
    size_t n, pos;
} In;

static uint64_t take(In *in, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)(in->pos < in->n ? in->p[in->pos++] : 0) << (8 * i);
    return v;
}

static uint64_t gaddr(uint32_t a)
{
    return (a & 0x80000000u) ? (uint64_t)a << 12 : RAM_BASE + (a & 0xffff);
}

static void mmio(VirtioDev *d, uint64_t off, uint32_t v)
{
    virtio_mmio_write(d, off, 4, v);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fx_init();
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1); /* the console's output */
    close(null);
    ram = malloc(RAM_SIZE);
    image = malloc(8192);
    for (int i = 0; i < 8192; i++)
        image[i] = (uint8_t)i;
    m = machine_new(RAM_SIZE, ram);
    m->ctl = ctl_new();
    dev[0] = virtio_blk_new(m, image, 8192);
    dev[1] = virtio_rng_new(m);
    dev[2] = virtio_console_new(m, true);
    dev[3] = virtio_9p_new_fd(m, fx_reset_share(), "fuzz", true);
    for (int i = 0; i < NDEV; i++)
        if (!dev[i] || machine_add_virtio(m, dev[i]))
            fx_die("cannot create the devices");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int base_fds = fx_open_fds();
    memset(ram, 0, RAM_SIZE);
    buf_free(&m->ctl->in); /* a fresh control channel: nothing received, nothing queued */
    buf_free(&m->ctl->out);
    memset(m->ctl, 0, sizeof *m->ctl);
    m->exit_req = false;
    In in = {data, size, 0};
    int ops = 0;
    while (in.pos < in.n && ops++ < 64) {
        uint8_t op = (uint8_t)take(&in, 1) % 8;
        VirtioDev *d = op == 0 || op == 7 ? NULL : dev[take(&in, 1) % NDEV];
        switch (op) {
        case 0: {
            uint32_t off = (uint32_t)take(&in, 2), n = (uint32_t)take(&in, 1);
            for (uint32_t i = 0; i < n && in.pos < in.n; i++)
                ram[(off + i) % RAM_SIZE] = (uint8_t)take(&in, 1);
            break;
        }
        case 1: {
            uint64_t off = take(&in, 2) & 0x1ff;
            mmio(d, off, (uint32_t)take(&in, 4));
            break;
        }
        case 2: {
            uint64_t v;
            virtio_mmio_read(d, take(&in, 2) & 0x1ff, 4, &v);
            break;
        }
        case 3: {
            uint32_t q = (uint32_t)take(&in, 1) % VIRTIO_MAX_QUEUES, num = (uint32_t)take(&in, 2);
            uint64_t desc = gaddr((uint32_t)take(&in, 4)), avail = gaddr((uint32_t)take(&in, 4)),
                     used = gaddr((uint32_t)take(&in, 4));
            mmio(d, 0x070, 1 | 2 | 8);
            mmio(d, 0x030, q);
            mmio(d, 0x038, num);
            mmio(d, 0x080, (uint32_t)desc);
            mmio(d, 0x084, (uint32_t)(desc >> 32));
            mmio(d, 0x090, (uint32_t)avail);
            mmio(d, 0x094, (uint32_t)(avail >> 32));
            mmio(d, 0x0a0, (uint32_t)used);
            mmio(d, 0x0a4, (uint32_t)(used >> 32));
            mmio(d, 0x044, 1);
            mmio(d, 0x070, 1 | 2 | 4 | 8);
            break;
        }
        case 4: {
            uint32_t q = (uint32_t)take(&in, 1) % VIRTIO_MAX_QUEUES, i = (uint32_t)take(&in, 1);
            uint64_t addr = gaddr((uint32_t)take(&in, 4));
            uint32_t len = (uint32_t)take(&in, 4);
            uint16_t flags = (uint16_t)take(&in, 1), next = (uint16_t)take(&in, 2);
            uint8_t *p = machine_gpa(m, d->q[q].desc + 16 * (uint64_t)i, 16);
            if (p) {
                memcpy(p, &addr, 8);
                memcpy(p + 8, &len, 4);
                memcpy(p + 12, &flags, 2);
                memcpy(p + 14, &next, 2);
            }
            break;
        }
        case 5: {
            uint32_t q = (uint32_t)take(&in, 1) % VIRTIO_MAX_QUEUES;
            uint16_t head = (uint16_t)take(&in, 2);
            VirtQueue *vq = &d->q[q];
            uint8_t *idx = machine_gpa(m, vq->avail + 2, 2);
            if (idx && vq->num) {
                uint16_t i;
                memcpy(&i, idx, 2);
                uint8_t *e = machine_gpa(m, vq->avail + 4 + 2 * (uint64_t)(i % vq->num), 2);
                if (e)
                    memcpy(e, &head, 2);
                i++;
                memcpy(idx, &i, 2);
            }
            break;
        }
        case 6:
            mmio(d, 0x050, (uint32_t)take(&in, 1) % VIRTIO_MAX_QUEUES);
            break;
        case 7:
            for (int i = 0; i < NDEV; i++)
                if (dev[i]->poll)
                    dev[i]->poll(dev[i]);
            break;
        }
    }
    console_flush(m);
    for (int i = 0; i < NDEV; i++) /* a reset drops the 9p fids: their fds must all close */
        mmio(dev[i], 0x070, 0);
    /* per input: libFuzzer's symbolizer may open pipes between inputs */
    if (fx_open_fds() != base_fds)
        fx_die_fds();
    fx_check_outside();
    return 0;
}
