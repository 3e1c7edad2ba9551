/* RV64M: multiply high variants, W forms, division by zero and signed overflow (no traps). */
#include "common.h"

.macro TRR name, op, a, b, exp
  li t0, \a
  li t1, \b
  \op t2, t0, t1
  CHECK \name, t2, \exp
.endm

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)
  SECTION mul_div
  TRR mul_basic, mul, 0x7, 0xfffffffffffffffd, 0xffffffffffffffeb
  TRR mul_big, mul, 0x123456789abcdef0, 0xfedcba9876543210, 0x236d88fe5618cf00
  TRR mul_min_neg1, mul, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000
  TRR mulh_neg_neg, mulh, 0xffffffffffffffff, 0xffffffffffffffff, 0x0000000000000000
  TRR mulh_min_min, mulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000
  TRR mulh_pos_neg, mulh, 0x7fffffffffffffff, 0xfffffffffffffffe, 0xffffffffffffffff
  TRR mulh_big, mulh, 0x123456789abcdef0, 0xfedcba9876543210, 0xffeb49923cc09532
  TRR mulhsu_neg_max, mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff
  TRR mulhsu_pos_max, mulhsu, 0x2, 0xffffffffffffffff, 0x0000000000000001
  TRR mulhsu_min_max, mulhsu, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000
  TRR mulhsu_big, mulhsu, 0x123456789abcdef0, 0xfedcba9876543210, 0x121fa00ad77d7422
  TRR mulhu_max_max, mulhu, 0xffffffffffffffff, 0xffffffffffffffff, 0xfffffffffffffffe
  TRR mulhu_min_2, mulhu, 0x8000000000000000, 0x2, 0x0000000000000001
  TRR mulhu_big, mulhu, 0x123456789abcdef0, 0xfedcba9876543210, 0x121fa00ad77d7422
  TRR mulw_sext, mulw, 0x7fffffff, 0x2, 0xfffffffffffffffe
  TRR mulw_hi_ignored, mulw, 0xffffffff00000003, 0x1234567800000005, 0x000000000000000f
  TRR mulw_neg, mulw, 0xfffffffffffffffd, 0x5, 0xfffffffffffffff1
  TRR div_trunc_neg, div, 0xfffffffffffffff9, 0x2, 0xfffffffffffffffd
  TRR div_trunc_negdiv, div, 0x7, 0xfffffffffffffffe, 0xfffffffffffffffd
  TRR div_by_zero, div, 0x2a, 0x0, 0xffffffffffffffff
  TRR div_overflow, div, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000
  TRR div_big, div, 0x7fffffffffffffff, 0x3, 0x2aaaaaaaaaaaaaaa
  TRR divu_basic, divu, 0xffffffffffffffff, 0x3, 0x5555555555555555
  TRR divu_by_zero, divu, 0x2a, 0x0, 0xffffffffffffffff
  TRR divu_min_neg1, divu, 0x8000000000000000, 0xffffffffffffffff, 0x0000000000000000
  TRR rem_neg, rem, 0xfffffffffffffff9, 0x2, 0xffffffffffffffff
  TRR rem_negdiv, rem, 0x7, 0xfffffffffffffffe, 0x0000000000000001
  TRR rem_by_zero, rem, 0xffffffffffffffd6, 0x0, 0xffffffffffffffd6
  TRR rem_overflow, rem, 0x8000000000000000, 0xffffffffffffffff, 0x0000000000000000
  TRR remu_basic, remu, 0xffffffffffffffff, 0xa, 0x0000000000000005
  TRR remu_by_zero, remu, 0xffffffffffffffd6, 0x0, 0xffffffffffffffd6
  TRR divw_trunc_neg, divw, 0xfffffffffffffff9, 0x2, 0xfffffffffffffffd
  TRR divw_by_zero, divw, 0x1234567800000005, 0x0, 0xffffffffffffffff
  TRR divw_overflow, divw, 0x80000000, 0xffffffffffffffff, 0xffffffff80000000
  TRR divw_hi_ignored, divw, 0xaaaaaaaa00000064, 0x5555555500000007, 0x000000000000000e
  TRR divuw_sext, divuw, 0x80000000, 0x1, 0xffffffff80000000
  TRR divuw_by_zero, divuw, 0x5, 0x0, 0xffffffffffffffff
  TRR divuw_hi_ignored, divuw, 0xffffffff00000010, 0xffffffff00000002, 0x0000000000000008
  TRR divuw_basic, divuw, 0xffffffff, 0x3, 0x0000000055555555
  TRR remw_neg, remw, 0xfffffffffffffff9, 0x2, 0xffffffffffffffff
  TRR remw_by_zero, remw, 0xfffffff9, 0x0, 0xfffffffffffffff9
  TRR remw_by_zero_hi, remw, 0x1234567880000001, 0x0, 0xffffffff80000001
  TRR remw_overflow, remw, 0x80000000, 0xffffffffffffffff, 0x0000000000000000
  TRR remuw_basic, remuw, 0xffffffff, 0xa, 0x0000000000000005
  TRR remuw_by_zero, remuw, 0x80000001, 0x0, 0xffffffff80000001
  TRR remuw_hi_ignored, remuw, 0xffffffff80000005, 0x180000000, 0x0000000000000005
  SECTION same_register
  li t0, 6
  mul t0, t0, t0
  CHECK mul_rd_rs, t0, 36
  li t0, 100
  li t1, 7
  rem t1, t0, t1
  CHECK rem_rd_rs2, t1, 2
  ld ra, 0(sp)
  addi sp, sp, 16
  ret
