/* RV64I: arithmetic (incl. W forms), shifts, compares, lui/auipc, branches, jumps,
 * loads/stores with sign/zero extension, x0, misaligned access, fence.i on modified code. */
#include "common.h"

.macro TRR name, op, a, b, exp
  li t0, \a
  li t1, \b
  \op t2, t0, t1
  CHECK \name, t2, \exp
.endm
.macro TRI name, op, a, imm, exp
  li t0, \a
  \op t2, t0, \imm
  CHECK \name, t2, \exp
.endm
/* branch: t2 = 1 if taken */
.macro TBR name, op, a, b, exp
  li t0, \a
  li t1, \b
  li t2, 1
  \op t0, t1, .Ltaken\@
  li t2, 0
.Ltaken\@:
  CHECK \name, t2, \exp
.endm
.macro TLD name, op, off, exp
  la t0, ldata
  \op t2, \off(t0)
  CHECK \name, t2, \exp
.endm

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)

  SECTION add_sub
  TRR add_basic, add, 0x1234, 0x4321, 0x5555
  TRR add_wrap, add, 0xffffffffffffffff, 1, 0
  TRR add_ovf, add, 0x7fffffffffffffff, 1, 0x8000000000000000
  TRR sub_basic, sub, 3, 5, 0xfffffffffffffffe
  TRR sub_min, sub, 0x8000000000000000, 1, 0x7fffffffffffffff
  TRI addi_neg, addi, 0, -2048, 0xfffffffffffff800
  TRI addi_pos, addi, 1, 2047, 0x800
  TRR addw_sext, addw, 0x7fffffff, 1, 0xffffffff80000000
  TRR addw_hi_ignored, addw, 0x1234567800000001, 0xabcdef0000000002, 3
  TRR subw_sext, subw, 0, 1, 0xffffffffffffffff
  TRR subw_wrap, subw, 0xffffffff80000000, 1, 0x7fffffff
  TRI addiw_sext, addiw, 0x7ffffff0, 0x10, 0xffffffff80000000
  TRI addiw_trunc, addiw, 0xffffffff00000005, 0, 5   /* sext.w */

  SECTION shifts
  TRR sll_basic, sll, 1, 63, 0x8000000000000000
  TRR sll_mask, sll, 1, 67, 8                       /* only 6 bits of rs2 */
  TRR srl_basic, srl, 0x8000000000000000, 63, 1
  TRR srl_mask, srl, 0x8000000000000000, 0x7f, 1
  TRR sra_basic, sra, 0x8000000000000000, 63, 0xffffffffffffffff
  TRR sra_pos, sra, 0x4000000000000000, 62, 1
  TRI slli_63, slli, 3, 63, 0x8000000000000000
  TRI srli_63, srli, 0xc000000000000000, 62, 3
  TRI srai_4, srai, 0x8000000000000000, 4, 0xf800000000000000
  TRR sllw_sext, sllw, 1, 31, 0xffffffff80000000
  TRR sllw_mask, sllw, 1, 33, 2                     /* only 5 bits of rs2 */
  TRR srlw_basic, srlw, 0xffffffff80000000, 31, 1
  TRR srlw_hi, srlw, 0x12345678f0000000, 4, 0x0f000000
  TRR srlw_zero, srlw, 0xffffffff80000000, 0, 0xffffffff80000000
  TRR sraw_basic, sraw, 0x80000000, 31, 0xffffffffffffffff
  TRR sraw_mask, sraw, 0x0000000080000000, 35, 0xfffffffff0000000
  TRI slliw_sext, slliw, 0x00000000c0000001, 1, 0xffffffff80000002
  TRI srliw_neg, srliw, 0xffffffff80000000, 1, 0x40000000
  TRI sraiw_neg, sraiw, 0x0000000080000000, 1, 0xffffffffc0000000
  TRI sraiw_0, sraiw, 0x00000000ffffffff, 0, 0xffffffffffffffff

  SECTION compare_logic
  TRR slt_neg, slt, -1, 0, 1
  TRR slt_eq, slt, 5, 5, 0
  TRR sltu_neg, sltu, -1, 0, 0
  TRR sltu_lt, sltu, 0, -1, 1
  TRI slti_neg, slti, -5, -4, 1
  TRI sltiu_m1, sltiu, 0x7fffffffffffffff, -1, 1    /* imm sign-extended, compared unsigned */
  TRI sltiu_seqz, sltiu, 0, 1, 1
  TRR and_basic, and, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00
  TRR or_basic, or, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xfff0fff0fff0fff0
  TRR xor_basic, xor, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0
  TRI andi_neg, andi, 0x123456789abcdef0, -16, 0x123456789abcdef0
  TRI andi_sext, andi, 0xffffffffffffffff, 0x800 - 4096, 0xfffffffffffff800
  TRI ori_neg, ori, 0, -1, 0xffffffffffffffff
  TRI xori_not, xori, 0x5555, -1, 0xffffffffffffaaaa

  SECTION lui_auipc
  lui t2, 0x80000
  CHECK lui_sext, t2, 0xffffffff80000000
  lui t2, 0x7ffff
  CHECK lui_pos, t2, 0x7ffff000
