/* RV64IMAFDC interpreter with Zicsr, Zifencei, M/S/U privilege modes and Sv39 paging. */
#include "cpu.h"

#include <stddef.h>

#include <stdio.h>
#include <stdlib.h>

#include "aot.h"

#define SEXT32(v) ((uint64_t)(int64_t)(int32_t)(v))

#if defined(__GNUC__) && !defined(__wasm__) && !defined(C2W_NO_THREADED)
#define C2W_THREADED 1 /* computed-goto dispatch (GNU C); wasm has no indirect goto */
#else
#define C2W_THREADED 0
#endif

static void c_table_init(void);
static void dcache_init(CPU *c);
static void dcache_flush(CPU *c);

/* ------------------------------------------------------------------ TLB */

/* Entries are tagged with the privilege mode they were filled in (tlb_ptag), so traps and
 * xRET need no flush; anything that changes translations flushes. */
void cpu_tlb_flush(CPU *c)
{
    memset(c->tlb, 0xff, sizeof c->tlb);
    c->tlb_ptag = (uint64_t)c->priv << 60;
    c->fetch_tag = ~0ULL;
}

/* ------------------------------------------------------------------ paging */

/* Effective privilege for data accesses (MPRV). */
static inline int data_priv(const CPU *c)
{
    if ((c->mstatus & MSTATUS_MPRV) && c->priv == PRV_M)
        return (int)((c->mstatus >> MSTATUS_MPP_SHIFT) & 3);
    return c->priv;
}

static uint8_t *ram_ptr(CPU *c, uint64_t pa, int size)
{
    uint64_t off = pa - c->ram_base;
    if (pa >= c->ram_base && off < c->ram_size && c->ram_size - off >= (uint64_t)size)
        return c->ram + off;
    return NULL;
}

static void dpage_drop(CPU *c, uint64_t ppn);

/* The hart writes RAM at pa outside the fast write TLB: if that page holds decoded code, drop it
 * (only pages without decoded code get fast write entries). */
static inline void code_written(CPU *c, uint64_t pa)
{
    uint64_t ppn = (pa - c->ram_base) >> 12;
    if (unlikely(c->dmap[ppn])) {
        dpage_drop(c, ppn);
        c->n_dpages_store_drops++;
    }
}

/* Translate va for an access; returns 0 on success or the exception cause. */
static int translate(CPU *c, uint64_t va, int acc, uint64_t *pa)
{
    int priv = acc == ACC_FETCH ? c->priv : data_priv(c);
    uint64_t mode = c->satp >> 60;
    if (priv == PRV_M || mode == 0) {
        *pa = va;
        return 0;
    }
    int fault = acc == ACC_FETCH ? CAUSE_FETCH_PAGE_FAULT
              : acc == ACC_WRITE ? CAUSE_STORE_PAGE_FAULT : CAUSE_LOAD_PAGE_FAULT;
    /* Sv39: bits 63..39 must equal bit 38 */
    if ((uint64_t)(((int64_t)va << 25) >> 25) != va)
        return fault;
    uint64_t a = (c->satp & ((1ULL << 44) - 1)) << 12;
    for (int level = 2; level >= 0; level--) {
        uint64_t pte_addr = a + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
        uint8_t *p = ram_ptr(c, pte_addr, 8);
        if (!p)
            return acc == ACC_FETCH ? CAUSE_FETCH_ACCESS
                 : acc == ACC_WRITE ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS;
        uint64_t pte;
        memcpy(&pte, p, 8);
        if (!(pte & 1) || ((pte & 6) == 4) || (pte >> 54))
            return fault; /* invalid, W without R, or reserved bits */
        uint64_t ppn = (pte >> 10) & ((1ULL << 44) - 1);
        if (!(pte & 0xa)) { /* pointer to next level */
            if (pte & 0xd0) /* D, A, U must be clear on non-leaf */
                return fault;
            a = ppn << 12;
            continue;
        }
        /* leaf */
        bool u = pte & 0x10;
        if (priv == PRV_U) {
            if (!u)
                return fault;
        } else if (u) {
            if (acc == ACC_FETCH || !(c->mstatus & MSTATUS_SUM))
                return fault;
        }
        if (acc == ACC_FETCH) {
            if (!(pte & 8))
                return fault;
        } else if (acc == ACC_WRITE) {
            if (!(pte & 4))
                return fault;
        } else {
            if (!(pte & 2) && !((c->mstatus & MSTATUS_MXR) && (pte & 8)))
                return fault;
        }
        if (level > 0 && (ppn & ((1ULL << (9 * level)) - 1)))
            return fault; /* misaligned superpage */
        uint64_t need = 0x40 | (acc == ACC_WRITE ? 0x80 : 0);
        if ((pte & need) != need) {
            pte |= need;
            memcpy(p, &pte, 8);
            code_written(c, pte_addr);
        }
        uint64_t mask = (1ULL << (12 + 9 * level)) - 1;
        *pa = ((ppn << 12) & ~mask) | (va & mask);
        return 0;
    }
    return fault;
}

/* Slow path of a data access confined to one page. Returns 0 or a cause. */
static int access_page(CPU *c, uint64_t va, int size, int acc, uint64_t *val)
{
    uint64_t pa;
    int cause = translate(c, va, acc, &pa);
    if (cause)
        return cause;
    uint8_t *p = ram_ptr(c, pa, size);
    if (p) {
        if (acc == ACC_WRITE)
            code_written(c, pa); /* now the page may get a fast write entry */
        /* fill the TLB with this page */
        uint8_t *pg = ram_ptr(c, pa & ~0xfffULL, 4096);
        if (pg) {
            TLBEntry *e = &c->tlb[acc][(va >> 12) & (TLB_SIZE - 1)];
            e->tag = (va >> 12) | c->tlb_ptag;
            e->add = (uint64_t)(uintptr_t)pg - (va & ~0xfffULL);
        }
        if (acc == ACC_WRITE)
            memcpy(p, val, size);
        else {
            *val = 0;
            memcpy(val, p, size);
        }
        return 0;
    }
    if (acc == ACC_WRITE) {
        if (!bus_write(c->bus, pa, size, *val))
            return CAUSE_STORE_ACCESS;
    } else {
        if (!bus_read(c->bus, pa, size, val))
            return CAUSE_LOAD_ACCESS;
    }
    return 0;
}

/* Returns 0 or a cause; misaligned page-crossing accesses are split into bytes. */
/* On a fault, c->fault_addr is the address for xtval: that of the part of the access that
 * faulted (priv spec: a misaligned access split across pages reports the faulting part). */
static int __attribute__((noinline)) mem_slow(CPU *c, uint64_t va, int size, int acc, uint64_t *val)
{
    c->fault_addr = va;
    if (likely((va & 0xfff) + size <= 4096))
        return access_page(c, va, size, acc, val);
    /* split: check both pages first so that a fault leaves memory untouched */
    uint64_t pa;
    int cause = translate(c, va, acc, &pa);
    if (!cause) {
        cause = translate(c, va + size - 1, acc, &pa);
        if (cause)
            c->fault_addr = (va + size - 1) & ~0xfffULL; /* first byte on the second page */
    }
    if (cause)
        return cause;
    uint64_t v = 0;
    for (int i = 0; i < size; i++) {
        uint64_t b = (*val >> (8 * i)) & 0xff;
        cause = access_page(c, va + i, 1, acc, &b);
        if (cause) {
            c->fault_addr = va + i;
            return cause;
        }
        v |= (b & 0xff) << (8 * i);
    }
    if (acc != ACC_WRITE)
        *val = v;
    return 0;
}

int cpu_mem_slow(CPU *c, uint64_t va, int size, int acc, uint64_t *val)
{
    return mem_slow(c, va, size, acc, val);
}

#define DEFINE_LOAD(name, type, size)                                              \
    static inline int name(CPU *c, uint64_t va, uint64_t *out)                     \
    {                                                                              \
        TLBEntry *e = &c->tlb[ACC_READ][(va >> 12) & (TLB_SIZE - 1)];              \
        if (likely(e->tag == ((va >> 12) | c->tlb_ptag) && (va & 0xfff) <= 4096 - size)) { \
            type v;                                                                \
            memcpy(&v, (void *)(uintptr_t)(e->add + va), size);                    \
            *out = (uint64_t)v;                                                    \
            return 0;                                                              \
        }                                                                          \
        uint64_t v = 0;                                                            \
        int cause = mem_slow(c, va, size, ACC_READ, &v);                           \
        *out = (uint64_t)(type)v;                                                  \
        return cause;                                                              \
    }
DEFINE_LOAD(ld_i32, int32_t, 4)
DEFINE_LOAD(ld_u32, uint32_t, 4)
DEFINE_LOAD(ld_u64, uint64_t, 8)

static inline int st_mem(CPU *c, uint64_t va, int size, uint64_t val)
{
    TLBEntry *e = &c->tlb[ACC_WRITE][(va >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag == ((va >> 12) | c->tlb_ptag) && (va & 0xfff) <= (uint64_t)(4096 - size))) {
        void *p = (void *)(uintptr_t)(e->add + va);
        switch (size) {
        case 1: { uint8_t v = (uint8_t)val; memcpy(p, &v, 1); break; }
        case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); break; }
        case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); break; }
        default: memcpy(p, &val, 8); break;
        }
        return 0;
    }
    return mem_slow(c, va, size, ACC_WRITE, &val);
}

/* Host pointer for an atomic read-modify-write; cause on failure. */
static int amo_ptr(CPU *c, uint64_t va, int size, uint8_t **p)
{
    if (va & (size - 1))
        return CAUSE_MISALIGNED_STORE;
    uint64_t pa;
    int cause = translate(c, va, ACC_WRITE, &pa);
    if (cause)
        return cause;
    *p = ram_ptr(c, pa, size);
    if (!*p)
        return CAUSE_STORE_ACCESS;
    code_written(c, pa);
    return 0;
}

/* ------------------------------------------------------------------ traps */

