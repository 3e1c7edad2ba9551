/* F and D extensions in software: every operation is computed with integer arithmetic, with
 * the five RISC-V rounding modes and exact exception flags, so the native and the wasm build
 * (which has no rounding modes or flags) give the same bits. Rules from the unprivileged ISA:
 * canonical NaN results, NaN boxing of single values, tininess detected after rounding,
 * invalid for inf*0 in fused multiply-add even with a quiet NaN addend, saturating
 * conversions to integers, fmin/fmax with -0 < +0. */
#include "cpu.h"

#define F32_CANON 0x7fc00000u
#define F64_CANON 0x7ff8000000000000ULL
#define NV 16
#define DZ 8
#define OF 4
#define UF 2
#define NX 1

enum { RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4 };
enum { C_ZERO, C_NORM, C_INF, C_QNAN, C_SNAN };

typedef unsigned __int128 u128;

/* A value unpacked: finite non-zero values are sig * 2^(e - 62) with bit 62 of sig set. */
typedef struct {
    bool sign;
    int cls;
    int32_t e;
    uint64_t sig;
} Unp;

/* Format parameters; d = 0 for single, 1 for double. */
#define MBITS(d) ((d) ? 52 : 23)
#define BIAS(d) ((d) ? 1023 : 127)
#define EMAXF(d) ((d) ? 0x7ffULL : 0xffULL)
#define SIGNBIT(d) ((d) ? 1ULL << 63 : 1ULL << 31)
#define CANON(d) ((d) ? F64_CANON : (uint64_t)F32_CANON)

static inline int clz64(uint64_t v)
{
    return v ? __builtin_clzll(v) : 64;
}

static inline uint64_t jam64(uint64_t v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 63)
        return v != 0;
    return (v >> n) | ((v << (64 - n)) != 0);
}

static inline u128 jam128(u128 v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 127)
        return v != 0;
    return (v >> n) | ((v << (128 - n)) != 0);
}

static inline int clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? clz64(hi) : 64 + clz64((uint64_t)v);
}

/* Raw bits of a single operand (canonical NaN when not NaN-boxed) or a double operand. */
static inline uint64_t opnd(const CPU *c, int d, uint32_t r)
{
    uint64_t v = c->f[r];
    if (d)
        return v;
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : F32_CANON;
}

static Unp unpack(uint64_t b, int d)
{
    Unp u;
    int mb = MBITS(d);
    u.sign = (b & SIGNBIT(d)) != 0;
    uint64_t exp = (b >> mb) & EMAXF(d), frac = b & ((1ULL << mb) - 1);
    u.e = 0;
    u.sig = 0;
    if (exp == EMAXF(d)) {
        u.cls = frac == 0 ? C_INF : ((frac >> (mb - 1)) & 1) ? C_QNAN : C_SNAN;
    } else if (exp == 0) {
        if (frac == 0) {
            u.cls = C_ZERO;
        } else {
            int p = 63 - clz64(frac);
            u.cls = C_NORM;
            u.sig = frac << (62 - p);
            u.e = 1 - BIAS(d) - mb + p;
        }
    } else {
        u.cls = C_NORM;
        u.sig = (frac | (1ULL << mb)) << (62 - mb);
        u.e = (int32_t)exp - BIAS(d);
    }
    return u;
}

static inline uint64_t pack_inf(int d, bool sign)
{
    return (sign ? SIGNBIT(d) : 0) | (EMAXF(d) << MBITS(d));
}

static inline uint64_t pack_zero(int d, bool sign)
{
    return sign ? SIGNBIT(d) : 0;
}

