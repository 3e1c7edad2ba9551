/* Instruction pairs the engine fuses at decode time (lui+addi, lui+addiw, auipc+addi,
 * auipc+jalr) and their near misses: sums that do not fit 32 bits, a different destination,
 * the link register different from the auipc's, x0 as link, compressed pairs, and a pair split
 * by a page end (never fused). */
#include "common.h"

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)

  SECTION lui_pairs
  lui a0, 0x7ffff
  addi a0, a0, 0x7ff
  CHECK lui_addi_max, a0, 0x7ffff7ff
  lui a0, 0x80000
  addi a0, a0, -1
  CHECK lui_addi_overflow, a0, 0xffffffff7fffffff
  lui a0, 0x80000
  addiw a0, a0, -1
  CHECK lui_addiw_wrap, a0, 0x7fffffff
  lui a0, 0x12345
  addi a1, a0, 0x678
  CHECK lui_addi_other_rd_a0, a0, 0x12345000
  CHECK lui_addi_other_rd_a1, a1, 0x12345678
  lui a0, 0x12345
  addi a0, a1, 1
  CHECK lui_addi_other_rs1, a0, 0x12345679
  .option push
  .option rvc
  c.lui a0, 0x1f
  c.addi a0, 5
  .option pop
  CHECK c_lui_c_addi, a0, 0x1f005

  SECTION auipc_pairs
1:
  auipc t0, 0
  addi t0, t0, 12
  la t1, 1b
  sub t0, t0, t1
  CHECK auipc_addi, t0, 12
2:
  auipc ra, 0
  jalr ra, 16(ra)            /* call to 2b + 16 */
  j 3f
  nop
  la t1, 2b                  /* 2b + 16: ra must be 2b + 8 */
  sub t1, ra, t1
  CHECK auipc_jalr_link, t1, 8
  j 4f
3:
  li a0, 0xbad
  CHECK auipc_jalr_not_taken, a0, 0
4:
5:
  auipc t1, 0
  jalr ra, 16(t1)            /* link in ra, t1 keeps 5b */
  j 6f
  nop
  la t2, 5b
  sub t2, t1, t2
  CHECK auipc_jalr_t1_kept, t2, 0
  la t2, 5b
  sub t2, ra, t2
  CHECK auipc_jalr_ra_link, t2, 8
6:
  la t1, tail_target_ret
  sd zero, 0(t1)
  call tail_caller
  la t1, tail_target_ret
  ld t1, 0(t1)
  CHECK auipc_jalr_x0_tail, t1, 0x77
  CHECK auipc_jalr_x0_tail_ret, a0, 0x66

  SECTION pair_across_page_end
  call split_pair
  CHECK split_lui_addi, a0, 0x54321123

  ld ra, 0(sp)
  addi sp, sp, 16
  ret

tail_caller:
  auipc t1, %pcrel_hi(tail_target)
  jalr zero, %pcrel_lo(tail_caller)(t1)
tail_target:
  la t1, tail_target_ret
  li t2, 0x77
  sd t2, 0(t1)
  li a0, 0x66
  ret

  .data
tail_target_ret:
  .dword 0

  .section .text.split, "ax"
  .align 12
  .skip 4092
split_pair:                  /* lui at the page's last word, addi on the next page */
  lui a0, 0x54321
  addi a0, a0, 0x123
  ret
