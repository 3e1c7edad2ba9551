/* F and D extensions on top of the host's IEEE 754 arithmetic.
 * RISC-V rules the host does not give are done by hand: NaN boxing, canonical NaNs,
 * fmin/fmax, saturating conversions, fclass. Rounding modes and exception flags come from
 * <fenv.h> where the host has them (native builds); wasm has only round-to-nearest and no
 * flags, so there the arithmetic flags other than NV/NX of conversions are not raised. */
#include <fenv.h>
#include <math.h>

#include "cpu.h"

#define F32_CANON 0x7fc00000u
#define F64_CANON 0x7ff8000000000000ULL
#define NV 16
#define DZ 8
#define OF 4
#define UF 2
#define NX 1

static inline float f32_of(uint64_t v)
{
    uint32_t b = ((v >> 32) == 0xffffffffu) ? (uint32_t)v : F32_CANON;
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static inline uint32_t bits32(uint64_t v)
{
    return ((v >> 32) == 0xffffffffu) ? (uint32_t)v : F32_CANON;
}
static inline uint64_t box32(uint32_t b)
{
    return 0xffffffff00000000ULL | b;
}
static inline uint64_t from_f32(float f)
{
    uint32_t b;
    if (f != f)
        b = F32_CANON;
    else
        memcpy(&b, &f, 4);
    return box32(b);
}
static inline double f64_of(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}
static inline uint64_t from_f64(double d)
{
    uint64_t b;
    if (d != d)
        return F64_CANON;
    memcpy(&b, &d, 8);
    return b;
}
static inline bool snan32(uint32_t b)
{
    return (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu) && !(b & 0x400000u);
}
static inline bool nan32(uint32_t b)
{
    return (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu);
}
static inline bool snan64(uint64_t b)
{
    return (b & 0x7ff0000000000000ULL) == 0x7ff0000000000000ULL && (b & 0xfffffffffffffULL) &&
           !(b & 0x8000000000000ULL);
}
static inline bool nan64(uint64_t b)
{
    return (b & 0x7ff0000000000000ULL) == 0x7ff0000000000000ULL && (b & 0xfffffffffffffULL);
}

/* ---------------------------------------------------------------- host rounding + flags */

#if defined(FE_INEXACT) && defined(FE_UPWARD) && defined(FE_DOWNWARD) && defined(FE_TOWARDZERO)
#define HAVE_FENV 1
static int host_rm(int rm)
{
    switch (rm) {
    case 1: return FE_TOWARDZERO;
    case 2: return FE_DOWNWARD;
    case 3: return FE_UPWARD;
    default: return FE_TONEAREST; /* RNE, and RMM approximated by RNE */
    }
}
static inline void fp_begin(int rm)
{
    feclearexcept(FE_ALL_EXCEPT);
    if (rm != 0)
        fesetround(host_rm(rm));
}
static inline void fp_end(CPU *c, int rm)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    if (rm != 0)
        fesetround(FE_TONEAREST);
    uint32_t f = 0;
    if (e & FE_INVALID) f |= NV;
    if (e & FE_DIVBYZERO) f |= DZ;
    if (e & FE_OVERFLOW) f |= OF;
    if (e & FE_UNDERFLOW) f |= UF;
    if (e & FE_INEXACT) f |= NX;
    c->fflags |= f;
}
#else
#define HAVE_FENV 0
static inline void fp_begin(int rm) { (void)rm; }
static inline void fp_end(CPU *c, int rm) { (void)c; (void)rm; }
#endif

/* Round to an integral value with a RISC-V rounding mode. */
static double round_rm(double v, int rm)
{
    switch (rm) {
    case 1: return trunc(v);
    case 2: return floor(v);
    case 3: return ceil(v);
    case 4: return round(v);
    default: {
        double r = floor(v);
        double d = v - r;
        if (d > 0.5 || (d == 0.5 && fmod(r, 2.0) != 0.0))
            r += 1.0;
        return r;
    }
    }
}

