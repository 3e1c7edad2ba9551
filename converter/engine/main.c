/* c2w-engine: command line, image mode (payloads), pre-boot snapshot and the host loop.
 *
 * Two ways to start:
 *  - image mode (wasm build with payloads, see PAYLOAD.md): kernel, initrd, disk, config and
 *    command line come from the payloads; argv is the image's run-time interface (runtime.c).
 *    `wizer.initialize` boots until the guest init reports READY and returns (the snapshot
 *    point); `_start` then resumes, or cold-boots when the module was not snapshotted.
 *  - development mode: --kernel/--initrd/--drive/... files, console on stdio; with --run the
 *    rest of argv is the run-time interface and the engine speaks the control protocol. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#ifndef __wasm__
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#endif

#include "aot.h"
#include "ctl.h"
#include "machine.h"
#include "net.h"
#include "payload.h"
#include "runtime.h"
#include "virtio_net.h"
#include "virtio_9p.h"

#ifndef C2W_RAM_MAX_MB
#define C2W_RAM_MAX_MB 2048
#endif
#define BATCH 100000
#define DEFAULT_RAM_MB 128
#define DEFAULT_CMDLINE "console=hvc0 quiet panic=-1"
#define NINEP_SLOTS 8 /* virtio-9p devices prepared at boot for run-time directories */

#ifdef __wasm__
/* Guest RAM is part of the initial linear memory: no memory.grow for it. */
static uint8_t ram_static[(size_t)C2W_RAM_MAX_MB << 20] __attribute__((aligned(4096)));
#endif

static const char *prog = "c2w-engine";

/* State that survives the pre-boot snapshot (it lives in linear memory). */
static Machine *M;
static bool snapshotted;   /* wizer.initialize returned at READY */
static const uint8_t *config_p;
static size_t config_len;
static NinepSlot slots[NINEP_SLOTS];
static int nslots;

static int die_status = 2; /* bad arguments; in image mode a setup failure is the engine's: 125 */

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(die_status);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [--bios F | --kernel F] [--initrd F] [--append S] [--drive F]\n"
            "          [--share DIR[:TAG[:ro]]]... [--memory MB] [--stdin-mode poll|nonblock|idle|none]\n"
            "          [--no-stdin] [--stats] [--profile-pages F] [--deterministic] [--config F] [--env K=V]...\n"
            "          [--preopen HOST::GUEST]...\n"
            "          [--run [run-time options] [--] [COMMAND ARG...]]\n"
            "  --bios F     raw binary or ELF loaded at 0x80000000, started in M-mode\n"
            "  --kernel F   RISC-V Linux Image at 0x80200000, started in S-mode (SBI in engine)\n"
            "  --initrd F   initramfs for --kernel\n"
            "  --append S   kernel command line\n"
            "  --drive F    read-only disk image (virtio-blk, /dev/vda)\n"
            "  --share DIR[:TAG[:ro]]  serve host directory DIR over virtio-9p (repeatable;\n"
            "               default TAG share<N>); guest: mount -t 9p -o trans=virtio TAG /path\n"
            "  --memory MB  guest RAM (default %d, at most %d in this build)\n"
            "  --stdin-mode how to wait for stdin: poll (poll_oneoff, default), nonblock, idle, none\n"
            "  --no-stdin   never read stdin\n"
            "  --stats      print instructions executed, time and MIPS on stderr at exit\n"
            "  --profile-pages F  write the code pages run (contents, entry counts) to F at exit,\n"
            "               for the ahead-of-time translator (converter/aot)\n"
            "container mode (the guest runs our init; the control protocol on a virtio port):\n"
            "  --run ...    the rest is the image run-time interface (like out.wasm's argv)\n"
            "  --config F   image defaults: RUN fields, as in the config payload (PAYLOAD.md)\n"
            "  --env K=V    add to the container environment (natively; WASI: the environ)\n"
            "  --preopen HOST::GUEST  natively, act as if HOST were a WASI preopen named GUEST\n"
            "  --ready-timeout S  give up (status 125) if the init is not READY after S s (300)\n"
            "  --deterministic  keep the deterministic boot's clock (virtual time from the instruction\n"
            "               count, idle time passing at once, fixed entropy and wall clock) through the\n"
            "               command: the same run every time (c2w --aot's training run)\n"
            "An image (engine.wasm with payloads) takes only the run-time options: see --help.\n",
            prog, DEFAULT_RAM_MB, C2W_RAM_MAX_MB);
}

