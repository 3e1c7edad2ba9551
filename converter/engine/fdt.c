/* Flattened device tree (DTB v17) writer, and the tree describing this machine. */
#include <stdarg.h>
#include <stdio.h>

#include "machine.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_END 9

typedef struct {
    uint8_t st[16384];
    size_t st_len;
    char str[2048];
    size_t str_len;
    bool overflow;
} Fdt;

static void put(Fdt *f, const void *p, size_t n)
{
    if (f->st_len + n + 3 > sizeof f->st) {
        f->overflow = true;
        return;
    }
    memcpy(f->st + f->st_len, p, n);
    f->st_len += n;
    while (f->st_len & 3)
        f->st[f->st_len++] = 0;
}

static void put32(Fdt *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(f, b, 4);
}

static uint32_t str_off(Fdt *f, const char *name)
{
    size_t n = strlen(name) + 1;
    for (size_t i = 0; i < f->str_len;) {
        if (strcmp(f->str + i, name) == 0)
            return (uint32_t)i;
        i += strlen(f->str + i) + 1;
    }
    if (f->str_len + n > sizeof f->str) {
        f->overflow = true;
        return 0;
    }
    memcpy(f->str + f->str_len, name, n);
    f->str_len += n;
    return (uint32_t)(f->str_len - n);
}

static void begin(Fdt *f, const char *name)
{
    put32(f, FDT_BEGIN_NODE);
    put(f, name, strlen(name) + 1);
}

static void end(Fdt *f)
{
    put32(f, FDT_END_NODE);
}

static void prop(Fdt *f, const char *name, const void *data, size_t len)
{
    put32(f, FDT_PROP);
    put32(f, (uint32_t)len);
    put32(f, str_off(f, name));
    if (len)
        put(f, data, len);
}

static void prop_str(Fdt *f, const char *name, const char *s)
{
    prop(f, name, s, strlen(s) + 1);
}

/* a string list given as "a\0b\0" with its total length */
static void prop_strs(Fdt *f, const char *name, const char *s, size_t len)
{
    prop(f, name, s, len);
}

static void prop_cells(Fdt *f, const char *name, int n, ...)
{
    uint8_t buf[64];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n && i < 16; i++) {
        uint32_t v = va_arg(ap, uint32_t);
        buf[4 * i] = (uint8_t)(v >> 24);
        buf[4 * i + 1] = (uint8_t)(v >> 16);
        buf[4 * i + 2] = (uint8_t)(v >> 8);
        buf[4 * i + 3] = (uint8_t)v;
    }
    va_end(ap);
    prop(f, name, buf, 4 * (size_t)n);
}

static void prop_u64(Fdt *f, const char *name, uint64_t v)
{
    prop_cells(f, name, 2, (uint32_t)(v >> 32), (uint32_t)v);
}