/* float/double -> integer with saturation; width 32 or 64. Result sign-extended. */
static uint64_t cvt_to_int(CPU *c, double v, bool isnan_, int rm, bool sign, int width)
{
    if (isnan_) {
        c->fflags |= NV;
        if (sign) return width == 32 ? 0x7fffffffULL : 0x7fffffffffffffffULL;
        return ~0ULL;
    }
    double r = round_rm(v, rm);
    uint64_t res;
    if (sign) {
        double lo = width == 32 ? -2147483648.0 : -9223372036854775808.0;
        double hi = width == 32 ? 2147483648.0 : 9223372036854775808.0;
        if (r < lo) {
            c->fflags |= NV;
            return width == 32 ? (uint64_t)(int64_t)INT32_MIN : (uint64_t)INT64_MIN;
        }
        if (r >= hi) {
            c->fflags |= NV;
            return width == 32 ? 0x7fffffffULL : 0x7fffffffffffffffULL;
        }
        res = (uint64_t)(int64_t)r;
    } else {
        double hi = width == 32 ? 4294967296.0 : 18446744073709551616.0;
        if (r < 0.0 && r != 0.0) {
            c->fflags |= NV;
            return 0;
        }
        if (r >= hi) {
            c->fflags |= NV;
            return ~0ULL;
        }
        res = (uint64_t)r;
        if (width == 32)
            res = (uint64_t)(int64_t)(int32_t)(uint32_t)res;
    }
    if (r != v)
        c->fflags |= NX;
    return res;
}

static uint64_t fclass32(uint32_t b)
{
    bool s = b >> 31;
    uint32_t e = (b >> 23) & 0xff, m = b & 0x7fffff;
    if (e == 0xff) {
        if (m == 0) return s ? 1 : 1 << 7;
        return (m & 0x400000) ? 1 << 9 : 1 << 8;
    }
    if (e == 0) {
        if (m == 0) return s ? 1 << 3 : 1 << 4;
        return s ? 1 << 2 : 1 << 5;
    }
    return s ? 1 << 1 : 1 << 6;
}
static uint64_t fclass64(uint64_t b)
{
    bool s = b >> 63;
    uint64_t e = (b >> 52) & 0x7ff, m = b & 0xfffffffffffffULL;
    if (e == 0x7ff) {
        if (m == 0) return s ? 1 : 1 << 7;
        return (m & 0x8000000000000ULL) ? 1 << 9 : 1 << 8;
    }
    if (e == 0) {
        if (m == 0) return s ? 1 << 3 : 1 << 4;
        return s ? 1 << 2 : 1 << 5;
    }
    return s ? 1 << 1 : 1 << 6;
}

/* ---------------------------------------------------------------- execution */

