/* Sv39 paging: page tables built in M-mode; satp WARL (MODE 8 and 0 kept, unsupported modes
 * ignored); S-mode and U-mode execution through translation; 4 KiB pages, 2 MiB megapages and
 * 1 GiB gigapages (incl. the negative canonical half); load/store/AMO/fetch page faults
 * (cause 13/15/12, tval = faulting virtual address) for V=0, W without R, reserved PTE bits,
 * non-leaf PTEs with A/D/U, missing R/W/X, U access to S pages, S access to U pages with
 * SUM=0/1, S fetch from U pages, MXR, misaligned superpages, non-canonical addresses; A/D bits
 * (either scheme of the spec, recorded and checked for consistency); sfence.vma after PTE
 * changes (data and instruction side, global and per-address); MPRV loads through
 * translation (with SUM/MXR); page faults taken in M when not delegated; satp MODE=0 (bare);
 * satp root switch; FP, LR/SC, AMO and compressed accesses; access faults from leaf PTEs and
 * page-table walks that hit no memory; no A/D update on faulting accesses; an instruction
 * across two pages (sepc = start, stval = second page) and misaligned data across pages
 * (stval = first byte of the faulting part, or an address-misaligned exception); code
 * rewritten through another mapping then fence.i. Lines starting "info:" are not part of
 * the signature (implementation choices: A/D scheme, ASID width, misaligned handling).
 *
 * Address space (root table root_pt, VPN[2] index -> mapping):
 *   [0]   gigapage VA 0 -> PA 0, RW, S: devices (UART for CHECK lines from S)
 *   [2]   -> l1_img: [0] megapage identity of the test image (RWX, S): S code, data, stacks
 *                    [1] -> l0_test: 4 KiB test pages at VA4K + i*4096 (see T_* below)
 *                    [2] megapage VA_MEGA -> PA IMG (RW)
 *                    [3] megapage VA_MEGA_MIS -> PA IMG + 4 KiB (misaligned)
 *   [3]   gigapage USER_VA -> PA IMG, RWX, U: U-mode runs the image through this alias
 *   [4]   gigapage VA_GIGA -> PA IMG (RW)
 *   [5]   gigapage VA_GIGA_MIS -> PA IMG + 2 MiB (misaligned: PPN[1] != 0)
 *   [6]   non-leaf with A set -> l1_img (reserved: must fault)
 *   [7]   non-leaf with U set -> l1_img (reserved: must fault)
 *   [8]   non-leaf -> PA_UNMAPPED (the walk itself hits no memory: access fault)
 *   [256] gigapage VA_HIGH = 0xffffffc000000000 -> PA IMG (RW)
 */
#include "common.h"

#define IMG          0x80000000
#define VA4K         0x80200000
#define VA_MEGA      0x80400000
#define VA_MEGA_MIS  0x80600000
#define VA_L1_INVAL  0x80800000
#define USER_VA      0xc0000000
#define USER_OFF     (USER_VA - IMG)
#define VA_GIGA      0x100000000
#define VA_GIGA_MIS  0x140000000
#define VA_NL_A      0x180000000
#define VA_NL_U      0x1c0000000
#define VA_HIGH      0xffffffc000000000
#define VA_L2_INVAL  0x2000000000
#define VA_NONCANON1 0x0000004000000000   /* bit 38 set, bits 63..39 clear */
#define VA_NONCANON2 0xffffff8000001000   /* bits 63..39 set, bit 38 clear */
#define PA_UNMAPPED  0x2000000000         /* nothing at this physical address */
#define VA_PT_NORAM  0x200000000          /* root[8]: pointer to a table at PA_UNMAPPED */

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80
#define RW_AD  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define RWX_AD (RW_AD | PTE_X)

/* 4 KiB test pages: index in l0_test; VA = VA4K + index * 4096 */
#define T_RW      0   /* pg_data RW, S */
#define T_INVAL   1   /* pg_data, V=0 (other bits set) */
#define T_WONLY   2   /* pg_data, W without R: reserved */
#define T_RONLY   3   /* pg_data, R only */
#define T_XONLY   4   /* pg_code, X only */
#define T_URW     5   /* pg_data RW, U */
#define T_URX     6   /* pg_code RX, U */
#define T_SRX     7   /* pg_code RX, S */
#define T_URO     8   /* pg_data R, U */
#define T_AD_LD   9   /* pg_data RW, A=0 D=0: load */
#define T_AD_ST   10  /* pg_data RW, A=0 D=0: store */
#define T_D_ST    11  /* pg_data RW, A=1 D=0: load then store */
#define T_AD_X    12  /* pg_code RX, A=0: fetch */
#define T_SF_DATA 13  /* pg_data / pg_data2: sfence.vma on the data side */
#define T_RSV58   14  /* pg_data RW + reserved bit 58 */
#define T_PBMT    15  /* pg_data RW + PBMT bits 62:61 = 1 (no Svpbmt) */
#define T_NAPOT   16  /* pg_data RW + N bit 63 (no Svnapot) */
#define T_SF_CODE 17  /* pg_code / pg_code2: sfence.vma on the instruction side */
#define T_XA      18  /* pg_cross_a X: a 32-bit instruction starts at its last halfword */
#define T_XB      19  /* pg_cross_b X: ... and ends here */
#define T_MA      20  /* pg_data RW: misaligned access crossing into ... */
#define T_MB      21  /* ... an invalid page */
#define T_MC      22  /* pg_data RW: misaligned access crossing into ... */
#define T_MD      23  /* ... pg_data2 R only */
#define T_XO_A0   24  /* pg_code X only, A=0: a faulting load must not set A */
#define T_RO_D0   25  /* pg_data R, A=1 D=0: a faulting store must not set D */
#define T_L0_PTR  26  /* level-0 PTE with R=W=X=0 (a pointer at the last level) */
#define T_NORAM   27  /* leaf to a physical address with nothing there */
#define T_SMC     28  /* pg_code3 X: rewritten through the identity mapping */
#define T_UXO     29  /* pg_code X only, U */
#define V4(i) (VA4K + (i) * 0x1000)

#define DVAL(i)  (0xd0d0d0d000000000 + (i))   /* dword i of pg_data */
#define EVAL(i)  (0xe0e0e0e000000000 + (i))   /* dword i of pg_data2 */
#define CODE1 0x5a5                           /* t1 set by the function at pg_code */
#define CODE2 0x6b6                           /* ... at pg_code2 */
#define CODE3 0x7c7                           /* ... by the instruction across pg_cross_a/b */

.macro LDREC reg, rec, field
  la \reg, \rec
  ld \reg, \field(\reg)
