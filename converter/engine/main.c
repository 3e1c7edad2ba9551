/* c2w-engine: command line, payload loading and the host loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "machine.h"

#ifndef C2W_RAM_MAX_MB
#define C2W_RAM_MAX_MB 2048
#endif
#define BATCH 100000

#ifdef __wasm__
/* Guest RAM is part of the initial linear memory: no memory.grow for it. */
static uint8_t ram_static[(size_t)C2W_RAM_MAX_MB << 20] __attribute__((aligned(4096)));
#endif

static const char *prog = "c2w-engine";

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [--bios F | --kernel F] [--initrd F] [--append S] [--drive F]\n"
            "          [--memory MB] [--stdin-mode poll|nonblock|none] [--no-stdin]\n"
            "  --bios F     raw binary or ELF loaded at 0x80000000, started in M-mode\n"
            "  --kernel F   RISC-V Linux Image at 0x80200000, started in S-mode (SBI in engine)\n"
            "  --initrd F   initramfs for --kernel\n"
            "  --append S   kernel command line\n"
            "  --drive F    read-only disk image (virtio-blk, /dev/vda)\n"
            "  --memory MB  guest RAM (default 128, at most %d in this build)\n"
            "  --stdin-mode how to wait for stdin: poll (poll_oneoff, default), nonblock, none\n"
            "  --no-stdin   never read stdin\n"
            "  --stats      print instructions executed, time and MIPS on stderr at exit\n",
            prog, C2W_RAM_MAX_MB);
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

static void poll_devices(Machine *m)
{
    host_poll_stdin(m);
    for (int i = 0; i < m->n_virtio; i++)
        if (m->virtio[i]->poll)
            m->virtio[i]->poll(m->virtio[i]);
    uart_update_irq(m);
}