static void set_priv(CPU *c, int priv)
{
    if (c->priv != priv) {
        c->priv = priv;
        c->tlb_ptag = (uint64_t)priv << 60;
        c->fetch_tag = ~0ULL;
        if (c->mstatus & MSTATUS_MPRV)
            cpu_tlb_flush(c); /* M entries made with MPRV depend on MPP */
    }
}

void cpu_trap(CPU *c, uint64_t cause, uint64_t tval)
{
    bool intr = cause >> 63;
    uint64_t code = cause & 63;
    uint64_t deleg = intr ? c->mideleg : c->medeleg;
    c->reservation = ~0ULL;
    c->wfi = false;
    if (c->priv <= PRV_S && ((deleg >> code) & 1)) {
        c->scause = cause;
        c->sepc = c->pc;
        c->stval = tval;
        uint64_t s = c->mstatus;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s = (s & ~MSTATUS_SPP) | (c->priv == PRV_S ? MSTATUS_SPP : 0);
        s &= ~MSTATUS_SIE;
        c->mstatus = s;
        c->pc = (c->stvec & ~3ULL) + ((intr && (c->stvec & 1)) ? 4 * code : 0);
        set_priv(c, PRV_S);
    } else {
        if (unlikely(c->emulate_m)) {
            c->hooks.m_trap(c->hooks.opaque, cause, tval);
            cpu_stop(c);
            return;
        }
        c->mcause = cause;
        c->mepc = c->pc;
        c->mtval = tval;
        uint64_t s = c->mstatus;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s = (s & ~MSTATUS_MPP) | ((uint64_t)c->priv << MSTATUS_MPP_SHIFT);
        s &= ~MSTATUS_MIE;
        c->mstatus = s;
        c->pc = (c->mtvec & ~3ULL) + ((intr && (c->mtvec & 1)) ? 4 * code : 0);
        set_priv(c, PRV_M);
    }
}

static uint64_t pending_interrupts(const CPU *c)
{
    uint64_t pend = c->mip & c->mie;
    if (!pend)
        return 0;
    uint64_t m_pend = pend & ~c->mideleg;
    uint64_t s_pend = pend & c->mideleg;
    bool m_on = c->priv < PRV_M || (c->mstatus & MSTATUS_MIE);
    bool s_on = c->priv < PRV_S || (c->priv == PRV_S && (c->mstatus & MSTATUS_SIE));
    uint64_t r = 0;
    if (m_on)
        r |= m_pend;
    if (s_on)
        r |= s_pend;
    return r;
}

bool cpu_interrupt_pending(const CPU *c)
{
    return pending_interrupts(c) != 0;
}

bool cpu_check_interrupts(CPU *c)
{
    uint64_t p = pending_interrupts(c);
    if (!p)
        return false;
    static const int order[] = {11, 3, 7, 9, 1, 5};
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (p & (1ULL << order[i])) {
            cpu_trap(c, CAUSE_INTERRUPT | order[i], 0);
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------ CSRs */

#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | \
                      MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD | (3ULL << 9) | (3ULL << 15))
#define MSTATUS_WMASK (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | \
                       MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | \
                       MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define SIP_WMASK MIP_SSIP
#define MIP_WMASK (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define S_INTS (MIP_SSIP | MIP_STIP | MIP_SEIP)

uint64_t cpu_instret(const CPU *c)
{
    return c->instret + (uint64_t)(c->batch_size - c->batch_left);
}

static uint64_t read_mstatus(const CPU *c)
{
    uint64_t s = c->mstatus;
    if ((s & MSTATUS_FS) == MSTATUS_FS)
        s |= MSTATUS_SD;
    return s;
}

static bool counter_allowed(const CPU *c, int idx)
{
    if (c->priv < PRV_M && !((c->mcounteren >> idx) & 1))
        return false;
    if (c->priv < PRV_S && !((c->scounteren >> idx) & 1))
        return false;
    return true;
}

/* Returns false if the access is illegal. */
static bool csr_read(CPU *c, uint32_t csr, uint64_t *v)
{
    if (((csr >> 8) & 3) > (uint32_t)c->priv)
        return false;
    switch (csr) {
    case 0x001: if (!(c->mstatus & MSTATUS_FS)) return false; *v = c->fflags; break;
    case 0x002: if (!(c->mstatus & MSTATUS_FS)) return false; *v = c->frm; break;
    case 0x003: if (!(c->mstatus & MSTATUS_FS)) return false; *v = c->fflags | (c->frm << 5); break;
    case 0xc00: case 0xc02:
        if (!counter_allowed(c, csr & 31)) return false;
        *v = cpu_instret(c);
        break;
    case 0xc01:
        if (!counter_allowed(c, 1)) return false;
        *v = c->hooks.mtime(c->hooks.opaque);
        break;
    case 0x100: *v = read_mstatus(c) & SSTATUS_MASK; break;
    case 0x104: *v = c->mie & c->mideleg; break;
    case 0x105: *v = c->stvec; break;
    case 0x106: *v = c->scounteren; break;
    case 0x10a: *v = c->senvcfg; break;
    case 0x140: *v = c->sscratch; break;
    case 0x141: *v = c->sepc; break;
    case 0x142: *v = c->scause; break;
    case 0x143: *v = c->stval; break;
    case 0x144: *v = c->mip & c->mideleg; break;
    case 0x180:
        if (c->priv == PRV_S && (c->mstatus & MSTATUS_TVM)) return false;
        *v = c->satp;
        break;
    case 0xf11: case 0xf12: case 0xf13: case 0xf15: *v = 0; break;
    case 0xf14: *v = c->mhartid; break;
    case 0x300: *v = read_mstatus(c); break;
    case 0x301: *v = c->misa; break;
    case 0x302: *v = c->medeleg; break;
    case 0x303: *v = c->mideleg; break;
    case 0x304: *v = c->mie; break;
    case 0x305: *v = c->mtvec; break;
    case 0x306: *v = c->mcounteren; break;
    case 0x30a: *v = c->menvcfg; break;
    case 0x320: *v = c->mcountinhibit; break;
    case 0x340: *v = c->mscratch; break;
    case 0x341: *v = c->mepc; break;
    case 0x342: *v = c->mcause; break;
    case 0x343: *v = c->mtval; break;
    case 0x344: *v = c->mip; break;
    case 0xb00: case 0xb02: *v = cpu_instret(c); break;
    default:
        if (csr >= 0x3a0 && csr <= 0x3a3) { *v = (csr & 1) ? 0 : c->pmpcfg[csr & 3]; break; }
        if (csr >= 0x3b0 && csr <= 0x3bf) { *v = c->pmpaddr[csr - 0x3b0]; break; }
        if (csr >= 0x3c0 && csr <= 0x3ef) { *v = 0; break; }
        if ((csr >= 0xc03 && csr <= 0xc1f)) {
            if (!counter_allowed(c, csr & 31)) return false;
            *v = 0;
            break;
        }
        if ((csr >= 0xb03 && csr <= 0xb1f) || (csr >= 0x323 && csr <= 0x33f)) { *v = 0; break; }
        if (csr >= 0x7a0 && csr <= 0x7a3) { *v = 0; break; } /* trigger module: none */
        return false;
    }
    return true;
}

/* Returns false if illegal. Sets *flush when the host loop must re-check state. */
static bool csr_write(CPU *c, uint32_t csr, uint64_t v)
{
    if (((csr >> 8) & 3) > (uint32_t)c->priv || (csr >> 10) == 3)
        return false;
    switch (csr) {
    case 0x001: if (!(c->mstatus & MSTATUS_FS)) return false;
        c->fflags = v & 31; c->mstatus |= MSTATUS_FS; break;
    case 0x002: if (!(c->mstatus & MSTATUS_FS)) return false;
        c->frm = v & 7; c->mstatus |= MSTATUS_FS; break;
    case 0x003: if (!(c->mstatus & MSTATUS_FS)) return false;
        c->fflags = v & 31; c->frm = (v >> 5) & 7; c->mstatus |= MSTATUS_FS; break;
    case 0x100: {
        uint64_t mask = SSTATUS_MASK & MSTATUS_WMASK;
        uint64_t old = c->mstatus;
        c->mstatus = (c->mstatus & ~mask) | (v & mask);
        if ((old ^ c->mstatus) & (MSTATUS_SUM | MSTATUS_MXR))
            cpu_tlb_flush(c);
        break;
    }
    case 0x104: c->mie = (c->mie & ~c->mideleg) | (v & c->mideleg); break;
    case 0x105: c->stvec = v & ~2ULL; break;
    case 0x106: c->scounteren = (uint32_t)v; break;
    case 0x10a: c->senvcfg = v & 1; break;
    case 0x140: c->sscratch = v; break;
    case 0x141: c->sepc = v & ~1ULL; break;
    case 0x142: c->scause = v; break;
    case 0x143: c->stval = v; break;
    case 0x144: {
        uint64_t mask = SIP_WMASK & c->mideleg;
        c->mip = (c->mip & ~mask) | (v & mask);
        break;
    }
    case 0x180: {
        if (c->priv == PRV_S && (c->mstatus & MSTATUS_TVM)) return false;
        uint64_t mode = v >> 60;
        if (mode != 0 && mode != 8)
            break; /* unsupported mode: write ignored */
        c->satp = v & ((0xfULL << 60) | ((1ULL << 44) - 1)); /* ASID not implemented */
        cpu_tlb_flush(c);
        break;
    }
    case 0x300: {
        uint64_t old = c->mstatus;
        uint64_t nv = (c->mstatus & ~MSTATUS_WMASK) | (v & MSTATUS_WMASK);
        if (((nv >> MSTATUS_MPP_SHIFT) & 3) == 2)
            nv &= ~MSTATUS_MPP; /* reserved value: WARL to U */
        c->mstatus = nv;
        if ((old ^ nv) & (MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPP))
            cpu_tlb_flush(c);
        break;
    }
    case 0x301: break; /* misa: fixed */
    case 0x302: c->medeleg = v & 0xb3ff; break;
    case 0x303: c->mideleg = v & S_INTS; break;
    case 0x304: c->mie = v & (S_INTS | MIP_MSIP | MIP_MTIP | MIP_MEIP); break;
    case 0x305: c->mtvec = v & ~2ULL; break;
    case 0x306: c->mcounteren = (uint32_t)v; break;
    case 0x30a: c->menvcfg = v & 1; break;
    case 0x320: c->mcountinhibit = (uint32_t)v & ~2u; break;
    case 0x340: c->mscratch = v; break;
    case 0x341: c->mepc = v & ~1ULL; break;
    case 0x342: c->mcause = v; break;
    case 0x343: c->mtval = v; break;
    case 0x344: c->mip = (c->mip & ~MIP_WMASK) | (v & MIP_WMASK); break;
    case 0xb00: case 0xb02:
        c->instret = v - (uint64_t)(c->batch_size - c->batch_left);
        break;
    default:
        if (csr >= 0x3a0 && csr <= 0x3a3) { if (!(csr & 1)) c->pmpcfg[csr & 3] = v; break; }
        if (csr >= 0x3b0 && csr <= 0x3bf) { c->pmpaddr[csr - 0x3b0] = v & ((1ULL << 54) - 1); break; }
        if (csr >= 0x3c0 && csr <= 0x3ef) break;
        if ((csr >= 0xb03 && csr <= 0xb1f) || (csr >= 0x323 && csr <= 0x33f)) break;
        if (csr >= 0x7a0 && csr <= 0x7a3) break;
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ init */

void cpu_init(CPU *c, const Bus *bus, const CPUHooks *hooks, uint8_t *ram, uint64_t ram_base,
              uint64_t ram_size)
{
    memset(c, 0, sizeof *c);
    c_table_init();
    c->bus = bus;
    c->hooks = *hooks;
    c->ram = ram;
    c->ram_base = ram_base;
    c->ram_size = ram_size;
    dcache_init(c);
    cpu_reset(c, ram_base);
}

void cpu_reset(CPU *c, uint64_t pc)
{
    memset(c->x, 0, sizeof c->x);
    memset(c->f, 0, sizeof c->f);
    c->pc = pc;
    c->priv = PRV_M;
    c->misa = (2ULL << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) |
              (1 << 18) | (1 << 20);
    c->mstatus = (2ULL << 32) | (2ULL << 34);
    c->reservation = ~0ULL;
    /* U-mode may read cycle/time/instret (the reset value is unspecified, WARL): Linux 6.1 only
     * sets scounteren from its SBI PMU driver, and without it every vDSO clock_gettime in the
     * container would die of SIGILL (QEMU does not check scounteren) */
    c->scounteren = 7;
    cpu_tlb_flush(c);
    dcache_flush(c);
}

/* ------------------------------------------------------------------ interpreter */

static inline uint64_t mulhu64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}
static inline uint64_t mulh64(int64_t a, int64_t b)
{
    return (uint64_t)(((__int128)a * b) >> 64);
}
static inline uint64_t mulhsu64(int64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)a * (unsigned __int128)b) >> 64);
}