static uint8_t *load_file(const char *path, uint64_t *size, const char *what)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open %s %s: %s\n", prog, what, path, strerror(errno));
        exit(2);
    }
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "%s: out of memory reading %s %s\n", prog, what, path);
            exit(2);
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: cannot read %s %s\n", prog, what, path);
        exit(2);
    }
    fclose(f);
    *size = len;
    return buf;
}

static uint64_t rd_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Load an ELF64 RISC-V executable into RAM; returns the entry point. */
static uint64_t load_elf(Machine *m, const uint8_t *img, uint64_t size, const char *path)
{
    if (size < 64 || img[4] != 2 || img[5] != 1 || rd_le(img + 18, 2) != 243)
        die("%s: not a little-endian ELF64 RISC-V file", path);
    uint64_t phoff = rd_le(img + 32, 8);
    uint64_t phentsize = rd_le(img + 54, 2), phnum = rd_le(img + 56, 2);
    if (phentsize < 56 || phoff > size || phnum * phentsize > size - phoff)
        die("%s: bad ELF program headers", path);
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + i * phentsize;
        if (rd_le(ph, 4) != 1) /* PT_LOAD */
            continue;
        uint64_t off = rd_le(ph + 8, 8), paddr = rd_le(ph + 24, 8);
        uint64_t filesz = rd_le(ph + 32, 8), memsz = rd_le(ph + 40, 8);
        if (memsz == 0)
            continue;
        uint8_t *dst = machine_gpa(m, paddr, memsz);
        if (!dst || filesz > memsz || off > size || filesz > size - off)
            die("%s: ELF segment outside RAM or file", path);
        memcpy(dst, img + off, filesz);
        memset(dst + filesz, 0, memsz - filesz);
    }
    return rd_le(img + 24, 8);
}

/* ---------------------------------------------------------------- the host loop */

static void poll_devices(Machine *m)
{
    host_poll_stdin(m);
    for (int i = 0; i < m->n_virtio; i++)
        if (m->virtio[i]->poll)
            m->virtio[i]->poll(m->virtio[i]);
    uart_update_irq(m);
}

/* A boot that takes longer is stuck (the slowest interpreters need ~30 s); --ready-timeout. */
static int ready_timeout_s = 300;

/* Run until the guest exits; with stop_at_ready, also return when the init reports READY (or
 * give up after ready_timeout_s with status 125). */
static int run(Machine *m, bool stop_at_ready)
{
    CPU *c = &m->cpu;
    int64_t last_poll = host_now_ns();
    int64_t give_up = last_poll + (int64_t)ready_timeout_s * 1000000000;
    for (;;) {
        if (stop_at_ready && m->ctl && m->ctl->ready)
            return 0;
        if (m->deterministic) /* polls happen at idle only: keep the host clock's value local */
            last_poll = host_now_ns();
        if (stop_at_ready && last_poll > give_up) {
            if (!m->debug)
                machine_dump_log(m, 4096);
            fprintf(stderr, "c2w: the guest init did not report READY within %d s\n", ready_timeout_s);
            machine_request_exit(m, 125);
            break;
        }
        machine_update_timer(m);
        if (c->wfi) {
            if (c->mip & c->mie) {
                c->wfi = false;
            } else if (m->deterministic) {
                /* deterministic boot: idle time passes at once (no host wait) */
                uint64_t dl = machine_next_deadline(m);
                poll_devices(m);
                if (dl != ~0ULL)
                    machine_skip_to(m, dl);
                else if (!(c->mip & c->mie))
                    host_wait(m, 1000000); /* nothing will wake it but the READY timeout */
                continue;
            } else {
                console_flush(m);
                uint64_t dl = machine_next_deadline(m);
                uint64_t now = machine_mtime(m);
                int64_t timeout = -1;
                if (dl != ~0ULL)
                    timeout = dl > now ? (int64_t)((dl - now) * (1000000000ULL / TIMEBASE_HZ)) : 0;
                if (net_connected())
                    net_wait(m, timeout);
                else
                    host_wait(m, timeout);
                poll_devices(m);
                last_poll = host_now_ns();
                continue;
            }
        }
        cpu_check_interrupts(c);
        cpu_run(c, BATCH);
        if (m->exit_req)
            break;
        if (m->deterministic)
            continue;
        int64_t now = host_now_ns();
        if (now - last_poll > 2000000) {
            poll_devices(m);
            console_flush(m);
            last_poll = now;
        }
    }
    console_flush(m);
    return m->exit_code;
}