bool fpu_exec(CPU *c, uint32_t insn)
{
    uint32_t rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31;
    uint32_t rs3 = insn >> 27, f3 = (insn >> 12) & 7;
    uint32_t fmt = (insn >> 25) & 3; /* 0 = S, 1 = D */
    uint32_t opc = (insn >> 2) & 31;
    int rm = (int)f3 == 7 ? (int)c->frm : (int)f3;
    uint64_t *f = c->f;
    if (fmt > 1)
        return false;

    if (opc != 0x14) { /* FMADD 0x10, FMSUB 0x11, FNMSUB 0x12, FNMADD 0x13 */
        if (rm > 4)
            return false;
        int k = (int)opc - 0x10;
        fp_begin(rm);
        if (fmt == 0) {
            float a = f32_of(f[rs1]), b = f32_of(f[rs2]), d = f32_of(f[rs3]);
            if (k == 2 || k == 3) a = -a;
            if (k == 1 || k == 3) d = -d;
            f[rd] = from_f32(fmaf(a, b, d));
        } else {
            double a = f64_of(f[rs1]), b = f64_of(f[rs2]), d = f64_of(f[rs3]);
            if (k == 2 || k == 3) a = -a;
            if (k == 1 || k == 3) d = -d;
            f[rd] = from_f64(fma(a, b, d));
        }
        fp_end(c, rm);
        c->mstatus |= MSTATUS_FS;
        return true;
    }

    uint32_t f5 = insn >> 27;
    switch (f5) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x0b: { /* add sub mul div sqrt */
        if (rm > 4 || (f5 == 0x0b && rs2 != 0))
            return false;
        fp_begin(rm);
        if (fmt == 0) {
            float a = f32_of(f[rs1]), b = f32_of(f[rs2]), r;
            switch (f5) {
            case 0: r = a + b; break;
            case 1: r = a - b; break;
            case 2: r = a * b; break;
            case 3: r = a / b; break;
            default: r = sqrtf(a); break;
            }
            f[rd] = from_f32(r);
        } else {
            double a = f64_of(f[rs1]), b = f64_of(f[rs2]), r;
            switch (f5) {
            case 0: r = a + b; break;
            case 1: r = a - b; break;
            case 2: r = a * b; break;
            case 3: r = a / b; break;
            default: r = sqrt(a); break;
            }
            f[rd] = from_f64(r);
        }
        fp_end(c, rm);
        break;
    }
    case 0x04: /* fsgnj */
        if (fmt == 0) {
            uint32_t a = bits32(f[rs1]), b = bits32(f[rs2]), r;
            switch (f3) {
            case 0: r = (a & 0x7fffffffu) | (b & 0x80000000u); break;
            case 1: r = (a & 0x7fffffffu) | (~b & 0x80000000u); break;
            case 2: r = a ^ (b & 0x80000000u); break;
            default: return false;
            }
            f[rd] = box32(r);
        } else {
            uint64_t a = f[rs1], b = f[rs2], s = 1ULL << 63, r;
            switch (f3) {
            case 0: r = (a & ~s) | (b & s); break;
            case 1: r = (a & ~s) | (~b & s); break;
            case 2: r = a ^ (b & s); break;
            default: return false;
            }
            f[rd] = r;
        }
        break;
    case 0x05: /* fmin / fmax */
        if (f3 > 1)
            return false;
        if (fmt == 0) {
            uint32_t a = bits32(f[rs1]), b = bits32(f[rs2]);
            if (snan32(a) || snan32(b)) c->fflags |= NV;
            uint32_t r;
            if (nan32(a) && nan32(b)) r = F32_CANON;
            else if (nan32(a)) r = b;
            else if (nan32(b)) r = a;
            else {
                float fa, fb;
                memcpy(&fa, &a, 4);
                memcpy(&fb, &b, 4);
                bool a_less = fa < fb || (fa == fb && (a >> 31) && !(b >> 31));
                r = (f3 == 0) == a_less ? a : b;
            }
            f[rd] = box32(r);
        } else {
            uint64_t a = f[rs1], b = f[rs2];
            if (snan64(a) || snan64(b)) c->fflags |= NV;
            uint64_t r;
            if (nan64(a) && nan64(b)) r = F64_CANON;
            else if (nan64(a)) r = b;
            else if (nan64(b)) r = a;
            else {
                double fa = f64_of(a), fb = f64_of(b);
                bool a_less = fa < fb || (fa == fb && (a >> 63) && !(b >> 63));
                r = (f3 == 0) == a_less ? a : b;
            }
            f[rd] = r;
        }
        break;
    case 0x08: /* fcvt.s.d / fcvt.d.s */
        if (rm > 4)
            return false;
        if (fmt == 0 && rs2 == 1) {
            uint64_t a = f[rs1];
            if (snan64(a)) c->fflags |= NV;
            fp_begin(rm);
            f[rd] = from_f32((float)f64_of(a));
            fp_end(c, rm);
        } else if (fmt == 1 && rs2 == 0) {
            uint32_t a = bits32(f[rs1]);
            if (snan32(a)) c->fflags |= NV;
            f[rd] = from_f64((double)f32_of(f[rs1]));
        } else
            return false;
        break;
    case 0x14: { /* fle flt feq */
        bool r;
        if (fmt == 0) {
            uint32_t a = bits32(f[rs1]), b = bits32(f[rs2]);
            float fa = f32_of(f[rs1]), fb = f32_of(f[rs2]);
            bool anynan = nan32(a) || nan32(b);
            switch (f3) {
            case 2: if (snan32(a) || snan32(b)) c->fflags |= NV; r = !anynan && fa == fb; break;
            case 1: if (anynan) c->fflags |= NV; r = !anynan && fa < fb; break;
            case 0: if (anynan) c->fflags |= NV; r = !anynan && fa <= fb; break;
            default: return false;
            }
        } else {
            uint64_t a = f[rs1], b = f[rs2];
            double fa = f64_of(a), fb = f64_of(b);
            bool anynan = nan64(a) || nan64(b);
            switch (f3) {
            case 2: if (snan64(a) || snan64(b)) c->fflags |= NV; r = !anynan && fa == fb; break;
            case 1: if (anynan) c->fflags |= NV; r = !anynan && fa < fb; break;
            case 0: if (anynan) c->fflags |= NV; r = !anynan && fa <= fb; break;
            default: return false;
            }
        }
        c->x[rd] = r;
        c->x[0] = 0;
        return true; /* does not write an f register */
    }
    case 0x18: { /* fcvt.{w,wu,l,lu}.{s,d} */
        if (rm > 4 || rs2 > 3)
            return false;
        bool sign = !(rs2 & 1);
        int width = (rs2 & 2) ? 64 : 32;
        uint64_t r;
        if (fmt == 0) {
            uint32_t a = bits32(f[rs1]);
            r = cvt_to_int(c, (double)f32_of(f[rs1]), nan32(a), rm, sign, width);
        } else {
            uint64_t a = f[rs1];
            r = cvt_to_int(c, f64_of(a), nan64(a), rm, sign, width);
        }
        c->x[rd] = r;
        c->x[0] = 0;
        c->mstatus |= MSTATUS_FS;
        return true;
    }
    case 0x1a: { /* fcvt.{s,d}.{w,wu,l,lu} */
        if (rm > 4 || rs2 > 3)
            return false;
        uint64_t v = c->x[rs1];
        fp_begin(rm);
        if (fmt == 0) {
            float r;
            switch (rs2) {
            case 0: r = (float)(int32_t)v; break;
            case 1: r = (float)(uint32_t)v; break;
            case 2: r = (float)(int64_t)v; break;
            default: r = (float)v; break;
            }
            f[rd] = from_f32(r);
        } else {
            double r;
            switch (rs2) {
            case 0: r = (double)(int32_t)v; break;
            case 1: r = (double)(uint32_t)v; break;
            case 2: r = (double)(int64_t)v; break;
            default: r = (double)v; break;
            }
            f[rd] = from_f64(r);
        }
        fp_end(c, rm);
        break;
    }
    case 0x1c: /* fmv.x.{w,d}, fclass */
        if (rs2 != 0)
            return false;
        if (f3 == 0) {
            c->x[rd] = fmt == 0 ? (uint64_t)(int64_t)(int32_t)(uint32_t)f[rs1] : f[rs1];
        } else if (f3 == 1) {
            c->x[rd] = fmt == 0 ? fclass32(bits32(f[rs1])) : fclass64(f[rs1]);
        } else
            return false;
        c->x[0] = 0;
        return true;
    case 0x1e: /* fmv.{w,d}.x */
        if (rs2 != 0 || f3 != 0)
            return false;
        f[rd] = fmt == 0 ? box32((uint32_t)c->x[rs1]) : c->x[rs1];
        break;
    default:
        return false;
    }
    c->mstatus |= MSTATUS_FS;
    return true;
}