static int run(Machine *m)
{
    CPU *c = &m->cpu;
    int64_t last_poll = host_now_ns();
    for (;;) {
        machine_update_timer(m);
        if (c->wfi) {
            if (c->mip & c->mie) {
                c->wfi = false;
            } else {
                console_flush(m);
                uint64_t dl = machine_next_deadline(m);
                uint64_t now = machine_mtime(m);
                int64_t timeout = -1;
                if (dl != ~0ULL)
                    timeout = dl > now ? (int64_t)((dl - now) * (1000000000ULL / TIMEBASE_HZ)) : 0;
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

int main(int argc, char **argv)
{
    const char *bios = NULL, *kernel = NULL, *initrd = NULL, *append = NULL, *drive = NULL;
    uint64_t mem_mb = 128;
    enum StdinMode stdin_mode = STDIN_POLL;
    bool stats = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **target = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--stats")) {
            stats = true;
            continue;
        }
        if (!strcmp(a, "--no-stdin")) {
            stdin_mode = STDIN_NONE;
            continue;
        }
        if (!strcmp(a, "--bios")) target = &bios;
        else if (!strcmp(a, "--kernel")) target = &kernel;
        else if (!strcmp(a, "--initrd")) target = &initrd;
        else if (!strcmp(a, "--append")) target = &append;
        else if (!strcmp(a, "--drive")) target = &drive;
        else if (strcmp(a, "--memory") && strcmp(a, "--stdin-mode"))
            die("unknown option %s (see --help)", a);
        if (i + 1 >= argc)
            die("option %s needs a value", a);
        const char *v = argv[++i];
        if (target)
            *target = v;
        else if (!strcmp(a, "--memory")) {
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
            else if (!strcmp(v, "none")) stdin_mode = STDIN_NONE;
            else die("--stdin-mode %s: expected poll, nonblock or none", v);
        }
    }
    if (!bios == !kernel)
        die("%s", bios ? "--bios and --kernel are exclusive" : "need --bios F or --kernel F (see --help)");
    if (bios && (initrd || append))
        die("%s", "--initrd and --append need --kernel");

    uint64_t ram_size = mem_mb << 20;
#ifdef __wasm__
    uint8_t *ram = ram_static;
#else
    uint8_t *ram = calloc(1, ram_size);
    if (!ram)
        die("%s", "cannot allocate guest RAM");
#endif
    Machine *m = machine_new(ram_size, ram);
    if (!m)
        die("%s", "out of memory");
    m->stdin_mode = stdin_mode;
    CPU *c = &m->cpu;

    if (kernel) {
        m->sbi = true;
        if (!(m->console = virtio_console_new(m)) || machine_add_virtio(m, m->console))
            die("%s", "cannot create virtio console");
    }
    if (drive) {
        uint64_t size;
        uint8_t *img = load_file(drive, &size, "disk image");
        if (size == 0 || size % 512)
            die("%s: disk image size is not a non-zero multiple of 512 bytes", drive);
        VirtioDev *d = virtio_blk_new(m, img, size);
        if (!d || machine_add_virtio(m, d))
            die("%s", "cannot create virtio-blk");
    }
    if (kernel) {
        VirtioDev *d = virtio_rng_new(m);
        if (!d || machine_add_virtio(m, d))
            die("%s", "cannot create virtio-rng");
    }

    uint64_t entry, kernel_end = RAM_BASE;
    if (bios) {
        uint64_t size;
        uint8_t *img = load_file(bios, &size, "bios");
        if (size >= 4 && !memcmp(img, "\177ELF", 4))
            entry = load_elf(m, img, size, bios);
        else {
            if (size > ram_size)
                die("%s: does not fit in guest RAM", bios);
            memcpy(ram, img, size);
            entry = RAM_BASE;
        }
        free(img);
    } else {
        uint64_t size;
        uint8_t *img = load_file(kernel, &size, "kernel");
        if (size < 64 || (memcmp(img + 56, "RSC\x05", 4) && memcmp(img + 48, "RISCV\0\0\0", 8)))
            die("%s: not a RISC-V Linux kernel Image (bad header magic)", kernel);
        uint64_t image_size = rd_le(img + 16, 8);
        if (image_size < size)
            image_size = size;
        if (KERNEL_BASE + image_size > RAM_BASE + ram_size)
            die("%s: kernel does not fit in guest RAM", kernel);
        memcpy(ram + (KERNEL_BASE - RAM_BASE), img, size);
        free(img);
        entry = KERNEL_BASE;
        kernel_end = KERNEL_BASE + image_size;
    }

    /* DTB at the top of RAM, initrd right below it */
    static uint8_t dtb[65536];
    FdtOptions fo = {.bootargs = append};
    uint64_t ram_end = RAM_BASE + ram_size;
    uint64_t dtb_addr = ram_end - sizeof dtb;
    uint64_t initrd_size = 0;
    uint8_t *initrd_img = NULL;
    if (initrd) {
        initrd_img = load_file(initrd, &initrd_size, "initrd");
        uint64_t start = (dtb_addr - initrd_size) & ~0xfffULL;
        if (initrd_size >= dtb_addr - RAM_BASE || start < kernel_end + (2 << 20))
            die("%s: initrd does not fit in guest RAM (use --memory)", initrd);
        memcpy(ram + (start - RAM_BASE), initrd_img, initrd_size);
        free(initrd_img);
        fo.initrd_start = start;
        fo.initrd_end = start + initrd_size;
    }
    size_t dtb_size = fdt_build(m, &fo, dtb, sizeof dtb);
    if (!dtb_size)
        die("%s", "device tree too large");
    memcpy(ram + (dtb_addr - RAM_BASE), dtb, dtb_size);
    m->dtb_addr = dtb_addr;

    cpu_reset(c, entry);
    c->x[10] = 0;
    c->x[11] = dtb_addr;
    if (kernel) {
        /* what M-mode firmware leaves behind for an S-mode kernel */
        c->emulate_m = true;
        c->priv = PRV_S;
        c->medeleg = 0xb1ff;
        c->mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
        c->mcounteren = 7;
        c->mstatus |= 0; /* FS off until the kernel enables it */
        cpu_tlb_flush(c);
    }

    host_stdin_setup(m);
    int64_t t0 = host_now_ns();
    int code = run(m);
    fflush(stdout);
    if (stats) {
        double secs = (double)(host_now_ns() - t0) / 1e9;
        uint64_t n = cpu_instret(c);
        fprintf(stderr, "c2w-engine: %llu instructions in %.3f s: %.1f MIPS, exit %d\n",
                (unsigned long long)n, secs, secs > 0 ? (double)n / secs / 1e6 : 0.0, code);
    }
    exit(code);
}
