/* RV64C: every compressed instruction (quadrants 0, 1, 2, incl. c.fld/c.fsd/c.fldsp/c.fsdsp),
 * immediate sign extension, 32-bit instructions at 2-byte aligned addresses, c.ebreak,
 * and the all-zero illegal encoding. */
#include "common.h"

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)
  .option rvc

  SECTION quadrant1_alu
  c.li a0, -32
  CHECK c_li_neg, a0, 0xffffffffffffffe0
  c.li a0, 31
  CHECK c_li_pos, a0, 31
  c.addi a0, -1
  CHECK c_addi, a0, 30
  c.nop
  c.lui a1, 0xfffff
  CHECK c_lui_neg, a1, 0xfffffffffffff000
  c.lui a1, 0x1f
  CHECK c_lui_pos, a1, 0x1f000
  li a2, 0x7fffffff
  c.addiw a2, 1
  CHECK c_addiw_sext, a2, 0xffffffff80000000
  li a2, 0x1234567800000005
  c.addiw a2, 0              /* sext.w */
  CHECK c_addiw_0, a2, 5
  li s0, 0x8000000000000000
  c.srli s0, 63
  CHECK c_srli_63, s0, 1
  li s0, 0x8000000000000000
  c.srai s0, 60
  CHECK c_srai_60, s0, 0xfffffffffffffff8
  li s1, 0x123456789abcdef0
  c.andi s1, -16
  CHECK c_andi_neg, s1, 0x123456789abcdef0
  c.andi s1, 0xf
  CHECK c_andi_pos, s1, 0
  li a3, 10
  li a4, 3
  c.sub a3, a4
  CHECK c_sub, a3, 7
  c.xor a3, a4
  CHECK c_xor, a3, 4
  c.or a3, a4
  CHECK c_or, a3, 7
  li a4, 0xc
  c.and a3, a4
  CHECK c_and, a3, 4
  li a3, 0x80000000
  li a4, 1
  c.subw a3, a4
  CHECK c_subw, a3, 0x7fffffff
  c.addw a3, a4
  CHECK c_addw_sext, a3, 0xffffffff80000000
  li a5, 0xffffffff00000000
  c.addw a5, a4
  CHECK c_addw_trunc, a5, 1

  SECTION quadrant2_alu
  li t0, 1
  c.slli t0, 63
  CHECK c_slli_63, t0, 0x8000000000000000
  li t1, 0x1234
  c.mv t2, t1
  CHECK c_mv, t2, 0x1234
  c.add t2, t1
  CHECK c_add, t2, 0x2468

  SECTION sp_forms
  mv s1, sp
  c.addi16sp sp, -64
  sub t0, s1, sp
  CHECK c_addi16sp_neg, t0, 64
  c.addi4spn a0, sp, 8
  sub t0, a0, sp
  CHECK c_addi4spn, t0, 8
  li t1, 0x1122334455667788
  c.sdsp t1, 16(sp)
  c.ldsp t2, 16(sp)
  CHECK c_sdsp_ldsp, t2, 0x1122334455667788
  li t1, 0xfedcba98
  c.swsp t1, 24(sp)
  c.lwsp t2, 24(sp)
  CHECK c_swsp_lwsp_sext, t2, 0xfffffffffedcba98
  li t1, 0x400921fb54442d18
  fmv.d.x ft0, t1
  c.fsdsp ft0, 32(sp)
  c.fldsp ft1, 32(sp)
  fmv.x.d t2, ft1
  CHECK c_fsdsp_fldsp, t2, 0x400921fb54442d18
  ld t2, 32(sp)
  CHECK c_fsdsp_mem, t2, 0x400921fb54442d18
  c.addi16sp sp, 64
  mv t0, sp                  /* (CHECK macros move sp themselves) */
  CHECK_EQ c_addi16sp_pos, t0, s1

  SECTION quadrant0_mem
  la s0, cdata
  c.ld a0, 8(s0)
  CHECK c_ld, a0, 0x8877665544332211
  c.lw a1, 4(s0)
  CHECK c_lw_sext, a1, 0xffffffff80000001
  li a2, 0x0badcafe
  c.sw a2, 0(s0)
  ld a3, 0(s0)
  CHECK c_sw, a3, 0x800000010badcafe
  li a2, -3
  c.sd a2, 16(s0)
  ld a3, 16(s0)
  CHECK c_sd, a3, 0xfffffffffffffffd
  li a4, 0xc00921fb54442d18
  fmv.d.x fa0, a4
  c.fsd fa0, 24(s0)
  c.fld fa1, 24(s0)
  fmv.x.d a5, fa1
  CHECK c_fsd_fld, a5, 0xc00921fb54442d18
  ld a5, 24(s0)
  CHECK c_fsd_mem, a5, 0xc00921fb54442d18
  c.ld a0, 248(s0)           /* largest offset */
  CHECK c_ld_maxoff, a0, 0x5a5a5a5a5a5a5a5a

  SECTION control
  li a0, 0
  c.j 1f
  li a0, 1
