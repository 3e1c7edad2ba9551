/* Board wiring: bus dispatch, CLINT, SiFive test finisher, timer and interrupt lines
 * (the console byte queues and the exit request are in host.c). */
#include "machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

static void machine_bus_init(Machine *m);
static uint64_t hook_mtime(void *opaque);
static bool hook_ecall(void *opaque);
static void hook_m_trap(void *opaque, uint64_t cause, uint64_t tval);

Machine *machine_new(uint64_t ram_size, uint8_t *ram)
{
    Machine *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->ram = ram;
    m->ram_size = ram_size;
    m->mtimecmp = ~0ULL;
    m->stimecmp = ~0ULL;
    m->srst_type = -1;
    m->time_base_ns = host_now_ns();
    machine_bus_init(m);
    static const CPUHooks hooks = {NULL, hook_mtime, hook_ecall, hook_m_trap};
    CPUHooks h = hooks;
    h.opaque = m;
    cpu_init(&m->cpu, &m->bus, &h, ram, RAM_BASE, ram_size);
    plic_reset(&m->plic);
    uart_reset(&m->uart);
    return m;
}

uint8_t *machine_gpa(Machine *m, uint64_t addr, uint64_t len)
{
    uint64_t off = addr - RAM_BASE;
    if (addr < RAM_BASE || off > m->ram_size || m->ram_size - off < len)
        return NULL;
    return m->ram + off;
}

uint8_t *machine_gpa_write(Machine *m, uint64_t addr, uint64_t len)
{
    uint8_t *p = machine_gpa(m, addr, len);
    if (p)
        cpu_ram_written(&m->cpu, addr, len); /* decoded code there is stale */
    return p;
}

static bool virtio_bus_read(void *d, uint64_t off, int size, uint64_t *val)
{
    return virtio_mmio_read(d, off, size, val);
}

static bool virtio_bus_write(void *d, uint64_t off, int size, uint64_t val)
{
    return virtio_mmio_write(d, off, size, val);
}

int machine_add_virtio(Machine *m, VirtioDev *d)
{
    if (m->n_virtio >= VIRTIO_MAX)
        return -1;
    d->irq = 1 + m->n_virtio;
    if (d->irq >= UART_IRQ)
        d->irq++; /* the UART has its own line */
    uint64_t base = VIRTIO_BASE + (uint64_t)m->n_virtio * VIRTIO_STRIDE;
    if (bus_register(&m->bus, base, VIRTIO_STRIDE, d, virtio_bus_read, virtio_bus_write))
        return -1;
    m->virtio[m->n_virtio++] = d;
    return 0;
}

void machine_stop_cpu(Machine *m)
{
    cpu_stop(&m->cpu);
}

static void hook_m_trap(void *opaque, uint64_t cause, uint64_t tval)
{
    Machine *m = opaque;
    console_flush(m);
    fprintf(stderr, "c2w-engine: unexpected trap to M-mode: cause=0x%llx pc=0x%llx tval=0x%llx\n",
            (unsigned long long)cause, (unsigned long long)m->cpu.pc, (unsigned long long)tval);
    machine_request_exit(m, m->ctl ? 125 : 1);
}

void machine_guest_reset(Machine *m, uint32_t type, uint32_t reason)
{
    console_flush(m);
    if (m->srst_type < 0)
        m->srst_type = (int)type;
    if (!m->ctl) {
        /* raw kernel mode: 0 only for a clean shutdown (type 0, reason 0); a reboot (e.g. after
         * a panic with panic=-1) or a failure is 1 */
        machine_request_exit(m, type == 0 && reason == 0 ? 0 : 1);
        return;
    }
    if (m->ctl->exited) {
        machine_request_exit(m, m->ctl->status);
        return;
    }
    /* container mode without an EXIT record: the init or the kernel failed */
    if (!m->debug)
        machine_dump_log(m, 4096);
    fprintf(stderr, "c2w: the guest %s without reporting an exit status\n",
            type == 0 ? "powered off" : "rebooted (kernel panic?)");
    machine_request_exit(m, 125);
}

