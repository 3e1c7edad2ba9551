/* Self-modifying code: code written, made visible by fence.i and run, many times over (the
 * engine decodes code once per page and must drop exactly the pages that were written).
 * Cases: a fresh function written into a buffer page; code and data on the same page; a store
 * into the page that is executing (then fence.i and fall through into the new instruction);
 * a 32-bit instruction across a page end (both halves rewritten, or only the half on the
 * second page); compressed and 32-bit encodings alternating at the same address; writes by
 * sh/sw/sd, an FP store, an AMO and SC; under Sv39 in S-mode, writes through a second virtual
 * mapping of the same physical page (also into the executing page).
 *
 * Each loop counts the iterations whose result was wrong (CHECK ..._wrong, 0 expected) and
 * sums the results (SIG/CHECK ..._sum): the signature is compared with QEMU's. */
#include "common.h"

#define N 300                 /* iterations per case */
#define ADDI_A0_ZERO 0x00000513 /* addi a0, zero, 0 (imm in bits 31:20) */
#define ADDI_A0_A0 0x00050513   /* addi a0, a0, 0 */
#define RET 0x00008067
#define C_JR_RA 0x8082
#define C_LI_A0 0x4501          /* c.li a0, 0 (imm[4:0] in bits 6:2, imm[5] in bit 12) */
#define ALIAS 0x40000000        /* S-mode alias of RAM: VA 3G..4G -> PA 2G..3G, no X */

/* \rd = addi a0, zero, \imm (imm register, 0..2047) */
.macro ENC_ADDI rd, imm
  slli \rd, \imm, 20
  ori \rd, \rd, 0x513
.endm

/* loop state: s0 = i, s1 = wrong results, s2 = sum of results */
.macro LOOP_INIT
  li s0, 0
  li s1, 0
  li s2, 0
.endm

/* s2 += a0; s1 += (a0 != t1) */
.macro TALLY
  add s2, s2, a0
  beq a0, t1, .Lok\@
  addi s1, s1, 1
.Lok\@:
.endm

/* fence.i, call \fn (a0 = -1 before), TALLY the result */
.macro RUN_FENCED fn:req
  fence.i
  li a0, -1
  jalr \fn
  TALLY
.endm

/* write "addi a0, zero, t1; ret" at \base (through any mapping) */
.macro WRITE_FN base:req
  ENC_ADDI t2, t1
  sw t2, 0(\base)
  li t3, RET
  sw t3, 4(\base)
.endm

/* ++s0 < N: continue at \start */
.macro LOOP_BACK start:req
  addi s0, s0, 1
  li t0, N
  blt s0, t0, \start
.endm

  .text
  .globl test_main
test_main:
  addi sp, sp, -64
  sd ra, 0(sp); sd s0, 8(sp); sd s1, 16(sp); sd s2, 24(sp); sd s3, 32(sp); sd s4, 40(sp)

  /* ------------------------------------------------------------ fresh code in a buffer */
  SECTION rewrite_buffer
  LOOP_INIT
  la s3, buf_a
1:
  andi t1, s0, 0x7ff
  WRITE_FN s3
  RUN_FENCED s3
  LOOP_BACK 1b
  CHECK rewrite_buffer_wrong, s1, 0
  CHECK rewrite_buffer_sum, s2, (N * (N - 1) / 2)

  /* the same with one sd writing both instructions, and with an FP store */
  LOOP_INIT
1:
  andi t1, s0, 0x7ff
  ENC_ADDI t2, t1
  li t3, RET
  slli t3, t3, 32
  or t2, t2, t3
  andi t0, s0, 1
  beqz t0, 3f
  sd t2, 0(s3)
  j 4f
3:
  fmv.d.x ft0, t2
  fsd ft0, 0(s3)
4:
  RUN_FENCED s3
  LOOP_BACK 1b
  CHECK rewrite_sd_fsd_wrong, s1, 0

  /* AMO and SC writing the instruction */
  LOOP_INIT
1:
  andi t1, s0, 0x7ff
  ENC_ADDI t2, t1
  andi t0, s0, 1
  beqz t0, 3f
  amoswap.w zero, t2, (s3)
  j 4f
3:
  lr.w t0, (s3)
  sc.w t0, t2, (s3)
  bnez t0, 3b
4:
  RUN_FENCED s3
  LOOP_BACK 1b
  CHECK rewrite_amo_sc_wrong, s1, 0

  /* ------------------------------------------------------------ code and data on one page */
  SECTION code_and_data_same_page
  la t0, same_counter
  sd zero, 0(t0)
  LOOP_INIT
1:
  andi t1, s0, 15            /* k: patched into same_fn_patch as addi a0, a0, k */
  slli t2, t1, 20
  li t3, ADDI_A0_A0
  or t2, t2, t3
  la t3, same_fn_patch
  sw t2, 0(t3)
  fence.i
  call same_fn               /* a0 = ++counter + k (the counter is on the code's page) */
  add s2, s2, a0
  slli t3, s0, 1             /* counter = 2i + 1 (same_fn_nopatch counts too) */
  addi t3, t3, 1
  add t3, t3, t1
  beq a0, t3, 2f
  addi s1, s1, 1
2:
  call same_fn_nopatch       /* data stores into the page, no fence.i: still runs */
  LOOP_BACK 1b
  CHECK same_page_wrong, s1, 0
  SIG same_page_sum, s2
  la t0, same_counter
  ld t0, 0(t0)
  CHECK same_page_counter, t0, (2 * N)

  /* ------------------------------------------------------------ store into the executing page */
  SECTION store_into_executing_page
  LOOP_INIT