.endm

/* table[idx] = PTE pointing at the page holding \label, with \flags */
.macro PTE_AT table, idx, label, flags
  la t0, \label
  srli t0, t0, 12
  slli t0, t0, 10
  li t1, \flags
  or t0, t0, t1
  la t1, \table
  li t2, (\idx) * 8
  add t1, t1, t2
  sd t0, 0(t1)
.endm
/* table[idx] = PTE for physical address \pa with \flags */
.macro PTE_PA table, idx, pa, flags
  li t0, ((((\pa) >> 12) << 10) | (\flags))
  la t1, \table
  li t2, (\idx) * 8
  add t1, t1, t2
  sd t0, 0(t1)
.endm
/* reg = physical address of \label rebased at \base (an alias of the image at PA IMG) */
.macro VADDR reg, base, label, off=0
  la \reg, \label
  li t6, (\base) - IMG + (\off)
  add \reg, \reg, t6
.endm
/* reg = l0_test[idx] */
.macro LDPTE reg, idx
  la \reg, l0_test
  ld \reg, ((\idx) * 8)(\reg)
.endm

/* Access at t0 must take a page fault delegated to S: check scause and stval == t0. */
.macro S_FAULT name:req, cause:req, insn:vararg
  CLEAR_TRAPS
  EXPECT_TRAP .Lsf\@
  \insn
.Lsf\@:
  li tp, 0
  LDREC t5, s_trap, TR_CAUSE
  CHECK \name\()_cause, t5, \cause
  LDREC t5, s_trap, TR_TVAL
  CHECK_EQ \name\()_tval, t5, t0
  CLEAR_TRAPS
.endm
/* Access must not trap; then t1 must equal t2. */
.macro S_OK name:req, insn:vararg
  CLEAR_TRAPS
  li t1, 0
  EXPECT_TRAP .Lso\@
  \insn
.Lso\@:
  li tp, 0
  LDREC t5, s_trap, TR_CAUSE
  CHECK \name\()_no_trap, t5, NO_TRAP
  CHECK_EQ \name, t1, t2
  CLEAR_TRAPS
.endm

/* Store at t0 must not trap (the value is checked in memory by the caller). */
.macro S_STORE_OK name:req, insn:vararg
  CLEAR_TRAPS
  EXPECT_TRAP .Lss\@
  \insn
.Lss\@:
  li tp, 0
  LDREC t5, s_trap, TR_CAUSE
  CHECK \name\()_no_trap, t5, NO_TRAP
  CLEAR_TRAPS
.endm

/* From M: continue in U-mode at the next instruction, fetched through the U alias. */
.macro ENTER_U_ALIAS
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  la t0, .Lua\@
  li t1, USER_OFF
  add t0, t0, t1
  csrw mepc, t0
  mret
.Lua\@:
.endm
/* From U (running at the alias): back to M at the physical address of the next instruction. */
.macro U_RETURN_TO_M
  la tp, .Lur\@               /* la loads the link-time (physical) address from the GOT */
  li a7, MODE_MAGIC
  ecall
.Lur\@:
  li a7, 0
.endm
/* In U (no stack, no UART): with t0 = \va and t1 = \t1v, run \insn; log (cause, tval, t1,
 * prev) in u_log[slot]. */
.macro U_DO slot:req, va:req, t1v:req, insn:vararg
  li t0, \va
  li t1, \t1v
  lla tp, .Lud\@             /* resume in U at the alias address (la would give the PA) */
  \insn
.Lud\@:
  li tp, 0
  lla t3, s_trap
  lla t4, u_log + (\slot) * 32
  ld t5, TR_CAUSE(t3)
  sd t5, 0(t4)
  ld t5, TR_TVAL(t3)
  sd t5, 8(t4)
  sd t1, 16(t4)
  ld t5, TR_PREV(t3)
  sd t5, 24(t4)
  li t5, NO_TRAP
  sd t5, TR_CAUSE(t3)
  sd zero, TR_TVAL(t3)
  sd zero, TR_PREV(t3)
.endm
/* In M: the U access in u_log[slot] faulted with \cause at \va, from U. */
.macro U_FAULTED name:req, slot:req, cause:req, va:req
  lla t3, u_log + (\slot) * 32
  ld t5, 0(t3)
  CHECK \name\()_cause, t5, \cause
  ld t5, 8(t3)
  CHECK \name\()_tval, t5, \va
  ld t5, 24(t3)
  CHECK \name\()_from, t5, PRV_U
.endm
/* In M: the U access in u_log[slot] did not trap and left t1 == \val. */
.macro U_OK name:req, slot:req, val:req
  lla t3, u_log + (\slot) * 32
  ld t5, 0(t3)
  CHECK \name\()_no_trap, t5, NO_TRAP
  ld t5, 16(t3)
  CHECK \name, t5, \val
.endm

/* A/D bits: access at t0 through l0_test[idx] whose PTE lacks \bits. Either a page fault with
 * \cause and tval == t0 leaving the PTE unchanged, or no trap and all of \bits set in the PTE
 * in memory. s8 = 1 for hardware update, 0 for page fault; the scheme must be the same for
 * every case (ad_scheme). */
.macro AD_CASE name:req, idx:req, bits:req, cause:req, insn:vararg
  CLEAR_TRAPS
  EXPECT_TRAP .Lad\@
  \insn
.Lad\@:
  li tp, 0
  LDREC s3, s_trap, TR_CAUSE
  LDREC s4, s_trap, TR_TVAL
  LDPTE s5, \idx
  li t6, \bits
  and s5, s5, t6
  li s6, NO_TRAP
  beq s3, s6, .Ladhw\@
  li s7, \cause
  sub s7, s3, s7
  sub s6, s4, t0
  or s7, s7, s6
  or s7, s7, s5
  seqz s7, s7
  li s8, 0
  la a0, str_ad_fault
  j .Ladd\@
.Ladhw\@:
  sub s7, s5, t6
  seqz s7, s7
  li s8, 1
  la a0, str_ad_hw
.Ladd\@:
  call _puts                 /* informational line, not part of the signature */
  la a0, .Ladn\@
  call _puts
  li a0, '\n'
  call _putc
  CHECK \name\()_ok, s7, 1
  la t5, ad_scheme
  ld t6, 0(t5)
  bgez t6, .Lads\@
  sd s8, 0(t5)
  mv t6, s8
.Lads\@:
  sub t6, t6, s8
  seqz t6, t6
  CHECK \name\()_same_scheme, t6, 1
  CLEAR_TRAPS
  .pushsection .rodata
.Ladn\@: .asciz "\name"
  .popsection