/* ---------------------------------------------------------------- time */

#define BOOT_INSNS_PER_TICK 10 /* deterministic boot: 100 MIPS of virtual time */

uint64_t machine_mtime(Machine *m)
{
    if (m->deterministic)
        return m->time_offset + cpu_instret(&m->cpu) / BOOT_INSNS_PER_TICK;
    int64_t ns = host_now_ns() - m->time_base_ns;
    return m->time_offset + (uint64_t)ns / (1000000000ULL / TIMEBASE_HZ);
}

static void set_mip(Machine *m, uint32_t bit, bool on)
{
    CPU *c = &m->cpu;
    if (on) {
        if (!(c->mip & bit)) {
            c->mip |= bit;
            if (c->mie & bit)
                cpu_stop(c); /* let the host loop deliver it */
        }
    } else
        c->mip &= ~(uint64_t)bit;
}

void machine_update_timer(Machine *m)
{
    uint64_t now = machine_mtime(m);
    set_mip(m, MIP_MTIP, now >= m->mtimecmp);
    if (m->sbi)
        set_mip(m, MIP_STIP, now >= m->stimecmp);
}

void machine_clock_freeze(Machine *m)
{
    m->time_offset = machine_mtime(m);
    m->deterministic = false;
    m->time_base_ns = 0; /* no host value in the snapshot */
}

void machine_deterministic_boot(Machine *m)
{
    /* mtime 0 at instruction 0: nothing of the host's clock */
    m->deterministic = true;
    m->time_offset = 0 - cpu_instret(&m->cpu) / BOOT_INSNS_PER_TICK;
    m->time_base_ns = 0;
    m->rng_state = 0x9e3779b97f4a7c15ULL;
}

void machine_skip_to(Machine *m, uint64_t deadline)
{
    uint64_t now = machine_mtime(m);
    if (m->deterministic && deadline > now)
        m->time_offset += deadline - now;
}

void machine_entropy(Machine *m, uint8_t *buf, size_t n)
{
    if (!m->deterministic && getentropy(buf, n) == 0)
        return;
    for (size_t i = 0; i < n; i += 8) { /* splitmix64: a fixed stream (RUN's r field reseeds) */
        uint64_t z = (m->rng_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        memcpy(buf + i, &z, n - i < 8 ? n - i : 8);
    }
}

void machine_clock_thaw(Machine *m)
{
    m->time_base_ns = host_now_ns();
}

uint64_t machine_next_deadline(Machine *m)
{
    uint64_t d = ~0ULL;
    if (m->cpu.mie & MIP_MTIP)
        d = m->mtimecmp;
    if (m->sbi && (m->cpu.mie & MIP_STIP) && m->stimecmp < d)
        d = m->stimecmp;
    return d;
}

/* ---------------------------------------------------------------- interrupts */

void machine_set_irq(Machine *m, int irq, int level)
{
    plic_set_level(m, irq, level);
}

/* Called by the PLIC when its outputs may have changed. */
void machine_plic_output(Machine *m, bool meip, bool seip)
{
    set_mip(m, MIP_MEIP, meip);
    set_mip(m, MIP_SEIP, seip);
}

/* ---------------------------------------------------------------- bus */

static bool clint_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
    Machine *m = opaque;
    uint64_t v;
    if (off < 4) {
        v = (m->cpu.mip & MIP_MSIP) ? 1 : 0;
        *val = v;
        return true;
    }
    if (off >= 0x4000 && off < 0x4008)
        v = m->mtimecmp >> (8 * (off - 0x4000));
    else if (off >= 0xbff8 && off < 0xc000)
        v = machine_mtime(m) >> (8 * (off - 0xbff8));
    else {
        *val = 0;
        return true;
    }
    *val = size == 8 ? v : (uint32_t)v;
    return true;
}

