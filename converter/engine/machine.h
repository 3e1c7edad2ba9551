/* The board: QEMU "virt"-compatible memory map, devices and host interface. */
#ifndef C2W_MACHINE_H
#define C2W_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "cpu.h"
#include "hostio.h"
#include "virtio.h"

#define RAM_BASE 0x80000000ULL
#define KERNEL_BASE 0x80200000ULL
#define TEST_BASE 0x100000ULL
#define CLINT_BASE 0x2000000ULL
#define CLINT_SIZE 0x10000ULL
#define PLIC_BASE 0xc000000ULL
#define PLIC_SIZE 0x600000ULL
#define UART_BASE 0x10000000ULL
#define UART_SIZE 0x100ULL
#define UART_IRQ 10
#define VIRTIO_BASE 0x10001000ULL
#define VIRTIO_STRIDE 0x1000ULL
#define VIRTIO_MAX 16
#define TIMEBASE_HZ 10000000ULL

/* ---- PLIC (plic.c): 32 sources, contexts 0 = hart 0 M-mode, 1 = hart 0 S-mode ---- */
#define PLIC_NSRC 32
typedef struct {
    uint32_t priority[PLIC_NSRC];
    uint32_t level;      /* bit per source: line asserted by the device */
    uint32_t pending;    /* bit per source */
    uint32_t claimed;    /* bit per source: claimed, not completed */
    uint32_t enable[2];
    uint32_t threshold[2];
} PLIC;

/* ---- NS16550A UART (uart.c) ---- */
typedef struct {
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    bool thre_ip; /* transmitter-empty interrupt pending */
} UART;

struct Machine {
    CPU cpu;
    Bus bus;               /* CLINT, PLIC, UART, test finisher, virtio-mmio slots */
    uint8_t *ram;
    uint64_t ram_size;
    bool sbi;              /* the engine is M-mode: SBI calls handled in sbi.c */
    uint64_t mtimecmp;     /* CLINT */
    uint64_t stimecmp;     /* SBI set_timer deadline (sbi mode) */
    int64_t time_base_ns;  /* host clock value at mtime = time_offset */
    uint64_t time_offset;
    /* Deterministic boot (container mode until READY): mtime follows the instruction count and
     * jumps over idle time, virtio-rng gives a fixed pseudo-random stream, devices are polled
     * only when the guest idles. The same payloads then give the same snapshot, bit for bit. */
    bool deterministic;
    uint64_t rng_state;
    PLIC plic;
    UART uart;
    VirtioDev *virtio[VIRTIO_MAX];
    int n_virtio;
    HOSTIO_FIELDS /* hostio.h: console, ctl, debug, stdin queue, console output, exit request */
    int srst_type;         /* -1, or the SBI SRST reset type the guest asked for */

    /* boot payloads */
    uint64_t dtb_addr;
};

/* machine.c */
Machine *machine_new(uint64_t ram_size, uint8_t *ram);
void machine_update_timer(Machine *m);
uint64_t machine_mtime(Machine *m);
uint64_t machine_next_deadline(Machine *m); /* mtime of the next timer event, ~0 if none */
/* SBI SRST / legacy shutdown from the guest: type 0 shutdown, 1/2 reboot; reason 1 failure. */
void machine_guest_reset(Machine *m, uint32_t type, uint32_t reason);
/* Clock across a snapshot: freeze keeps mtime (and ends the deterministic boot), thaw continues
 * from it at the host's now. Between the two, mtime must not be read. */
void machine_clock_freeze(Machine *m);
void machine_clock_thaw(Machine *m);
/* Deterministic boot: start it, or let idle time pass up to mtime `deadline`. */
void machine_deterministic_boot(Machine *m);
void machine_skip_to(Machine *m, uint64_t deadline);
int machine_add_virtio(Machine *m, VirtioDev *d);

/* plic.c */
void plic_reset(PLIC *p);
void plic_set_level(Machine *m, int irq, int level);
bool plic_read(Machine *m, uint64_t off, uint32_t *val);
bool plic_write(Machine *m, uint64_t off, uint32_t val);

/* uart.c */
void uart_reset(UART *u);
uint8_t uart_read(Machine *m, uint64_t off);
void uart_write(Machine *m, uint64_t off, uint8_t val);
void uart_update_irq(Machine *m);

/* sbi.c */
bool sbi_call(Machine *m);

/* fdt.c */
typedef struct {
    const char *bootargs;
    uint64_t initrd_start, initrd_end; /* 0 when none */
} FdtOptions;
/* Writes the DTB into buf; returns its size, or 0 if it does not fit. */
size_t fdt_build(Machine *m, const FdtOptions *o, uint8_t *buf, size_t cap);

#endif
