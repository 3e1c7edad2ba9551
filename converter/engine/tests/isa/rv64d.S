/* RV64D: rounding modes (static and dynamic via frm), overflow/underflow/inexact/div-by-zero/
 * invalid flags, canonical NaN, signalling NaN inputs, fmin/fmax, compares, fclass,
 * saturating conversions, fused multiply-add family, fsqrt, fdiv, fcvt.s.d/fcvt.d.s,
 * fld/fsd, fcsr layout, mstatus.FS (dirty tracking, FS=Off traps), invalid rm traps. */
#include "common.h"
#define BOX 0
.macro LDF f, r
  fmv.d.x \f, \r
.endm
#include "fp.h"

#define ONE   0x3ff0000000000000
#define MONE  0xbff0000000000000
#define TWO   0x4000000000000000
#define THREE 0x4008000000000000
#define ONEU  0x3ff0000000000001
#define P60   0x3c30000000000000
#define M60   0xbc30000000000000
#define P53   0x3ca0000000000000
#define M53   0xbca0000000000000
#define MAX   0x7fefffffffffffff
#define MMAX  0xffefffffffffffff
#define INF   0x7ff0000000000000
#define MINF  0xfff0000000000000
#define CNAN  0x7ff8000000000000
#define QNAN  0x7ff8000000000123
#define SNAN  0x7ff0000000000001
#define NZERO 0x8000000000000000
#define P1000 0x0170000000000000
#define M1000 0x8170000000000000
#define P100  0x39b0000000000000
#define MINN  0x0010000000000000
#define MAXSUB 0x000fffffffffffff
#define A30   0x3ff0000000400000
#define P29   0x3ff0000000800000

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)

  SECTION rounding_add
  F2ALL add_pos_tiny, fadd.d, ONE, P60, ONE, ONE, ONE, ONEU, ONE, NX
  F2ALL add_neg_tiny, fadd.d, MONE, M60, MONE, MONE, 0xbff0000000000001, MONE, MONE, NX
  F2ALL add_tie_even, fadd.d, ONE, P53, ONE, ONE, ONE, ONEU, ONEU, NX
  F2ALL add_tie_odd, fadd.d, ONEU, P53, 0x3ff0000000000002, ONEU, ONEU, 0x3ff0000000000002, 0x3ff0000000000002, NX
  F2ALL add_neg_tie, fadd.d, MONE, M53, MONE, MONE, 0xbff0000000000001, MONE, 0xbff0000000000001, NX
  F2ALL sub_exact_zero, fsub.d, ONE, ONE, 0, 0, NZERO, 0, 0, 0
  F2ALL add_exact, fadd.d, ONE, ONE, TWO, TWO, TWO, TWO, TWO, 0
  F2ALL add_overflow, fadd.d, MAX, MAX, INF, MAX, MAX, INF, INF, OF|NX
  F2ALL add_neg_overflow, fadd.d, MMAX, MMAX, MINF, MMAX, MINF, MMAX, MINF, OF|NX

  SECTION rounding_mul_div
  F2ALL mul_underflow, fmul.d, P1000, P100, 0, 0, 0, 1, 0, UF|NX
  F2ALL mul_neg_underflow, fmul.d, M1000, P100, NZERO, NZERO, 0x8000000000000001, NZERO, NZERO, UF|NX
  F2 mul_subnormal_exact, fmul.d, rne, P1000, P60, 0x4000, 0
  /* tininess is detected after rounding: rounds up to the smallest normal, no UF */
  F2 mul_tiny_after_rounding, fmul.d, rne, ONEU, MAXSUB, MINN, NX
  F2 mul_tiny_after_rounding_rtz, fmul.d, rtz, ONEU, MAXSUB, MAXSUB, UF|NX
  F2ALL div_third, fdiv.d, ONE, THREE, 0x3fd5555555555555, 0x3fd5555555555555, 0x3fd5555555555555, 0x3fd5555555555556, 0x3fd5555555555555, NX
  F2ALL div_neg_third, fdiv.d, MONE, THREE, 0xbfd5555555555555, 0xbfd5555555555555, 0xbfd5555555555556, 0xbfd5555555555555, 0xbfd5555555555555, NX
  F2 div_exact, fdiv.d, rne, THREE, TWO, 0x3ff8000000000000, 0
  F2 mul_exact, fmul.d, rne, THREE, MONE, 0xc008000000000000, 0

  SECTION special_values
  F2 div_by_zero, fdiv.d, rne, ONE, 0, INF, DZ
  F2 div_neg_by_zero, fdiv.d, rne, MONE, 0, MINF, DZ
  F2 div_by_neg_zero, fdiv.d, rne, ONE, NZERO, MINF, DZ
  F2 div_zero_zero, fdiv.d, rne, 0, 0, CNAN, NV
  F2 div_inf_inf, fdiv.d, rne, INF, MINF, CNAN, NV
  F2 div_inf_zero, fdiv.d, rne, INF, 0, INF, 0
  F2 div_qnan_zero, fdiv.d, rne, QNAN, 0, CNAN, 0
  F2 mul_inf_zero, fmul.d, rne, INF, 0, CNAN, NV
  F2 add_inf_minf, fadd.d, rne, INF, MINF, CNAN, NV
  F2 sub_inf_inf, fsub.d, rne, INF, INF, CNAN, NV
  F2 add_inf_one, fadd.d, rne, INF, ONE, INF, 0
  F2 add_qnan_canonical, fadd.d, rne, QNAN, ONE, CNAN, 0
  F2 add_snan, fadd.d, rne, SNAN, ONE, CNAN, NV
  F2 mul_snan_rs2, fmul.d, rne, ONE, SNAN, CNAN, NV
  F2 sub_qnan_snan, fsub.d, rne, QNAN, SNAN, CNAN, NV
  F2 add_neg_snan, fadd.d, rne, 0xfff0000000000001, ONE, CNAN, NV

  SECTION fsqrt
  F1 sqrt_4, fsqrt.d, rne, 0x4010000000000000, TWO, 0
  F1 sqrt2_rne, fsqrt.d, rne, TWO, 0x3ff6a09e667f3bcd, NX
  F1 sqrt2_rtz, fsqrt.d, rtz, TWO, 0x3ff6a09e667f3bcc, NX
  F1 sqrt2_rdn, fsqrt.d, rdn, TWO, 0x3ff6a09e667f3bcc, NX
  F1 sqrt2_rup, fsqrt.d, rup, TWO, 0x3ff6a09e667f3bcd, NX
  F1 sqrt2_rmm, fsqrt.d, rmm, TWO, 0x3ff6a09e667f3bcd, NX
  fsrmi 1
  F1 sqrt2_dyn_rtz, fsqrt.d, dyn, TWO, 0x3ff6a09e667f3bcc, NX
  fsrmi 0
  F1 sqrt_neg, fsqrt.d, rne, MONE, CNAN, NV
  F1 sqrt_neg_zero, fsqrt.d, rne, NZERO, NZERO, 0
  F1 sqrt_inf, fsqrt.d, rne, INF, INF, 0
  F1 sqrt_minf, fsqrt.d, rne, MINF, CNAN, NV
  F1 sqrt_snan, fsqrt.d, rne, SNAN, CNAN, NV
  F1 sqrt_qnan, fsqrt.d, rne, QNAN, CNAN, 0
  F1 sqrt_min_subnormal, fsqrt.d, rne, 1, 0x1e60000000000000, 0

  SECTION fma
  /* (1+2^-30)^2 = 1 + 2^-29 + 2^-60: fused ops keep the 2^-60 */
  F3 fmsub_exact_err, fmsub.d, rne, A30, A30, P29, P60, 0
  F3 fnmsub_exact_err, fnmsub.d, rne, A30, A30, P29, M60, 0
  F3 fmadd_rne, fmadd.d, rne, A30, A30, P29, 0x4000000000800000, NX
  F3 fmadd_rup, fmadd.d, rup, A30, A30, P29, 0x4000000000800001, NX
  F3 fmadd_rtz, fmadd.d, rtz, A30, A30, P29, 0x4000000000800000, NX
  F3 fnmadd_rne, fnmadd.d, rne, A30, A30, P29, 0xc000000000800000, NX
  F3 fnmadd_rdn, fnmadd.d, rdn, A30, A30, P29, 0xc000000000800001, NX
  fsrmi 3
  F3 fmadd_dyn_rup, fmadd.d, dyn, A30, A30, P29, 0x4000000000800001, NX
  fsrmi 0
  F3 fma_inf_zero_qnan, fmadd.d, rne, INF, 0, QNAN, CNAN, NV
  F3 fma_zero_inf_qnan, fmadd.d, rne, 0, MINF, QNAN, CNAN, NV
  F3 fma_inf_minus_inf, fmadd.d, rne, INF, ONE, MINF, CNAN, NV
  F3 fma_snan_addend, fmadd.d, rne, ONE, ONE, SNAN, CNAN, NV
  F3 fma_qnan_mul, fmadd.d, rne, QNAN, ONE, ONE, CNAN, 0
  F3 fma_zero_sign_rne, fmadd.d, rne, ONE, NZERO, 0, 0, 0
  F3 fma_zero_sign_rdn, fmadd.d, rdn, ONE, NZERO, 0, NZERO, 0
  F3 fma_neg_zero_sum, fmadd.d, rne, ONE, NZERO, NZERO, NZERO, 0
  F3 fmsub_overflow, fmsub.d, rne, MAX, TWO, MMAX, INF, OF|NX
  F3 fnmsub_basic, fnmsub.d, rne, TWO, THREE, ONE, 0xc014000000000000, 0

  SECTION min_max_sgnj
  F2N fmin_basic, fmin.d, ONE, TWO, ONE, 0
  F2N fmax_basic, fmax.d, ONE, TWO, TWO, 0
  F2N fmin_neg, fmin.d, MONE, ONE, MONE, 0
  F2N fmin_zeros, fmin.d, 0, NZERO, NZERO, 0
  F2N fmin_zeros_rev, fmin.d, NZERO, 0, NZERO, 0
  F2N fmax_zeros, fmax.d, NZERO, 0, 0, 0
  F2N fmin_qnan, fmin.d, QNAN, ONE, ONE, 0
  F2N fmax_qnan_rs2, fmax.d, ONE, QNAN, ONE, 0
  F2N fmin_snan, fmin.d, SNAN, ONE, ONE, NV
  F2N fmax_snan, fmax.d, MONE, SNAN, MONE, NV
  F2N fmin_both_qnan, fmin.d, QNAN, QNAN, CNAN, 0
  F2N fmax_snan_qnan, fmax.d, SNAN, QNAN, CNAN, NV
  F2N fmax_inf, fmax.d, MAX, INF, INF, 0
  F2N fsgnj_basic, fsgnj.d, ONE, MONE, MONE, 0
  F2N fsgnjn_basic, fsgnjn.d, ONE, MONE, ONE, 0
  F2N fsgnjx_basic, fsgnjx.d, MONE, MONE, ONE, 0
  F2N fsgnj_snan_kept, fsgnj.d, SNAN, MONE, 0xfff0000000000001, 0
  F2N fsgnjn_qnan_payload, fsgnjn.d, QNAN, QNAN, 0xfff8000000000123, 0
  F2N fsgnjx_nan, fsgnjx.d, 0xfff8000000000005, MONE, 0x7ff8000000000005, 0

  SECTION compare
  FCMP feq_equal, feq.d, ONE, ONE, 1, 0
  FCMP feq_zeros, feq.d, NZERO, 0, 1, 0
  FCMP feq_qnan, feq.d, QNAN, ONE, 0, 0
  FCMP feq_snan, feq.d, ONE, SNAN, 0, NV
  FCMP feq_nan_nan, feq.d, QNAN, QNAN, 0, 0
  FCMP flt_basic, flt.d, MONE, ONE, 1, 0
  FCMP flt_equal, flt.d, ONE, ONE, 0, 0
  FCMP flt_zeros, flt.d, NZERO, 0, 0, 0
  FCMP flt_inf, flt.d, MINF, INF, 1, 0
  FCMP flt_qnan, flt.d, QNAN, ONE, 0, NV
  FCMP fle_zeros, fle.d, NZERO, 0, 1, 0
  FCMP fle_greater, fle.d, TWO, ONE, 0, 0
  FCMP fle_qnan, fle.d, ONE, QNAN, 0, NV

  SECTION fclass
  FCLASS fclass_minf, fclass.d, MINF, 0x1
  FCLASS fclass_mnormal, fclass.d, MONE, 0x2
  FCLASS fclass_msub, fclass.d, 0x800fffffffffffff, 0x4
  FCLASS fclass_mzero, fclass.d, NZERO, 0x8
  FCLASS fclass_zero, fclass.d, 0, 0x10
  FCLASS fclass_sub, fclass.d, MAXSUB, 0x20
  FCLASS fclass_normal, fclass.d, ONE, 0x40
  FCLASS fclass_inf, fclass.d, INF, 0x80
  FCLASS fclass_snan, fclass.d, SNAN, 0x100
  FCLASS fclass_qnan, fclass.d, CNAN, 0x200
  FCLASS fclass_mqnan, fclass.d, 0xfff8000000000000, 0x200

  SECTION fcvt_to_int
  FTOIALL cvt_w_1p5, fcvt.w.d, 0x3ff8000000000000, 2, 1, 1, 2, 2, NX
  FTOIALL cvt_w_2p5, fcvt.w.d, 0x4004000000000000, 2, 2, 2, 3, 3, NX
  FTOIALL cvt_w_m2p5, fcvt.w.d, 0xc004000000000000, -2, -2, -3, -2, -3, NX
  FTOIALL cvt_w_m0p5, fcvt.w.d, 0xbfe0000000000000, 0, 0, -1, 0, -1, NX
  FTOI cvt_w_3e9, fcvt.w.d, rtz, 0x41e65a0bc0000000, 0x7fffffff, NV
  FTOI cvt_w_m3e9, fcvt.w.d, rtz, 0xc1e65a0bc0000000, 0xffffffff80000000, NV
  FTOI cvt_w_nan, fcvt.w.d, rtz, CNAN, 0x7fffffff, NV
  FTOI cvt_w_mnan, fcvt.w.d, rtz, 0xfff8000000000000, 0x7fffffff, NV
  FTOI cvt_w_inf, fcvt.w.d, rtz, INF, 0x7fffffff, NV
  FTOI cvt_w_minf, fcvt.w.d, rtz, MINF, 0xffffffff80000000, NV
  FTOI cvt_w_max_exact, fcvt.w.d, rne, 0x41dfffffffc00000, 0x7fffffff, 0
  FTOI cvt_w_max_half_rne, fcvt.w.d, rne, 0x41dfffffffe00000, 0x7fffffff, NV
  FTOI cvt_w_max_half_rtz, fcvt.w.d, rtz, 0x41dfffffffe00000, 0x7fffffff, NX
  FTOI cvt_w_max_half_rdn, fcvt.w.d, rdn, 0x41dfffffffe00000, 0x7fffffff, NX
  FTOI cvt_w_max_half_rup, fcvt.w.d, rup, 0x41dfffffffe00000, 0x7fffffff, NV
  FTOI cvt_w_max_half_rmm, fcvt.w.d, rmm, 0x41dfffffffe00000, 0x7fffffff, NV
  FTOI cvt_w_min_exact, fcvt.w.d, rne, 0xc1e0000000000000, 0xffffffff80000000, 0
  FTOI cvt_w_min_half_rtz, fcvt.w.d, rtz, 0xc1e0000000100000, 0xffffffff80000000, NX
  FTOI cvt_w_min_half_rdn, fcvt.w.d, rdn, 0xc1e0000000100000, 0xffffffff80000000, NV
  FTOI cvt_wu_m1, fcvt.wu.d, rtz, MONE, 0, NV
  FTOI cvt_wu_m0p5_rtz, fcvt.wu.d, rtz, 0xbfe0000000000000, 0, NX
  FTOI cvt_wu_m0p5_rdn, fcvt.wu.d, rdn, 0xbfe0000000000000, 0, NV
  FTOI cvt_wu_max, fcvt.wu.d, rtz, 0x41efffffffe00000, 0xffffffffffffffff, 0
  FTOI cvt_wu_2p31, fcvt.wu.d, rtz, 0x41e0000000000000, 0xffffffff80000000, 0
  FTOI cvt_wu_5e9, fcvt.wu.d, rtz, 0x41f2a05f20000000, 0xffffffffffffffff, NV
  FTOI cvt_wu_nan, fcvt.wu.d, rtz, CNAN, 0xffffffffffffffff, NV
  FTOI cvt_wu_minf, fcvt.wu.d, rtz, MINF, 0, NV
  FTOI cvt_l_2p63, fcvt.l.d, rtz, 0x43e0000000000000, 0x7fffffffffffffff, NV
  FTOI cvt_l_m2p63, fcvt.l.d, rtz, 0xc3e0000000000000, 0x8000000000000000, 0
  FTOI cvt_l_big, fcvt.l.d, rtz, 0x43dfffffffffffff, 0x7ffffffffffffc00, 0
  FTOI cvt_l_nan, fcvt.l.d, rtz, CNAN, 0x7fffffffffffffff, NV
  FTOI cvt_l_inf, fcvt.l.d, rtz, INF, 0x7fffffffffffffff, NV
  FTOI cvt_l_minf, fcvt.l.d, rtz, MINF, 0x8000000000000000, NV
  FTOIALL cvt_l_m2p5, fcvt.l.d, 0xc004000000000000, -2, -2, -3, -2, -3, NX
  FTOI cvt_lu_m1, fcvt.lu.d, rtz, MONE, 0, NV
  FTOI cvt_lu_2p64, fcvt.lu.d, rtz, 0x43f0000000000000, 0xffffffffffffffff, NV
  FTOI cvt_lu_big, fcvt.lu.d, rtz, 0x43efffffffffffff, 0xfffffffffffff800, 0
  FTOI cvt_lu_nan, fcvt.lu.d, rtz, CNAN, 0xffffffffffffffff, NV
  FTOI cvt_lu_m0p5_rtz, fcvt.lu.d, rtz, 0xbfe0000000000000, 0, NX
  FTOI cvt_lu_m0p5_rdn, fcvt.lu.d, rdn, 0xbfe0000000000000, 0, NV
  FTOI cvt_lu_mzero, fcvt.lu.d, rtz, NZERO, 0, 0

  SECTION fcvt_from_int
  ITOF0 cvt_d_w_m1, fcvt.d.w, -1, MONE, 0
  ITOF0 cvt_d_w_low32, fcvt.d.w, 0x1234567880000000, 0xc1e0000000000000, 0
  ITOF0 cvt_d_wu_max, fcvt.d.wu, 0xffffffff, 0x41efffffffe00000, 0
  ITOF0 cvt_d_wu_low32, fcvt.d.wu, 0xffffffff80000000, 0x41e0000000000000, 0
  ITOF cvt_d_l_max_rne, fcvt.d.l, rne, 0x7fffffffffffffff, 0x43e0000000000000, NX
  ITOF cvt_d_l_max_rtz, fcvt.d.l, rtz, 0x7fffffffffffffff, 0x43dfffffffffffff, NX
  ITOF cvt_d_l_max_rdn, fcvt.d.l, rdn, 0x7fffffffffffffff, 0x43dfffffffffffff, NX
  ITOF cvt_d_l_max_rup, fcvt.d.l, rup, 0x7fffffffffffffff, 0x43e0000000000000, NX
  ITOF cvt_d_l_max_rmm, fcvt.d.l, rmm, 0x7fffffffffffffff, 0x43e0000000000000, NX
  ITOF cvt_d_l_min, fcvt.d.l, rne, 0x8000000000000000, 0xc3e0000000000000, 0
  ITOF cvt_d_l_zero_rdn, fcvt.d.l, rdn, 0, 0, 0
  ITOF cvt_d_lu_max_rne, fcvt.d.lu, rne, -1, 0x43f0000000000000, NX
  ITOF cvt_d_lu_max_rtz, fcvt.d.lu, rtz, -1, 0x43efffffffffffff, NX
  fsrmi 2
  ITOF cvt_d_l_dyn_rdn, fcvt.d.l, dyn, 0x7fffffffffffffff, 0x43dfffffffffffff, NX
  fsrmi 0

  SECTION fcvt_s_d
  /* double -> single: result NaN-boxed */
  li t0, ONE
  fmv.d.x ft0, t0
  csrwi fflags, 0
  fcvt.s.d ft1, ft0
  fmv.x.d t2, ft1
  csrr t3, fflags
  CHECK cvt_s_d_one, t2, 0xffffffff3f800000
  CHECK cvt_s_d_one_fl, t3, 0
  li t0, 0x3ff0000000000001
  fmv.d.x ft0, t0
  csrwi fflags, 0
  fcvt.s.d ft1, ft0, rup
  fmv.x.d t2, ft1
  csrr t3, fflags
  CHECK cvt_s_d_rup, t2, 0xffffffff3f800001
  CHECK cvt_s_d_rup_fl, t3, NX
  li t0, MAX
  fmv.d.x ft0, t0
  csrwi fflags, 0
  fcvt.s.d ft1, ft0, rne
  fmv.x.d t2, ft1
  csrr t3, fflags
  CHECK cvt_s_d_ovf, t2, 0xffffffff7f800000
  CHECK cvt_s_d_ovf_fl, t3, OF|NX
  csrwi fflags, 0
  fcvt.s.d ft1, ft0, rtz
  fmv.x.d t2, ft1
  csrr t3, fflags
  CHECK cvt_s_d_ovf_rtz, t2, 0xffffffff7f7fffff
  CHECK cvt_s_d_ovf_rtz_fl, t3, OF|NX
  li t0, P1000
  fmv.d.x ft0, t0
  csrwi fflags, 0
  fcvt.s.d ft1, ft0, rne
  fmv.x.d t2, ft1
  csrr t3, fflags
  CHECK cvt_s_d_uf, t2, 0xffffffff00000000
  CHECK cvt_s_d_uf_fl, t3, UF|NX
  li t0, SNAN
  fmv.d.x ft0, t0
  csrwi fflags, 0
  fcvt.s.d ft1, ft0
  fmv.x.d t2, ft1
  csrr t3, fflags
  CHECK cvt_s_d_snan, t2, 0xffffffff7fc00000
  CHECK cvt_s_d_snan_fl, t3, NV
  /* single -> double */
  li t0, 0x7f800001          /* single sNaN */
  fmv.w.x ft0, t0
  csrwi fflags, 0
  fcvt.d.s ft1, ft0
  fmv.x.d t2, ft1
  csrr t3, fflags
  CHECK cvt_d_s_snan, t2, CNAN
  CHECK cvt_d_s_snan_fl, t3, NV
  li t0, 0xbf800000          /* -1.0f */
  fmv.w.x ft0, t0
  csrwi fflags, 0
  fcvt.d.s ft1, ft0
  fmv.x.d t2, ft1
  csrr t3, fflags
  CHECK cvt_d_s_m1, t2, MONE
  CHECK cvt_d_s_m1_fl, t3, 0
  li t0, 0x00000001          /* smallest single subnormal = 2^-149, normal in double */
  fmv.w.x ft0, t0
  fcvt.d.s ft1, ft0
  fmv.x.d t2, ft1
  CHECK cvt_d_s_subnormal, t2, 0x36a0000000000000
  li t0, 0x3f800000          /* 1.0f not NaN-boxed: read as canonical NaN */
  fmv.d.x ft0, t0
  csrwi fflags, 0
  fcvt.d.s ft1, ft0
  fmv.x.d t2, ft1
  csrr t3, fflags
  CHECK cvt_d_s_unboxed, t2, CNAN
  CHECK cvt_d_s_unboxed_fl, t3, 0

  SECTION load_store
  la t0, fdata
  fld ft0, 0(t0)
  fmv.x.d t2, ft0
  CHECK fld_bits, t2, 0x7ff0000000000001
  fsd ft0, 8(t0)
  ld t2, 8(t0)
  CHECK fsd_bits, t2, 0x7ff0000000000001
  fld ft1, 16(t0)
  fsd ft1, -8(t0)
  ld t2, -8(t0)
  CHECK fsd_negoff, t2, 0x123456789abcdef0
  li t1, 0xfff0000000000003
  fmv.d.x ft2, t1
  fmv.x.d t2, ft2
  CHECK fmv_roundtrip, t2, 0xfff0000000000003

  SECTION fcsr
  csrwi fcsr, 0
  csrwi fflags, 0x1f
  frcsr t2
  CHECK fcsr_flags, t2, 0x1f
  fsrmi t2, 3                /* old frm returned */
  CHECK fsrmi_old, t2, 0
  frcsr t2
  CHECK fcsr_layout, t2, 0x7f
  frrm t2
  CHECK frrm, t2, 3
  li t1, 0xff
  fscsr t2, t1
  CHECK fscsr_old, t2, 0x7f
  frflags t2
  CHECK frflags, t2, 0x1f
  frrm t2
  CHECK frrm_7, t2, 7
  li t1, 0x3ff
  csrw fcsr, t1
  csrr t2, fcsr
  SIG fcsr_reserved_bits, t2
  csrwi fcsr, 0
  /* flags accrue, never cleared by an operation */
  li t0, ONE
  fmv.d.x ft0, t0
  fmv.d.x ft1, zero
  fdiv.d ft2, ft0, ft1       /* DZ */
  li t0, THREE
  fmv.d.x ft1, t0
  fdiv.d ft2, ft0, ft1       /* NX */
  fadd.d ft2, ft0, ft0       /* exact */
  frflags t2
  CHECK flags_accrue, t2, DZ|NX
  csrwi fcsr, 0

  SECTION fs_state
  fmv.d.x ft0, zero
  csrr t2, mstatus
  srli t2, t2, 13
  andi t2, t2, 3
  CHECK fs_dirty, t2, 3
  csrr t2, mstatus
  srli t2, t2, 63
  CHECK sd_bit, t2, 1
  /* FS=Off: FP instructions and FP CSRs are illegal */
  li t0, MSTATUS_FS
  csrc mstatus, t0
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  fadd.d ft0, ft0, ft0
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK fs_off_fadd_cause, t2, CAUSE_ILLEGAL
  ld t2, TR_TVAL(t1)
  SIG fs_off_fadd_tval, t2
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  csrr t2, fflags
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK fs_off_fflags_cause, t2, CAUSE_ILLEGAL
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  fld ft0, 0(t0)
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK fs_off_fld_cause, t2, CAUSE_ILLEGAL
  CLEAR_TRAPS
  li t0, (1 << 13)           /* FS = Initial again */
  csrs mstatus, t0
  csrr t2, mstatus
  srli t2, t2, 13
  andi t2, t2, 3
  CHECK fs_initial, t2, 1
  csrr t2, fflags            /* reading fflags does not dirty */
  csrr t2, mstatus
  srli t2, t2, 13
  andi t2, t2, 3
  SIG fs_after_csr_read, t2

  SECTION invalid_rm
  li t0, ONE
  fmv.d.x ft0, t0
  li t0, 5
  fsrm t0                    /* frm = 5 (reserved) */
  EXPECT_TRAP 1f
  fadd.d ft2, ft0, ft0, dyn
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK dyn_rm5_illegal, t2, CAUSE_ILLEGAL
  CLEAR_TRAPS
  fsrmi 0
  EXPECT_TRAP 1f
  .insn r 0x53, 5, 0x01, ft2, ft0, ft0   /* fadd.d with static rm = 5 */
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK static_rm5_illegal, t2, CAUSE_ILLEGAL
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  .insn r 0x53, 6, 0x01, ft2, ft0, ft0   /* static rm = 6 */
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK static_rm6_illegal, t2, CAUSE_ILLEGAL
  CLEAR_TRAPS
  li t0, 5
  fsrm t0                    /* frm invalid but a static rm is fine */
  fadd.d ft2, ft0, ft0, rne
  fmv.x.d t2, ft2
  CHECK static_rm_ignores_frm, t2, TWO
  fsgnj.d ft2, ft0, ft0      /* no rounding: fine too */
  fsrmi 0

  ld ra, 0(sp)
  addi sp, sp, 16
  ret

  .data
  .align 4
  .dword 0
fdata:
  .dword 0x7ff0000000000001, 0, 0x123456789abcdef0