/* ---------------------------------------------------------------- machine setup */

typedef struct {
    const uint8_t *kernel, *initrd, *disk;
    uint64_t kernel_size, initrd_size, disk_size;
    const char *cmdline;
    uint64_t ram_mb;
    bool container;     /* multiport console + control protocol */
    int ninep_slots;    /* container mode: 9p devices for run-time directories */
    const char **shares; /* development mode: --share DIR[:TAG[:ro]] */
    int nshares;
} BootSpec;

static uint8_t *alloc_ram(uint64_t ram_size)
{
#ifdef __wasm__
    if (ram_size <= sizeof ram_static)
        return ram_static;
    uint8_t *p = aligned_alloc(4096, ram_size);
    if (p)
        memset(p, 0, ram_size);
    return p;
#else
    return calloc(1, ram_size);
#endif
}

/* Create the machine for a Linux kernel; fails with exit 2 (bad input) or 125. */
static Machine *setup_linux(const BootSpec *b, const char *kernel_name, const char *initrd_name)
{
    uint64_t ram_size = b->ram_mb << 20;
    uint8_t *ram = alloc_ram(ram_size);
    if (!ram)
        die("%s", "cannot allocate guest RAM");
    Machine *m = machine_new(ram_size, ram);
    if (!m)
        die("%s", "out of memory");
    m->sbi = true;
    if (b->container && !(m->ctl = ctl_new()))
        die("%s", "out of memory");
    if (b->container) /* boot to READY does not depend on the host: reproducible snapshots */
        machine_deterministic_boot(m);
    if (!(m->console = virtio_console_new(m, b->container)) || machine_add_virtio(m, m->console))
        die("%s", "cannot create virtio console");
    if (b->disk) {
        if (b->disk_size == 0 || b->disk_size % 512)
            die("%s", "disk image size is not a non-zero multiple of 512 bytes");
        VirtioDev *d = virtio_blk_new(m, b->disk, b->disk_size);
        if (!d || machine_add_virtio(m, d))
            die("%s", "cannot create virtio-blk");
    }
    VirtioDev *rng = virtio_rng_new(m);
    if (!rng || machine_add_virtio(m, rng))
        die("%s", "cannot create virtio-rng");
    for (int i = 0; i < b->ninep_slots && nslots < NINEP_SLOTS; i++) {
        NinepSlot *s = &slots[nslots];
        snprintf(s->tag, sizeof s->tag, "c2w%d", nslots);
        s->dev = virtio_9p_new_fd(m, -1, s->tag, false);
        if (!s->dev || machine_add_virtio(m, s->dev))
            die("%s", "cannot create the virtio-9p devices");
        nslots++;
    }
    for (int i = 0; i < b->nshares; i++) {
        char err[512];
        VirtioDev *d = virtio_9p_from_spec(m, b->shares[i], err, sizeof err);
        if (!d)
            die("%s", err);
        if (machine_add_virtio(m, d))
            die("%s", "too many virtio devices");
    }
    if (b->container) { /* always there (devices are probed at boot, before the snapshot);
                         * eth0 stays down unless a run asks for --net */
        static const uint8_t mac[6] = NET_DEFAULT_MAC;
        VirtioDev *d = virtio_net_new(m, mac);
        if (!d || machine_add_virtio(m, d))
            die("%s", "cannot create virtio-net");
    }

    const uint8_t *img = b->kernel;
    uint64_t size = b->kernel_size;
    if (size < 64 || (memcmp(img + 56, "RSC\x05", 4) && memcmp(img + 48, "RISCV\0\0\0", 8)))
        die("%s: not a RISC-V Linux kernel Image (bad header magic)", kernel_name);
    uint64_t image_size = rd_le(img + 16, 8);
    if (image_size < size)
        image_size = size;
    if (KERNEL_BASE + image_size > RAM_BASE + ram_size)
        die("%s: kernel does not fit in guest RAM", kernel_name);
    memcpy(m->ram + (KERNEL_BASE - RAM_BASE), img, size);
    uint64_t kernel_end = KERNEL_BASE + image_size;

    /* DTB at the top of RAM, initrd right below it */
    static uint8_t dtb[65536];
    FdtOptions fo = {.bootargs = b->cmdline};
    uint64_t dtb_addr = RAM_BASE + ram_size - sizeof dtb;
    if (b->initrd) {
        uint64_t start = (dtb_addr - b->initrd_size) & ~0xfffULL;
        if (b->initrd_size >= dtb_addr - RAM_BASE || start < kernel_end + (2 << 20))
            die("%s: initrd does not fit in guest RAM (use --memory)", initrd_name);
        memcpy(m->ram + (start - RAM_BASE), b->initrd, b->initrd_size);
        fo.initrd_start = start;
        fo.initrd_end = start + b->initrd_size;
    }
    size_t dtb_size = fdt_build(m, &fo, dtb, sizeof dtb);
    if (!dtb_size)
        die("%s", "device tree too large");
    memcpy(m->ram + (dtb_addr - RAM_BASE), dtb, dtb_size);
    m->dtb_addr = dtb_addr;

    CPU *c = &m->cpu;
    cpu_reset(c, KERNEL_BASE);
    c->x[10] = 0;
    c->x[11] = dtb_addr;
    /* what M-mode firmware leaves behind for an S-mode kernel */
    c->emulate_m = true;
    c->priv = PRV_S;
    c->medeleg = 0xb1ff;
    c->mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
    c->mcounteren = 7;
    cpu_tlb_flush(c);
    return m;
}