/* Round sig * 2^(e - 62) (bit 62 of sig set, sticky bits or-ed into bit 0) to the format. */
static uint64_t round_pack(uint32_t *fl, int d, bool sign, int32_t e, uint64_t sig, int rm)
{
    int mb = MBITS(d), r = 62 - mb;
    uint64_t rmask = (1ULL << r) - 1, half = 1ULL << (r - 1);
    int64_t emaxf = (int64_t)EMAXF(d);
    int64_t x = (int64_t)e + BIAS(d) - 1; /* biased exponent minus one */
    uint64_t inc;
    switch (rm) {
    case RTZ: inc = 0; break;
    case RDN: inc = sign ? rmask : 0; break;
    case RUP: inc = sign ? 0 : rmask; break;
    default: inc = half; break; /* RNE, RMM */
    }
    uint64_t sbit = sign ? SIGNBIT(d) : 0;
    uint64_t rbits = sig & rmask;
    if (x < 0) {
        bool tiny = x < -1 || sig + inc < (1ULL << 63);
        sig = jam64(sig, x < -64 ? 64 : (int)-x);
        x = 0;
        rbits = sig & rmask;
        if (tiny && rbits)
            *fl |= UF;
    } else if (x > emaxf - 2 || (x == emaxf - 2 && sig + inc >= (1ULL << 63))) {
        *fl |= OF | NX;
        return sbit | (((uint64_t)emaxf << mb) - (inc == 0 ? 1 : 0));
    }
    sig = (sig + inc) >> r;
    if (rbits)
        *fl |= NX;
    if (rm == RNE && rbits == half)
        sig &= ~1ULL;
    if (!sig)
        x = 0;
    return sbit + ((uint64_t)x << mb) + sig;
}

/* NaN handling for operations whose inputs include a NaN: canonical result, NV for sNaN. */
static inline bool any_nan(uint32_t *fl, const Unp *a, const Unp *b, const Unp *c)
{
    bool nan = false, snan = false;
    const Unp *v[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        if (!v[i])
            continue;
        if (v[i]->cls == C_QNAN || v[i]->cls == C_SNAN)
            nan = true;
        if (v[i]->cls == C_SNAN)
            snan = true;
    }
    if (snan)
        *fl |= NV;
    return nan;
}

static uint64_t f_add(uint32_t *fl, int d, uint64_t ab, uint64_t bb, bool negb, int rm)
{
    Unp a = unpack(ab, d), b = unpack(bb, d);
    b.sign ^= negb;
    if (any_nan(fl, &a, &b, NULL))
        return CANON(d);
    if (a.cls == C_INF) {
        if (b.cls == C_INF && a.sign != b.sign) {
            *fl |= NV;
            return CANON(d);
        }
        return pack_inf(d, a.sign);
    }
    if (b.cls == C_INF)
        return pack_inf(d, b.sign);
    if (a.cls == C_ZERO && b.cls == C_ZERO)
        return pack_zero(d, a.sign == b.sign ? a.sign : rm == RDN);
    if (a.cls == C_ZERO)
        return round_pack(fl, d, b.sign, b.e, b.sig, rm);
    if (b.cls == C_ZERO)
        return round_pack(fl, d, a.sign, a.e, a.sig, rm);
    if (a.e < b.e || (a.e == b.e && a.sig < b.sig)) {
        Unp t = a;
        a = b;
        b = t;
    }
    int sh = a.e - b.e;
    uint64_t bs = jam64(b.sig, sh > 64 ? 64 : sh);
    int32_t e = a.e;
    uint64_t s;
    if (a.sign == b.sign) {
        s = a.sig + bs;
        if (s >> 63) {
            s = jam64(s, 1);
            e++;
        }
    } else {
        s = a.sig - bs;
        if (s == 0)
            return pack_zero(d, rm == RDN);
        int n = clz64(s) - 1;
        s <<= n;
        e -= n;
    }
    return round_pack(fl, d, a.sign, e, s, rm);
}

static uint64_t f_mul(uint32_t *fl, int d, uint64_t ab, uint64_t bb, int rm)
{
    Unp a = unpack(ab, d), b = unpack(bb, d);
    if (any_nan(fl, &a, &b, NULL))
        return CANON(d);
    bool sign = a.sign ^ b.sign;
    if (a.cls == C_INF || b.cls == C_INF) {
        if (a.cls == C_ZERO || b.cls == C_ZERO) {
            *fl |= NV;
            return CANON(d);
        }
        return pack_inf(d, sign);
    }
    if (a.cls == C_ZERO || b.cls == C_ZERO)
        return pack_zero(d, sign);
    u128 p = (u128)a.sig * b.sig;
    uint64_t hi = (uint64_t)(p >> 62) | (((uint64_t)p & ((1ULL << 62) - 1)) != 0);
    int32_t e = a.e + b.e;
    if (hi >> 63) {
        hi = jam64(hi, 1);
        e++;
    }
    return round_pack(fl, d, sign, e, hi, rm);
}