static inline uint64_t do_div(int64_t a, int64_t b)
{
    if (b == 0) return ~0ULL;
    if (a == INT64_MIN && b == -1) return (uint64_t)a;
    return (uint64_t)(a / b);
}
static inline uint64_t do_rem(int64_t a, int64_t b)
{
    if (b == 0) return (uint64_t)a;
    if (a == INT64_MIN && b == -1) return 0;
    return (uint64_t)(a % b);
}

/* Fetch refill: map the page of pc; returns 0 or a cause. */
static int fetch_refill(CPU *c, uint64_t pc)
{
    TLBEntry *e = &c->tlb[ACC_FETCH][(pc >> 12) & (TLB_SIZE - 1)];
    if (e->tag != ((pc >> 12) | c->tlb_ptag)) {
        uint64_t pa;
        int cause = translate(c, pc, ACC_FETCH, &pa);
        if (cause)
            return cause;
        uint8_t *p = ram_ptr(c, pa & ~0xfffULL, 4096);
        if (!p)
            return CAUSE_FETCH_ACCESS;
        e->tag = (pc >> 12) | c->tlb_ptag;
        e->add = (uint64_t)(uintptr_t)p - (pc & ~0xfffULL);
        c->fetch_dps[(pc >> 12) & (TLB_SIZE - 1)] = NULL; /* set by fetch_page */
        c->fetch_fns[(pc >> 12) & (TLB_SIZE - 1)] = NULL;
    }
    c->fetch_tag = pc >> 12;
    c->fetch_host = (uint8_t *)(uintptr_t)(e->add + (pc & ~0xfffULL));
    return 0;
}

/* Slow instruction fetch across a page boundary. */
static int fetch_slow(CPU *c, uint64_t pc, uint32_t *insn)
{
    int cause = fetch_refill(c, pc);
    if (cause)
        return cause;
    uint16_t lo;
    memcpy(&lo, c->fetch_host + (pc & 0xfff), 2);
    if ((lo & 3) != 3 || (pc & 0xfff) != 0xffe) {
        if ((lo & 3) != 3) { *insn = lo; return 0; }
        memcpy(insn, c->fetch_host + (pc & 0xfff), 4);
        return 0;
    }
    uint64_t pa;
    cause = translate(c, pc + 2, ACC_FETCH, &pa);
    if (cause)
        return cause | 0x100; /* tval = pc + 2 */
    uint8_t *p = ram_ptr(c, pa, 2);
    if (!p)
        return CAUSE_FETCH_ACCESS | 0x100;
    uint16_t hi;
    memcpy(&hi, p, 2);
    *insn = lo | ((uint32_t)hi << 16);
    c->fetch_tag = ~0ULL;
    return 0;
}

#define RD ((insn >> 7) & 31)
#define RS1 ((insn >> 15) & 31)
#define RS2 ((insn >> 20) & 31)
#define RS3 (insn >> 27)
#define FUNCT3 ((insn >> 12) & 7)
#define FUNCT7 (insn >> 25)
#define IMM_I ((uint64_t)((int64_t)(int32_t)insn >> 20))
#define IMM_S ((uint64_t)(((int64_t)(int32_t)insn >> 25) << 5 | ((insn >> 7) & 31)))

#define TRAP(cause, tval) \
    do { c->pc = PC; c->batch_left = left; cpu_trap(c, (cause), (tval)); goto next_trapped; } while (0)
#define ILLEGAL() TRAP(CAUSE_ILLEGAL_INSN, raw)
/* memory access that may reach a device (which may end the batch): counter synced around it */
#define MEMCHK(expr, va) \
    do { SAVE_RUN(); int _cause = (expr); LOAD_RUN(); (void)(va); \
         if (unlikely(_cause)) TRAP(_cause, c->fault_addr); } while (0)
/* The loop state goes through memory around calls on paths that go on with it: no value
 * of the loop is then live across a call, which lets the wasm code generator keep them in
 * registers (it spills values live across calls). The batch counter must be synced anyway. */
#define SAVE_RUN() (c->batch_left = left, c->run_d = d, c->run_dp = dp, c->run_ftag = ftag)
#define LOAD_RUN() (left = c->batch_left, d = c->run_d, dp = c->run_dp, ftag = c->run_ftag, \
                    ptag = c->tlb_ptag)
#define FS_CHECK() do { if (unlikely(!(c->mstatus & MSTATUS_FS))) ILLEGAL(); } while (0)

static int exec_system(CPU *c, uint32_t insn, int *stop);
static int exec_amo(CPU *c, uint32_t insn);

/* ------------------------------------------------------------------ RVC expansion */

#define R_TYPE(f7, rs2, rs1, f3, rd, op) \
    (((uint32_t)(f7) << 25) | ((uint32_t)(rs2) << 20) | ((uint32_t)(rs1) << 15) | ((uint32_t)(f3) << 12) | \
     ((uint32_t)(rd) << 7) | (op))
#define I_TYPE(imm, rs1, f3, rd, op) \
    ((((uint32_t)(imm) & 0xfff) << 20) | ((uint32_t)(rs1) << 15) | ((uint32_t)(f3) << 12) | \
     ((uint32_t)(rd) << 7) | (op))
#define S_TYPE(imm, rs2, rs1, f3, op) \
    (((((uint32_t)(imm) >> 5) & 0x7f) << 25) | ((uint32_t)(rs2) << 20) | ((uint32_t)(rs1) << 15) | \
     ((uint32_t)(f3) << 12) | (((uint32_t)(imm) & 31) << 7) | (op))

static uint32_t b_type(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
    uint32_t u = (uint32_t)imm;
    return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
           (f3 << 12) | (((u >> 1) & 0xf) << 8) | (((u >> 11) & 1) << 7) | 0x63;
}