.endm

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)
  li a7, 0

  SECTION page_tables
  /* root */
  PTE_PA root_pt, 0, 0, RW_AD
  PTE_AT root_pt, 2, l1_img, PTE_V
  PTE_PA root_pt, 3, IMG, RWX_AD | PTE_U
  PTE_PA root_pt, 4, IMG, RW_AD
  PTE_PA root_pt, 5, IMG + 0x200000, RW_AD
  PTE_AT root_pt, 6, l1_img, PTE_V | PTE_A
  PTE_AT root_pt, 7, l1_img, PTE_V | PTE_U
  PTE_PA root_pt, 256, IMG, RW_AD
  /* level 1 under VA 0x80000000 */
  PTE_PA l1_img, 0, IMG, RWX_AD
  PTE_AT l1_img, 1, l0_test, PTE_V
  PTE_PA l1_img, 2, IMG, RW_AD
  PTE_PA l1_img, 3, IMG + 0x1000, RW_AD
  /* 4 KiB test pages */
  PTE_AT l0_test, T_RW, pg_data, RW_AD
  PTE_AT l0_test, T_INVAL, pg_data, RWX_AD & ~PTE_V
  PTE_AT l0_test, T_WONLY, pg_data, PTE_V | PTE_W | PTE_A | PTE_D
  PTE_AT l0_test, T_RONLY, pg_data, PTE_V | PTE_R | PTE_A | PTE_D
  PTE_AT l0_test, T_XONLY, pg_code, PTE_V | PTE_X | PTE_A
  PTE_AT l0_test, T_URW, pg_data, RW_AD | PTE_U
  PTE_AT l0_test, T_URX, pg_code, PTE_V | PTE_R | PTE_X | PTE_A | PTE_U
  PTE_AT l0_test, T_SRX, pg_code, PTE_V | PTE_R | PTE_X | PTE_A
  PTE_AT l0_test, T_URO, pg_data, PTE_V | PTE_R | PTE_A | PTE_D | PTE_U
  PTE_AT l0_test, T_AD_LD, pg_data, PTE_V | PTE_R | PTE_W
  PTE_AT l0_test, T_AD_ST, pg_data, PTE_V | PTE_R | PTE_W
  PTE_AT l0_test, T_D_ST, pg_data, PTE_V | PTE_R | PTE_W | PTE_A
  PTE_AT l0_test, T_AD_X, pg_code, PTE_V | PTE_R | PTE_X
  PTE_AT l0_test, T_SF_DATA, pg_data, RW_AD
  PTE_AT l0_test, T_RSV58, pg_data, RW_AD | (1 << 58)
  PTE_AT l0_test, T_PBMT, pg_data, RW_AD | (1 << 61)
  PTE_AT l0_test, T_NAPOT, pg_data, RW_AD | (1 << 63)
  PTE_AT l0_test, T_SF_CODE, pg_code, PTE_V | PTE_X | PTE_A
  PTE_AT l0_test, T_XA, pg_cross_a, PTE_V | PTE_X | PTE_A
  PTE_AT l0_test, T_XB, pg_cross_b, PTE_V | PTE_X | PTE_A
  PTE_AT l0_test, T_MA, pg_data, RW_AD
  PTE_AT l0_test, T_MC, pg_data, RW_AD
  PTE_AT l0_test, T_MD, pg_data2, PTE_V | PTE_R | PTE_A | PTE_D
  PTE_AT l0_test, T_XO_A0, pg_code, PTE_V | PTE_X
  PTE_AT l0_test, T_RO_D0, pg_data, PTE_V | PTE_R | PTE_A
  PTE_AT l0_test, T_L0_PTR, pg_data, PTE_V
  PTE_PA l0_test, T_NORAM, PA_UNMAPPED, RWX_AD
  PTE_AT l0_test, T_SMC, pg_code3, PTE_V | PTE_X | PTE_A
  PTE_AT l0_test, T_UXO, pg_code, PTE_V | PTE_X | PTE_A | PTE_U
  PTE_PA root_pt, 8, PA_UNMAPPED, PTE_V
  /* root2: root_pt without the VA_GIGA gigapage (satp switch test) */
  la t0, root_pt
  la t1, root2_pt
  li t2, 512
1:
  ld t3, 0(t0)
  sd t3, 0(t1)
  addi t0, t0, 8
  addi t1, t1, 8
  addi t2, t2, -1
  bnez t2, 1b
  la t1, root2_pt
  sd zero, (4 * 8)(t1)
  sfence.vma

  SECTION satp_warl
  la s2, root_pt
  srli s2, s2, 12
  li t0, 8 << 60
  or s2, s2, t0              /* s2 = Sv39 satp value */
  csrw satp, s2
  csrr t0, satp
  CHECK_EQ satp_sv39_kept, t0, s2
  slli t1, s2, 4             /* MODE 1: reserved */
  srli t1, t1, 4
  li t2, 1 << 60
  or t1, t1, t2
  csrw satp, t1
  csrr t0, satp
  CHECK_EQ satp_mode1_ignored, t0, s2
  slli t1, s2, 4             /* MODE 9 (Sv48): not implemented by an Sv39-only hart */
  srli t1, t1, 4
  li t2, 9 << 60
  or t1, t1, t2
  csrw satp, t1
  csrr t0, satp
  CHECK_EQ satp_mode9_ignored, t0, s2
  csrw satp, s2
  slli t1, s2, 4             /* MODE 10 (Sv57) */
  srli t1, t1, 4
  li t2, 10 << 60
  or t1, t1, t2
  csrw satp, t1
  csrr t0, satp
  CHECK_EQ satp_mode10_ignored, t0, s2
  csrw satp, s2
  slli t1, s2, 4             /* MODE 11 (Sv64): not implemented */
  srli t1, t1, 4
  li t2, 11 << 60
  or t1, t1, t2
  csrw satp, t1
  csrr t0, satp
  CHECK_EQ satp_mode11_ignored, t0, s2
  li t1, -1                  /* MODE 15 (custom) with every other bit set */
  csrw satp, t1
  csrr t0, satp
  CHECK_EQ satp_mode15_ignored, t0, s2
  li t1, 0xffff             /* ASID: ASIDLEN low bits writable (0..16), rest reads 0 */
  slli t1, t1, 44
  or t1, t1, s2
  csrw satp, t1
  csrr t0, satp
  srli t3, t0, 44
  li t4, 0xffff
  and t3, t3, t4             /* t3 = ASID read back */
  addi t4, t3, 1
  and t4, t4, t3             /* 2^n - 1 form */
  seqz t4, t4
  slli t5, t3, 44
  xor t5, t0, t5
  sub t5, t5, s2             /* other fields as written */
  seqz t5, t5
  and t4, t4, t5
  CHECK satp_asid_warl_ok, t4, 1
  la a0, str_asid
  call _puts
  mv a0, t3
  call _puthex
  li a0, '\n'
  call _putc
  csrw satp, zero
  csrr t0, satp
  CHECK satp_bare_kept, t0, 0
  csrw satp, s2
  sfence.vma
  li t0, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
  csrw medeleg, t0
  csrr t1, medeleg
  and t1, t1, t0
  CHECK medeleg_page_faults, t1, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)

  /* ------------------------------------------------------------ S-mode */
  li t0, MSTATUS_SUM | MSTATUS_MXR
  csrc mstatus, t0
  ENTER_MODE PRV_S
  SECTION s_mode_4k_pages
  lla t0, s_pc_label         /* S runs through translation: pc is the identity megapage */
