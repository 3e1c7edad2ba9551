/* The host interface: what the shared parts of the engine need from a machine. Shared are the
 * virtio devices (virtio*.c, p9/), the control protocol (ctl.c) and the host I/O (host.c,
 * net.c); both engines implement this interface: the riscv64 board (machine.h, machine.c) and
 * the x86_64 engine (Bochs: converter/patches/bochs, c2w_virtio.cc).
 *
 * An engine defines `struct Machine` with HOSTIO_FIELDS among its members and the machine_*
 * functions below; host.c provides the console queues and the exit request on those fields. */
#ifndef C2W_HOSTIO_H
#define C2W_HOSTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio.h"

/* ---- input byte queue shared by the consoles ---- */
#define INBUF_SIZE 4096
#define OUTBUF_SIZE 8192
#define LOG_SIZE 16384 /* container mode: the last console output, for --debug and errors */

struct Ctl;
typedef struct Machine Machine;

/* poll: poll_oneoff with the timer deadline (and a zero-timeout poll while busy); nonblock:
 * O_NONBLOCK reads; idle: poll only while the guest idles (for runtimes whose poll_oneoff
 * always reports stdin ready, e.g. wasmer 7: the read then blocks, but only an idle guest);
 * none: never read. */
enum StdinMode { STDIN_POLL, STDIN_NONBLOCK, STDIN_NONE, STDIN_IDLE };

/* The host state every engine's struct Machine holds (shared code uses these names). */
#define HOSTIO_FIELDS                                                                           \
    VirtioDev *console;    /* virtio console, if any */                                         \
    struct Ctl *ctl;       /* container mode: the control protocol on console port 1 */         \
    bool debug;            /* container mode: console output also on stderr */                  \
                                                                                                \
    /* console I/O */                                                                           \
    uint8_t inbuf[INBUF_SIZE];                                                                  \
    uint32_t in_head, in_tail; /* head = next to read */                                        \
    bool stdin_eof;                                                                             \
    enum StdinMode stdin_mode;                                                                  \
    bool stdin_on;         /* host stdin is read (raw mode: always; container mode: after RUN) */ \
    uint8_t outbuf[OUTBUF_SIZE];                                                                \
    uint32_t out_len;                                                                           \
    uint8_t log[LOG_SIZE]; /* container mode: ring of console output */                         \
    uint64_t log_total;                                                                         \
                                                                                                \
    /* exit request */                                                                          \
    bool exit_req;                                                                              \
    int exit_code;

/* ---- implemented by each engine ---- */
uint8_t *machine_gpa(Machine *m, uint64_t addr, uint64_t len); /* NULL if outside RAM */
/* The same for a device about to write there (DMA): drops decoded code of those pages. */
uint8_t *machine_gpa_write(Machine *m, uint64_t addr, uint64_t len);
void machine_set_irq(Machine *m, int irq, int level);
/* Entropy for the guest: host randomness, or the fixed stream of a deterministic boot. */
void machine_entropy(Machine *m, uint8_t *buf, size_t n);
/* Leave the CPU loop soon: the host loop then looks at the state (exit, READY, interrupts). */
void machine_stop_cpu(Machine *m);

/* ---- host.c, on HOSTIO_FIELDS ---- */
void machine_request_exit(Machine *m, int code);
/* Print the end of the console log on stderr (container mode, after a failure). */
void machine_dump_log(Machine *m, size_t max);
void console_out(Machine *m, const void *buf, size_t len);
void console_flush(Machine *m);
int console_in_avail(Machine *m);
int console_getc(Machine *m); /* -1 if nothing */
int64_t host_now_ns(void);
bool host_stdin_wanted(Machine *m);
void host_stdin_setup(Machine *m);
void host_poll_stdin(Machine *m);
void host_wait(Machine *m, int64_t timeout_ns);
void host_write_all(int fd, const void *buf, size_t len);

#endif

/* The engine's struct Machine: the riscv64 board unless the build names another header
 * (the x86_64 engine: -DC2W_ENGINE_MACHINE='"c2w_machine.h"'). */
#ifdef C2W_ENGINE_MACHINE
#include C2W_ENGINE_MACHINE
#else
#include "machine.h"
#endif