static uint64_t f_div(uint32_t *fl, int d, uint64_t ab, uint64_t bb, int rm)
{
    Unp a = unpack(ab, d), b = unpack(bb, d);
    if (any_nan(fl, &a, &b, NULL))
        return CANON(d);
    bool sign = a.sign ^ b.sign;
    if (a.cls == C_INF) {
        if (b.cls == C_INF) {
            *fl |= NV;
            return CANON(d);
        }
        return pack_inf(d, sign);
    }
    if (b.cls == C_INF)
        return pack_zero(d, sign);
    if (b.cls == C_ZERO) {
        if (a.cls == C_ZERO) {
            *fl |= NV;
            return CANON(d);
        }
        *fl |= DZ;
        return pack_inf(d, sign);
    }
    if (a.cls == C_ZERO)
        return pack_zero(d, sign);
    int32_t e = a.e - b.e;
    uint64_t rem = a.sig, q = 0;
    if (rem < b.sig) {
        rem <<= 1;
        e--;
    }
    for (int i = 0; i < 63; i++) {
        q <<= 1;
        if (rem >= b.sig) {
            rem -= b.sig;
            q |= 1;
        }
        rem <<= 1;
    }
    return round_pack(fl, d, sign, e, q | (rem != 0), rm);
}

static uint64_t f_sqrt(uint32_t *fl, int d, uint64_t ab, int rm)
{
    Unp a = unpack(ab, d);
    if (any_nan(fl, &a, NULL, NULL))
        return CANON(d);
    if (a.cls == C_ZERO)
        return pack_zero(d, a.sign);
    if (a.sign) {
        *fl |= NV;
        return CANON(d);
    }
    if (a.cls == C_INF)
        return pack_inf(d, false);
    uint64_t m = a.sig;
    int32_t e = a.e;
    if (e & 1) {
        m <<= 1;
        e--;
    }
    u128 n = (u128)m << 62, res = 0, bit = (u128)1 << 126;
    while (bit > n)
        bit >>= 2;
    while (bit) {
        if (n >= res + bit) {
            n -= res + bit;
            res = (res >> 1) + bit;
        } else
            res >>= 1;
        bit >>= 2;
    }
    return round_pack(fl, d, false, e / 2, (uint64_t)res | (n != 0), rm);
}

/* a*b + c with one rounding; the caller applies the FMSUB/FNM* negations to the signs. */
static uint64_t f_fma(uint32_t *fl, int d, uint64_t ab, uint64_t bb, uint64_t cb, bool nega,
                      bool negc, int rm)
{
    Unp a = unpack(ab, d), b = unpack(bb, d), c = unpack(cb, d);
    bool inf_zero = (a.cls == C_INF && b.cls == C_ZERO) || (a.cls == C_ZERO && b.cls == C_INF);
    if (any_nan(fl, &a, &b, &c)) {
        if (inf_zero)
            *fl |= NV;
        return CANON(d);
    }
    bool ps = a.sign ^ b.sign ^ nega;
    c.sign ^= negc;
    if (inf_zero) {
        *fl |= NV;
        return CANON(d);
    }
    if (a.cls == C_INF || b.cls == C_INF) {
        if (c.cls == C_INF && c.sign != ps) {
            *fl |= NV;
            return CANON(d);
        }
        return pack_inf(d, ps);
    }
    if (c.cls == C_INF)
        return pack_inf(d, c.sign);
    if (a.cls == C_ZERO || b.cls == C_ZERO) {
        if (c.cls == C_ZERO)
            return pack_zero(d, ps == c.sign ? ps : rm == RDN);
        return round_pack(fl, d, c.sign, c.e, c.sig, rm);
    }
    /* both addends as V * 2^(E - 125) with bit 125 of V set */
    u128 vp = (u128)a.sig * b.sig;
    int32_t ep = a.e + b.e;
    if (vp >> 125)
        ep++;
    else
        vp <<= 1;
    if (c.cls == C_ZERO) {
        uint64_t hi = (uint64_t)(vp >> 63) | (((uint64_t)vp & ((1ULL << 63) - 1)) != 0);
        return round_pack(fl, d, ps, ep, hi, rm);
    }
    u128 vc = (u128)c.sig << 63;
    int32_t ec = c.e;
    bool sb = ps, ss = c.sign;
    u128 vb = vp, vs = vc;
    int32_t eb = ep, es = ec;
    if (ec > ep || (ec == ep && vc > vp)) {
        sb = c.sign;
        ss = ps;
        vb = vc;
        vs = vp;
        eb = ec;
        es = ep;
    }
    int32_t diff = eb - es;
    vs = jam128(vs, diff > 128 ? 128 : (int)diff);
    u128 s;
    if (sb == ss) {
        s = vb + vs;
    } else {
        s = vb - vs;
        if (s == 0)
            return pack_zero(d, rm == RDN);
    }
    int sh = clz128(s) - 1; /* top bit to 126 */
    s <<= sh;
    eb -= sh;
    uint64_t sig = (uint64_t)(s >> 64) | ((uint64_t)s != 0);
    return round_pack(fl, d, sb, eb + 1, sig, rm);
}