static void print_stats(Machine *m, int64_t t0, uint64_t instret0, int code, const char *what)
{
    double secs = (double)(host_now_ns() - t0) / 1e9;
    uint64_t n = cpu_instret(&m->cpu) - instret0;
    fprintf(stderr, "c2w-engine: %s%llu instructions in %.3f s: %.1f MIPS, exit %d\n", what,
            (unsigned long long)n, secs, secs > 0 ? (double)n / secs / 1e6 : 0.0, code);
    const CPU *c = &m->cpu;
    fprintf(stderr, "c2w-engine: decoded pages built %llu, dropped by hart stores %llu, by device "
            "writes %llu; fence.i %llu; translated %llu, running %llu instructions\n",
            (unsigned long long)c->n_dpages_built, (unsigned long long)c->n_dpages_store_drops,
            (unsigned long long)c->n_dpages_dma_drops, (unsigned long long)c->n_fence_i,
            (unsigned long long)c->n_dpages_aot, (unsigned long long)c->n_aot_insns);
}

/* Development mode --deterministic: the deterministic boot goes on after READY (no freeze, no
 * thaw), so the command runs on virtual time too. Image mode never sets it. */
static bool keep_deterministic;

/* Boot until the init reports READY. Returns false (after a message) if the guest stopped. */
static bool boot_to_ready(Machine *m)
{
    run(m, true);
    if (m->ctl->ready) {
        if (!keep_deterministic)
            machine_clock_freeze(m); /* end of the deterministic boot; serve() thaws */
        return true;
    }
    if (!m->exit_req)
        fprintf(stderr, "c2w: the guest stopped before its init was ready\n");
    return false;
}

#ifndef __wasm__
/* Natively, a terminal on stdin is put in raw mode while the container has a terminal (the
 * guest's pty does the line editing, echo and signals), as docker run -t does. WASI has no
 * termios: there the launcher has to do it. */
static struct termios saved_tio;
static bool tio_saved;

static void restore_terminal(void)
{
    if (tio_saved)
        tcsetattr(0, TCSADRAIN, &saved_tio);
}

static void raw_terminal(void)
{
    if (!isatty(0) || tcgetattr(0, &saved_tio) != 0)
        return;
    struct termios t = saved_tio;
    cfmakeraw(&t);
    if (tcsetattr(0, TCSADRAIN, &t) == 0) {
        tio_saved = true;
        atexit(restore_terminal);
    }
}
#endif

