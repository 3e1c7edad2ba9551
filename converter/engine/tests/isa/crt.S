/* Start-up, printing, checking, trap handlers and exit for the bare-metal ISA tests. */
#include "common.h"

  .section .text.init
  .globl _start
_start:
  la sp, _stack_top
  la t0, _mtrap_stack
  csrw mscratch, t0
  la t0, _strap_stack
  csrw sscratch, t0
  /* PMP: one NAPOT entry covering everything, RWX, so S/U may access memory.
   * Skipped (trap) if the hart has no PMP CSRs at all. */
  la t0, 1f
  csrw mtvec, t0
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  .align 2
1:
  la t0, _m_trap_entry
  csrw mtvec, t0
  la t0, _s_trap_entry
  csrw stvec, t0
  li t0, (1 << 13)          /* mstatus.FS = Initial */
  csrs mstatus, t0
  csrwi fcsr, 0
  call _clear_traps
  call test_main
  j _finish

/* ---------------------------------------------------------------- output */
  .text
  .globl _putc
_putc:                       /* a0 = byte; preserves all registers */
  addi sp, sp, -16
  sd t0, 0(sp)
  li t0, UART_BASE
  sb a0, 0(t0)
  ld t0, 0(sp)
  addi sp, sp, 16
  ret

  .globl _puts
_puts:                       /* a0 = NUL-terminated string; preserves all registers */
  addi sp, sp, -32
  sd a0, 0(sp); sd t0, 8(sp); sd t1, 16(sp); sd ra, 24(sp)
  mv t1, a0
1:
  lbu a0, 0(t1)
  beqz a0, 2f
  call _putc
  addi t1, t1, 1
  j 1b
2:
  ld a0, 0(sp); ld t0, 8(sp); ld t1, 16(sp); ld ra, 24(sp)
  addi sp, sp, 32
  ret

  .globl _puthex
_puthex:                     /* a0 = value, printed as 16 hex digits; preserves all */
  addi sp, sp, -48
  sd a0, 0(sp); sd t0, 8(sp); sd t1, 16(sp); sd t2, 24(sp); sd ra, 32(sp)
  mv t1, a0
  li t2, 60
1:
  srl a0, t1, t2
  andi a0, a0, 15
  addi a0, a0, '0'
  li t0, '9'
  ble a0, t0, 2f
  addi a0, a0, 'a' - '0' - 10
2:
  call _putc
  addi t2, t2, -4
  bgez t2, 1b
  ld a0, 0(sp); ld t0, 8(sp); ld t1, 16(sp); ld t2, 24(sp); ld ra, 32(sp)
  addi sp, sp, 48
  ret

/* a0 = value, a1 = expected, a2 = name, a3 = 1 if a1 must match. Preserves t*. */
  .globl _check
_check:
  addi sp, sp, -48
  sd t0, 0(sp); sd t1, 8(sp); sd ra, 16(sp); sd a0, 24(sp)
  la t1, check_index
  ld t0, 0(t1)
  addi t0, t0, 1
  sd t0, 0(t1)
  ld a0, 24(sp)
  mv t0, a0
  mv a0, a2
  call _puts
  li a0, '='
  call _putc
  mv a0, t0
  call _puthex
  beqz a3, 1f
  beq t0, a1, 1f
  la a0, str_fail
  call _puts
  mv a0, a1
  call _puthex
  la t1, fail_count
  ld t0, 0(t1)
  addi t0, t0, 1
  sd t0, 0(t1)
  la t1, first_fail
  ld t0, 0(t1)
  bnez t0, 1f
  la t0, check_index
  ld t0, 0(t0)
  sd t0, 0(t1)
1:
  li a0, '\n'
  call _putc
  ld t0, 0(sp); ld t1, 8(sp); ld ra, 16(sp); ld a0, 24(sp)
  addi sp, sp, 48
  ret

  .globl _clear_traps
