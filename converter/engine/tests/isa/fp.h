/* Macros for the F/D tests. Operands are bit patterns; every check prints the result bits
 * and the accrued fflags (NV=10 DZ=08 OF=04 UF=02 NX=01). fflags is cleared before each op.
 * LDF / STF are fmv.d.x / fmv.x.d for double tests and fmv.w.x / fmv.x.d for single tests
 * (so single results are also checked for NaN-boxing: upper 32 bits all ones). */
#ifndef ISA_FP_H
#define ISA_FP_H
#ifdef __ASSEMBLER__

#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

/* binary op with rounding mode */
.macro F2 name, op, rm, a, b, exp, fl
  li t0, \a
  LDF ft0, t0
  li t1, \b
  LDF ft1, t1
  csrwi fflags, 0
  \op ft2, ft0, ft1, \rm
  fmv.x.d t2, ft2
  csrr t3, fflags
  CHECK \name, t2, (\exp) | BOX
  CHECK \name\()_fl, t3, \fl
.endm
/* binary op without rounding mode (fmin/fmax/fsgnj*) */
.macro F2N name, op, a, b, exp, fl
  li t0, \a
  LDF ft0, t0
  li t1, \b
  LDF ft1, t1
  csrwi fflags, 0
  \op ft2, ft0, ft1
  fmv.x.d t2, ft2
  csrr t3, fflags
  CHECK \name, t2, (\exp) | BOX
  CHECK \name\()_fl, t3, \fl
.endm
/* unary op with rounding mode, float result (fsqrt) */
.macro F1 name, op, rm, a, exp, fl
  li t0, \a
  LDF ft0, t0
  csrwi fflags, 0
  \op ft2, ft0, \rm
  fmv.x.d t2, ft2
  csrr t3, fflags
  CHECK \name, t2, (\exp) | BOX
  CHECK \name\()_fl, t3, \fl
.endm
/* fused multiply-add family */
.macro F3 name, op, rm, a, b, c, exp, fl
  li t0, \a
  LDF ft0, t0
  li t1, \b
  LDF ft1, t1
  li t2, \c
  LDF ft3, t2
  csrwi fflags, 0
  \op ft2, ft0, ft1, ft3, \rm
  fmv.x.d t2, ft2
  csrr t3, fflags
  CHECK \name, t2, (\exp) | BOX
  CHECK \name\()_fl, t3, \fl
.endm
/* compare: integer result */
.macro FCMP name, op, a, b, exp, fl
  li t0, \a
  LDF ft0, t0
  li t1, \b
  LDF ft1, t1
  csrwi fflags, 0
  \op t2, ft0, ft1
  csrr t3, fflags
  CHECK \name, t2, \exp
  CHECK \name\()_fl, t3, \fl
.endm
.macro FCLASS name, op, a, exp
  li t0, \a
  LDF ft0, t0
  csrwi fflags, 0
  \op t2, ft0
  csrr t3, fflags
  CHECK \name, t2, \exp
  CHECK \name\()_fl, t3, 0
.endm
/* float -> integer conversion */
.macro FTOI name, op, rm, a, exp, fl
  li t0, \a
  LDF ft0, t0
  csrwi fflags, 0
  \op t2, ft0, \rm
  csrr t3, fflags
  CHECK \name, t2, \exp
  CHECK \name\()_fl, t3, \fl
.endm
/* integer -> float conversion */
.macro ITOF name, op, rm, a, exp, fl
  li t0, \a
  csrwi fflags, 0
  \op ft2, t0, \rm
  fmv.x.d t2, ft2
  csrr t3, fflags
  CHECK \name, t2, (\exp) | BOX
  CHECK \name\()_fl, t3, \fl
.endm
/* exact integer -> float conversion (no rounding-mode operand) */
.macro ITOF0 name, op, a, exp, fl
  li t0, \a
  csrwi fflags, 0
  \op ft2, t0
  fmv.x.d t2, ft2
  csrr t3, fflags
  CHECK \name, t2, (\exp) | BOX
  CHECK \name\()_fl, t3, \fl
.endm
/* same op in all five static modes and in dynamic mode (frm set to each) */
.macro F2ALL name, op, a, b, rne, rtz, rdn, rup, rmm, fl
  F2 \name\()_rne, \op, rne, \a, \b, \rne, \fl
  F2 \name\()_rtz, \op, rtz, \a, \b, \rtz, \fl
  F2 \name\()_rdn, \op, rdn, \a, \b, \rdn, \fl
  F2 \name\()_rup, \op, rup, \a, \b, \rup, \fl
  F2 \name\()_rmm, \op, rmm, \a, \b, \rmm, \fl
  fsrmi 0
  F2 \name\()_dyn_rne, \op, dyn, \a, \b, \rne, \fl
  fsrmi 1
  F2 \name\()_dyn_rtz, \op, dyn, \a, \b, \rtz, \fl
  fsrmi 2
  F2 \name\()_dyn_rdn, \op, dyn, \a, \b, \rdn, \fl
  fsrmi 3
  F2 \name\()_dyn_rup, \op, dyn, \a, \b, \rup, \fl
  fsrmi 4
  F2 \name\()_dyn_rmm, \op, dyn, \a, \b, \rmm, \fl
  fsrmi 0
.endm
.macro FTOIALL name, op, a, rne, rtz, rdn, rup, rmm, fl
  FTOI \name\()_rne, \op, rne, \a, \rne, \fl
  FTOI \name\()_rtz, \op, rtz, \a, \rtz, \fl
  FTOI \name\()_rdn, \op, rdn, \a, \rdn, \fl
  FTOI \name\()_rup, \op, rup, \a, \rup, \fl
  FTOI \name\()_rmm, \op, rmm, \a, \rmm, \fl
  fsrmi 3
  FTOI \name\()_dyn_rup, \op, dyn, \a, \rup, \fl
  fsrmi 0
.endm

#endif
#endif