1:
  CHECK c_j_fwd, a0, 0
  li a0, 3
  li a1, 0
2:
  c.addi a1, 2
  c.addi a0, -1
  c.bnez a0, 2b
  CHECK c_bnez_loop, a1, 6
  li a0, 0
  li a1, 5
  c.beqz a0, 3f
  li a1, 6
3:
  CHECK c_beqz_taken, a1, 5
  li a0, 1
  c.beqz a0, 4f
  li a1, 7
4:
  CHECK c_beqz_not_taken, a1, 7
  li a0, 0
  c.bnez a0, 5f
  li a1, 8
5:
  CHECK c_bnez_not_taken, a1, 8
  la t0, ctarget
  mv s1, ra
  c.jalr t0
6:
  la t1, 6b
  CHECK_EQ c_jalr_link, ra, t1
  CHECK c_jalr_ran, a0, 0x99
  mv ra, s1
  /* c.jr back through a register */
  la t0, 7f
  c.jr t0
  li a0, 0
7:
  CHECK c_jr, a0, 0x99

  SECTION alignment
  /* 32-bit instructions at 2-byte aligned addresses, and jumps to them */
  .balign 4
  c.nop
  addi a0, zero, 0x55        /* at pc % 4 == 2 */
  CHECK insn32_at_half, a0, 0x55
  .balign 4
  c.nop
8:
  jal t0, 9f                 /* at pc % 4 == 2 */
  c.nop
9:
  la t1, 8b
  addi t1, t1, 4
  CHECK_EQ jal_link_half, t0, t1
  andi t1, t0, 3
  CHECK jal_link_half_align, t1, 2

  SECTION traps
  EXPECT_TRAP 1f
10:
  c.ebreak
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK c_ebreak_cause, t2, CAUSE_BREAKPOINT
  ld t2, TR_EPC(t1)
  la t3, 10b
  CHECK_EQ c_ebreak_epc, t2, t3
  ld t2, TR_TVAL(t1)          /* 0 or the address of the breakpoint */
  sub t3, t2, t3
  seqz t3, t3
  seqz t2, t2
  or t2, t2, t3
  CHECK c_ebreak_tval_ok, t2, 1
  CLEAR_TRAPS
  EXPECT_TRAP 1f
11:
  .2byte 0x0000              /* defined illegal instruction */
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK zero_insn_cause, t2, CAUSE_ILLEGAL
  ld t2, TR_EPC(t1)
  la t3, 11b
  CHECK_EQ zero_insn_epc, t2, t3
  ld t2, TR_TVAL(t1)
  CHECK zero_insn_tval, t2, 0
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  .2byte 0x6501              /* c.lui a0, 0: reserved */
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK c_lui_zero_reserved, t2, CAUSE_ILLEGAL
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  .2byte 0x0000 | (0 << 5) | (10 - 8) << 2   /* c.addi4spn a0, sp, 0: reserved */
1:
  la t1, m_trap
  ld t2, TR_CAUSE(t1)
  CHECK c_addi4spn_zero_reserved, t2, CAUSE_ILLEGAL
  CLEAR_TRAPS
  li tp, 0

  .option norvc
  ld ra, 0(sp)
  addi sp, sp, 16
  ret

  .option rvc
ctarget:
  li a0, 0x99
  c.jr ra
  .option norvc

  .data
  .align 4
cdata:
  .word 0x11111111, 0x80000001
  .dword 0x8877665544332211
  .rept 30
  .dword 0x5a5a5a5a5a5a5a5a
  .endr