_clear_traps:                /* preserves all registers */
  addi sp, sp, -16
  sd t0, 0(sp); sd t1, 8(sp)
  li t0, NO_TRAP
  la t1, m_trap
  sd t0, TR_CAUSE(t1)
  sd zero, TR_TVAL(t1)
  sd zero, TR_EPC(t1)
  sd zero, TR_PREV(t1)
  sd zero, TR_COUNT(t1)
  sd zero, TR_STATUS(t1)
  la t1, s_trap
  sd t0, TR_CAUSE(t1)
  sd zero, TR_TVAL(t1)
  sd zero, TR_EPC(t1)
  sd zero, TR_PREV(t1)
  sd zero, TR_COUNT(t1)
  sd zero, TR_STATUS(t1)
  ld t0, 0(sp); ld t1, 8(sp)
  addi sp, sp, 16
  ret

/* ---------------------------------------------------------------- exit */
  .globl _finish
_finish:
  la a0, str_checks
  call _puts
  la t0, check_index
  ld a0, 0(t0)
  call _puthex
  li a0, '\n'
  call _putc
  la t0, fail_count
  ld t0, 0(t0)
  bnez t0, 1f
  la a0, str_pass
  call _puts
  li t0, FINISHER_BASE
  li t1, 0x5555
  sw t1, 0(t0)
  j _hang
1:
  la a0, str_failed
  call _puts
  la t0, first_fail
  ld a0, 0(t0)
  call _puthex
  li a0, '\n'
  call _putc
  la t0, first_fail
  ld a0, 0(t0)
  li t1, 254
  bleu a0, t1, 2f
  mv a0, t1
2:
  slli a0, a0, 16
  li t1, 0x3333
  or a0, a0, t1
  li t0, FINISHER_BASE
  sw a0, 0(t0)
_hang:
  wfi
  j _hang

  .globl _fail_code         /* a0 = code (1..255): print and exit failing */
_fail_code:
  mv s0, a0
  la a0, str_abort
  call _puts
  mv a0, s0
  call _puthex
  li a0, '\n'
  call _putc
  slli a0, s0, 16
  li t1, 0x3333
  or a0, a0, t1
  li t0, FINISHER_BASE
  sw a0, 0(t0)
  j _hang

/* ---------------------------------------------------------------- traps */
#define FRAME 272
.macro SAVE_REGS
  sd x1, 1*8(sp)
  sd x3, 3*8(sp); sd x4, 4*8(sp); sd x5, 5*8(sp); sd x6, 6*8(sp); sd x7, 7*8(sp)
  sd x8, 8*8(sp); sd x9, 9*8(sp); sd x10, 10*8(sp); sd x11, 11*8(sp); sd x12, 12*8(sp)
  sd x13, 13*8(sp); sd x14, 14*8(sp); sd x15, 15*8(sp); sd x16, 16*8(sp); sd x17, 17*8(sp)
  sd x18, 18*8(sp); sd x19, 19*8(sp); sd x20, 20*8(sp); sd x21, 21*8(sp); sd x22, 22*8(sp)
  sd x23, 23*8(sp); sd x24, 24*8(sp); sd x25, 25*8(sp); sd x26, 26*8(sp); sd x27, 27*8(sp)
  sd x28, 28*8(sp); sd x29, 29*8(sp); sd x30, 30*8(sp); sd x31, 31*8(sp)
.endm
.macro RESTORE_REGS
  ld x1, 1*8(sp)
  ld x3, 3*8(sp); ld x4, 4*8(sp); ld x5, 5*8(sp); ld x6, 6*8(sp); ld x7, 7*8(sp)
  ld x8, 8*8(sp); ld x9, 9*8(sp); ld x10, 10*8(sp); ld x11, 11*8(sp); ld x12, 12*8(sp)
  ld x13, 13*8(sp); ld x14, 14*8(sp); ld x15, 15*8(sp); ld x16, 16*8(sp); ld x17, 17*8(sp)
  ld x18, 18*8(sp); ld x19, 19*8(sp); ld x20, 20*8(sp); ld x21, 21*8(sp); ld x22, 22*8(sp)
  ld x23, 23*8(sp); ld x24, 24*8(sp); ld x25, 25*8(sp); ld x26, 26*8(sp); ld x27, 27*8(sp)
  ld x28, 28*8(sp); ld x29, 29*8(sp); ld x30, 30*8(sp); ld x31, 31*8(sp)
.endm

  .align 6
  .globl _m_trap_entry