/* Container mode after READY: send RUN, relay stdio, exit with the container's status. */
static int serve(Machine *m, RunOpts *o, int64_t t0, uint64_t instret0)
{
    if (!keep_deterministic)
        machine_clock_thaw(m); /* the guest's clock runs on the host's from here */
    if (o->debug && !m->debug) { /* resumed: show the boot log kept in the ring */
        machine_dump_log(m, LOG_SIZE);
        m->debug = true;
    }
    int status = runtime_start(m, o, config_p, config_len, slots, nslots);
    if (status)
        exit(status);
#ifndef __wasm__
    if (o->tty == 1)
        raw_terminal();
#endif
    int code = run(m, false);
    if (o->stats) {
        print_stats(m, t0, instret0, code, snapshotted ? "after resuming from the snapshot: " : "");
        if (o->net.on) {
            uint64_t fi, fo, bi, bo;
            net_stats(&fi, &fo, &bi, &bo);
            fprintf(stderr, "c2w-engine: network: %llu frames (%llu bytes) in, %llu frames (%llu bytes) out\n",
                    (unsigned long long)fi, (unsigned long long)bi, (unsigned long long)fo,
                    (unsigned long long)bo);
        }
    }
    return code;
}

/* ---------------------------------------------------------------- image mode */

/* Build the machine from the payloads. for_snapshot: the kernel and initrd payloads are zeroed
 * once copied into guest RAM, so the snapshot does not carry them twice. */
static void image_boot(bool for_snapshot)
{
    size_t ksize = 0, isize = 0, dsize = 0, csize = 0, lsize = 0;
    uint8_t *kernel = payload_get(PK_KERNEL, &ksize);
    uint8_t *initrd = payload_get(PK_INITRD, &isize);
    uint8_t *disk = payload_get(PK_DISK, &dsize);
    uint8_t *config = payload_get(PK_CONFIG, &csize);
    uint8_t *cmdline = payload_get(PK_CMDLINE, &lsize);
    if (!kernel) {
        fprintf(stderr, "c2w: this image holds no kernel payload\n");
        exit(125);
    }
    unsigned ram_mb = DEFAULT_RAM_MB;
    char err[256];
    if (config && !config_check(config, csize, &ram_mb, err, sizeof err)) {
        fprintf(stderr, "c2w: %s\n", err);
        exit(125);
    }
    static char cmd[4096];
    if (cmdline && lsize) {
        if (lsize >= sizeof cmd || memchr(cmdline, 0, lsize)) {
            fprintf(stderr, "c2w: bad cmdline payload\n");
            exit(125);
        }
        memcpy(cmd, cmdline, lsize);
        cmd[lsize] = 0;
    } else
        strcpy(cmd, DEFAULT_CMDLINE);
    config_p = config;
    config_len = config ? csize : 0;
    BootSpec b = {.kernel = kernel, .kernel_size = ksize, .initrd = initrd, .initrd_size = isize,
                  .disk = disk, .disk_size = dsize, .cmdline = cmd, .ram_mb = ram_mb,
                  .container = true, .ninep_slots = NINEP_SLOTS};
    prog = "c2w";
    die_status = 125;
    M = setup_linux(&b, "kernel payload", "initrd payload");
    if (for_snapshot) {
        memset(kernel, 0, ksize);
        if (initrd)
            memset(initrd, 0, isize);
    }
}

#ifdef __wasm__
/* Zero the shadow stack below the stack pointer: dead frames hold host values (clock readings)
 * that would otherwise make two snapshots of the same inputs differ. No calls in here. */
__attribute__((noinline)) static void scrub_dead_stack(void)
{
    extern unsigned char __data_end; /* wasm-ld: the stack lies between data and the heap */
    uintptr_t sp;
    __asm__ volatile(".globaltype __stack_pointer, i32\n\tglobal.get __stack_pointer\n\tlocal.set %0"
                     : "=r"(sp));
    for (volatile uint64_t *p = (volatile uint64_t *)(((uintptr_t)&__data_end + 7) & ~(uintptr_t)7);
         (uintptr_t)(p + 1) <= (sp & ~(uintptr_t)7); p++)
        *p = 0;
}

/* Pre-boot: `wasmtime wizer -S cli -f wizer.initialize` calls this instead of _start, then
 * writes the module with the resulting memory as its initial state. */
__attribute__((export_name("wizer.initialize"))) void wizer_initialize(void)
{
    if (!payload_present()) {
        fprintf(stderr, "c2w: wizer.initialize: this engine.wasm holds no payloads\n");
        __builtin_trap();
    }
    image_boot(true);
    if (!boot_to_ready(M)) {
        if (M->ctl->exited)
            fprintf(stderr, "c2w: the guest exited (status %d) before its init was ready\n", M->exit_code);
        __builtin_trap(); /* wizer fails: no snapshot of a dead guest */
    }
    snapshotted = true;
    scrub_dead_stack();
}
#endif