1:
  auipc t2, 0
  la t1, 1b
  CHECK_EQ auipc_pc, t2, t1
1:
  auipc t2, 0x1
  la t1, 1b
  sub t2, t2, t1
  CHECK auipc_off, t2, 0x1000
1:
  auipc t2, 0xfffff
  la t1, 1b
  sub t2, t2, t1
  CHECK auipc_neg, t2, 0xfffffffffffff000

  SECTION branches
  TBR beq_t, beq, 7, 7, 1
  TBR beq_n, beq, 7, 8, 0
  TBR bne_t, bne, 7, 8, 1
  TBR bne_n, bne, 7, 7, 0
  TBR blt_neg, blt, -1, 0, 1
  TBR blt_n, blt, 0, -1, 0
  TBR blt_eq, blt, 3, 3, 0
  TBR bge_eq, bge, 3, 3, 1
  TBR bge_neg, bge, -1, 0, 0
  TBR bltu_big, bltu, 0, -1, 1
  TBR bltu_n, bltu, -1, 0, 0
  TBR bgeu_big, bgeu, -1, 0, 1
  TBR bgeu_eq, bgeu, 0x8000000000000000, 0x8000000000000000, 1
  TBR bgeu_n, bgeu, 1, 2, 0
  /* backward branch loop */
  li t0, 10
  li t2, 0
1:
  addi t2, t2, 3
  addi t0, t0, -1
  bnez t0, 1b
  CHECK branch_loop, t2, 30

  SECTION jumps
  jal t2, 1f
1:
  la t1, 1b
  CHECK_EQ jal_link, t2, t1
  li t2, 0
  jal zero, 2f
  li t2, 99                  /* skipped */
2:
  CHECK jal_x0, t2, 0
  la t0, jtarget
  addi t0, t0, 1             /* jalr clears bit 0 of the target */
  jalr t1, 3(t0)             /* target = jtarget + 4 (odd sum cleared) */
3:
  CHECK jalr_lowbit, a0, 0x77
  la t2, 3b
  CHECK_EQ jalr_link, t1, t2
  la t0, jtarget2
  jalr t0, 0(t0)             /* rd == rs1: target uses the old value */
