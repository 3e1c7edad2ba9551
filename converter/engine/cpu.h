/* RV64IMAFDC hart: state, memory access helpers, interpreter entry point. */
#ifndef C2W_CPU_H
#define C2W_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bus.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

enum { PRV_U = 0, PRV_S = 1, PRV_M = 3 };

/* exception causes */
enum {
    CAUSE_MISALIGNED_FETCH = 0, CAUSE_FETCH_ACCESS = 1, CAUSE_ILLEGAL_INSN = 2,
    CAUSE_BREAKPOINT = 3, CAUSE_MISALIGNED_LOAD = 4, CAUSE_LOAD_ACCESS = 5,
    CAUSE_MISALIGNED_STORE = 6, CAUSE_STORE_ACCESS = 7, CAUSE_USER_ECALL = 8,
    CAUSE_SUPERVISOR_ECALL = 9, CAUSE_MACHINE_ECALL = 11, CAUSE_FETCH_PAGE_FAULT = 12,
    CAUSE_LOAD_PAGE_FAULT = 13, CAUSE_STORE_PAGE_FAULT = 15,
};
#define CAUSE_INTERRUPT (1ULL << 63)

/* mip / mie bits */
#define MIP_SSIP (1u << 1)
#define MIP_MSIP (1u << 3)
#define MIP_STIP (1u << 5)
#define MIP_MTIP (1u << 7)
#define MIP_SEIP (1u << 9)
#define MIP_MEIP (1u << 11)

/* mstatus bits */
#define MSTATUS_SIE (1ULL << 1)
#define MSTATUS_MIE (1ULL << 3)
#define MSTATUS_SPIE (1ULL << 5)
#define MSTATUS_MPIE (1ULL << 7)
#define MSTATUS_SPP (1ULL << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3ULL << 11)
#define MSTATUS_FS (3ULL << 13)
#define MSTATUS_MPRV (1ULL << 17)
#define MSTATUS_SUM (1ULL << 18)
#define MSTATUS_MXR (1ULL << 19)
#define MSTATUS_TVM (1ULL << 20)
#define MSTATUS_TW (1ULL << 21)
#define MSTATUS_TSR (1ULL << 22)
#define MSTATUS_UXL (3ULL << 32)
#define MSTATUS_SXL (3ULL << 34)
#define MSTATUS_SD (1ULL << 63)

#define TLB_SIZE 256
typedef struct {
    uint64_t tag;  /* virtual page number, or ~0 when empty */
    uint64_t add;  /* host address of the page minus its virtual address */
} TLBEntry;

enum { ACC_READ = 0, ACC_WRITE = 1, ACC_FETCH = 2 };

/* What the hart needs from the platform besides the bus: the time CSR, the SBI (an ecall from
 * S-mode when M-mode is emulated) and traps into an emulated M-mode (fatal). */
typedef struct {
    void *opaque;
    uint64_t (*mtime)(void *opaque);
    bool (*ecall)(void *opaque);  /* true when handled (a0/a1 set) */
    void (*m_trap)(void *opaque, uint64_t cause, uint64_t tval);
} CPUHooks;

struct CPU;
/* A translated guest page (aot.h): runs guest code of the current fetch page from virtual
 * address vbase + off (vbase: the page's virtual base). c->batch_left is the budget in and
 * out, c->pc is set on return. A function that runs nothing (unknown entry, too little budget,
 * an instruction it leaves to the interpreter) returns with c->batch_left unchanged. */
typedef void (*TPageFn)(struct CPU *c, uint64_t vbase, uint32_t off);

typedef struct DInsn DInsn; /* a decoded instruction (cpu.c) */
typedef struct DPage DPage; /* the decoded instructions of one physical page (cpu.c) */