/* Integer (magnitude v, sign) to float. */
static uint64_t f_from_int(uint32_t *fl, int d, uint64_t v, bool sign, int rm)
{
    if (v == 0)
        return 0;
    int p = 63 - clz64(v);
    uint64_t sig = p == 63 ? jam64(v, 1) : v << (62 - p);
    return round_pack(fl, d, sign, p, sig, rm);
}

/* Float to integer of width 32 or 64 with saturation; the result is sign-extended. */
static uint64_t f_to_int(uint32_t *fl, int d, uint64_t ab, int rm, bool is_signed, int width)
{
    Unp a = unpack(ab, d);
    uint64_t smax = width == 32 ? 0x7fffffffULL : 0x7fffffffffffffffULL;
    uint64_t smin = width == 32 ? (uint64_t)(int64_t)INT32_MIN : (uint64_t)INT64_MIN;
    uint64_t umax = ~0ULL; /* 0xffffffff sign-extended for width 32 */
    if (a.cls == C_QNAN || a.cls == C_SNAN) {
        *fl |= NV;
        return is_signed ? smax : umax;
    }
    if (a.cls == C_INF) {
        *fl |= NV;
        if (is_signed)
            return a.sign ? smin : smax;
        return a.sign ? 0 : umax;
    }
    if (a.cls == C_ZERO)
        return 0;
    uint64_t mag;
    bool inexact = false;
    if (a.e >= 64) {
        *fl |= NV;
        if (is_signed)
            return a.sign ? smin : smax;
        return a.sign ? 0 : umax;
    }
    if (a.e >= 62) {
        mag = a.sig << (a.e - 62);
    } else {
        int sh = 62 - a.e;
        uint64_t ip, rem, half;
        int cmp; /* rem compared with half */
        if (sh >= 64) {
            ip = 0;
            rem = 1;
            cmp = -1;
        } else {
            ip = a.sig >> sh;
            rem = a.sig & ((1ULL << sh) - 1);
            half = 1ULL << (sh - 1);
            cmp = rem < half ? -1 : rem > half;
        }
        inexact = rem != 0;
        bool inc;
        switch (rm) {
        case RTZ: inc = false; break;
        case RDN: inc = a.sign && inexact; break;
        case RUP: inc = !a.sign && inexact; break;
        case RMM: inc = cmp >= 0; break;
        default: inc = cmp > 0 || (cmp == 0 && (ip & 1)); break;
        }
        mag = ip + inc;
    }
    uint64_t res;
    if (is_signed) {
        if (a.sign ? mag > smax + 1 : mag > smax) {
            *fl |= NV;
            return a.sign ? smin : smax;
        }
        res = a.sign ? (uint64_t)0 - mag : mag;
        if (width == 32)
            res = (uint64_t)(int64_t)(int32_t)(uint32_t)res;
    } else {
        if ((a.sign && mag != 0) || (width == 32 && mag > 0xffffffffULL)) {
            *fl |= NV;
            return a.sign ? 0 : umax;
        }
        res = width == 32 ? (uint64_t)(int64_t)(int32_t)(uint32_t)mag : mag;
    }
    if (inexact)
        *fl |= NX;
    return res;
}