_m_trap_entry:
  csrrw sp, mscratch, sp
  addi sp, sp, -FRAME
  SAVE_REGS
  csrr t0, mscratch
  sd t0, 2*8(sp)
  csrr t0, mcause
  bltz t0, m_interrupt
  /* ecall with a7 == MODE_MAGIC: continue in M-mode after the ecall */
  li t1, CAUSE_ECALL_U
  bltu t0, t1, 1f
  li t1, CAUSE_ECALL_M
  bgtu t0, t1, 1f
  ld t1, 17*8(sp)
  li t2, MODE_MAGIC
  bne t1, t2, 1f
  li t1, MSTATUS_MPP
  csrs mstatus, t1
  csrr t1, mepc
  addi t1, t1, 4
  ld t2, 4*8(sp)             /* tp != 0: continue there instead (M address) */
  beqz t2, 2f
  mv t1, t2
  sd zero, 4*8(sp)
2:
  csrw mepc, t1
  li t1, PRV_M
  sd t1, 17*8(sp)
  j m_restore
1:
  la t1, m_trap
  sd t0, TR_CAUSE(t1)
  ld t2, TR_COUNT(t1)        /* log (cause, tval) of the first 8 traps */
  andi t2, t2, 7
  slli t2, t2, 4
  la t3, m_trap_log
  add t3, t3, t2
  sd t0, 0(t3)
  csrr t2, mtval
  sd t2, 8(t3)
  csrr t2, mtval
  sd t2, TR_TVAL(t1)
  csrr t2, mepc
  sd t2, TR_EPC(t1)
  csrr t2, mstatus
  sd t2, TR_STATUS(t1)
  srli t2, t2, 11
  andi t2, t2, 3
  sd t2, TR_PREV(t1)
  ld t2, TR_COUNT(t1)
  addi t2, t2, 1
  sd t2, TR_COUNT(t1)
  ld t2, 4*8(sp)             /* saved tp = resume address */
  beqz t2, m_unexpected
  csrw mepc, t2
  sd zero, 4*8(sp)
  j m_restore

m_interrupt:
  la t1, m_irq
  sd t0, TR_CAUSE(t1)
  csrr t2, mepc
  sd t2, TR_EPC(t1)
  csrr t2, mstatus
  sd t2, TR_STATUS(t1)
  ld t2, TR_COUNT(t1)
  andi t3, t2, 7             /* log of the first 8 interrupt causes */
  slli t3, t3, 3
  la t4, m_irq_log
  add t3, t3, t4
  sd t0, 0(t3)
  addi t2, t2, 1
  sd t2, TR_COUNT(t1)
  csrr t2, mstatus
  srli t2, t2, 11
  andi t2, t2, 3
  sd t2, TR_PREV(t1)
  slli t0, t0, 1
  srli t0, t0, 1
  li t1, IRQ_M_TIMER
  bne t0, t1, 2f
  li t1, CLINT_MTIMECMP
  li t2, -1
  sd t2, 0(t1)
  j m_restore
2:
  li t1, IRQ_M_SOFT
  bne t0, t1, 3f
  li t1, CLINT_MSIP
  sw zero, 0(t1)
  j m_restore
3:
  li t1, IRQ_S_SOFT
  bne t0, t1, 4f
  csrci mip, 2
  j m_restore
4:
  li t1, IRQ_S_TIMER
  bne t0, t1, m_unexpected
  li t1, 32
  csrc mip, t1
  j m_restore

m_restore:
  addi t0, sp, FRAME
  csrw mscratch, t0
  RESTORE_REGS
  ld sp, 2*8(sp)
  mret

m_unexpected:
  la a0, str_unexpected_m
  call _puts
  csrr a0, mcause
  call _puthex
  la a0, str_epc
  call _puts
  csrr a0, mepc
  call _puthex
  la a0, str_tval
  call _puts
  csrr a0, mtval
  call _puthex
  li a0, '\n'
  call _putc
  li a0, 255
  j _fail_code

  .align 6
  .globl _s_trap_entry
