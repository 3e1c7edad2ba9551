/* SBI implementation: the engine plays the M-mode firmware for an S-mode kernel.
 * Extensions: BASE, TIME, IPI, RFENCE, HSM, SRST and the legacy 0.1 calls
 * (set_timer, console putchar/getchar, IPI/fence no-ops, shutdown). One hart. */
#include "machine.h"

enum {
    SBI_SUCCESS = 0,
    SBI_ERR_FAILED = -1,
    SBI_ERR_NOT_SUPPORTED = -2,
    SBI_ERR_INVALID_PARAM = -3,
    SBI_ERR_ALREADY_AVAILABLE = -6,
};

#define EXT_BASE 0x10
#define EXT_TIME 0x54494d45
#define EXT_IPI 0x735049
#define EXT_RFENCE 0x52464e43
#define EXT_HSM 0x48534d
#define EXT_SRST 0x53525354

#define SBI_SPEC_VERSION (1u << 24) /* 1.0 */
#define SBI_IMPL_ID 0xc2
#define SBI_IMPL_VERSION 1

static bool ext_supported(uint64_t eid)
{
    switch (eid) {
    case EXT_BASE: case EXT_TIME: case EXT_IPI: case EXT_RFENCE: case EXT_HSM: case EXT_SRST:
        return true;
    default:
        return eid <= 0x08; /* legacy extensions */
    }
}

static void set_timer(Machine *m, uint64_t t)
{
    m->stimecmp = t;
    m->cpu.mip &= ~(uint64_t)MIP_STIP;
    machine_update_timer(m);
}

/* Returns true: every S-mode ecall is an SBI call. */
bool sbi_call(Machine *m)
{
    CPU *c = &m->cpu;
    uint64_t *a = &c->x[10]; /* a0..a7 = x10..x17 */
    uint64_t eid = a[7], fid = a[6];
    int64_t err = SBI_SUCCESS;
    uint64_t val = 0;

    if (eid <= 0x08) { /* legacy: result in a0 only */
        int64_t r = 0;
        switch (eid) {
        case 0x00: set_timer(m, a[0]); break;
        case 0x01: {
            uint8_t ch = (uint8_t)a[0];
            console_out(m, &ch, 1);
            break;
        }
        case 0x02: r = console_getc(m); break;
        case 0x03: c->mip &= ~(uint64_t)MIP_SSIP; break;
        case 0x04: c->mip |= MIP_SSIP; break;
        case 0x05: cpu_fence_i(c); break;
        case 0x06: case 0x07: cpu_tlb_flush(c); break;
        case 0x08: machine_guest_reset(m, 0, 0); break;
        }
        a[0] = (uint64_t)r;
        return true;
    }

    switch (eid) {
    case EXT_BASE:
        switch (fid) {
        case 0: val = SBI_SPEC_VERSION; break;
        case 1: val = SBI_IMPL_ID; break;
        case 2: val = SBI_IMPL_VERSION; break;
        case 3: val = ext_supported(a[0]); break;
        case 4: case 5: case 6: val = 0; break;
        default: err = SBI_ERR_NOT_SUPPORTED;
        }
        break;
    case EXT_TIME:
        if (fid == 0)
            set_timer(m, a[0]);
        else
            err = SBI_ERR_NOT_SUPPORTED;
        break;
    case EXT_IPI:
        if (fid == 0) {
            uint64_t mask = a[0], base = a[1];
            if (base == ~0ULL || (base == 0 && (mask & 1)))
                c->mip |= MIP_SSIP;
        } else
            err = SBI_ERR_NOT_SUPPORTED;
        break;
    case EXT_RFENCE:
        if (fid == 0)
            cpu_fence_i(c);
        else if (fid <= 2)
            cpu_tlb_flush(c);
        else
            err = SBI_ERR_NOT_SUPPORTED;
        break;
    case EXT_HSM:
        switch (fid) {
        case 0: err = a[0] == 0 ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM; break;
        case 1: err = SBI_ERR_FAILED; break;
        case 2:
            if (a[0] == 0)
                val = 0; /* STARTED */
            else
                err = SBI_ERR_INVALID_PARAM;
            break;
        default: err = SBI_ERR_NOT_SUPPORTED;
        }
        break;
    case EXT_SRST:
        if (fid == 0) {
            uint64_t type = a[0], reason = a[1];
            if (type > 2) {
                err = SBI_ERR_INVALID_PARAM;
                break;
            }
            machine_guest_reset(m, (uint32_t)type, (uint32_t)reason);
        } else
            err = SBI_ERR_NOT_SUPPORTED;
        break;
    default:
        err = SBI_ERR_NOT_SUPPORTED;
    }
    a[0] = (uint64_t)err;
    a[1] = val;
    return true;
}