/* Convert between formats: from format sd to format dd. */
static uint64_t f_cvt(uint32_t *fl, int dd, int sd, uint64_t ab, int rm)
{
    Unp a = unpack(ab, sd);
    if (any_nan(fl, &a, NULL, NULL))
        return CANON(dd);
    if (a.cls == C_INF)
        return pack_inf(dd, a.sign);
    if (a.cls == C_ZERO)
        return pack_zero(dd, a.sign);
    return round_pack(fl, dd, a.sign, a.e, a.sig, rm);
}

static bool f_lt(uint64_t a, uint64_t b, int d, bool or_equal)
{
    /* non-NaN operands: order the sign-magnitude bit patterns */
    uint64_t sb = SIGNBIT(d);
    bool sa = (a & sb) != 0, sbb = (b & sb) != 0;
    uint64_t ma = a & (sb - 1), mb = b & (sb - 1);
    if (ma == 0 && mb == 0)
        return or_equal; /* +0 == -0 */
    if (a == b)
        return or_equal;
    if (sa != sbb)
        return sa;
    return sa ? ma > mb : ma < mb;
}

static inline bool is_nan(uint64_t b, int d)
{
    int mb = MBITS(d);
    return ((b >> mb) & EMAXF(d)) == EMAXF(d) && (b & ((1ULL << mb) - 1));
}
static inline bool is_snan(uint64_t b, int d)
{
    int mb = MBITS(d);
    return is_nan(b, d) && !((b >> (mb - 1)) & 1);
}

static uint64_t fclass(uint64_t b, int d)
{
    Unp u = unpack(b, d);
    int mb = MBITS(d);
    bool sub = u.cls == C_NORM && ((b >> mb) & EMAXF(d)) == 0;
    switch (u.cls) {
    case C_INF: return u.sign ? 1 << 0 : 1 << 7;
    case C_ZERO: return u.sign ? 1 << 3 : 1 << 4;
    case C_SNAN: return 1 << 8;
    case C_QNAN: return 1 << 9;
    default:
        if (sub)
            return u.sign ? 1 << 2 : 1 << 5;
        return u.sign ? 1 << 1 : 1 << 6;
    }
}

/* ---------------------------------------------------------------- execution */

static inline void set_f(CPU *c, int d, uint32_t rd, uint64_t v)
{
    c->f[rd] = d ? v : 0xffffffff00000000ULL | (uint32_t)v;
}