static int image_main(int argc, char **argv)
{
    int64_t t0 = host_now_ns();
    prog = "c2w";
    RunOpts o = {0};
    runopts_parse(&o, argc, argv, 1, "c2w");
    runopts_scan_preopens(&o);
    if (!snapshotted) {
        image_boot(false);
        if (o.debug)
            M->debug = true;
        if (!boot_to_ready(M))
            return runtime_report_status(M->exit_req ? M->exit_code : 125);
        if (o.stats)
            fprintf(stderr, "c2w-engine: cold boot to READY: %llu instructions in %.3f s\n",
                    (unsigned long long)cpu_instret(&M->cpu), (double)(host_now_ns() - t0) / 1e9);
    }
    return runtime_report_status(serve(M, &o, t0, snapshotted ? cpu_instret(&M->cpu) : 0));
}

/* ---------------------------------------------------------------- development mode */

static int dev_main(int argc, char **argv)
{
    const char *bios = NULL, *kernel = NULL, *initrd = NULL, *append = NULL, *drive = NULL;
    const char *config = NULL, *profile = NULL;
    uint64_t mem_mb = DEFAULT_RAM_MB;
    enum StdinMode stdin_mode = STDIN_POLL;
    bool stats = false;
    const char *shares[VIRTIO_MAX];
    int nshares = 0;
    RunOpts o = {0};
    int run_at = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **target = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--run")) {
            run_at = i + 1;
            break;
        }
        if (!strcmp(a, "--stats")) {
            stats = true;
            continue;
        }
        if (!strcmp(a, "--no-stdin")) {
            stdin_mode = STDIN_NONE;
            continue;
        }
        if (!strcmp(a, "--deterministic")) {
            keep_deterministic = true;
            continue;
        }
        if (!strcmp(a, "--share")) {
            if (i + 1 >= argc)
                die("option %s needs a value", a);
            if (nshares >= VIRTIO_MAX)
                die("%s", "too many --share options");
            shares[nshares++] = argv[++i];
            continue;
        }
        if (!strcmp(a, "--env") || !strcmp(a, "--preopen")) {
            if (i + 1 >= argc)
                die("option %s needs a value", a);
            const char *v = argv[++i];
            if (a[2] == 'e') {
                if (!field_put(&o.env, 'v', v, strlen(v)))
                    die("%s", "out of memory");
            } else {
                const char *sep = strstr(v, "::");
                if (!sep)
                    die("--preopen %s: expected HOST::GUEST", v);
                char *host = strndup(v, (size_t)(sep - v));
                if (!runopts_add_preopen(&o, host, sep + 2)) {
                    fprintf(stderr, "%s: --preopen %s: %s\n", prog, v, strerror(errno));
                    return 2;
                }
                free(host);
            }
            continue;
        }
        if (!strcmp(a, "--bios")) target = &bios;
        else if (!strcmp(a, "--kernel")) target = &kernel;
        else if (!strcmp(a, "--initrd")) target = &initrd;
        else if (!strcmp(a, "--append")) target = &append;
        else if (!strcmp(a, "--drive")) target = &drive;
        else if (!strcmp(a, "--config")) target = &config;
        else if (!strcmp(a, "--profile-pages")) target = &profile;
        else if (strcmp(a, "--memory") && strcmp(a, "--stdin-mode") && strcmp(a, "--ready-timeout"))
            die("unknown option %s (see --help)", a);
        if (i + 1 >= argc)
            die("option %s needs a value", a);
        const char *v = argv[++i];
        if (target)
            *target = v;
        else if (!strcmp(a, "--ready-timeout")) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 86400)
                die("--ready-timeout %s: expected 1..86400 (seconds)", v);
            ready_timeout_s = (int)n;
        } else if (!strcmp(a, "--memory")) {
            char *end;
            unsigned long long n = strtoull(v, &end, 10);
            if (*end || n < 16 || n > C2W_RAM_MAX_MB) {
                fprintf(stderr, "%s: --memory %s: must be between 16 and %d (MB)\n", prog, v,
                        C2W_RAM_MAX_MB);
                return 2;
            }
            mem_mb = n;
        } else {
            if (!strcmp(v, "poll")) stdin_mode = stdin_mode == STDIN_NONE ? STDIN_NONE : STDIN_POLL;
            else if (!strcmp(v, "nonblock")) stdin_mode = stdin_mode == STDIN_NONE ? STDIN_NONE : STDIN_NONBLOCK;
            else if (!strcmp(v, "idle")) stdin_mode = stdin_mode == STDIN_NONE ? STDIN_NONE : STDIN_IDLE;
            else if (!strcmp(v, "none")) stdin_mode = STDIN_NONE;
            else die("--stdin-mode %s: expected poll, nonblock, idle or none", v);
        }
    }
    if (!bios == !kernel)
        die("%s", bios ? "--bios and --kernel are exclusive" : "need --bios F or --kernel F (see --help)");
    if (bios && (initrd || append || run_at))
        die("%s", "--initrd, --append and --run need --kernel");
    if (run_at)
        runopts_parse(&o, argc, argv, run_at, prog);
    else if (config || keep_deterministic)
        die("%s", config ? "--config needs --run" : "--deterministic needs --run");

    int64_t t0 = host_now_ns();
    Machine *m;
    if (bios) {
        uint64_t ram_size = mem_mb << 20;
        uint8_t *ram = alloc_ram(ram_size);
        if (!ram)
            die("%s", "cannot allocate guest RAM");
        m = machine_new(ram_size, ram);
        if (!m)
            die("%s", "out of memory");
        if (drive) {
            uint64_t size;
            uint8_t *img = load_file(drive, &size, "disk image");
            VirtioDev *d = virtio_blk_new(m, img, size);
            if (size == 0 || size % 512 || !d || machine_add_virtio(m, d))
                die("%s: not a usable disk image (size must be a non-zero multiple of 512)", drive);
        }
        uint64_t size;
        uint8_t *img = load_file(bios, &size, "bios");
        uint64_t entry;
        if (size >= 4 && !memcmp(img, "\177ELF", 4))
            entry = load_elf(m, img, size, bios);
        else {
            if (size > ram_size)
                die("%s: does not fit in guest RAM", bios);
            memcpy(ram, img, size);
            entry = RAM_BASE;
        }
        free(img);
        cpu_reset(&m->cpu, entry);
        m->cpu.x[10] = 0;
    } else {
        BootSpec b = {.cmdline = append, .ram_mb = mem_mb, .container = run_at != 0,
                      .ninep_slots = run_at ? NINEP_SLOTS : 0};
        uint8_t *k = load_file(kernel, &b.kernel_size, "kernel");
        b.kernel = k;
        uint8_t *ird = NULL;
        if (initrd)
            b.initrd = ird = load_file(initrd, &b.initrd_size, "initrd");
        if (drive)
            b.disk = load_file(drive, &b.disk_size, "disk image");
        if (run_at && !b.cmdline)
            b.cmdline = DEFAULT_CMDLINE;
        if (config) {
            uint64_t n;
            config_p = load_file(config, &n, "config");
            config_len = (size_t)n;
            unsigned ram = 0;
            char err[256];
            if (!config_check(config_p, config_len, &ram, err, sizeof err))
                die("%s", err);
        }
        b.shares = shares;
        b.nshares = nshares;
        M = m = setup_linux(&b, kernel, initrd ? initrd : "initrd");
        free(k);
        free(ird);
    }
    m->stdin_mode = stdin_mode;
    if (profile && !aot_profile_start(&m->cpu, profile))
        die("%s", "out of memory for --profile-pages");

    if (run_at) {
        if (o.debug)
            m->debug = true;
        if (!boot_to_ready(m))
            return m->exit_req ? m->exit_code : 125;
        if (stats)
            fprintf(stderr, "c2w-engine: cold boot to READY: %llu instructions in %.3f s\n",
                    (unsigned long long)cpu_instret(&m->cpu), (double)(host_now_ns() - t0) / 1e9);
        o.stats |= stats;
        o.fixed_inputs = keep_deterministic;
        int code = serve(m, &o, t0, 0);
        exit(runtime_report_status(code));
    }
    host_stdin_setup(m);
    int code = run(m, false);
    fflush(stdout);
    if (stats)
        print_stats(m, t0, 0, code, "");
    exit(code);
}

int main(int argc, char **argv)
{
#ifndef __wasm__
    /* a --net peer (passt, the relay) that dies must give EPIPE on the socket, not kill us */
    signal(SIGPIPE, SIG_IGN);
#endif
    if (snapshotted || payload_present())
        return image_main(argc, argv);
    return dev_main(argc, argv);
}