s_pc_label:
  la t1, s_pc_label          /* link-time (physical) address */
  CHECK_EQ s_pc_identity, t0, t1
  li t0, V4(T_RW) + 0x18
  li t2, DVAL(3)
  S_OK s_4k_load, ld t1, 0(t0)
  li t0, V4(T_RW) + 0x100
  li t2, 0x5151
  S_STORE_OK s_4k_store, sd t2, 0(t0)
  la t0, pg_data
  ld t1, 0x100(t0)
  CHECK s_4k_store_reached_page, t1, 0x5151

  li t0, V4(T_INVAL) + 0x28
  S_FAULT s_invalid_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, V4(T_INVAL) + 0x108
  S_FAULT s_invalid_store, CAUSE_STORE_PAGE, sd t1, 0(t0)
  li t0, V4(T_INVAL) + 0x40
  S_FAULT s_invalid_fetch, CAUSE_FETCH_PAGE, jalr t1, 0(t0)
  li t0, V4(T_INVAL) + 0x40   /* again, for sepc and the mode it came from */
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  jalr t1, 0(t0)
1:
  li tp, 0
  LDREC t5, s_trap, TR_EPC
  CHECK_EQ s_invalid_fetch_sepc, t5, t0
  LDREC t5, s_trap, TR_PREV
  CHECK s_invalid_fetch_from, t5, PRV_S
  CLEAR_TRAPS

  li t0, V4(T_WONLY) + 0x8
  S_FAULT s_w_without_r_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, V4(T_WONLY) + 0x110
  S_FAULT s_w_without_r_store, CAUSE_STORE_PAGE, sd t1, 0(t0)

  li t0, V4(T_RONLY) + 0x20
  li t2, DVAL(4)
  S_OK s_ronly_load, ld t1, 0(t0)
  li t0, V4(T_RONLY) + 0x118
  S_FAULT s_ronly_store, CAUSE_STORE_PAGE, sd t1, 0(t0)
  li t0, V4(T_RONLY) + 0x120
  S_FAULT s_ronly_amo, CAUSE_STORE_PAGE, amoadd.d t1, t1, (t0)
  li t0, V4(T_RONLY)
  S_FAULT s_ronly_fetch, CAUSE_FETCH_PAGE, jalr t1, 0(t0)

  li t0, V4(T_XONLY)
  li t2, CODE1
  S_OK s_xonly_fetch, jalr ra, 0(t0)
  li t0, V4(T_XONLY) + 4
  S_FAULT s_xonly_load_mxr0, CAUSE_LOAD_PAGE, lw t1, 0(t0)
  li t0, V4(T_XONLY) + 8
  S_FAULT s_xonly_store, CAUSE_STORE_PAGE, sw t1, 0(t0)
  li t0, MSTATUS_MXR
  csrs sstatus, t0
  la t2, pg_code
  lwu t2, 0(t2)
  li t0, V4(T_XONLY)
  S_OK s_xonly_load_mxr1, lwu t1, 0(t0)
  li t0, V4(T_RONLY) + 0x10
  S_FAULT s_ronly_fetch_mxr1, CAUSE_FETCH_PAGE, jalr t1, 0(t0)
  li t0, V4(T_WONLY) + 0x8
  S_FAULT s_w_without_r_load_mxr1, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, MSTATUS_MXR
  csrc sstatus, t0
  li t0, V4(T_XONLY)         /* MXR cleared: the earlier successful load must not linger */
  S_FAULT s_xonly_load_mxr_cleared, CAUSE_LOAD_PAGE, lwu t1, 0(t0)

  SECTION s_mode_user_pages
  li t0, V4(T_URW) + 0x30
  S_FAULT s_upage_load_sum0, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, V4(T_URW) + 0x128
  S_FAULT s_upage_store_sum0, CAUSE_STORE_PAGE, sd t1, 0(t0)
  li t0, MSTATUS_SUM
  csrs sstatus, t0
  li t0, V4(T_URW) + 0x30
  li t2, DVAL(6)
  S_OK s_upage_load_sum1, ld t1, 0(t0)
  li t0, V4(T_URW) + 0x128
  li t2, 0x5252
  S_STORE_OK s_upage_store_sum1, sd t2, 0(t0)
  la t0, pg_data
  ld t1, 0x128(t0)
  CHECK s_upage_store_sum1_reached_page, t1, 0x5252
  li t0, V4(T_URX)
  S_FAULT s_upage_fetch_sum1, CAUSE_FETCH_PAGE, jalr ra, 0(t0)
  li t0, MSTATUS_SUM
  csrc sstatus, t0
  li t0, V4(T_URW) + 0x30    /* SUM cleared: must fault again */
  S_FAULT s_upage_load_sum_cleared, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, V4(T_URX)
  S_FAULT s_upage_fetch_sum0, CAUSE_FETCH_PAGE, jalr ra, 0(t0)
  li t0, V4(T_SRX)
  li t2, CODE1
  S_OK s_spage_fetch, jalr ra, 0(t0)

  SECTION superpages
  VADDR t0, VA_MEGA, pg_data, 0x38
  li t2, DVAL(7)
  S_OK megapage_load, ld t1, 0(t0)
  VADDR t0, VA_MEGA, pg_data, 0x130
  li t2, 0x5353
  S_STORE_OK megapage_store, sd t2, 0(t0)
  la t0, pg_data
  ld t1, 0x130(t0)
  CHECK megapage_store_reached_page, t1, 0x5353
  VADDR t0, VA_MEGA_MIS, pg_data, 0x38
  S_FAULT megapage_misaligned_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  VADDR t0, VA_MEGA_MIS, pg_data, 0x138
  S_FAULT megapage_misaligned_store, CAUSE_STORE_PAGE, sd t1, 0(t0)
  VADDR t0, VA_GIGA, pg_data, 0x40
  li t2, DVAL(8)
  S_OK gigapage_load, ld t1, 0(t0)
  VADDR t0, VA_GIGA, pg_data, 0x140
  li t2, 0x5454
  S_STORE_OK gigapage_store, sd t2, 0(t0)
  la t0, pg_data
  ld t1, 0x140(t0)
  CHECK gigapage_store_reached_page, t1, 0x5454
  VADDR t0, VA_GIGA_MIS, pg_data, 0x40
  S_FAULT gigapage_misaligned_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  VADDR t0, VA_HIGH, pg_data, 0x48
  li t2, DVAL(9)
  S_OK high_half_gigapage_load, ld t1, 0(t0)
  li t0, VA_L1_INVAL + 0x10
  S_FAULT level1_invalid_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, VA_L2_INVAL + 0x18
  S_FAULT level2_invalid_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, VA_L2_INVAL + 0x20
  S_FAULT level2_invalid_fetch, CAUSE_FETCH_PAGE, jalr t1, 0(t0)

  SECTION noncanonical
  li t0, VA_NONCANON1 + 0x50
  S_FAULT noncanonical_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, VA_NONCANON2 + 0x58
  S_FAULT noncanonical_store, CAUSE_STORE_PAGE, sd t1, 0(t0)
  li t0, VA_NONCANON1 + 0x60
  S_FAULT noncanonical_fetch, CAUSE_FETCH_PAGE, jalr t1, 0(t0)

  SECTION reserved_pte_bits
  VADDR t0, VA_NL_A, pg_data, 0x50
  S_FAULT nonleaf_a_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  VADDR t0, VA_NL_U, pg_data, 0x50
  S_FAULT nonleaf_u_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, V4(T_RSV58) + 0x58
  S_FAULT leaf_bit58_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, V4(T_PBMT) + 0x58
  S_FAULT leaf_pbmt_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t0, V4(T_NAPOT) + 0x58
  S_FAULT leaf_napot_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)

  SECTION accessed_dirty
  li t0, V4(T_AD_LD) + 0x60
  AD_CASE ad_load_a0, T_AD_LD, PTE_A, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  LDPTE t1, T_AD_LD          /* a load never sets D */
  andi t1, t1, PTE_D
  CHECK ad_load_leaves_d, t1, 0
  li t0, V4(T_AD_ST) + 0x160
  AD_CASE ad_store_a0_d0, T_AD_ST, PTE_A | PTE_D, CAUSE_STORE_PAGE, sd t1, 0(t0)
  li t0, V4(T_D_ST) + 0x68   /* A=1 D=0: a load is fine and leaves D clear */
  li t2, DVAL(13)
  S_OK d0_load, ld t1, 0(t0)
  LDPTE t1, T_D_ST
  andi t1, t1, PTE_D
  CHECK d0_load_leaves_d, t1, 0
  li t0, V4(T_D_ST) + 0x168  /* ... then a store: fault or D set (not hidden by the load) */
  AD_CASE ad_store_d0, T_D_ST, PTE_D, CAUSE_STORE_PAGE, sd t1, 0(t0)
  li t0, V4(T_AD_X)
  AD_CASE ad_fetch_a0, T_AD_X, PTE_A, CAUSE_FETCH_PAGE, jalr ra, 0(t0)

  SECTION sfence_vma
  li t0, V4(T_SF_DATA) + 0x70
  li t2, DVAL(14)
  S_OK sfence_before, ld t1, 0(t0)
  PTE_AT l0_test, T_SF_DATA, pg_data2, RW_AD   /* S rewrites its own page table */
  sfence.vma
  li t0, V4(T_SF_DATA) + 0x70
  li t2, EVAL(14)
  S_OK sfence_all_remap, ld t1, 0(t0)
  PTE_AT l0_test, T_SF_DATA, pg_data, RW_AD
  li t0, V4(T_SF_DATA) + 0x70
  sfence.vma t0, zero
  li t2, DVAL(14)
  S_OK sfence_addr_remap, ld t1, 0(t0)
  la t1, l0_test
  sd zero, (T_SF_DATA * 8)(t1)
  li t0, V4(T_SF_DATA) + 0x78
  sfence.vma t0, zero
  S_FAULT sfence_invalidated, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  PTE_AT l0_test, T_SF_DATA, pg_data, PTE_V | PTE_R | PTE_A
  sfence.vma
  li t0, V4(T_SF_DATA) + 0x178
  S_FAULT sfence_made_readonly, CAUSE_STORE_PAGE, sd t1, 0(t0)
  li t0, V4(T_SF_DATA) + 0x78
  li t2, DVAL(15)
  S_OK sfence_revalidated, ld t1, 0(t0)
  li t0, V4(T_SF_CODE)
  li t2, CODE1
  S_OK sfence_code_before, jalr ra, 0(t0)
  PTE_AT l0_test, T_SF_CODE, pg_code2, PTE_V | PTE_X | PTE_A
  sfence.vma
  li t0, V4(T_SF_CODE)
  li t2, CODE2
  S_OK sfence_code_remap, jalr ra, 0(t0)
  la t1, l0_test
  sd zero, (T_SF_CODE * 8)(t1)
  li t0, V4(T_SF_CODE)
  sfence.vma t0, zero
  S_FAULT sfence_code_invalidated, CAUSE_FETCH_PAGE, jalr ra, 0(t0)

  SECTION satp_switch
  VADDR t0, VA_GIGA, pg_data, 0xc8
  li t2, DVAL(25)
  S_OK switch_root1_load, ld t1, 0(t0)
  la t1, root2_pt
  srli t1, t1, 12
  li t2, 8 << 60
  or t1, t1, t2
  csrw satp, t1              /* S switches to a root without the gigapage */
  sfence.vma
  S_FAULT switch_root2_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  li t2, DVAL(25)            /* and the rest of the space still works (we run in it) */
  li t0, V4(T_RW) + 0xc8
  S_OK switch_root2_4k_load, ld t1, 0(t0)
  csrw satp, s2
  sfence.vma
  VADDR t0, VA_GIGA, pg_data, 0xc8
  S_OK switch_root1_again, ld t1, 0(t0)

  SECTION aliases
  li t0, V4(T_RW) + 0x1c8
  li t2, 0x5656
  S_STORE_OK alias_store_4k, sd t2, 0(t0)
  VADDR t0, VA_MEGA, pg_data, 0x1c8  /* same physical dword through the megapage */
  S_OK alias_load_megapage, ld t1, 0(t0)
  VADDR t0, VA_HIGH, pg_data, 0x1c8
  li t2, 0x5757
  S_STORE_OK alias_store_high, sd t2, 0(t0)
  li t0, V4(T_RW) + 0x1c8
  S_OK alias_load_4k, ld t1, 0(t0)

  SECTION other_access_kinds
  li t0, V4(T_XONLY) + 0x10
  S_FAULT fld_xonly, CAUSE_LOAD_PAGE, fld ft0, 0(t0)
  li t0, V4(T_RONLY) + 0x1d0
  S_FAULT fsd_ronly, CAUSE_STORE_PAGE, fsd ft0, 0(t0)
  li t0, V4(T_RW) + 0xd0
  S_STORE_OK fld_rw, fld ft1, 0(t0)
  fmv.x.d t1, ft1
  CHECK fld_rw_value, t1, DVAL(26)
  li t0, V4(T_INVAL) + 0x1d8
  S_FAULT amoswap_invalid, CAUSE_STORE_PAGE, amoswap.w t1, t1, (t0)
  li t0, V4(T_XONLY) + 0x18
  S_FAULT lr_xonly, CAUSE_LOAD_PAGE, lr.d t1, (t0)
  li t0, V4(T_RONLY) + 0xd8  /* lr.d on a read-only page is fine; the sc.d right after it
                              * must not store: store page fault, or (spurious) failure */
  CLEAR_TRAPS
  li t1, 0
  li t2, 0
  EXPECT_TRAP 1f
  lr.d t2, (t0)
  sc.d t1, t2, (t0)