bool fpu_exec(CPU *c, uint32_t insn)
{
    uint32_t rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31;
    uint32_t rs3 = insn >> 27, f3 = (insn >> 12) & 7;
    uint32_t fmt = (insn >> 25) & 3; /* 0 = S, 1 = D */
    uint32_t opc = (insn >> 2) & 31;
    int rm = (int)f3 == 7 ? (int)c->frm : (int)f3;
    int d = (int)fmt;
    uint32_t fl = 0;
    if (fmt > 1)
        return false;

    if (opc != 0x14) { /* FMADD 0x10, FMSUB 0x11, FNMSUB 0x12, FNMADD 0x13 */
        if (rm > 4)
            return false;
        int k = (int)opc - 0x10;
        uint64_t r = f_fma(&fl, d, opnd(c, d, rs1), opnd(c, d, rs2), opnd(c, d, rs3),
                           k == 2 || k == 3, k == 1 || k == 3, rm);
        set_f(c, d, rd, r);
        c->fflags |= fl;
        c->mstatus |= MSTATUS_FS;
        return true;
    }

    uint32_t f5 = insn >> 27;
    switch (f5) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x0b: { /* add sub mul div sqrt */
        if (rm > 4 || (f5 == 0x0b && rs2 != 0))
            return false;
        uint64_t a = opnd(c, d, rs1), b = opnd(c, d, rs2), r;
        switch (f5) {
        case 0: r = f_add(&fl, d, a, b, false, rm); break;
        case 1: r = f_add(&fl, d, a, b, true, rm); break;
        case 2: r = f_mul(&fl, d, a, b, rm); break;
        case 3: r = f_div(&fl, d, a, b, rm); break;
        default: r = f_sqrt(&fl, d, a, rm); break;
        }
        set_f(c, d, rd, r);
        break;
    }
    case 0x04: { /* fsgnj */
        uint64_t a = opnd(c, d, rs1), b = opnd(c, d, rs2), s = SIGNBIT(d), r;
        switch (f3) {
        case 0: r = (a & ~s) | (b & s); break;
        case 1: r = (a & ~s) | (~b & s); break;
        case 2: r = a ^ (b & s); break;
        default: return false;
        }
        set_f(c, d, rd, r);
        break;
    }
    case 0x05: { /* fmin / fmax */
        if (f3 > 1)
            return false;
        uint64_t a = opnd(c, d, rs1), b = opnd(c, d, rs2), r;
        if (is_snan(a, d) || is_snan(b, d))
            fl |= NV;
        if (is_nan(a, d) && is_nan(b, d))
            r = CANON(d);
        else if (is_nan(a, d))
            r = b;
        else if (is_nan(b, d))
            r = a;
        else {
            bool a_less = f_lt(a, b, d, false) || (a != b && (a & SIGNBIT(d)) && !(b & SIGNBIT(d)));
            r = (f3 == 0) == a_less ? a : b;
        }
        set_f(c, d, rd, r);
        break;
    }
    case 0x08: /* fcvt.s.d / fcvt.d.s */
        if (rm > 4)
            return false;
        if (fmt == 0 && rs2 == 1)
            set_f(c, 0, rd, f_cvt(&fl, 0, 1, opnd(c, 1, rs1), rm));
        else if (fmt == 1 && rs2 == 0)
            set_f(c, 1, rd, f_cvt(&fl, 1, 0, opnd(c, 0, rs1), rm));
        else
            return false;
        break;
    case 0x14: { /* fle flt feq */
        uint64_t a = opnd(c, d, rs1), b = opnd(c, d, rs2);
        bool anynan = is_nan(a, d) || is_nan(b, d), r;
        switch (f3) {
        case 2:
            if (is_snan(a, d) || is_snan(b, d)) fl |= NV;
            r = !anynan && (a == b || ((a | b) & ~SIGNBIT(d)) == 0);
            break;
        case 1: if (anynan) fl |= NV; r = !anynan && f_lt(a, b, d, false); break;
        case 0: if (anynan) fl |= NV; r = !anynan && f_lt(a, b, d, true); break;
        default: return false;
        }
        c->x[rd] = r;
        c->x[0] = 0;
        c->fflags |= fl;
        if (fl)
            c->mstatus |= MSTATUS_FS;
        return true; /* does not write an f register */
    }
    case 0x18: { /* fcvt.{w,wu,l,lu}.{s,d} */
        if (rm > 4 || rs2 > 3)
            return false;
        c->x[rd] = f_to_int(&fl, d, opnd(c, d, rs1), rm, !(rs2 & 1), (rs2 & 2) ? 64 : 32);
        c->x[0] = 0;
        c->fflags |= fl;
        c->mstatus |= MSTATUS_FS;
        return true;
    }
    case 0x1a: { /* fcvt.{s,d}.{w,wu,l,lu} */
        if (rm > 4 || rs2 > 3)
            return false;
        uint64_t v = c->x[rs1], mag;
        bool neg = false;
        switch (rs2) {
        case 0: { int64_t s = (int32_t)v; neg = s < 0; mag = neg ? (uint64_t)0 - (uint64_t)s : (uint64_t)s; break; }
        case 1: mag = (uint32_t)v; break;
        case 2: neg = (int64_t)v < 0; mag = neg ? (uint64_t)0 - v : v; break;
        default: mag = v; break;
        }
        set_f(c, d, rd, f_from_int(&fl, d, mag, neg, rm));
        break;
    }
    case 0x1c: /* fmv.x.{w,d}, fclass */
        if (rs2 != 0)
            return false;
        if (f3 == 0) {
            c->x[rd] = fmt == 0 ? (uint64_t)(int64_t)(int32_t)(uint32_t)c->f[rs1] : c->f[rs1];
        } else if (f3 == 1) {
            c->x[rd] = fclass(opnd(c, d, rs1), d);
        } else
            return false;
        c->x[0] = 0;
        return true;
    case 0x1e: /* fmv.{w,d}.x */
        if (rs2 != 0 || f3 != 0)
            return false;
        c->f[rd] = fmt == 0 ? 0xffffffff00000000ULL | (uint32_t)c->x[rs1] : c->x[rs1];
        break;
    default:
        return false;
    }
    c->fflags |= fl;
    c->mstatus |= MSTATUS_FS;
    return true;
}