typedef struct CPU {
    uint64_t x[33];       /* x[32]: sink for decoded writes to x0 (x[0] stays 0) */
    uint64_t f[32];
    uint64_t pc;
    int priv;
    bool wfi;             /* waiting for an interrupt */
    uint32_t fflags, frm;

    uint64_t mstatus, misa, medeleg, mideleg, mie, mip, mtvec, mscratch, mepc, mcause, mtval;
    uint64_t stvec, sscratch, sepc, scause, stval, satp;
    uint64_t menvcfg, senvcfg;
    uint32_t mcounteren, scounteren, mcountinhibit;
    uint64_t pmpcfg[4], pmpaddr[16];
    uint64_t mhartid;

    uint64_t instret;     /* instructions retired before the current batch */
    int64_t batch_left;   /* instructions left in the current batch (for counters) */
    int64_t batch_size;

    bool emulate_m;       /* M-mode is the engine itself (SBI): traps to M are fatal */
    uint64_t reservation; /* LR/SC reserved address, or ~0 */
    uint64_t fault_addr;  /* xtval of the last faulting data access (mem_slow) */

    /* software TLB */
    TLBEntry tlb[3][TLB_SIZE];
    uint64_t tlb_ptag;    /* (priv << 60), or-ed into the tags of the current mode */
    uint64_t fetch_tag;   /* vpn of the page in fetch_host */
    uint8_t *fetch_host;
    DInsn *fetch_dp;      /* decoded instructions of that page */
    TPageFn fetch_fn;     /* its translated code (aot.h), or NULL */
    DInsn *fetch_dps[TLB_SIZE]; /* decoded page of each fetch TLB entry, or NULL */
    TPageFn fetch_fns[TLB_SIZE]; /* its translated code, or NULL (set and cleared with it) */
    DInsn *run_d, *run_dp; /* cpu_run's loop state while it calls out */
    uint64_t run_ftag, run_pc;
    DPage *dpool;         /* decoded page pool */
    DPage *xpage;         /* holds an instruction that crosses a page end */
    int32_t *dmap;        /* physical page number -> pool index + 1 (0: none); a page with
                             decoded code has no write TLB entry, so stores to it are seen */
    int dnext;            /* next pool slot to reuse */
    int32_t *dfree;       /* pool slots freed by drops, reused first */
    int ndfree;
    /* decoded-code statistics (--stats) */
    uint64_t n_dpages_built;       /* decoded pages (re)built */
    uint64_t n_dpages_store_drops; /* decoded pages dropped because the hart wrote them */
    uint64_t n_dpages_dma_drops;   /* decoded pages dropped because a device wrote them */
    uint64_t n_fence_i;            /* FENCE.I executed (also SBI remote fence.i) */
    uint64_t n_dpages_aot;         /* decoded pages built that had a translation */
    uint64_t n_aot_insns;          /* instructions run (or trapped) in translated code */
    bool aot_profile;              /* --profile-pages: every page runs aot_profile_entry */

    uint8_t *ram;
    uint64_t ram_base, ram_size;
    const Bus *bus;       /* everything that is not RAM */
    CPUHooks hooks;
} CPU;

void cpu_init(CPU *c, const Bus *bus, const CPUHooks *hooks, uint8_t *ram, uint64_t ram_base,
              uint64_t ram_size);
void cpu_reset(CPU *c, uint64_t pc);
/* Run up to n instructions; stops early on WFI or when state the host must see changes. */
void cpu_run(CPU *c, int64_t n);
void cpu_trap(CPU *c, uint64_t cause, uint64_t tval);
/* Take a pending enabled interrupt if any; returns true if one was taken. */
bool cpu_check_interrupts(CPU *c);
bool cpu_interrupt_pending(const CPU *c);
void cpu_tlb_flush(CPU *c);
/* FENCE.I: later fetches see every store made before it. Stores drop the decoded code of the
 * pages they write as they happen, so nothing is left to drop here: fetching restarts. */
void cpu_fence_i(CPU *c);
/* A device (DMA) wrote guest RAM [pa, pa + len): drop the decoded code of those pages. */
void cpu_ram_written(CPU *c, uint64_t pa, uint64_t len);
uint64_t cpu_instret(const CPU *c);

/* End the current batch after this instruction (keeps the retired count exact). */
static inline void cpu_stop(CPU *c)
{
    c->batch_size -= c->batch_left;
    c->batch_left = 0;
}

/* FPU (fpu.c): executes OP-FP and FMA opcodes; returns false for an illegal instruction. */
bool fpu_exec(CPU *c, uint32_t insn);

#endif