1:
  li tp, 0
  CHECK lr_ronly, t2, DVAL(27)
  LDREC t5, s_trap, TR_CAUSE
  LDREC t6, s_trap, TR_TVAL
  SIG sc_ronly_cause, t5
  li t3, CAUSE_STORE_PAGE
  bne t5, t3, 2f
  sub t3, t6, t0
  seqz t3, t3
  j 3f
2:
  li t3, NO_TRAP
  sub t3, t5, t3
  seqz t3, t3
  snez t4, t1
  and t3, t3, t4
3:
  CHECK sc_ronly_ok, t3, 1
  la t3, pg_data
  ld t3, 0xd8(t3)
  CHECK sc_ronly_memory_unchanged, t3, DVAL(27)
  CLEAR_TRAPS
  li t0, V4(T_INVAL) + 0x1e0
  mv a1, t0
  .option push
  .option rvc
  S_FAULT c_lw_invalid, CAUSE_LOAD_PAGE, c.lw a2, 0(a1)
  li t0, V4(T_RONLY) + 0x1e8
  mv a1, t0
  S_FAULT c_sd_ronly, CAUSE_STORE_PAGE, c.sd a2, 0(a1)
  li t0, V4(T_RW) + 0xe0
  mv a1, t0
  S_STORE_OK c_ld_rw, c.ld a2, 0(a1)
  .option pop
  CHECK c_ld_rw_value, a2, DVAL(28)
  li t0, V4(T_L0_PTR) + 0xe8
  S_FAULT level0_pointer_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)

  SECTION access_faults
  /* a leaf to no memory, and a walk through no memory: access faults (not delegated, so
   * taken in M), tval = the virtual address */
  li t0, V4(T_NORAM) + 0x28
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  ld t1, 0(t0)
1:
  li tp, 0
  CHECK_TRAP_FROM noram_leaf_load, m_trap, CAUSE_LOAD_ACCESS, V4(T_NORAM) + 0x28, PRV_S
  li t0, V4(T_NORAM) + 0x128
  EXPECT_TRAP 1f
  sd t1, 0(t0)