static void prop_reg(Fdt *f, uint64_t base, uint64_t size)
{
    prop_cells(f, "reg", 4, (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
               (uint32_t)size);
}

#define PH_CPU_INTC 1
#define PH_PLIC 2

size_t fdt_build(Machine *m, const FdtOptions *o, uint8_t *out, size_t cap)
{
    static Fdt fdt;
    Fdt *f = &fdt;
    memset(f, 0, sizeof *f);
    char name[64];

    begin(f, "");
    prop_cells(f, "#address-cells", 1, 2u);
    prop_cells(f, "#size-cells", 1, 2u);
    prop_str(f, "compatible", "riscv-virtio");
    prop_str(f, "model", "riscv-virtio,qemu");

    begin(f, "chosen");
    if (o->bootargs)
        prop_str(f, "bootargs", o->bootargs);
    if (o->initrd_end > o->initrd_start) {
        prop_u64(f, "linux,initrd-start", o->initrd_start);
        prop_u64(f, "linux,initrd-end", o->initrd_end);
    }
    prop_str(f, "stdout-path", "/soc/serial@10000000");
    end(f);

    snprintf(name, sizeof name, "memory@%llx", (unsigned long long)RAM_BASE);
    begin(f, name);
    prop_str(f, "device_type", "memory");
    prop_reg(f, RAM_BASE, m->ram_size);
    end(f);

    begin(f, "cpus");
    prop_cells(f, "#address-cells", 1, 1u);
    prop_cells(f, "#size-cells", 1, 0u);
    prop_cells(f, "timebase-frequency", 1, (uint32_t)TIMEBASE_HZ);
    begin(f, "cpu@0");
    prop_str(f, "device_type", "cpu");
    prop_cells(f, "reg", 1, 0u);
    prop_str(f, "status", "okay");
    prop_str(f, "compatible", "riscv");
    prop_str(f, "riscv,isa", "rv64imafdc");
    prop_str(f, "mmu-type", "riscv,sv39");
    begin(f, "interrupt-controller");
    prop_cells(f, "#interrupt-cells", 1, 1u);
    prop(f, "interrupt-controller", NULL, 0);
    prop_str(f, "compatible", "riscv,cpu-intc");
    prop_cells(f, "phandle", 1, (uint32_t)PH_CPU_INTC);
    end(f);
    end(f);
    end(f);

    begin(f, "soc");
    prop_cells(f, "#address-cells", 1, 2u);
    prop_cells(f, "#size-cells", 1, 2u);
    prop_str(f, "compatible", "simple-bus");
    prop(f, "ranges", NULL, 0);

    snprintf(name, sizeof name, "test@%llx", (unsigned long long)TEST_BASE);
    begin(f, name);
    static const char test_compat[] = "sifive,test1\0sifive,test0";
    prop_strs(f, "compatible", test_compat, sizeof test_compat);
    prop_reg(f, TEST_BASE, 0x1000);
    end(f);

    snprintf(name, sizeof name, "clint@%llx", (unsigned long long)CLINT_BASE);
    begin(f, name);
    static const char clint_compat[] = "sifive,clint0\0riscv,clint0";
    prop_strs(f, "compatible", clint_compat, sizeof clint_compat);
    prop_reg(f, CLINT_BASE, CLINT_SIZE);
    prop_cells(f, "interrupts-extended", 4, (uint32_t)PH_CPU_INTC, 3u, (uint32_t)PH_CPU_INTC, 7u);
    end(f);

    snprintf(name, sizeof name, "plic@%llx", (unsigned long long)PLIC_BASE);
    begin(f, name);
    static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
    prop_strs(f, "compatible", plic_compat, sizeof plic_compat);
    prop_reg(f, PLIC_BASE, PLIC_SIZE);
    prop_cells(f, "#address-cells", 1, 0u);
    prop_cells(f, "#interrupt-cells", 1, 1u);
    prop(f, "interrupt-controller", NULL, 0);
    prop_cells(f, "riscv,ndev", 1, (uint32_t)(PLIC_NSRC - 1));
    prop_cells(f, "interrupts-extended", 4, (uint32_t)PH_CPU_INTC, 11u, (uint32_t)PH_CPU_INTC, 9u);
    prop_cells(f, "phandle", 1, (uint32_t)PH_PLIC);
    end(f);

    snprintf(name, sizeof name, "serial@%llx", (unsigned long long)UART_BASE);
    begin(f, name);
    prop_str(f, "compatible", "ns16550a");
    prop_reg(f, UART_BASE, UART_SIZE);
    prop_cells(f, "clock-frequency", 1, 3686400u);
    prop_cells(f, "interrupt-parent", 1, (uint32_t)PH_PLIC);
    prop_cells(f, "interrupts", 1, (uint32_t)UART_IRQ);
    end(f);

    for (int i = 0; i < m->n_virtio; i++) {
        uint64_t base = VIRTIO_BASE + (uint64_t)i * VIRTIO_STRIDE;
        snprintf(name, sizeof name, "virtio_mmio@%llx", (unsigned long long)base);
        begin(f, name);
        prop_str(f, "compatible", "virtio,mmio");
        prop_reg(f, base, VIRTIO_STRIDE);
        prop_cells(f, "interrupt-parent", 1, (uint32_t)PH_PLIC);
        prop_cells(f, "interrupts", 1, (uint32_t)m->virtio[i]->irq);
        end(f);
    }
    end(f); /* soc */
    end(f); /* root */
    put32(f, FDT_END);
    if (f->overflow)
        return 0;

    size_t off_rsv = 40, off_struct = off_rsv + 16, off_str = off_struct + f->st_len;
    size_t total = off_str + f->str_len;
    if (total > cap)
        return 0;
    memset(out, 0, total);
    uint32_t hdr[10] = {FDT_MAGIC, (uint32_t)total, (uint32_t)off_struct, (uint32_t)off_str,
                        (uint32_t)off_rsv, 17, 16, 0, (uint32_t)f->str_len, (uint32_t)f->st_len};
    for (int i = 0; i < 10; i++) {
        out[4 * i] = (uint8_t)(hdr[i] >> 24);
        out[4 * i + 1] = (uint8_t)(hdr[i] >> 16);
        out[4 * i + 2] = (uint8_t)(hdr[i] >> 8);
        out[4 * i + 3] = (uint8_t)hdr[i];
    }
    memcpy(out + off_struct, f->st, f->st_len);
    memcpy(out + off_str, f->str, f->str_len);
    return total;
}