1:
  andi t1, s0, 0x7ff
  ENC_ADDI a1, t1
  call exec_fn               /* writes a1 into its own page, fence.i, runs it */
  TALLY
  LOOP_BACK 1b
  CHECK executing_page_wrong, s1, 0
  CHECK executing_page_sum, s2, (N * (N - 1) / 2)

  /* ------------------------------------------------------------ across a page end */
  SECTION across_page_end
  LOOP_INIT
  la s3, cross_insn          /* 2 bytes before the end of a page */
1:
  andi t1, s0, 0x7ff
  andi t0, s0, 1
  beqz t0, 3f
  ENC_ADDI t2, t1            /* odd: rewrite both halves (addi or xori a0, zero, imm) */
  andi t0, s0, 2
  beqz t0, 5f
  li t3, 0x4000             /* funct3 0 -> 4 */
  xor t2, t2, t3
5:
  sh t2, 0(s3)
  srli t2, t2, 16
  sh t2, 2(s3)
  j 4f
3:
  slli t2, t1, 4             /* even: only the half on the second page (imm = bits 31:20) */
  sh t2, 2(s3)
4:
  fence.i
  li a0, -1
  call cross_fn
  TALLY
  LOOP_BACK 1b
  CHECK across_page_end_wrong, s1, 0
  CHECK across_page_end_sum, s2, (N * (N - 1) / 2)

  /* ------------------------------------------------------------ RVC and 32-bit, same address */
  SECTION rvc_alternating
  LOOP_INIT
  la s3, buf_c
1:
  andi t1, s0, 31            /* c.li takes -32..31: 0..31 */
  andi t0, s0, 1
  beqz t0, 3f
  slli t2, t1, 2             /* c.li a0, t1; c.jr ra */
  li t3, C_LI_A0
  or t2, t2, t3
  sh t2, 0(s3)
  li t3, C_JR_RA
  sh t3, 2(s3)
  j 4f
3:
  WRITE_FN s3                /* addi a0, zero, t1; ret */
4:
  RUN_FENCED s3
  LOOP_BACK 1b
  CHECK rvc_alternating_wrong, s1, 0
  SIG rvc_alternating_sum, s2

  /* ------------------------------------------------------------ another virtual mapping */
  SECTION alias_mapping
  la t0, root_pt             /* gigapages: 0..1G devices (RW), 2G..3G RAM (RWX), 3G..4G alias (RW) */
  li t1, (0x00000 << 10) | 0xc7
  sd t1, 0(t0)
  li t1, (0x80000 << 10) | 0xcf
  sd t1, 16(t0)
  li t1, (0x80000 << 10) | 0xc7
  sd t1, 24(t0)
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  ENTER_MODE PRV_S
  LOOP_INIT
  la s3, buf_b
  li s4, ALIAS
  add s4, s4, s3             /* s4: buf_b through the alias */
1:
  andi t1, s0, 0x7ff
  WRITE_FN s4                /* through the alias */
  RUN_FENCED s3
  ENC_ADDI a1, t1            /* the executing page, written through the alias */
  call exec_alias_fn
  TALLY
  LOOP_BACK 1b
  RETURN_TO_M
  csrw satp, zero
  sfence.vma
  CHECK alias_mapping_wrong, s1, 0
  CHECK alias_mapping_sum, s2, (N * (N - 1))  /* two calls per iteration */

  ld ra, 0(sp); ld s0, 8(sp); ld s1, 16(sp); ld s2, 24(sp); ld s3, 32(sp); ld s4, 40(sp)
  addi sp, sp, 64
  ret

/* ---------------------------------------------------------------- code pages written at run time */
  .data
  .align 12
buf_a:
  addi a0, zero, -1
  ret
  .align 12
buf_b:
  addi a0, zero, -1
  ret
  .align 12
buf_c:
  addi a0, zero, -1
  ret

  .align 12
same_fn:                     /* a0 = ++same_counter, then the patched addi */
  la t0, same_counter
  ld a0, 0(t0)
  addi a0, a0, 1
  sd a0, 0(t0)
same_fn_patch:
  addi a0, a0, 0
  ret
same_fn_nopatch:             /* ++same_counter */
  la t0, same_counter
  ld t1, 0(t0)
  addi t1, t1, 1
  sd t1, 0(t0)
  ret
  .align 8
same_counter:
  .dword 0

  .align 12
exec_fn:                     /* a1 = instruction for exec_site: stored, fenced, run */
  la t0, exec_site
  sw a1, 0(t0)
  fence.i
exec_site:
  addi a0, zero, -1
  ret

  .align 12
exec_alias_fn:               /* the same, storing through the alias mapping */
  la t0, exec_alias_site
  li t2, ALIAS
  add t0, t0, t2
  sw a1, 0(t0)
  fence.i
exec_alias_site:
  addi a0, zero, -1
  ret

  .align 12
  .option push
  .option rvc
cross_page:
  .skip 4088
cross_fn:                    /* at 4088: c.nop, c.nop, c.nop, then the 32-bit cross_insn */
  c.nop
  c.nop
  c.nop
cross_insn:                  /* 4094..4097 */
  .option norvc
  addi a0, zero, -1
  ret                        /* on the next page */
  .option pop

  .align 12
root_pt:
  .fill 512, 8, 0