1:
  li tp, 0
  CHECK_TRAP noram_leaf_store, m_trap, CAUSE_STORE_ACCESS, V4(T_NORAM) + 0x128
  li t0, V4(T_NORAM) + 0x40
  EXPECT_TRAP 1f
  jalr t1, 0(t0)
1:
  li tp, 0
  CHECK_TRAP noram_leaf_fetch, m_trap, CAUSE_FETCH_ACCESS, V4(T_NORAM) + 0x40
  li t0, VA_PT_NORAM + 0x30
  EXPECT_TRAP 1f
  ld t1, 0(t0)
1:
  li tp, 0
  LDREC t5, s_trap, TR_CAUSE
  CHECK ptw_noram_not_page_fault, t5, NO_TRAP
  CHECK_TRAP ptw_noram_load, m_trap, CAUSE_LOAD_ACCESS, VA_PT_NORAM + 0x30
  li t0, VA_PT_NORAM + 0x138
  EXPECT_TRAP 1f
  sd t1, 0(t0)
1:
  li tp, 0
  CHECK_TRAP ptw_noram_store, m_trap, CAUSE_STORE_ACCESS, VA_PT_NORAM + 0x138

  SECTION code_rewrite
  li t0, V4(T_SMC)           /* run pg_code3 through its 4 KiB mapping ... */
  li t2, 0x111
  S_OK smc_first, jalr ra, 0(t0)
  la t3, pg_code3            /* ... rewrite it through the identity megapage ... */
  li t4, (0x222 << 20) | 0x313
  sw t4, 0(t3)
  fence.i
  li t0, V4(T_SMC)
  li t2, 0x222
  S_OK smc_after_fence_i, jalr ra, 0(t0)
  li t4, (0x333 << 20) | 0x313
  sw t4, 0(t3)
  fence.i
  li t0, V4(T_SMC)
  li t2, 0x333
  S_OK smc_again, jalr ra, 0(t0)

  SECTION no_ad_update_on_fault
  li t0, V4(T_XO_A0) + 0x20
  S_FAULT xonly_a0_load, CAUSE_LOAD_PAGE, ld t1, 0(t0)
  LDPTE t1, T_XO_A0          /* A may be set speculatively (Svadu): QEMU-compared only */
  andi t1, t1, PTE_A
  SIG xonly_a0_load_a_bit, t1
  li t0, V4(T_RO_D0) + 0x1f0
  S_FAULT ronly_d0_store, CAUSE_STORE_PAGE, sd t1, 0(t0)
  LDPTE t1, T_RO_D0
  andi t1, t1, PTE_D
  CHECK ronly_d0_store_leaves_d, t1, 0

  SECTION page_crossing
  li t0, V4(T_XA) + 0xffe    /* 32-bit instruction split across two mapped pages */
  li t2, CODE3
  S_OK cross_fetch, jalr ra, 0(t0)
  la t1, l0_test
  sd zero, (T_XB * 8)(t1)
  sfence.vma
  li t0, V4(T_XA) + 0xffe    /* second half unmapped: sepc = start, stval = second page */
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  jalr ra, 0(t0)
1:
  li tp, 0
  LDREC t5, s_trap, TR_EPC
  CHECK_EQ cross_fetch_fault_sepc, t5, t0
  CHECK_TRAP cross_fetch_fault, s_trap, CAUSE_FETCH_PAGE, V4(T_XB)
  /* misaligned data across pages: a misaligned exception at the address, or a page fault
   * at the first byte of the faulting part (the second page) */
  li t0, V4(T_MA) + 0xffc
  li s9, CAUSE_LOAD_PAGE
  li s10, V4(T_MB)
  li s11, CAUSE_MISALIGNED_LOAD
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  ld t1, 0(t0)
1:
  li tp, 0
  call cross_verdict
  CHECK cross_load_2nd_invalid_ok, a0, 1
  CLEAR_TRAPS
  li t0, V4(T_MC) + 0xffa
  li s9, CAUSE_STORE_PAGE
  li s10, V4(T_MD)
  li s11, CAUSE_MISALIGNED_STORE
  li t1, -1
  EXPECT_TRAP 1f
  sd t1, 0(t0)
