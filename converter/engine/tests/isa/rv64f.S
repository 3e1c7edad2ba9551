/* RV64F: single precision, checked through the full 64-bit register so every result must be
 * NaN-boxed; improperly boxed inputs read as the canonical NaN. Rounding modes (static and
 * dynamic), flags, NaNs, fmin/fmax, compares, fclass, saturating conversions, fma, fsqrt. */
#include "common.h"
#define BOX 0xffffffff00000000
.macro LDF f, r
  fmv.w.x \f, \r
.endm
#include "fp.h"

#define ONE   0x3f800000
#define MONE  0xbf800000
#define TWO   0x40000000
#define THREE 0x40400000
#define ONEU  0x3f800001
#define P30   0x30800000
#define M30   0xb0800000
#define P24   0x33800000
#define M24   0xb3800000
#define MAX   0x7f7fffff
#define MMAX  0xff7fffff
#define INF   0x7f800000
#define MINF  0xff800000
#define CNAN  0x7fc00000
#define QNAN  0x7fc00123
#define SNAN  0x7f800001
#define NZERO 0x80000000
#define P100  0x0d800000
#define M100  0x8d800000
#define P60   0x21800000
#define P40   0x2b800000
#define A12   0x3f800800
#define P11   0x3f801000

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)

  SECTION rounding
  F2ALL add_pos_tiny, fadd.s, ONE, P30, ONE, ONE, ONE, ONEU, ONE, NX
  F2ALL add_neg_tiny, fadd.s, MONE, M30, MONE, MONE, 0xbf800001, MONE, MONE, NX
  F2ALL add_tie_even, fadd.s, ONE, P24, ONE, ONE, ONE, ONEU, ONEU, NX
  F2ALL add_tie_odd, fadd.s, ONEU, P24, 0x3f800002, ONEU, ONEU, 0x3f800002, 0x3f800002, NX
  F2ALL add_neg_tie, fadd.s, MONE, M24, MONE, MONE, 0xbf800001, MONE, 0xbf800001, NX
  F2ALL sub_exact_zero, fsub.s, ONE, ONE, 0, 0, NZERO, 0, 0, 0
  F2ALL add_overflow, fadd.s, MAX, MAX, INF, MAX, MAX, INF, INF, OF|NX
  F2ALL add_neg_overflow, fadd.s, MMAX, MMAX, MINF, MMAX, MINF, MMAX, MINF, OF|NX
  F2ALL mul_underflow, fmul.s, P100, P60, 0, 0, 0, 1, 0, UF|NX
  F2ALL mul_neg_underflow, fmul.s, M100, P60, NZERO, NZERO, 0x80000001, NZERO, NZERO, UF|NX
  F2 mul_subnormal_exact, fmul.s, rne, P100, P40, 0x200, 0
  F2 mul_tiny_after_rounding, fmul.s, rne, ONEU, 0x007fffff, 0x00800000, NX
  F2 mul_tiny_after_rounding_rtz, fmul.s, rtz, ONEU, 0x007fffff, 0x007fffff, UF|NX
  F2ALL div_third, fdiv.s, ONE, THREE, 0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab, NX
  F2 div_exact, fdiv.s, rne, THREE, TWO, 0x3fc00000, 0

  SECTION special_values
  F2 div_by_zero, fdiv.s, rne, ONE, 0, INF, DZ
  F2 div_by_neg_zero, fdiv.s, rne, ONE, NZERO, MINF, DZ
  F2 div_zero_zero, fdiv.s, rne, 0, 0, CNAN, NV
  F2 mul_inf_zero, fmul.s, rne, 0, MINF, CNAN, NV
  F2 add_inf_minf, fadd.s, rne, INF, MINF, CNAN, NV
  F2 add_qnan_canonical, fadd.s, rne, QNAN, ONE, CNAN, 0
  F2 add_snan, fadd.s, rne, ONE, SNAN, CNAN, NV
  F2 div_snan, fdiv.s, rne, SNAN, 0, CNAN, NV

  SECTION fsqrt
  F1 sqrt_4, fsqrt.s, rne, 0x40800000, TWO, 0
  F1 sqrt2_rne, fsqrt.s, rne, TWO, 0x3fb504f3, NX
  F1 sqrt2_rtz, fsqrt.s, rtz, TWO, 0x3fb504f3, NX
  F1 sqrt2_rdn, fsqrt.s, rdn, TWO, 0x3fb504f3, NX
  F1 sqrt2_rup, fsqrt.s, rup, TWO, 0x3fb504f4, NX
  F1 sqrt2_rmm, fsqrt.s, rmm, TWO, 0x3fb504f3, NX
  F1 sqrt_neg, fsqrt.s, rne, MONE, CNAN, NV
  F1 sqrt_neg_zero, fsqrt.s, rne, NZERO, NZERO, 0
  F1 sqrt_snan, fsqrt.s, rne, SNAN, CNAN, NV

  SECTION fma
  F3 fmsub_exact_err, fmsub.s, rne, A12, A12, P11, P24, 0
  F3 fnmsub_exact_err, fnmsub.s, rne, A12, A12, P11, M24, 0
  F3 fmadd_rne, fmadd.s, rne, A12, A12, P11, 0x40001000, NX
  F3 fmadd_rup, fmadd.s, rup, A12, A12, P11, 0x40001001, NX
  F3 fnmadd_rne, fnmadd.s, rne, A12, A12, P11, 0xc0001000, NX
  fsrmi 2
  F3 fnmadd_dyn_rdn, fnmadd.s, dyn, A12, A12, P11, 0xc0001001, NX
  fsrmi 0
  F3 fma_inf_zero_qnan, fmadd.s, rne, INF, 0, QNAN, CNAN, NV
  F3 fma_snan_addend, fmsub.s, rne, ONE, ONE, SNAN, CNAN, NV
  F3 fma_zero_sign_rdn, fmadd.s, rdn, ONE, NZERO, 0, NZERO, 0

  SECTION min_max_sgnj_cmp_class
  F2N fmin_zeros, fmin.s, 0, NZERO, NZERO, 0
  F2N fmax_zeros, fmax.s, NZERO, 0, 0, 0
  F2N fmin_qnan, fmin.s, QNAN, ONE, ONE, 0
  F2N fmax_snan, fmax.s, MONE, SNAN, MONE, NV
  F2N fmin_both_nan, fmin.s, SNAN, QNAN, CNAN, NV
  F2N fsgnj_basic, fsgnj.s, ONE, MONE, MONE, 0
  F2N fsgnjn_basic, fsgnjn.s, MONE, MONE, ONE, 0
  F2N fsgnjx_basic, fsgnjx.s, MONE, MONE, ONE, 0
  F2N fsgnj_snan_kept, fsgnj.s, SNAN, MONE, 0xff800001, 0
  FCMP feq_basic, feq.s, ONE, ONE, 1, 0
  FCMP feq_snan, feq.s, SNAN, ONE, 0, NV
  FCMP feq_qnan, feq.s, QNAN, ONE, 0, 0
  FCMP flt_qnan, flt.s, ONE, QNAN, 0, NV
  FCMP fle_zeros, fle.s, 0, NZERO, 1, 0
  FCMP flt_basic, flt.s, MINF, MONE, 1, 0
  FCLASS fclass_minf, fclass.s, MINF, 0x1
  FCLASS fclass_mnormal, fclass.s, MONE, 0x2
  FCLASS fclass_msub, fclass.s, 0x807fffff, 0x4
  FCLASS fclass_mzero, fclass.s, NZERO, 0x8
  FCLASS fclass_zero, fclass.s, 0, 0x10
  FCLASS fclass_sub, fclass.s, 0x00000001, 0x20
  FCLASS fclass_normal, fclass.s, ONE, 0x40
  FCLASS fclass_inf, fclass.s, INF, 0x80
  FCLASS fclass_snan, fclass.s, SNAN, 0x100
  FCLASS fclass_qnan, fclass.s, CNAN, 0x200

  SECTION conversions
  FTOIALL cvt_w_1p5, fcvt.w.s, 0x3fc00000, 2, 1, 1, 2, 2, NX
  FTOIALL cvt_w_2p5, fcvt.w.s, 0x40200000, 2, 2, 2, 3, 3, NX
  FTOIALL cvt_w_m2p5, fcvt.w.s, 0xc0200000, -2, -2, -3, -2, -3, NX
  FTOI cvt_w_3e9, fcvt.w.s, rtz, 0x4f32d05e, 0x7fffffff, NV
  FTOI cvt_w_m3e9, fcvt.w.s, rtz, 0xcf32d05e, 0xffffffff80000000, NV
  FTOI cvt_w_nan, fcvt.w.s, rtz, QNAN, 0x7fffffff, NV
  FTOI cvt_w_minf, fcvt.w.s, rtz, MINF, 0xffffffff80000000, NV
  FTOI cvt_wu_m1, fcvt.wu.s, rtz, MONE, 0, NV
  FTOI cvt_wu_2p32, fcvt.wu.s, rtz, 0x4f800000, 0xffffffffffffffff, NV
  FTOI cvt_wu_big, fcvt.wu.s, rtz, 0x4f7fffff, 0xffffffffffffff00, 0
  FTOI cvt_wu_nan, fcvt.wu.s, rtz, CNAN, 0xffffffffffffffff, NV
  FTOI cvt_l_2p63, fcvt.l.s, rtz, 0x5f000000, 0x7fffffffffffffff, NV
  FTOI cvt_l_m2p63, fcvt.l.s, rtz, 0xdf000000, 0x8000000000000000, 0
  FTOI cvt_l_nan, fcvt.l.s, rtz, SNAN, 0x7fffffffffffffff, NV
  FTOI cvt_l_m1p5_rmm, fcvt.l.s, rmm, 0xbfc00000, -2, NX
  FTOI cvt_lu_2p64, fcvt.lu.s, rtz, 0x5f800000, 0xffffffffffffffff, NV
  FTOI cvt_lu_m1, fcvt.lu.s, rtz, MONE, 0, NV
  FTOI cvt_lu_big, fcvt.lu.s, rtz, 0x5f7fffff, 0xffffff0000000000, 0
  ITOF cvt_s_w_max_rne, fcvt.s.w, rne, 0x7fffffff, 0x4f000000, NX
  ITOF cvt_s_w_max_rtz, fcvt.s.w, rtz, 0x7fffffff, 0x4effffff, NX
  ITOF cvt_s_w_low32, fcvt.s.w, rne, 0x00000001ffffffff, MONE, 0
  ITOF cvt_s_wu_max_rne, fcvt.s.wu, rne, 0xffffffff, 0x4f800000, NX
  ITOF cvt_s_wu_max_rdn, fcvt.s.wu, rdn, 0xffffffff, 0x4f7fffff, NX
  ITOF cvt_s_l_m1, fcvt.s.l, rne, -1, MONE, 0
  ITOF cvt_s_l_min, fcvt.s.l, rne, 0x8000000000000000, 0xdf000000, 0
  ITOF cvt_s_lu_max_rne, fcvt.s.lu, rne, -1, 0x5f800000, NX
  ITOF cvt_s_lu_max_rtz, fcvt.s.lu, rtz, -1, 0x5f7fffff, NX
  fsrmi 3
  ITOF cvt_s_l_dyn_rup, fcvt.s.l, dyn, 0x7fffffffffffffff, 0x5f000000, NX
  fsrmi 1
  ITOF cvt_s_l_dyn_rtz, fcvt.s.l, dyn, 0x7fffffffffffffff, 0x5effffff, NX
  fsrmi 0

  SECTION nan_boxing
  /* fmv.w.x boxes; fmv.x.w sign-extends bit 31 */
  li t0, 0xbf800000
  fmv.w.x ft0, t0
  fmv.x.d t2, ft0
  CHECK fmvwx_boxed, t2, 0xffffffffbf800000
  fmv.x.w t2, ft0
  CHECK fmvxw_sext, t2, 0xffffffffbf800000
  /* fmv.x.w of an unboxed register moves the low 32 bits unchanged */
  li t0, 0x1234567880000000
  fmv.d.x ft0, t0
  fmv.x.w t2, ft0
  CHECK fmvxw_unboxed, t2, 0xffffffff80000000
  /* unboxed inputs read as the canonical NaN */
  li t0, 0x000000003f800000
  fmv.d.x ft0, t0            /* "1.0f" without the box */
  li t1, ONE
  fmv.w.x ft1, t1
  csrwi fflags, 0
  fadd.s ft2, ft0, ft1
  fmv.x.d t2, ft2
  csrr t3, fflags
  CHECK unboxed_fadd, t2, 0xffffffff7fc00000
  CHECK unboxed_fadd_fl, t3, 0
  fmin.s ft2, ft0, ft1
  fmv.x.d t2, ft2
  CHECK unboxed_fmin, t2, 0xffffffff3f800000
  fclass.s t2, ft0
  CHECK unboxed_fclass, t2, 0x200
  feq.s t2, ft1, ft0
  CHECK unboxed_feq, t2, 0
  fsgnj.s ft2, ft0, ft1
  fmv.x.d t2, ft2
  CHECK unboxed_fsgnj_rs1, t2, 0xffffffff7fc00000
  fsgnjn.s ft2, ft1, ft0
  fmv.x.d t2, ft2
  CHECK unboxed_fsgnjn_rs2, t2, 0xffffffffbf800000
  li t0, 0xfffffffe3f800000  /* almost boxed: still not boxed */
  fmv.d.x ft0, t0
  fsqrt.s ft2, ft0
  fmv.x.d t2, ft2
  CHECK almost_boxed_fsqrt, t2, 0xffffffff7fc00000
  fcvt.w.s t2, ft0, rtz
  CHECK unboxed_cvt_w, t2, 0x7fffffff
  /* a boxed single read by a double op is a (negative quiet) NaN */
  li t0, ONE
  fmv.w.x ft0, t0
  csrwi fflags, 0
  fadd.d ft2, ft0, ft0
  fmv.x.d t2, ft2
  csrr t3, fflags
  CHECK boxed_as_double, t2, 0x7ff8000000000000
  CHECK boxed_as_double_fl, t3, 0
  /* flw boxes, fsw stores the low word only */
  la t0, sdata
  flw ft0, 0(t0)
  fmv.x.d t2, ft0
  CHECK flw_boxed, t2, 0xffffffff7f800001
  li t1, 0x1122334455667788
  fmv.d.x ft1, t1
  fsw ft1, 8(t0)
  ld t2, 8(t0)
  CHECK fsw_low_word, t2, 0xaaaaaaaa55667788
  fld ft2, 0(t0)
  fmv.x.d t2, ft2
  CHECK fld_raw, t2, 0xbbbbbbbb7f800001

  ld ra, 0(sp)
  addi sp, sp, 16
  ret

  .data
  .align 4
sdata:
  .word 0x7f800001, 0xbbbbbbbb
  .word 0xaaaaaaaa, 0xaaaaaaaa