static uint32_t j_type(int32_t imm, uint32_t rd)
{
    uint32_t u = (uint32_t)imm;
    return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) |
           (((u >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;
}

static inline int32_t sext(uint32_t v, int bits)
{
    return (int32_t)(v << (32 - bits)) >> (32 - bits);
}

/* The 32-bit instruction a compressed one stands for, or 0 if it is illegal/reserved. */
static uint32_t c_expand(uint32_t insn)
{
    uint32_t op = ((insn & 3) << 3) | ((insn >> 13) & 7);
    uint32_t rd = (insn >> 7) & 31, rs2 = (insn >> 2) & 31;
    uint32_t rdp = 8 + ((insn >> 2) & 7), rs1p = 8 + ((insn >> 7) & 7);
    int32_t imm6 = sext(((insn >> 7) & 0x20) | ((insn >> 2) & 0x1f), 6);
    uint32_t shamt = ((insn >> 7) & 0x20) | ((insn >> 2) & 0x1f);
    uint32_t off_d = ((insn >> 7) & 0x38) | ((insn << 1) & 0xc0);
    uint32_t off_w = ((insn >> 7) & 0x38) | ((insn >> 4) & 4) | ((insn << 1) & 0x40);
    switch (op) {
    case 000: { /* C.ADDI4SPN */
        uint32_t imm = ((insn >> 7) & 0x30) | ((insn >> 1) & 0x3c0) | ((insn >> 4) & 4) | ((insn >> 2) & 8);
        return imm ? I_TYPE(imm, 2, 0, rdp, 0x13) : 0;
    }
    case 001: return I_TYPE(off_d, rs1p, 3, rdp, 0x07);   /* C.FLD */
    case 002: return I_TYPE(off_w, rs1p, 2, rdp, 0x03);   /* C.LW */
    case 003: return I_TYPE(off_d, rs1p, 3, rdp, 0x03);   /* C.LD */
    case 005: return S_TYPE(off_d, rdp, rs1p, 3, 0x27);   /* C.FSD */
    case 006: return S_TYPE(off_w, rdp, rs1p, 2, 0x23);   /* C.SW */
    case 007: return S_TYPE(off_d, rdp, rs1p, 3, 0x23);   /* C.SD */
    case 010: return I_TYPE(imm6, rd, 0, rd, 0x13);       /* C.ADDI (C.NOP) */
    case 011: return rd ? I_TYPE(imm6, rd, 0, rd, 0x1b) : 0; /* C.ADDIW */
    case 012: return I_TYPE(imm6, 0, 0, rd, 0x13);        /* C.LI */
    case 013:
        if (rd == 2) { /* C.ADDI16SP */
            uint32_t u = ((insn >> 3) & 0x200) | ((insn >> 2) & 0x10) | ((insn << 1) & 0x40) |
                         ((insn << 4) & 0x180) | ((insn << 3) & 0x20);
            return u ? I_TYPE(sext(u, 10), 2, 0, 2, 0x13) : 0;
        } else { /* C.LUI */
            uint32_t u = ((insn << 5) & 0x20000) | ((insn << 10) & 0x1f000);
            return u ? (((uint32_t)sext(u, 18) & 0xfffff000u) | (rd << 7) | 0x37) : 0;
        }
    case 014:
        switch ((insn >> 10) & 3) {
        case 0: return R_TYPE(0, 0, rs1p, 5, rs1p, 0x13) | (shamt << 20);          /* C.SRLI */
        case 1: return R_TYPE(0x20, 0, rs1p, 5, rs1p, 0x13) | (shamt << 20);       /* C.SRAI */
        case 2: return I_TYPE(imm6, rs1p, 7, rs1p, 0x13);                       /* C.ANDI */
        default:
            switch (((insn >> 10) & 4) | ((insn >> 5) & 3)) {
            case 0: return R_TYPE(0x20, rdp, rs1p, 0, rs1p, 0x33); /* C.SUB */
            case 1: return R_TYPE(0, rdp, rs1p, 4, rs1p, 0x33);    /* C.XOR */
            case 2: return R_TYPE(0, rdp, rs1p, 6, rs1p, 0x33);    /* C.OR */
            case 3: return R_TYPE(0, rdp, rs1p, 7, rs1p, 0x33);    /* C.AND */
            case 4: return R_TYPE(0x20, rdp, rs1p, 0, rs1p, 0x3b); /* C.SUBW */
            case 5: return R_TYPE(0, rdp, rs1p, 0, rs1p, 0x3b);    /* C.ADDW */
            default: return 0;
            }
        }
    case 015: { /* C.J */
        uint32_t u = ((insn >> 1) & 0x800) | ((insn >> 7) & 0x10) | ((insn >> 1) & 0x300) |
                     ((insn << 2) & 0x400) | ((insn >> 1) & 0x40) | ((insn << 1) & 0x80) |
                     ((insn >> 2) & 0xe) | ((insn << 3) & 0x20);
        return j_type(sext(u, 12), 0);
    }
    case 016: case 017: { /* C.BEQZ / C.BNEZ */
        uint32_t u = ((insn >> 4) & 0x100) | ((insn >> 7) & 0x18) | ((insn << 1) & 0xc0) |
                     ((insn >> 2) & 6) | ((insn << 3) & 0x20);
        return b_type(sext(u, 9), 0, rs1p, op == 016 ? 0 : 1);
    }
    case 020: return R_TYPE(0, 0, rd, 1, rd, 0x13) | (shamt << 20); /* C.SLLI */
    case 021: /* C.FLDSP */
        return I_TYPE(((insn >> 7) & 0x20) | ((insn >> 2) & 0x18) | ((insn << 4) & 0x1c0), 2, 3, rd, 0x07);
    case 022: /* C.LWSP */
        return rd ? I_TYPE(((insn >> 7) & 0x20) | ((insn >> 2) & 0x1c) | ((insn << 4) & 0xc0), 2, 2, rd, 0x03) : 0;
    case 023: /* C.LDSP */
        return rd ? I_TYPE(((insn >> 7) & 0x20) | ((insn >> 2) & 0x18) | ((insn << 4) & 0x1c0), 2, 3, rd, 0x03) : 0;
    case 024:
        if (!(insn & 0x1000)) {
            if (!rs2) /* C.JR */
                return rd ? I_TYPE(0, rd, 0, 0, 0x67) : 0;
            return R_TYPE(0, rs2, 0, 0, rd, 0x33); /* C.MV */
        }
        if (!rs2) {
            if (!rd)
                return 0x00100073; /* C.EBREAK */
            return I_TYPE(0, rd, 0, 1, 0x67); /* C.JALR */
        }
        return R_TYPE(0, rs2, rd, 0, rd, 0x33); /* C.ADD */
    case 025: /* C.FSDSP */
        return S_TYPE(((insn >> 7) & 0x38) | ((insn >> 1) & 0x1c0), rs2, 2, 3, 0x27);
    case 026: /* C.SWSP */
        return S_TYPE(((insn >> 7) & 0x3c) | ((insn >> 1) & 0xc0), rs2, 2, 2, 0x23);
    case 027: /* C.SDSP */
        return S_TYPE(((insn >> 7) & 0x38) | ((insn >> 1) & 0x1c0), rs2, 2, 3, 0x23);
    default:
        return 0;
    }
}

static uint32_t c_table[1 << 16];

static void c_table_init(void)
{
    static bool done;
    if (done)
        return;
    for (uint32_t i = 0; i < (1u << 16); i++)
        c_table[i] = (i & 3) == 3 ? 0 : c_expand(i);
    done = true;
}

/* ------------------------------------------------------------------ decoded instruction cache */

/* Instructions are decoded once into DInsn records, kept per physical page of code and found
 * through the fetch page. A record is filled the first time its instruction runs (OP_DECODE
 * marks an empty slot). Stores to code are seen after FENCE.I, as the ISA requires, per page:
 * a page with decoded code gets no fast write TLB entry (dpage_get removes those of every
 * mapping of it), so the first store into it takes the slow path, which drops that page's
 * decoded code (code_written) and lets the following stores run fast. Device writes drop it
 * through cpu_ram_written. FENCE.I then has nothing left to drop: it only restarts fetching. */
enum {
    OP_DECODE = 0, OP_ILLEGAL, OP_CROSS,
    OP_ADDI, OP_SLTI, OP_SLTIU, OP_XORI, OP_ORI, OP_ANDI, OP_SLLI, OP_SRLI, OP_SRAI,
    OP_ADDIW, OP_SLLIW, OP_SRLIW, OP_SRAIW, OP_LUI, OP_AUIPC,
    OP_ADD, OP_SUB, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_SRA, OP_OR, OP_AND,
    OP_ADDW, OP_SUBW, OP_SLLW, OP_SRLW, OP_SRAW,
    OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU,
    OP_MULW, OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW,
    OP_JAL, OP_JALR, OP_BEQ, OP_BNE, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU,
    OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU, OP_SB, OP_SH, OP_SW, OP_SD,
    OP_FENCE, OP_FENCE_I, OP_SYSTEM, OP_AMO, OP_FLW, OP_FLD, OP_FSW, OP_FSD, OP_FP, OP_PAGE_END,
};

struct DInsn {
    uint8_t op, rd, rs1, rs2; /* rd 32 = the sink register for writes to x0 */
    int32_t imm;
    uint32_t insn;            /* the 32-bit instruction (RVC expanded) */
    uint16_t raw16;           /* the compressed instruction, for mtval */
    uint8_t len, pad;
};

struct DPage {
    uint64_t ppn;             /* physical page number, ~0 when free */
    TPageFn fn;               /* translated code for these contents (aot.h), or NULL */
    uint64_t hash;            /* aot_page_hash of the contents (when looked up) */
    void *prof;               /* --profile-pages: this page's profile record (aot.c), or NULL */
    DInsn ops[2048 + 2];      /* one per 2 bytes, then two OP_PAGE_END sentinels */
};

#define DP_POOL 256 /* decoded pages kept (32 KB each) */
#define DPAGE_OF(d_) ((DPage *)(void *)((char *)(d_) - offsetof(DPage, ops)))

uint64_t cpu_fetch_page_hash(const CPU *c)
{
    return DPAGE_OF(c->fetch_dp)->hash;
}

void **cpu_fetch_page_prof(CPU *c)
{
    return &DPAGE_OF(c->fetch_dp)->prof;
}

static void dcache_init(CPU *c)
{
    c->dpool = calloc(DP_POOL, sizeof *c->dpool);
    c->dmap = calloc(c->ram_size >> 12 ? c->ram_size >> 12 : 1, sizeof *c->dmap);
    c->dfree = calloc(DP_POOL, sizeof *c->dfree);
    if (!c->dpool || !c->dmap || !c->dfree) {
        fprintf(stderr, "c2w-engine: out of memory for the decoded instruction cache\n");
        exit(2);
    }
    for (int i = 0; i < DP_POOL; i++)
        c->dpool[i].ppn = ~0ULL;
    /* a 32-bit instruction across a page end runs from slot 2047 of this page */
    c->xpage = calloc(1, sizeof *c->xpage);
    if (!c->xpage) {
        fprintf(stderr, "c2w-engine: out of memory for the decoded instruction cache\n");
        exit(2);
    }
    c->xpage->ops[2048].op = c->xpage->ops[2049].op = OP_PAGE_END;
    c->xpage->ppn = ~0ULL;
}

/* Forget every decoded page. */
static void dcache_flush(CPU *c)
{
    if (c->dmap)
        memset(c->dmap, 0, sizeof *c->dmap * (c->ram_size >> 12));
    c->ndfree = 0;
    memset(c->fetch_dps, 0, sizeof c->fetch_dps);
    memset(c->fetch_fns, 0, sizeof c->fetch_fns);
    c->fetch_tag = ~0ULL;
}

void cpu_fence_i(CPU *c)
{
    c->n_fence_i++;
    c->fetch_tag = ~0ULL; /* refetch through the fetch TLB: kept pages are still valid */
}

/* Forget the decoded code of physical page ppn (it was written). A cpu_run loop executing that
 * page may go on with the old instructions until it leaves the page or runs FENCE.I (allowed:
 * without FENCE.I, a hart need not see its stores to code); the slot is reused only through
 * dpage_get, which the loop reaches only when it switches pages. */
static void dpage_drop(CPU *c, uint64_t ppn)
{
    int32_t i = c->dmap[ppn];
    c->dmap[ppn] = 0;
    DPage *p = &c->dpool[i - 1];
    if (p->ppn != ppn)
        return;
    p->ppn = ~0ULL;
    for (int k = 0; k < TLB_SIZE; k++)
        if (c->fetch_dps[k] == p->ops)
            c->fetch_dps[k] = NULL, c->fetch_fns[k] = NULL;
    if (c->fetch_dp == p->ops)
        c->fetch_tag = ~0ULL;
    c->dfree[c->ndfree++] = i - 1;
}

void cpu_ram_written(CPU *c, uint64_t pa, uint64_t len)
{
    if (!len || pa < c->ram_base || pa - c->ram_base >= c->ram_size)
        return;
    uint64_t first = (pa - c->ram_base) >> 12, last = (pa - c->ram_base + len - 1) >> 12;
    for (uint64_t ppn = first; ppn <= last && ppn < (c->ram_size >> 12); ppn++) {
        if (c->dmap[ppn]) {
            dpage_drop(c, ppn);
            c->n_dpages_dma_drops++;
        }
    }
}

static DInsn *dpage_get(CPU *c, uint64_t ppn)
{
    int32_t i = c->dmap[ppn];
    if (i && c->dpool[i - 1].ppn == ppn)
        return c->dpool[i - 1].ops;
    int slot;
    if (c->ndfree) {
        slot = c->dfree[--c->ndfree];
    } else {
        slot = c->dnext;
        c->dnext = (c->dnext + 1) % DP_POOL;
    }
    DPage *p = &c->dpool[slot];
    if (p->ppn < (c->ram_size >> 12) && c->dmap[p->ppn] == slot + 1)
        c->dmap[p->ppn] = 0; /* evicted: its page is plain data again */
    for (int k = 0; k < TLB_SIZE; k++) /* fetch TLB entries must not keep the old page */
        if (c->fetch_dps[k] == p->ops)
            c->fetch_dps[k] = NULL, c->fetch_fns[k] = NULL;
    /* stores to the new code page must be seen: drop its fast write entries (any mapping) */
    uint64_t host = (uint64_t)(uintptr_t)(c->ram + (ppn << 12));
    for (int k = 0; k < TLB_SIZE; k++) {
        TLBEntry *e = &c->tlb[ACC_WRITE][k];
        if (e->tag != ~0ULL && e->add + ((e->tag & ((1ULL << 60) - 1)) << 12) == host)
            e->tag = ~0ULL;
    }
    c->n_dpages_built++;
    memset(p->ops, 0, sizeof p->ops);
    p->ops[2048].op = p->ops[2049].op = OP_PAGE_END;
    p->ppn = ppn;
    p->fn = NULL;
    p->prof = NULL;
    if (c2w_aot_npages || c->aot_profile) { /* the translation of these contents, if any */
        const uint8_t *bytes = c->ram + (ppn << 12);
        p->hash = aot_page_hash(bytes);
        p->fn = c->aot_profile ? aot_profile_entry : aot_lookup(bytes, p->hash);
        c->n_dpages_aot += p->fn != NULL && !c->aot_profile;
    }
    c->dmap[ppn] = slot + 1;
    return p->ops;
}

/* Map the page of pc for fetching: fetch TLB, then its decoded page. 0 or a cause. */
static int fetch_page(CPU *c, uint64_t pc)
{
    int cause = fetch_refill(c, pc);
    if (cause)
        return cause;
    c->fetch_dp = dpage_get(c, (uint64_t)(c->fetch_host - c->ram) >> 12);
    c->fetch_fn = DPAGE_OF(c->fetch_dp)->fn;
    c->fetch_dps[(pc >> 12) & (TLB_SIZE - 1)] = c->fetch_dp;
    c->fetch_fns[(pc >> 12) & (TLB_SIZE - 1)] = c->fetch_fn;
    return 0;
}

static void decode(DInsn *d, uint32_t raw)
{
    uint32_t insn;
    memset(d, 0, sizeof *d);
    if ((raw & 3) == 3) {
        insn = raw;
        d->len = 4;
    } else {
        raw &= 0xffff;
        insn = c_table[raw];
        d->len = 2;
        d->raw16 = (uint16_t)raw;
    }
    d->insn = insn;
    d->op = OP_ILLEGAL;
    if (!insn)
        return;
    uint32_t rd = RD, f3 = FUNCT3, f7 = FUNCT7;
    d->rd = rd ? (uint8_t)rd : 32;
    d->rs1 = (uint8_t)RS1;
    d->rs2 = (uint8_t)RS2;
    int32_t imm_i = (int32_t)insn >> 20;
    int32_t imm_s = (int32_t)(insn & 0xfe000000) >> 20 | (int32_t)((insn >> 7) & 31);
    switch ((insn >> 2) & 31) {
    case 0x04: { /* OP-IMM */
        static const uint8_t ops[8] = {OP_ADDI, OP_SLLI, OP_SLTI, OP_SLTIU, OP_XORI, OP_SRLI, OP_ORI, OP_ANDI};
        d->op = ops[f3];
        d->imm = imm_i;
        if (f3 == 1 || f3 == 5) {
            uint32_t hi = insn >> 26;
            d->imm = (insn >> 20) & 63;
            if (f3 == 5 && hi == 0x10)
                d->op = OP_SRAI;
            else if (hi != 0)
                d->op = OP_ILLEGAL;
        }
        break;
    }
    case 0x06: /* OP-IMM-32 */
        d->imm = imm_i;
        if (f3 == 0)
            d->op = OP_ADDIW;
        else if (f3 == 1 && f7 == 0)
            d->op = OP_SLLIW, d->imm = (insn >> 20) & 31;
        else if (f3 == 5 && (f7 == 0 || f7 == 0x20))
            d->op = f7 ? OP_SRAIW : OP_SRLIW, d->imm = (insn >> 20) & 31;
        break;
    case 0x0d: d->op = OP_LUI; d->imm = (int32_t)(insn & 0xfffff000); break;
    case 0x05: d->op = OP_AUIPC; d->imm = (int32_t)(insn & 0xfffff000); break;
    case 0x0c: { /* OP */
        static const uint8_t base[8] = {OP_ADD, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_OR, OP_AND};
        static const uint8_t mul[8] = {OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU};
        if (f7 == 0)
            d->op = base[f3];
        else if (f7 == 1)
            d->op = mul[f3];
        else if (f7 == 0x20 && f3 == 0)
            d->op = OP_SUB;
        else if (f7 == 0x20 && f3 == 5)
            d->op = OP_SRA;
        break;
    }
    case 0x0e: /* OP-32 */
        if (f7 == 0) {
            if (f3 == 0) d->op = OP_ADDW;
            else if (f3 == 1) d->op = OP_SLLW;
            else if (f3 == 5) d->op = OP_SRLW;
        } else if (f7 == 0x20) {
            if (f3 == 0) d->op = OP_SUBW;
            else if (f3 == 5) d->op = OP_SRAW;
        } else if (f7 == 1) {
            static const uint8_t mulw[8] = {OP_MULW, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL,
                                            OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW};
            d->op = mulw[f3];
        }
        break;
    case 0x1b: { /* JAL */
        uint32_t u = ((insn >> 11) & 0x100000) | (insn & 0xff000) | ((insn >> 9) & 0x800) |
                     ((insn >> 20) & 0x7fe);
        d->op = OP_JAL;
        d->imm = (int32_t)(u << 11) >> 11;
        break;
    }
    case 0x19: /* JALR */
        if (f3 == 0)
            d->op = OP_JALR, d->imm = imm_i;
        break;
    case 0x18: { /* BRANCH */
        static const uint8_t br[8] = {OP_BEQ, OP_BNE, OP_ILLEGAL, OP_ILLEGAL, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU};
        uint32_t u = ((insn >> 19) & 0x1000) | ((insn << 4) & 0x800) | ((insn >> 20) & 0x7e0) |
                     ((insn >> 7) & 0x1e);
        d->op = br[f3];
        d->imm = (int32_t)(u << 19) >> 19;
        break;
    }
    case 0x00: { /* LOAD */
        static const uint8_t ld[8] = {OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU, OP_ILLEGAL};
        d->op = ld[f3];
        d->imm = imm_i;
        break;
    }
    case 0x08: { /* STORE */
        static const uint8_t st[8] = {OP_SB, OP_SH, OP_SW, OP_SD, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL};
        d->op = st[f3];
        d->imm = imm_s;
        break;
    }
    case 0x03: /* MISC-MEM */
        if (f3 == 0) d->op = OP_FENCE;
        else if (f3 == 1) d->op = OP_FENCE_I;
        break;
    case 0x1c: d->op = OP_SYSTEM; break;
    case 0x0b: if (f3 == 2 || f3 == 3) d->op = OP_AMO; break;
    case 0x01: /* LOAD-FP: rd is an f register */
        d->rd = (uint8_t)rd;
        d->imm = imm_i;
        if (f3 == 2) d->op = OP_FLW;
        else if (f3 == 3) d->op = OP_FLD;
        break;
    case 0x09: /* STORE-FP */
        d->imm = imm_s;
        if (f3 == 2) d->op = OP_FSW;
        else if (f3 == 3) d->op = OP_FSD;
        break;
    case 0x10: case 0x11: case 0x12: case 0x13: case 0x14:
        d->op = OP_FP;
        break;
    }
}

/* ------------------------------------------------------------------ interpreter loop */

/* Run translated pages from c->pc (in the current fetch page, which has one) for as long as
 * execution goes on in translated pages: a page that leaves to another page whose fetch TLB
 * entry, decoded page and translation are at hand is called from here, without the refill
 * path of cpu_run. Returns when a page declines (c->batch_left unchanged: the interpreter runs
 * the instruction at c->pc), when the batch is used up or ended, or at a page not ready. */
static __attribute__((noinline)) void aot_chain(CPU *c)
{
    uint64_t vpn = c->fetch_tag;
    TPageFn fn = c->fetch_fn;
    for (;;) {
        int64_t before = c->batch_left;
        fn(c, vpn << 12, (uint32_t)(c->pc & 0xfff));
        if (c->batch_left == before || c->batch_left <= 0)
            return;
        vpn = c->pc >> 12;
        unsigned k = vpn & (TLB_SIZE - 1);
        TLBEntry *e = &c->tlb[ACC_FETCH][k];
        fn = c->fetch_fns[k];
        if (!fn || e->tag != (vpn | c->tlb_ptag))
            return;
        c->fetch_tag = vpn;
        c->fetch_host = (uint8_t *)(uintptr_t)(e->add + (vpn << 12));
        c->fetch_dp = c->fetch_dps[k];
        c->fetch_fn = fn;
    }
}

#if C2W_THREADED && !defined(__clang__)
/* keep one indirect jump per handler (GCC would merge the identical dispatch tails) */
__attribute__((optimize("no-crossjumping", "no-gcse")))
#endif
void cpu_run(CPU *c, int64_t n)
{
    c->batch_size = n;
    c->batch_left = n;
    int64_t left = n; /* c->batch_left is synced around calls that read or end the batch */
    /* The current instruction is d, in the decoded page dp of the fetch page ftag (its vpn;
       bit 62 set while an instruction across a page end runs from the cross page)
       address); pc is only materialised (PC) when needed. Jumps within the page move d;
       leaving the page, or the sentinels after its last slot, go through refill with pc.
       c->pc is written back before anything that reads it (traps, SYSTEM, AMO) and at the
       end, and re-read after them. */
    uint64_t pc = c->pc;
    uint64_t ftag = c->fetch_tag;
    uint64_t ptag = c->tlb_ptag; /* privilege bits of TLB tags */
    DInsn *dp = c->fetch_dp, *d;
#define PC ((ftag << 12) + ((uint64_t)(d - dp) << 1))
/* continue at t: same page -> move d, else refill */
#define JUMP(t) do { uint64_t t_ = (t); \
        if (likely((t_ >> 12) == ftag)) { d = dp + ((t_ & 0xfff) >> 1); NEXT_AT_D; } \
        pc = t_; goto refill; } while (0)
refill:
    if (unlikely((pc >> 12) != ftag)) {
        uint64_t vpn = pc >> 12;
        TLBEntry *e = &c->tlb[ACC_FETCH][vpn & (TLB_SIZE - 1)];
        DInsn *ndp = c->fetch_dps[vpn & (TLB_SIZE - 1)];
        int cause = 0;
        if (likely(e->tag == (vpn | ptag) && ndp)) { /* fetch TLB hit with its decoded page */
            c->fetch_tag = vpn;
            c->fetch_host = (uint8_t *)(uintptr_t)(e->add + (vpn << 12));
            c->fetch_dp = ndp;
            c->fetch_fn = c->fetch_fns[vpn & (TLB_SIZE - 1)];
        } else {
            c->batch_left = left;
            c->run_pc = pc;
            cause = fetch_page(c, pc);
            left = c->batch_left;
            pc = c->run_pc;
            ptag = c->tlb_ptag;
        }
        if (cause) {
            left--; /* a fetch fault uses up an instruction slot */
            c->pc = pc;
            c->batch_left = left;
            cpu_trap(c, cause, pc);
            goto next_trapped;
        }
        ftag = c->fetch_tag;
        dp = c->fetch_dp;
    }
    d = &dp[(pc & 0xfff) >> 1];
    if (c->fetch_fn && left > 0) { /* translated page: run it (it leaves hard cases to us) */
        c->batch_left = left;
        c->pc = pc;
        aot_chain(c);
        if (c->batch_left != left) { /* it ran: go on from c->pc */
            c->n_aot_insns += (uint64_t)(left - c->batch_left);
            goto next_trapped;
        }
    }
#if C2W_THREADED
    /* native: each handler ends with its own indirect jump (better predicted) */
    static const void *const optab[OP_PAGE_END + 1] = {
        [OP_DECODE] = &&L_OP_DECODE,
        [OP_CROSS] = &&L_OP_CROSS,
        [OP_PAGE_END] = &&L_OP_PAGE_END,
        [OP_ILLEGAL] = &&L_OP_ILLEGAL,
        [OP_ADDI] = &&L_OP_ADDI,
        [OP_SLTI] = &&L_OP_SLTI,
        [OP_SLTIU] = &&L_OP_SLTIU,
        [OP_XORI] = &&L_OP_XORI,
        [OP_ORI] = &&L_OP_ORI,
        [OP_ANDI] = &&L_OP_ANDI,
        [OP_SLLI] = &&L_OP_SLLI,
        [OP_SRLI] = &&L_OP_SRLI,
        [OP_SRAI] = &&L_OP_SRAI,
        [OP_ADDIW] = &&L_OP_ADDIW,
        [OP_SLLIW] = &&L_OP_SLLIW,
        [OP_SRLIW] = &&L_OP_SRLIW,
        [OP_SRAIW] = &&L_OP_SRAIW,
        [OP_LUI] = &&L_OP_LUI,
        [OP_AUIPC] = &&L_OP_AUIPC,
        [OP_ADD] = &&L_OP_ADD,
        [OP_SUB] = &&L_OP_SUB,
        [OP_SLL] = &&L_OP_SLL,
        [OP_SLT] = &&L_OP_SLT,
        [OP_SLTU] = &&L_OP_SLTU,
        [OP_XOR] = &&L_OP_XOR,
        [OP_SRL] = &&L_OP_SRL,
        [OP_SRA] = &&L_OP_SRA,
        [OP_OR] = &&L_OP_OR,
        [OP_AND] = &&L_OP_AND,
        [OP_ADDW] = &&L_OP_ADDW,
        [OP_SUBW] = &&L_OP_SUBW,
        [OP_SLLW] = &&L_OP_SLLW,
        [OP_SRLW] = &&L_OP_SRLW,
        [OP_SRAW] = &&L_OP_SRAW,
        [OP_MUL] = &&L_OP_MUL,
        [OP_MULH] = &&L_OP_MULH,
        [OP_MULHSU] = &&L_OP_MULHSU,
        [OP_MULHU] = &&L_OP_MULHU,
        [OP_DIV] = &&L_OP_DIV,
        [OP_DIVU] = &&L_OP_DIVU,
        [OP_REM] = &&L_OP_REM,
        [OP_REMU] = &&L_OP_REMU,
        [OP_MULW] = &&L_OP_MULW,
        [OP_DIVW] = &&L_OP_DIVW,
        [OP_DIVUW] = &&L_OP_DIVUW,
        [OP_REMW] = &&L_OP_REMW,
        [OP_REMUW] = &&L_OP_REMUW,
        [OP_JAL] = &&L_OP_JAL,
        [OP_JALR] = &&L_OP_JALR,
        [OP_BEQ] = &&L_OP_BEQ,
        [OP_BNE] = &&L_OP_BNE,
        [OP_BLT] = &&L_OP_BLT,
        [OP_BGE] = &&L_OP_BGE,
        [OP_BLTU] = &&L_OP_BLTU,
        [OP_BGEU] = &&L_OP_BGEU,
        [OP_LB] = &&L_OP_LB,
        [OP_LH] = &&L_OP_LH,
        [OP_LW] = &&L_OP_LW,
        [OP_LD] = &&L_OP_LD,
        [OP_LBU] = &&L_OP_LBU,
        [OP_LHU] = &&L_OP_LHU,
        [OP_LWU] = &&L_OP_LWU,
        [OP_SB] = &&L_OP_SB,
        [OP_SH] = &&L_OP_SH,
        [OP_SW] = &&L_OP_SW,
        [OP_SD] = &&L_OP_SD,
        [OP_FENCE] = &&L_OP_FENCE,
        [OP_FENCE_I] = &&L_OP_FENCE_I,
        [OP_SYSTEM] = &&L_OP_SYSTEM,
        [OP_AMO] = &&L_OP_AMO,
        [OP_FLW] = &&L_OP_FLW,
        [OP_FLD] = &&L_OP_FLD,
        [OP_FSW] = &&L_OP_FSW,
        [OP_FSD] = &&L_OP_FSD,
        [OP_FP] = &&L_OP_FP,
    };
#define DISPATCH_SWITCH switch (d->op)
#define REDISPATCH goto *optab[d->op]
#define NEXT_AT_D do { if (unlikely(left <= 0)) goto done; left--; goto *optab[d->op]; } while (0)
#define NEXT do { d += d->len >> 1; NEXT_AT_D; } while (0)
#define CASE(op) case op: L_##op
    NEXT_AT_D;
#else
#define DISPATCH_SWITCH switch (d->op)
#define REDISPATCH goto dispatch
#define NEXT_AT_D goto jumped
#define NEXT goto seq
#define CASE(op) case op
#endif
    while (left > 0) {
        left--;
    dispatch: __attribute__((unused));
#define IMM ((uint64_t)(int64_t)d->imm)
#define XD c->x[d->rd] /* through c: one register less to keep across calls */
#define X1 c->x[d->rs1]
#define X2 c->x[d->rs2]
#undef ILLEGAL
#define ILLEGAL() TRAP(CAUSE_ILLEGAL_INSN, d->len == 4 ? d->insn : d->raw16)
        DISPATCH_SWITCH {
        CASE(OP_DECODE): {
            uint64_t off = (uint64_t)(d - dp) << 1;
            uint8_t *host = c->fetch_host + off;
            uint16_t lo;
            memcpy(&lo, host, 2);
            if ((lo & 3) == 3 && off == 0xffe) {
                d->op = OP_CROSS; /* a 32-bit instruction across the page end */
                REDISPATCH;
            }
            uint32_t raw = lo;
            if ((lo & 3) == 3)
                memcpy(&raw, host, 4);
            SAVE_RUN();
            decode(d, raw);
            LOAD_RUN();
            REDISPATCH;
        }
        CASE(OP_CROSS): { /* run it from the cross page: slot 2047, then the sentinels */
            uint32_t raw;
            uint64_t p = PC;
            SAVE_RUN();
            int cause = fetch_slow(c, p, &raw);
            LOAD_RUN();
            if (cause) {
                c->pc = p;
                c->batch_left = left;
                cpu_trap(c, cause & 0xff, (cause & 0x100) ? p + 2 : p);
                goto next_trapped;
            }
            dp = c->xpage->ops;
            d = &dp[2047];
            ftag |= 1ULL << 62; /* any jump refills; PC still sees the page */
            SAVE_RUN();
            decode(d, raw);
            LOAD_RUN();
            REDISPATCH;
        }
        CASE(OP_PAGE_END): /* fell off the end of the page: not an instruction */
            left++;
            pc = PC;
            goto refill;
        CASE(OP_ILLEGAL): ILLEGAL();
        CASE(OP_ADDI): XD = X1 + IMM; NEXT;
        CASE(OP_SLTI): XD = (int64_t)X1 < (int64_t)IMM; NEXT;
        CASE(OP_SLTIU): XD = X1 < IMM; NEXT;
        CASE(OP_XORI): XD = X1 ^ IMM; NEXT;
        CASE(OP_ORI): XD = X1 | IMM; NEXT;
        CASE(OP_ANDI): XD = X1 & IMM; NEXT;
        CASE(OP_SLLI): XD = X1 << d->imm; NEXT;
        CASE(OP_SRLI): XD = X1 >> d->imm; NEXT;
        CASE(OP_SRAI): XD = (uint64_t)((int64_t)X1 >> d->imm); NEXT;
        CASE(OP_ADDIW): XD = SEXT32((uint32_t)X1 + (uint32_t)d->imm); NEXT;
        CASE(OP_SLLIW): XD = SEXT32((uint32_t)X1 << d->imm); NEXT;
        CASE(OP_SRLIW): XD = SEXT32((uint32_t)X1 >> d->imm); NEXT;
        CASE(OP_SRAIW): XD = SEXT32((int32_t)(uint32_t)X1 >> d->imm); NEXT;
        CASE(OP_LUI): XD = IMM; NEXT;
        CASE(OP_AUIPC): XD = PC + IMM; NEXT;
        CASE(OP_ADD): XD = X1 + X2; NEXT;
        CASE(OP_SUB): XD = X1 - X2; NEXT;
        CASE(OP_SLL): XD = X1 << (X2 & 63); NEXT;
        CASE(OP_SLT): XD = (int64_t)X1 < (int64_t)X2; NEXT;
        CASE(OP_SLTU): XD = X1 < X2; NEXT;
        CASE(OP_XOR): XD = X1 ^ X2; NEXT;
        CASE(OP_SRL): XD = X1 >> (X2 & 63); NEXT;
        CASE(OP_SRA): XD = (uint64_t)((int64_t)X1 >> (X2 & 63)); NEXT;
        CASE(OP_OR): XD = X1 | X2; NEXT;
        CASE(OP_AND): XD = X1 & X2; NEXT;
        CASE(OP_ADDW): XD = SEXT32((uint32_t)X1 + (uint32_t)X2); NEXT;
        CASE(OP_SUBW): XD = SEXT32((uint32_t)X1 - (uint32_t)X2); NEXT;
        CASE(OP_SLLW): XD = SEXT32((uint32_t)X1 << (X2 & 31)); NEXT;
        CASE(OP_SRLW): XD = SEXT32((uint32_t)X1 >> (X2 & 31)); NEXT;
        CASE(OP_SRAW): XD = SEXT32((int32_t)(uint32_t)X1 >> (X2 & 31)); NEXT;
        CASE(OP_MUL): XD = X1 * X2; NEXT;
        CASE(OP_MULH): XD = mulh64((int64_t)X1, (int64_t)X2); NEXT;
        CASE(OP_MULHSU): XD = mulhsu64((int64_t)X1, X2); NEXT;
        CASE(OP_MULHU): XD = mulhu64(X1, X2); NEXT;
        CASE(OP_DIV): XD = do_div((int64_t)X1, (int64_t)X2); NEXT;
        CASE(OP_DIVU): { uint64_t b = X2; XD = b ? X1 / b : ~0ULL; NEXT; }
        CASE(OP_REM): XD = do_rem((int64_t)X1, (int64_t)X2); NEXT;
        CASE(OP_REMU): { uint64_t a = X1, b = X2; XD = b ? a % b : a; NEXT; }
        CASE(OP_MULW): XD = SEXT32((uint32_t)X1 * (uint32_t)X2); NEXT;
        CASE(OP_DIVW): {
            int32_t a = (int32_t)X1, b = (int32_t)X2;
            if (b == 0) XD = ~0ULL;
            else if (a == INT32_MIN && b == -1) XD = SEXT32(a);
            else XD = SEXT32(a / b);
            NEXT;
        }
        CASE(OP_DIVUW): { uint32_t a = (uint32_t)X1, b = (uint32_t)X2; XD = b ? SEXT32(a / b) : ~0ULL; NEXT; }
        CASE(OP_REMW): {
            int32_t a = (int32_t)X1, b = (int32_t)X2;
            if (b == 0) XD = SEXT32(a);
            else if (a == INT32_MIN && b == -1) XD = 0;
            else XD = SEXT32(a % b);
            NEXT;
        }
        CASE(OP_REMUW): { uint32_t a = (uint32_t)X1, b = (uint32_t)X2; XD = b ? SEXT32(a % b) : SEXT32(a); NEXT; }
        CASE(OP_JAL): { uint64_t p = PC; XD = p + d->len; JUMP(p + IMM); }
        CASE(OP_JALR): { uint64_t t = (X1 + IMM) & ~1ULL; XD = PC + d->len; JUMP(t); }
        CASE(OP_BEQ): if (X1 == X2) JUMP(PC + IMM); NEXT;
        CASE(OP_BNE): if (X1 != X2) JUMP(PC + IMM); NEXT;
        CASE(OP_BLT): if ((int64_t)X1 < (int64_t)X2) JUMP(PC + IMM); NEXT;
        CASE(OP_BGE): if ((int64_t)X1 >= (int64_t)X2) JUMP(PC + IMM); NEXT;
        CASE(OP_BLTU): if (X1 < X2) JUMP(PC + IMM); NEXT;
        CASE(OP_BGEU): if (X1 >= X2) JUMP(PC + IMM); NEXT;
/* TLB hit inline; misses (page walk, devices) through mem_slow */
#define LOAD(type, size) do {                                                              \
            uint64_t va = X1 + IMM;                                                        \
            TLBEntry *e = &c->tlb[ACC_READ][(va >> 12) & (TLB_SIZE - 1)];                  \
            if (likely(e->tag == ((va >> 12) | ptag) && (va & 0xfff) <= 4096 - size)) {    \
                type v_;                                                                   \
                memcpy(&v_, (void *)(uintptr_t)(e->add + va), size);                       \
                XD = (uint64_t)v_;                                                         \
            } else {                                                                       \
                uint64_t v = 0;                                                            \
                MEMCHK(mem_slow(c, va, size, ACC_READ, &v), va);                           \
                XD = (uint64_t)(type)v;                                                    \
            }                                                                              \
        } while (0)
        CASE(OP_LB): LOAD(int8_t, 1); NEXT;
        CASE(OP_LH): LOAD(int16_t, 2); NEXT;
        CASE(OP_LW): LOAD(int32_t, 4); NEXT;
        CASE(OP_LD): /* runs of ld (epilogues) go on here without a dispatch each */
            for (;;) {
                LOAD(uint64_t, 8);
                DInsn *n = d + (d->len >> 1);
                if (n->op != OP_LD || left <= 0)
                    break;
                d = n;
                left--;
            }
            NEXT;
        CASE(OP_LBU): LOAD(uint8_t, 1); NEXT;
        CASE(OP_LHU): LOAD(uint16_t, 2); NEXT;
        CASE(OP_LWU): LOAD(uint32_t, 4); NEXT;
#define STORE(size, val) do {                                                              \
            uint64_t va = X1 + IMM, v_ = (val);                                            \
            TLBEntry *e = &c->tlb[ACC_WRITE][(va >> 12) & (TLB_SIZE - 1)];                 \
            if (likely(e->tag == ((va >> 12) | ptag) && (va & 0xfff) <= 4096 - size))      \
                memcpy((void *)(uintptr_t)(e->add + va), &v_, size); /* little-endian */   \
            else                                                                           \
                MEMCHK(mem_slow(c, va, size, ACC_WRITE, &v_), va);                         \
        } while (0)
        CASE(OP_SB): STORE(1, X2); NEXT;
        CASE(OP_SH): STORE(2, X2); NEXT;
        CASE(OP_SW): STORE(4, X2); NEXT;
        CASE(OP_SD): /* runs of sd (prologues) likewise */
            for (;;) {
                STORE(8, X2);
                DInsn *n = d + (d->len >> 1);
                if (n->op != OP_SD || left <= 0)
                    break;
                d = n;
                left--;
            }
            NEXT;
        CASE(OP_FENCE): NEXT;
        CASE(OP_FENCE_I): /* decoded pages are gone: refetch from the next instruction */
            c->run_pc = PC + d->len;
            c->batch_left = left;
            cpu_fence_i(c);
            pc = c->run_pc;
            left = c->batch_left;
            ftag = ~0ULL;
            goto refill;
        CASE(OP_SYSTEM): {
            int stop = 0;
            c->pc = PC;
            SAVE_RUN();
            int r = exec_system(c, d->insn, &stop);
            LOAD_RUN();
            if (r < 0)
                ILLEGAL();
            if (r == 0)
                c->pc += d->len; /* the interrupt check below must see the next pc */
            if (stop)
                cpu_stop(c);
            if (unlikely(c->mip & c->mie))
                cpu_check_interrupts(c);
            goto next_trapped;
        }
        CASE(OP_AMO): {
            c->pc = PC;
            SAVE_RUN();
            int r = exec_amo(c, d->insn);
            LOAD_RUN();
            if (r < 0)
                ILLEGAL();
            if (r > 0)
                goto next_trapped;
            NEXT;
        }
        CASE(OP_FLW): {
            FS_CHECK();
            uint64_t va = X1 + IMM, v;
            MEMCHK(ld_u32(c, va, &v), va);
            c->f[d->rd] = v | 0xffffffff00000000ULL;
            c->mstatus |= MSTATUS_FS;
            NEXT;
        }
        CASE(OP_FLD): {
            FS_CHECK();
            uint64_t va = X1 + IMM, v;
            MEMCHK(ld_u64(c, va, &v), va);
            c->f[d->rd] = v;
            c->mstatus |= MSTATUS_FS;
            NEXT;
        }
        CASE(OP_FSW): FS_CHECK(); STORE(4, c->f[d->rs2]); NEXT;
        CASE(OP_FSD): FS_CHECK(); STORE(8, c->f[d->rs2]); NEXT;
        CASE(OP_FP):
            FS_CHECK();
            SAVE_RUN();
            bool ok = fpu_exec(c, d->insn);
            LOAD_RUN();
            if (!ok)
                ILLEGAL();
            NEXT;
        default:
        L_default: __attribute__((unused));
            ILLEGAL();
        }
    seq: __attribute__((unused));
        d += d->len >> 1; /* next instruction; past the last slot are PAGE_END sentinels */
    jumped: __attribute__((unused));
    }