1:
  li tp, 0
  call cross_verdict
  CHECK cross_store_2nd_readonly_ok, a0, 1
  CLEAR_TRAPS
  la t0, pg_data             /* the faulting store changed nothing in the first page */
  li t1, 0xff8
  add t0, t0, t1
  ld t1, 0(t0)
  CHECK cross_store_first_page_untouched, t1, DVAL(511)
  li t0, V4(T_MC) + 0xffc    /* both pages readable: the load may succeed */
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  ld t1, 0(t0)
1:
  li tp, 0
  LDREC t5, s_trap, TR_CAUSE
  li t6, NO_TRAP
  li t2, ((DVAL(511) >> 32) & 0xffffffff) | ((EVAL(0) & 0xffffffff) << 32)
  sub t3, t1, t2
  seqz t3, t3
  sub t4, t5, t6
  seqz t4, t4
  and t3, t3, t4             /* loaded the right bytes, or ... */
  li t6, CAUSE_MISALIGNED_LOAD
  sub t4, t5, t6
  seqz t4, t4
  or t3, t3, t4              /* ... raised load-address-misaligned */
  CHECK cross_load_both_valid_ok, t3, 1
  CLEAR_TRAPS
  RETURN_TO_M

  /* ------------------------------------------------------------ M-mode views */
  SECTION not_delegated
  csrw medeleg, zero
  ENTER_MODE PRV_S
  li s2, V4(T_INVAL) + 0x80
  EXPECT_TRAP 1f
  ld t1, 0(s2)
1:
  li tp, 0
  RETURN_TO_M
  LDREC t5, s_trap, TR_CAUSE
  CHECK m_fault_not_in_s, t5, NO_TRAP
  CHECK_TRAP_FROM m_load_fault, m_trap, CAUSE_LOAD_PAGE, V4(T_INVAL) + 0x80, PRV_S
  ENTER_MODE PRV_S
  li s2, V4(T_RONLY) + 0x180
  EXPECT_TRAP 1f
  sd t1, 0(s2)
1:
  li tp, 0
  RETURN_TO_M
  CHECK_TRAP_FROM m_store_fault, m_trap, CAUSE_STORE_PAGE, V4(T_RONLY) + 0x180, PRV_S

  SECTION mprv
  li t0, V4(T_RW)            /* M is never translated itself */
  EXPECT_TRAP 1f
  ld t1, 0(t0)
1:
  li tp, 0
  LDREC t5, m_trap, TR_CAUSE
  SIG m_untranslated_cause, t5  /* PA 0x80200000: RAM or not, but never a page fault */
  li t6, CAUSE_LOAD_PAGE
  sub t5, t5, t6
  snez t5, t5
  CHECK m_untranslated_no_page_fault, t5, 1
  CLEAR_TRAPS
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, (PRV_S << 11)
  csrs mstatus, t0
  li t0, MSTATUS_MPRV
  li t2, V4(T_RW) + 0x88
  csrs mstatus, t0
  ld t1, 0(t2)               /* translated as S */
  csrc mstatus, t0
  CHECK mprv_s_load, t1, DVAL(17)
  li t0, MSTATUS_MPP
  csrc mstatus, t0           /* MPP = U */
  li t0, MSTATUS_MPRV
  li t2, V4(T_RW) + 0x90
  EXPECT_TRAP 1f
  csrs mstatus, t0
  ld t1, 0(t2)               /* U may not read an S page: page fault taken in M */
1:
  li tp, 0
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK_TRAP mprv_u_load_s_page, m_trap, CAUSE_LOAD_PAGE, V4(T_RW) + 0x90
  li t0, MSTATUS_MPP          /* MPRV with MPP=S honours SUM and MXR */
  csrc mstatus, t0
  li t0, (PRV_S << 11)
  csrs mstatus, t0
  li t0, MSTATUS_MPRV
  li t2, V4(T_URW) + 0x98
  EXPECT_TRAP 1f
  csrs mstatus, t0
  ld t1, 0(t2)
1:
  li tp, 0
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK_TRAP mprv_s_upage_sum0, m_trap, CAUSE_LOAD_PAGE, V4(T_URW) + 0x98
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, (PRV_S << 11)
  csrs mstatus, t0
  li t0, MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR
  li t2, V4(T_URW) + 0x98
  li t3, V4(T_XONLY)
  csrs mstatus, t0
  ld t1, 0(t2)
  lwu t4, 0(t3)
  csrc mstatus, t0
  CHECK mprv_s_upage_sum1, t1, DVAL(19)
  la t3, pg_code
  lwu t3, 0(t3)
  CHECK_EQ mprv_s_xonly_mxr1, t4, t3
  LDREC t5, m_trap, TR_CAUSE
  CHECK mprv_sum1_mxr1_no_trap, t5, NO_TRAP

  /* ------------------------------------------------------------ U-mode */
  SECTION u_mode
  li t0, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
  csrw medeleg, t0
  li t0, MSTATUS_SUM | MSTATUS_MXR
  csrs mstatus, t0           /* neither lets U touch S pages */
  ENTER_U_ALIAS
  lla t0, 1f                 /* U runs through the U gigapage alias */