_s_trap_entry:
  csrrw sp, sscratch, sp
  addi sp, sp, -FRAME
  SAVE_REGS
  csrr t0, sscratch
  sd t0, 2*8(sp)
  csrr t0, scause
  bltz t0, s_interrupt
  li t1, CAUSE_ECALL_U
  bne t0, t1, 1f
  ld t1, 17*8(sp)
  li t2, MODE_MAGIC
  bne t1, t2, 1f
  li t1, MSTATUS_SPP
  csrs sstatus, t1
  csrr t1, sepc
  addi t1, t1, 4
  ld t2, 4*8(sp)
  beqz t2, 2f
  mv t1, t2
  sd zero, 4*8(sp)
2:
  csrw sepc, t1
  li t1, PRV_S
  sd t1, 17*8(sp)
  j s_restore
1:
  la t1, s_trap
  sd t0, TR_CAUSE(t1)
  ld t2, TR_COUNT(t1)        /* log (cause, tval) of the first 8 traps */
  andi t2, t2, 7
  slli t2, t2, 4
  la t3, s_trap_log
  add t3, t3, t2
  sd t0, 0(t3)
  csrr t2, stval
  sd t2, 8(t3)
  csrr t2, stval
  sd t2, TR_TVAL(t1)
  csrr t2, sepc
  sd t2, TR_EPC(t1)
  csrr t2, sstatus
  sd t2, TR_STATUS(t1)
  srli t2, t2, 8
  andi t2, t2, 1
  sd t2, TR_PREV(t1)
  ld t2, TR_COUNT(t1)
  addi t2, t2, 1
  sd t2, TR_COUNT(t1)
  ld t2, 4*8(sp)
  beqz t2, s_unexpected
  csrw sepc, t2
  sd zero, 4*8(sp)
  j s_restore

s_interrupt:
  la t1, s_irq
  sd t0, TR_CAUSE(t1)
  csrr t2, sepc
  sd t2, TR_EPC(t1)
  csrr t2, sstatus
  sd t2, TR_STATUS(t1)
  srli t2, t2, 8
  andi t2, t2, 1
  sd t2, TR_PREV(t1)
  ld t2, TR_COUNT(t1)
  addi t2, t2, 1
  sd t2, TR_COUNT(t1)
  slli t0, t0, 1
  srli t0, t0, 1
  li t1, IRQ_S_SOFT
  bne t0, t1, 2f
  csrci sip, 2
  j s_restore
2:
  li t1, IRQ_S_TIMER
  bne t0, t1, s_unexpected
  li t1, 32                  /* STIP is read-only in S: mask the source instead */
  csrc sie, t1
  j s_restore

s_restore:
  addi t0, sp, FRAME
  csrw sscratch, t0
  RESTORE_REGS
  ld sp, 2*8(sp)
  sret

s_unexpected:
  la a0, str_unexpected_s
  call _puts
  csrr a0, scause
  call _puthex
  la a0, str_epc
  call _puts
  csrr a0, sepc
  call _puthex
  la a0, str_tval
  call _puts
  csrr a0, stval
  call _puthex
  li a0, '\n'
  call _putc
  li a0, 255
  j _fail_code

/* ---------------------------------------------------------------- data */
  .data
  .align 3
  .globl check_index, fail_count, first_fail, m_trap, s_trap, m_irq, s_irq
check_index: .dword 0
fail_count:  .dword 0
first_fail:  .dword 0
  .globl m_irq_log
m_trap: .dword NO_TRAP, 0, 0, 0, 0, 0
s_trap: .dword NO_TRAP, 0, 0, 0, 0, 0
m_irq:  .dword NO_TRAP, 0, 0, 0, 0, 0
s_irq:  .dword NO_TRAP, 0, 0, 0, 0, 0
m_irq_log: .dword 0, 0, 0, 0, 0, 0, 0, 0
  .globl m_trap_log, s_trap_log
m_trap_log: .fill 16, 8, 0
s_trap_log: .fill 16, 8, 0

  .section .rodata
str_fail:         .asciz " FAIL expected="
str_checks:       .asciz "checks="
str_pass:         .asciz "PASS\n"
str_failed:       .asciz "FAILED first="
str_abort:        .asciz "ABORT code="
str_unexpected_m: .asciz "UNEXPECTED M-TRAP mcause="
str_unexpected_s: .asciz "UNEXPECTED S-TRAP scause="
str_epc:          .asciz " epc="
str_tval:         .asciz " tval="