static void write_part(uint64_t *reg, uint64_t off, int size, uint64_t val)
{
    if (size == 8) {
        *reg = val;
        return;
    }
    int shift = 8 * (int)(off & 7);
    uint64_t mask = (size == 4 ? 0xffffffffULL : size == 2 ? 0xffffULL : 0xffULL) << shift;
    *reg = (*reg & ~mask) | ((val << shift) & mask);
}

static bool clint_write(void *opaque, uint64_t off, int size, uint64_t val)
{
    Machine *m = opaque;
    if (off < 4) {
        set_mip(m, MIP_MSIP, val & 1);
    } else if (off >= 0x4000 && off < 0x4008) {
        write_part(&m->mtimecmp, off - 0x4000, size, val);
        machine_update_timer(m);
    } else if (off >= 0xbff8 && off < 0xc000) {
        uint64_t now = machine_mtime(m);
        write_part(&now, off - 0xbff8, size, val);
        if (m->deterministic) {
            m->time_offset = now - cpu_instret(&m->cpu) / BOOT_INSNS_PER_TICK;
        } else {
            m->time_offset = now;
            m->time_base_ns = host_now_ns();
        }
        machine_update_timer(m);
    }
    return true;
}

static bool empty_read(void *opaque, uint64_t off, int size, uint64_t *val)
{
    (void)opaque, (void)off, (void)size;
    *val = 0;
    return true;
}

static bool ignore_write(void *opaque, uint64_t off, int size, uint64_t val)
{
    (void)opaque, (void)off, (void)size, (void)val;
    return true;
}

static bool uart_bus_read(void *m, uint64_t off, int size, uint64_t *val)
{
    (void)size;
    *val = uart_read(m, off);
    return true;
}

static bool uart_bus_write(void *m, uint64_t off, int size, uint64_t val)
{
    (void)size;
    uart_write(m, off, (uint8_t)val);
    return true;
}

static bool plic_bus_read(void *m, uint64_t off, int size, uint64_t *val)
{
    (void)size;
    uint32_t v = 0;
    bool ok = plic_read(m, off & ~3ULL, &v);
    *val = v;
    return ok;
}

static bool plic_bus_write(void *m, uint64_t off, int size, uint64_t val)
{
    (void)size;
    return plic_write(m, off & ~3ULL, (uint32_t)val);
}

/* SiFive test finisher: 0x5555 pass, (code << 16) | 0x3333 fail, 0x7777 reset */
static bool test_write(void *m, uint64_t off, int size, uint64_t val)
{
    (void)size;
    if (off == 0) {
        uint32_t v = (uint32_t)val;
        if ((v & 0xffff) == 0x5555)
            machine_request_exit(m, 0);
        else if ((v & 0xffff) == 0x3333)
            machine_request_exit(m, (int)(v >> 16));
        else if ((v & 0xffff) == 0x7777)
            machine_request_exit(m, 0); /* reset: treated as exit */
    }
    return true;
}

/* The board's memory map (RAM is the CPU's own fast path). An empty virtio slot reads as zero
 * (no magic); machine_add_virtio puts a device over its slot. */
static void machine_bus_init(Machine *m)
{
    Bus *b = &m->bus;
    bus_register(b, TEST_BASE, 0x1000, m, empty_read, test_write);
    bus_register(b, CLINT_BASE, CLINT_SIZE, m, clint_read, clint_write);
    bus_register(b, PLIC_BASE, PLIC_SIZE, m, plic_bus_read, plic_bus_write);
    bus_register(b, UART_BASE, UART_SIZE, m, uart_bus_read, uart_bus_write);
    bus_register(b, VIRTIO_BASE, VIRTIO_MAX * VIRTIO_STRIDE, m, empty_read, ignore_write);
}

static uint64_t hook_mtime(void *opaque)
{
    return machine_mtime(opaque);
}

static bool hook_ecall(void *opaque)
{
    Machine *m = opaque;
    if (!m->sbi)
        return false;
    return sbi_call(m);
}
