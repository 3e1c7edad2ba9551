/* Instruction fetch: 32-bit instructions that straddle a page end (run straight through, as a
 * jump target, a jal whose link address is on the next page, an illegal instruction whose
 * mepc is its first half), and code rewritten in memory and made visible by fence.i after
 * the old instruction has run (the engine caches decoded instructions).
 *
 * Not here: an access fault on the second half of an instruction that ends past RAM
 * (mtval = address of that half): QEMU 7.2 aborts on it (translator_access assertion). */
#include "common.h"

.macro LDREC reg, rec, field
  la \reg, \rec
  ld \reg, \field(\reg)
.endm

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)

  SECTION page_cross
  li a0, 0
  call cross_seq
  CHECK cross_straight_through, a0, 3
  li a0, 0
  la t0, cross_insn
  jalr t0
  CHECK cross_jump_target, a0, 2
  call cross_jal
  CHECK cross_jal_link, a0, 0
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  call cross_illegal
1:
  LDREC t0, m_trap, TR_EPC
  la t1, cross_illegal
  sub t0, t0, t1
  CHECK cross_illegal_epc, t0, 0
  CHECK_TRAP cross_illegal, m_trap, CAUSE_ILLEGAL, 0x0000000b

  SECTION fence_i
  li a0, 0
  call smc_code
  CHECK smc_old_code, a0, 1
  la t0, smc_code
  li t1, 0x00200513          /* addi a0, zero, 2 */
  sw t1, 0(t0)
  fence.i
  li a0, 0
  call smc_code
  CHECK smc_new_code_after_fence_i, a0, 2
  la t0, smc_code            /* put the old instruction back, for a second run */
  li t1, 0x00100513
  sw t1, 0(t0)
  fence.i
  li a0, 0
  call smc_code
  CHECK smc_restored_after_fence_i, a0, 1

  ld ra, 0(sp)
  addi sp, sp, 16
  ret

smc_code:
  addi a0, zero, 1
  ret

/* Code placed around page ends (the section is page aligned). */
  .section .text.cross, "ax", @progbits
  .option norelax            /* exact offsets for .org */
  .balign 4096
cross_page0:
  .org 0xffa
cross_seq:
  addi a0, a0, 1             /* 0xffa */
cross_insn:
  addi a0, a0, 1             /* 0xffe: straddles the page end */
  addi a0, a0, 1
  ret

  .org 0x1ffe
cross_jal:
  jal t1, 1f                 /* 0x1ffe: straddles, link 0x2002 on the next page */
1:
  la t2, cross_jal
  addi t2, t2, 4
  sub a0, t1, t2
  ret

  .org 0x2ffe
cross_illegal:
  .word 0x0000000b           /* custom-0: illegal here; straddles */
  ret
  .balign 4096