#if C2W_THREADED
done:
#endif
    c->pc = PC;
    goto out;
next_trapped:
    /* an exception was taken (c->pc points at the handler), or a SYSTEM instruction ran
       (it may change pc, privilege, translation) */
    pc = c->pc;
    ftag = c->fetch_tag;
    dp = c->fetch_dp;
    ptag = c->tlb_ptag;
    left = c->batch_left;
    if (left > 0)
        goto refill;
    c->pc = pc;
out:
    c->batch_left = left;
    if (unlikely(c->aot_profile))
        aot_profile_sample(c);
    c->instret += (uint64_t)(c->batch_size - c->batch_left);
    c->batch_size = c->batch_left = 0;
}

/* Returns -1 for illegal, 1 if pc was set (trap/xRET), 0 to continue at pc+4. */
static int exec_system(CPU *c, uint32_t insn, int *stop)
{
    uint32_t f3 = FUNCT3;
    uint32_t rd = RD, rs1 = RS1;
    uint64_t *x = c->x;
    if (f3 == 0) {
        if (rd != 0)
            return -1;
        if (insn == 0x00000073) { /* ECALL */
            if (c->priv == PRV_S && c->hooks.ecall(c->hooks.opaque)) {
                c->pc += 4;
                *stop = 1;
                return 1;
            }
            cpu_trap(c, CAUSE_USER_ECALL + (uint64_t)c->priv, 0);
            return 1;
        }
        if (insn == 0x00100073) { /* EBREAK */
            cpu_trap(c, CAUSE_BREAKPOINT, c->pc);
            return 1;
        }
        if (insn == 0x30200073) { /* MRET */
            if (c->priv < PRV_M)
                return -1;
            uint64_t s = c->mstatus;
            int mpp = (int)((s >> MSTATUS_MPP_SHIFT) & 3);
            s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
            s |= MSTATUS_MPIE;
            s &= ~MSTATUS_MPP;
            if (mpp != PRV_M)
                s &= ~MSTATUS_MPRV;
            c->mstatus = s;
            c->pc = c->mepc;
            c->reservation = ~0ULL;
            set_priv(c, mpp);
            cpu_tlb_flush(c);
            return 1;
        }
        if (insn == 0x10200073) { /* SRET */
            if (c->priv < PRV_S || (c->priv == PRV_S && (c->mstatus & MSTATUS_TSR)))
                return -1;
            uint64_t s = c->mstatus;
            int spp = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
            s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
            s |= MSTATUS_SPIE;
            s &= ~MSTATUS_SPP;
            if (s & MSTATUS_MPRV)
                cpu_tlb_flush(c);
            s &= ~MSTATUS_MPRV;
            c->mstatus = s;
            c->pc = c->sepc;
            c->reservation = ~0ULL;
            set_priv(c, spp);
            return 1;
        }
        if (insn == 0x10500073) { /* WFI */
            if (c->priv == PRV_U || (c->priv == PRV_S && (c->mstatus & MSTATUS_TW)))
                return -1;
            c->pc += 4;
            if (!(c->mip & c->mie))
                c->wfi = true;
            cpu_stop(c);
            return 1;
        }
        if ((insn >> 25) == 0x09) { /* SFENCE.VMA */
            if (c->priv == PRV_U || (c->priv == PRV_S && (c->mstatus & MSTATUS_TVM)))
                return -1;
            cpu_tlb_flush(c);
            return 0;
        }
        return -1;
    }
    if (f3 == 4)
        return -1;
    uint32_t csr = insn >> 20;
    uint64_t src = (f3 & 4) ? rs1 : x[rs1];
    uint64_t old = 0;
    bool do_read = !((f3 & 3) == 1 && rd == 0);
    bool do_write = (f3 & 3) == 1 || rs1 != 0;
    if (do_write && (csr >> 10) == 3)
        return -1;
    (void)do_read;
    if (!csr_read(c, csr, &old))
        return -1;
    if (do_write) {
        uint64_t nv;
        switch (f3 & 3) {
        case 1: nv = src; break;
        case 2: nv = old | src; break;
        default: nv = old & ~src; break;
        }
        if (!csr_write(c, csr, nv))
            return -1;
    }
    x[rd] = old;
    x[0] = 0;
    return 0;
}