4:
  la t2, 4b
  CHECK_EQ jalr_same_reg, t0, t2
  CHECK jalr_same_reg_ran, a0, 0x88

  SECTION loads
  TLD lb_neg, lb, 0, 0xffffffffffffff80
  TLD lbu_neg, lbu, 0, 0x80
  TLD lb_pos, lb, 1, 0x7f
  TLD lh_neg, lh, 2, 0xffffffffffff8001
  TLD lhu_neg, lhu, 2, 0x8001
  TLD lw_neg, lw, 4, 0xffffffff80000002
  TLD lwu_neg, lwu, 4, 0x80000002
  TLD ld_full, ld, 8, 0x8877665544332211
  TLD lw_pos, lw, 8, 0x44332211
  TLD lh_off, lh, 14, 0xffffffffffff8877
  TLD lb_off, lb, 15, 0xffffffffffffff88

  SECTION stores
  la t0, sdata
  li t1, 0x1122334455667788
  sd t1, 0(t0)
  li t1, 0xaabbccdd
  sw t1, 0(t0)
  ld t2, 0(t0)
  CHECK sw_partial, t2, 0x11223344aabbccdd
  li t1, 0xeeff
  sh t1, 4(t0)
  ld t2, 0(t0)
  CHECK sh_partial, t2, 0x1122eeffaabbccdd
  li t1, 0x12345
  sb t1, 7(t0)
  ld t2, 0(t0)
  CHECK sb_partial, t2, 0x4522eeffaabbccdd
  li t1, -1
  sd t1, 8(t0)
  sb zero, 9(t0)
  ld t2, 8(t0)
  CHECK sb_zero, t2, 0xffffffffffff00ff
  sd t1, -8(t0)              /* negative offset */
  ld t2, -8(t0)
  CHECK sd_negoff, t2, 0xffffffffffffffff

  SECTION x0
  li t0, 5
  addi x0, t0, 1
  mv t2, x0
  CHECK x0_write_ignored, t2, 0
  la t0, ldata
  ld x0, 0(t0)               /* load to x0 still performed, value discarded */
  CHECK x0_load, x0, 0

  SECTION misaligned
  /* Implementation may do misaligned access in hardware or trap; the value must be right
   * if it does not trap. Signature compared with QEMU. */
  la t0, ldata
  EXPECT_TRAP 1f
  ld t2, 1(t0)
  li tp, 0
  CHECK ld_mis1, t2, 0x118000000280017f
1:
  li tp, 0
  la t1, m_trap
  ld t1, TR_CAUSE(t1)
  SIG ld_mis1_trap, t1
  CLEAR_TRAPS
  la t0, ldata
  EXPECT_TRAP 1f
  lw t2, 3(t0)
  li tp, 0
  CHECK lw_mis3, t2, 0x280
1:
  li tp, 0
  la t1, m_trap
  ld t1, TR_CAUSE(t1)
  SIG lw_mis3_trap, t1
  CLEAR_TRAPS
  la t0, ldata
  EXPECT_TRAP 1f
  lhu t2, 7(t0)
  li tp, 0
  CHECK lhu_mis7, t2, 0x1180
1:
  li tp, 0
  la t1, m_trap
  ld t1, TR_CAUSE(t1)
  SIG lhu_mis7_trap, t1
  CLEAR_TRAPS
  la t0, sdata
  sd zero, 16(t0)
  sd zero, 24(t0)
  li t1, 0x0102030405060708
  EXPECT_TRAP 1f
  sd t1, 19(t0)
  li tp, 0
  ld t2, 16(t0)
  CHECK sd_mis_lo, t2, 0x0405060708000000
  ld t2, 24(t0)
  CHECK sd_mis_hi, t2, 0x0000000000010203
1:
  li tp, 0
  la t1, m_trap
  ld t1, TR_CAUSE(t1)
  SIG sd_mis_trap, t1
  CLEAR_TRAPS

  SECTION fence_i
  /* patch an instruction, fence.i, execute it */
  la t0, patch_site
  li t1, 0x02a00513          /* addi a0, zero, 42 */
  sw t1, 0(t0)
  fence.i
  li a0, 0
  call patch_site
  CHECK fencei_patched, a0, 42
  li t1, 0x02b00513          /* addi a0, zero, 43: patch again after it ran once */
  sw t1, 0(t0)
  fence.i
  call patch_site
  CHECK fencei_repatched, a0, 43
  fence
  fence rw, rw
  fence.tso
  CHECK fence_ok, zero, 0

  ld ra, 0(sp)
  addi sp, sp, 16
  ret

jtarget:
  li a0, 0x66                /* skipped: jalr lands 4 bytes later */
  li a0, 0x77
  jr t1
jtarget2:
  li a0, 0x88
  jr t0

  .align 2
patch_site:
  addi a0, zero, 1
  ret

  .data
  .align 4
ldata:
  .byte 0x80, 0x7f, 0x01, 0x80, 0x02, 0x00, 0x00, 0x80
  .dword 0x8877665544332211
  .dword 0
  .dword 0
  .dword 0
sdata:
  .fill 8, 8, 0