1:
  lla t1, u_log + 31 * 32
  sd t0, 0(t1)
  U_DO 0, V4(T_RW) + 0x98, 0, ld t1, 0(t0)
  U_DO 1, V4(T_RW) + 0x198, 0, sd t1, 0(t0)
  U_DO 2, V4(T_SRX), 0, jalr t1, 0(t0)
  U_DO 3, V4(T_URW) + 0xa0, 0, ld t1, 0(t0)
  U_DO 4, V4(T_URW) + 0x1a0, 0x5555, sd t1, 0(t0)
  U_DO 5, V4(T_URO) + 0xa8, 0, ld t1, 0(t0)
  U_DO 6, V4(T_URO) + 0x1a8, 0, sd t1, 0(t0)
  U_DO 7, V4(T_URX), 0, jalr ra, 0(t0)
  U_DO 8, V4(T_XONLY), 0, lw t1, 0(t0)
  U_DO 9, VA_NONCANON1 + 0xb0, 0, ld t1, 0(t0)
  U_DO 10, V4(T_INVAL) + 0x1b0, 0, sd t1, 0(t0)
  U_DO 11, V4(T_UXO), 0, lwu t1, 0(t0)
  U_DO 12, V4(T_UXO) + 0x1b8, 0, sd t1, 0(t0)
  U_DO 13, V4(T_UXO), 0, jalr ra, 0(t0)
  U_RETURN_TO_M
  li t0, MSTATUS_SUM | MSTATUS_MXR
  csrc mstatus, t0
  lla t3, u_log + 31 * 32
  ld t5, 0(t3)
  la t6, 1b
  li t4, USER_OFF
  add t6, t6, t4
  CHECK_EQ u_pc_alias, t5, t6
  U_FAULTED u_load_spage, 0, CAUSE_LOAD_PAGE, V4(T_RW) + 0x98
  U_FAULTED u_store_spage, 1, CAUSE_STORE_PAGE, V4(T_RW) + 0x198
  U_FAULTED u_fetch_spage, 2, CAUSE_FETCH_PAGE, V4(T_SRX)
  U_OK u_load_upage, 3, DVAL(20)
  U_OK u_store_upage, 4, 0x5555
  la t0, pg_data
  ld t1, 0x1a0(t0)
  CHECK u_store_upage_reached_page, t1, 0x5555
  U_OK u_load_upage_ro, 5, DVAL(21)
  U_FAULTED u_store_upage_ro, 6, CAUSE_STORE_PAGE, V4(T_URO) + 0x1a8
  U_OK u_fetch_upage, 7, CODE1
  U_FAULTED u_load_s_xonly_mxr1, 8, CAUSE_LOAD_PAGE, V4(T_XONLY)
  U_FAULTED u_noncanonical_load, 9, CAUSE_LOAD_PAGE, VA_NONCANON1 + 0xb0
  U_FAULTED u_invalid_store, 10, CAUSE_STORE_PAGE, V4(T_INVAL) + 0x1b0
  la t0, pg_code
  lwu t0, 0(t0)
  lla t3, u_log + 11 * 32
  ld t5, 0(t3)
  CHECK u_load_uxonly_mxr1_no_trap, t5, NO_TRAP
  ld t5, 16(t3)
  CHECK_EQ u_load_uxonly_mxr1, t5, t0
  U_FAULTED u_store_uxonly, 12, CAUSE_STORE_PAGE, V4(T_UXO) + 0x1b8
  U_OK u_fetch_uxonly, 13, CODE1

  /* ------------------------------------------------------------ bare */
  SECTION satp_bare
  csrw satp, zero
  ENTER_MODE PRV_S
  la t0, pg_data             /* physical address, untranslated */
  addi t0, t0, 0xb8
  li t2, DVAL(23)
  S_OK bare_s_load, ld t1, 0(t0)
  CLEAR_TRAPS
  li s2, PA_UNMAPPED + 0xc0  /* a page fault in Sv39, an access fault when bare */
  EXPECT_TRAP 1f
  ld t1, 0(s2)
1:
  li tp, 0
  RETURN_TO_M
  LDREC t5, s_trap, TR_CAUSE
  CHECK bare_no_page_fault, t5, NO_TRAP
  CHECK_TRAP_FROM bare_access_fault, m_trap, CAUSE_LOAD_ACCESS, PA_UNMAPPED + 0xc0, PRV_S

  csrw medeleg, zero
  ld ra, 0(sp)
  addi sp, sp, 16
  ret

/* After a misaligned access at t0 crossing into the next page: a0 = 1 if the S trap record
 * holds (s9 = page fault cause, tval = s10 = second page) or (s11 = misaligned cause,
 * tval = t0). Also prints an informational line. Clobbers t5, t6, a0. */
cross_verdict:
  addi sp, sp, -16
  sd ra, 0(sp)
  LDREC t5, s_trap, TR_CAUSE
  LDREC t6, s_trap, TR_TVAL
  la a0, str_cross
  call _puts
  mv a0, t5
  call _puthex
  li a0, ' '
  call _putc
  mv a0, t6
  call _puthex
  li a0, '\n'
  call _putc
  bne t5, s9, 1f
  sub a0, t6, s10
  seqz a0, a0
  j 2f
1:
  li a0, 0
  bne t5, s11, 2f
  sub a0, t6, t0
  seqz a0, a0
2:
  ld ra, 0(sp)
  addi sp, sp, 16
  ret

/* ---------------------------------------------------------------- code pages */
  .balign 4096
pg_code:                     /* mapped X-only, RX, U ...: sets t1 and returns */
  addi t1, zero, CODE1
  ret
  .balign 4096
pg_code2:
  addi t1, zero, CODE2
  ret
  .balign 4096
pg_code3:                    /* rewritten at run time */
  addi t1, zero, 0x111
  ret
  .balign 4096
pg_cross_a:                  /* addi t1, zero, CODE3 split over two pages, then ret */
  .fill 4094, 1, 0
  .half 0x0313               /* addi t1, zero, imm: imm (bits 31:20) is in the high half */
pg_cross_b:
  .half (CODE3 << 4)
  .half 0x8067, 0x0000
  .balign 4096

  .section .rodata
str_ad_hw:    .asciz "info: A/D set by hardware: "
str_ad_fault: .asciz "info: A/D by page fault: "
str_asid:     .asciz "info: satp.ASID after writing all ones = "
str_cross:    .asciz "info: misaligned access across pages: cause, tval = "

  .data
  .balign 4096
root_pt: .fill 512, 8, 0
l1_img:  .fill 512, 8, 0
l0_test: .fill 512, 8, 0
root2_pt: .fill 512, 8, 0
pg_data:
  .set i, 0
  .rept 512
  .dword DVAL(i)
  .set i, i + 1
  .endr
pg_data2:
  .set i, 0
  .rept 512
  .dword EVAL(i)
  .set i, i + 1
  .endr
u_log: .fill 32 * 4, 8, 0
ad_scheme: .dword -1