/* Returns -1 for illegal, 1 if a trap was taken, 0 on success. */
static int exec_amo(CPU *c, uint32_t insn)
{
    uint32_t f3 = FUNCT3, f5 = insn >> 27;
    uint32_t rd = RD;
    uint64_t *x = c->x;
    int size;
    if (f3 == 2)
        size = 4;
    else if (f3 == 3)
        size = 8;
    else
        return -1;
    uint64_t va = x[RS1];
    uint64_t src = x[RS2];
    if (f5 == 2) { /* LR */
        if (RS2)
            return -1;
        if (va & (size - 1)) {
            cpu_trap(c, CAUSE_MISALIGNED_LOAD, va);
            return 1;
        }
        uint64_t v;
        int cause = size == 4 ? ld_i32(c, va, &v) : ld_u64(c, va, &v);
        if (cause) {
            cpu_trap(c, cause, va);
            return 1;
        }
        c->reservation = va;
        x[rd] = v;
        x[0] = 0;
        return 0;
    }
    if (f5 == 3) { /* SC */
        if (va & (size - 1)) {
            cpu_trap(c, CAUSE_MISALIGNED_STORE, va);
            return 1;
        }
        if (c->reservation == va) {
            int cause = st_mem(c, va, size, src);
            if (cause) {
                cpu_trap(c, cause, va);
                return 1;
            }
            x[rd] = 0;
        } else
            x[rd] = 1;
        c->reservation = ~0ULL;
        x[0] = 0;
        return 0;
    }
    uint8_t *p;
    int cause = amo_ptr(c, va, size, &p);
    if (cause) {
        cpu_trap(c, cause, va);
        return 1;
    }
    uint64_t old, nv;
    if (size == 4) {
        int32_t o32;
        memcpy(&o32, p, 4);
        old = (uint64_t)(int64_t)o32;
    } else
        memcpy(&old, p, 8);
    uint64_t a = old, b = src;
    if (size == 4) {
        b = (uint64_t)(int64_t)(int32_t)b;
    }
    switch (f5) {
    case 0x01: nv = b; break;
    case 0x00: nv = a + b; break;
    case 0x04: nv = a ^ b; break;
    case 0x0c: nv = a & b; break;
    case 0x08: nv = a | b; break;
    case 0x10: nv = (int64_t)a < (int64_t)b ? a : b; break;
    case 0x14: nv = (int64_t)a > (int64_t)b ? a : b; break;
    case 0x18:
        if (size == 4) nv = (uint32_t)a < (uint32_t)b ? a : b;
        else nv = a < b ? a : b;
        break;
    case 0x1c:
        if (size == 4) nv = (uint32_t)a > (uint32_t)b ? a : b;
        else nv = a > b ? a : b;
        break;
    default: return -1;
    }
    if (size == 4) {
        uint32_t n32 = (uint32_t)nv;
        memcpy(p, &n32, 4);
    } else
        memcpy(p, &nv, 8);
    x[rd] = old;
    x[0] = 0;
    return 0;
}
