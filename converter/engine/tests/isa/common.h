/* Shared definitions and macros for the bare-metal ISA tests (included by every .S).
 *
 * Conventions (see README.md):
 *  - tp  : resume address for an expected trap. Before an instruction that must trap,
 *          `EXPECT_TRAP label` puts the address to continue at in tp; the trap handler
 *          records cause/tval/epc/previous mode, clears tp and resumes there (same mode).
 *          A trap with tp == 0 is unexpected: the program prints it and fails (code 255).
 *  - CHECK / SIG print one signature line "name=<16 hex digits>"; CHECK also compares
 *    against the spec answer and counts a failure. They preserve every register.
 *  - The program exits through the SiFive test finisher: 0x5555 on success, otherwise
 *    (n<<16)|0x3333 where n is the number of the first failing check (max 254).
 */
#ifndef ISA_COMMON_H
#define ISA_COMMON_H

#define UART_BASE      0x10000000
#define FINISHER_BASE  0x100000
#define CLINT_BASE     0x2000000
#define CLINT_MSIP     0x2000000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8

#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_UBE   (1 << 6)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_XS    (3 << 15)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15
#define INTR                   0x8000000000000000
#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7

#define MODE_MAGIC 0x4d4d   /* a7 value of the "return to a more privileged mode" ecall */

/* Trap record layout (m_trap / s_trap in crt.S) */
#define TR_CAUSE 0
#define TR_TVAL  8
#define TR_EPC   16
#define TR_PREV  24
#define TR_COUNT 32
#define TR_STATUS 40  /* mstatus/sstatus as seen by the handler */
#define NO_TRAP  0xdeadbeef   /* cause sentinel when no trap was recorded */

#ifdef __ASSEMBLER__

.option norvc   /* only rvc.S turns compressed encodings on, where it tests them */

/* Signature line with a spec-checked value. */
.macro CHECK name:req, reg:req, exp:req
  addi sp, sp, -48
  sd a0, 0(sp); sd a1, 8(sp); sd a2, 16(sp); sd a3, 24(sp); sd ra, 32(sp)
  mv a0, \reg
  li a1, \exp
  la a2, .Lname\@
  li a3, 1
  call _check
  ld a0, 0(sp); ld a1, 8(sp); ld a2, 16(sp); ld a3, 24(sp); ld ra, 32(sp)
  addi sp, sp, 48
  .pushsection .rodata
.Lname\@: .asciz "\name"
  .popsection
.endm

/* Signature line only compared with QEMU (implementation-defined or untabulated value). */
.macro SIG name:req, reg:req
  addi sp, sp, -48
  sd a0, 0(sp); sd a1, 8(sp); sd a2, 16(sp); sd a3, 24(sp); sd ra, 32(sp)
  mv a0, \reg
  li a1, 0
  la a2, .Lname\@
  li a3, 0
  call _check
  ld a0, 0(sp); ld a1, 8(sp); ld a2, 16(sp); ld a3, 24(sp); ld ra, 32(sp)
  addi sp, sp, 48
  .pushsection .rodata
.Lname\@: .asciz "\name"
  .popsection
.endm

/* Compare two registers (expected computed at run time). */
.macro CHECK_EQ name:req, reg:req, expreg:req
  addi sp, sp, -48
  sd a0, 0(sp); sd a1, 8(sp); sd a2, 16(sp); sd a3, 24(sp); sd ra, 32(sp)
  mv a2, \reg
  mv a1, \expreg
  mv a0, a2
  la a2, .Lname\@
  li a3, 1
  call _check
  ld a0, 0(sp); ld a1, 8(sp); ld a2, 16(sp); ld a3, 24(sp); ld ra, 32(sp)
  addi sp, sp, 48
  .pushsection .rodata
.Lname\@: .asciz "\name"
  .popsection
.endm

/* Print a comment line ("# text") into the signature: section headers. */
.macro SECTION text:req
  addi sp, sp, -16
  sd a0, 0(sp); sd ra, 8(sp)
  la a0, .Lsec\@
  call _puts
  ld a0, 0(sp); ld ra, 8(sp)
  addi sp, sp, 16
  .pushsection .rodata
.Lsec\@: .asciz "# \text\n"
  .popsection
.endm

/* The next instruction must trap; continue at \resume. */
.macro EXPECT_TRAP resume:req
  la tp, \resume
.endm

/* Forget the last recorded trap (M and S records). */
.macro CLEAR_TRAPS
  addi sp, sp, -16
  sd ra, 0(sp)
  call _clear_traps
  ld ra, 0(sp)
  addi sp, sp, 16
.endm

/* Check the last trap taken into M-mode (\rec = m_trap) or S-mode (\rec = s_trap). */
.macro CHECK_TRAP name:req, rec:req, cause:req, tval:req
  addi sp, sp, -16
  sd t0, 0(sp); sd t1, 8(sp)
  la t1, \rec
  ld t0, TR_CAUSE(t1)
  CHECK \name\()_cause, t0, \cause
  ld t0, TR_TVAL(t1)
  CHECK \name\()_tval, t0, \tval
  ld t0, 0(sp); ld t1, 8(sp)
  addi sp, sp, 16
  CLEAR_TRAPS
.endm

/* Like CHECK_TRAP, also checking the privilege mode the trap came from. */
.macro CHECK_TRAP_FROM name:req, rec:req, cause:req, tval:req, prev:req
  addi sp, sp, -16
  sd t0, 0(sp); sd t1, 8(sp)
  la t1, \rec
  ld t0, TR_PREV(t1)
  CHECK \name\()_from, t0, \prev
  ld t0, 0(sp); ld t1, 8(sp)
  addi sp, sp, 16
  CHECK_TRAP \name, \rec, \cause, \tval
.endm

/* From M-mode, drop to mode \mode (PRV_S / PRV_U) and continue at the next instruction. */
.macro ENTER_MODE mode:req
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, (\mode << 11)
  csrs mstatus, t0
  la t0, .Lenter\@
  csrw mepc, t0
  mret
.Lenter\@:
.endm

/* From S-mode, drop to U-mode and continue at the next instruction. */
.macro S_ENTER_U
  li t0, MSTATUS_SPP
  csrc sstatus, t0
  la t0, .Lsenter\@
  csrw sepc, t0
  sret
.Lsenter\@:
.endm

/* From any mode, climb back to M-mode (clobbers a7). A U-mode ecall delegated to S
 * lands in S first; the S handler moves us to S and we ecall again. */
.macro RETURN_TO_M
.Lret\@:
  li a7, MODE_MAGIC
  ecall
  addi a7, a7, -PRV_M
  bnez a7, .Lret\@
.endm

#endif /* __ASSEMBLER__ */
#endif /* ISA_COMMON_H */
