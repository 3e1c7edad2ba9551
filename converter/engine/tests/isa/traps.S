/* Traps and interrupts: ecall from U/S/M, illegal instruction (mtval), privileged-instruction
 * traps (mret/sret/wfi/CSR access by mode, TSR/TVM/TW), breakpoints, access faults,
 * medeleg/mideleg delegation to S, mret/sret and trap entry effects on MIE/MPIE/MPP and
 * SIE/SPIE/SPP (and MPRV), CLINT timer (mtimecmp) and software (msip) interrupts, WFI wake-up,
 * interrupt priority, M interrupts in S with MIE=0, delegated S software/timer interrupts.
 *
 * Not testable here: instruction-address-misaligned. With C, IALIGN=16 and jalr/branches
 * cannot produce an odd target, and misa.C is read-only on QEMU 7.2. */
#include "common.h"

#define UNMAPPED 0x2000000000     /* no memory or device at this physical address */
#define SPIN 2000000              /* bounded waits */

.macro LDREC reg, rec, field
  la \reg, \rec
  ld \reg, \field(\reg)
.endm
/* check that the recorded epc equals a label */
.macro CHECK_EPC name, rec, label
  LDREC t5, \rec, TR_EPC
  la t6, \label
  CHECK_EQ \name, t5, t6
.endm
/* check (recorded status & mask) */
.macro CHECK_STATUS name, rec, mask, exp
  LDREC t5, \rec, TR_STATUS
  li t6, \mask
  and t5, t5, t6
  CHECK \name, t5, \exp
.endm
.macro CLEAR_IRQ
  la t5, m_irq
  li t6, NO_TRAP
  sd t6, TR_CAUSE(t5)
  sd zero, TR_COUNT(t5)
  sd zero, TR_PREV(t5)
  la t5, s_irq
  sd t6, TR_CAUSE(t5)
  sd zero, TR_COUNT(t5)
  sd zero, TR_PREV(t5)
  la t5, m_irq_log
  sd zero, 0(t5)
  sd zero, 8(t5)
.endm
/* spin until \rec.count != 0, at most SPIN iterations */
.macro WAIT_IRQ rec
  li t5, SPIN
.Lw\@:
  LDREC t6, \rec, TR_COUNT
  bnez t6, .Ld\@
  addi t5, t5, -1
  bnez t5, .Lw\@
.Ld\@:
.endm
/* an illegal instruction in the current mode, check cause from any mode afterwards */
.macro TRY_ILLEGAL name, rec, insn:vararg
  EXPECT_TRAP .Lti\@
  \insn
.Lti\@:
  li tp, 0
  LDREC t5, \rec, TR_CAUSE
  CHECK \name, t5, CAUSE_ILLEGAL
  CLEAR_TRAPS
.endm

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)
  li a7, 0

  SECTION ecall
  CLEAR_TRAPS
  EXPECT_TRAP 1f
10:
  ecall
1:
  CHECK_EPC ecall_m_epc, m_trap, 10b
  CHECK_TRAP_FROM ecall_m, m_trap, CAUSE_ECALL_M, 0, PRV_M
  ENTER_MODE PRV_S
  li a7, 0
  EXPECT_TRAP 1f
11:
  ecall
1:
  RETURN_TO_M
  CHECK_EPC ecall_s_epc, m_trap, 11b
  CHECK_TRAP_FROM ecall_s, m_trap, CAUSE_ECALL_S, 0, PRV_S
  ENTER_MODE PRV_U
  li a7, 0
  EXPECT_TRAP 1f
12:
  ecall
1:
  RETURN_TO_M
  CHECK_EPC ecall_u_epc, m_trap, 12b
  CHECK_TRAP_FROM ecall_u, m_trap, CAUSE_ECALL_U, 0, PRV_U

  SECTION illegal
  EXPECT_TRAP 1f
13:
  .word 0x0000000b           /* custom-0 opcode: not implemented */
1:
  CHECK_EPC illegal_epc, m_trap, 13b
  LDREC t0, m_trap, TR_TVAL
  SIG illegal_tval, t0       /* 0 or the instruction bits; QEMU writes the bits */
  li t1, 0x0000000b
  sub t1, t0, t1
  seqz t1, t1
  seqz t0, t0
  or t0, t0, t1
  CHECK illegal_tval_ok, t0, 1
  CHECK_TRAP_FROM illegal_m, m_trap, CAUSE_ILLEGAL, 0x0000000b, PRV_M
  EXPECT_TRAP 1f
  .word 0xffffffff           /* reserved >=192-bit encoding space */
1:
  LDREC t0, m_trap, TR_CAUSE
  CHECK illegal_all_ones, t0, CAUSE_ILLEGAL
  CLEAR_TRAPS
  ENTER_MODE PRV_U
  TRY_ILLEGAL u_mret, m_trap, mret
  TRY_ILLEGAL u_sret, m_trap, sret
  TRY_ILLEGAL u_csr_sstatus, m_trap, csrr t0, sstatus
  TRY_ILLEGAL u_csr_mstatus, m_trap, csrr t0, mstatus
  TRY_ILLEGAL u_sfence, m_trap, sfence.vma
  RETURN_TO_M
  ENTER_MODE PRV_S
  TRY_ILLEGAL s_mret, m_trap, mret
  TRY_ILLEGAL s_csr_mstatus, m_trap, csrr t0, mstatus
  TRY_ILLEGAL s_csr_mscratch, m_trap, csrw mscratch, zero
  TRY_ILLEGAL s_csr_mip, m_trap, csrr t0, mip
  RETURN_TO_M
  li t0, MSTATUS_TSR | MSTATUS_TVM | MSTATUS_TW
  csrs mstatus, t0
  ENTER_MODE PRV_S
  TRY_ILLEGAL s_sret_tsr, m_trap, sret
  TRY_ILLEGAL s_sfence_tvm, m_trap, sfence.vma
  TRY_ILLEGAL s_satp_tvm, m_trap, csrr t0, satp
  TRY_ILLEGAL s_wfi_tw, m_trap, wfi
  RETURN_TO_M
  li t0, MSTATUS_TSR | MSTATUS_TVM | MSTATUS_TW
  csrc mstatus, t0
  ENTER_MODE PRV_S
  /* allowed again */
  csrr t0, satp
  sfence.vma
  RETURN_TO_M
  LDREC t0, m_trap, TR_CAUSE
  CHECK s_satp_sfence_allowed, t0, NO_TRAP

  SECTION breakpoint
  EXPECT_TRAP 1f
14:
  ebreak
1:
  CHECK_EPC ebreak_m_epc, m_trap, 14b
  LDREC t0, m_trap, TR_CAUSE
  CHECK ebreak_m_cause, t0, CAUSE_BREAKPOINT
  LDREC t0, m_trap, TR_TVAL  /* 0 or the pc */
  la t1, 14b
  sub t1, t0, t1
  seqz t1, t1
  seqz t0, t0
  or t0, t0, t1
  CHECK ebreak_m_tval_ok, t0, 1
  CLEAR_TRAPS
  ENTER_MODE PRV_U
  EXPECT_TRAP 1f
15:
  ebreak
1:
  RETURN_TO_M
  CHECK_EPC ebreak_u_epc, m_trap, 15b
  LDREC t0, m_trap, TR_CAUSE
  CHECK ebreak_u_cause, t0, CAUSE_BREAKPOINT
  LDREC t0, m_trap, TR_PREV
  CHECK ebreak_u_from, t0, PRV_U
  CLEAR_TRAPS

  SECTION access_fault
  li t0, UNMAPPED
  EXPECT_TRAP 1f
  ld t1, 0(t0)
1:
  CHECK_TRAP load_access, m_trap, CAUSE_LOAD_ACCESS, UNMAPPED
  li t0, UNMAPPED + 8
  EXPECT_TRAP 1f
  sw t1, 0(t0)
1:
  CHECK_TRAP store_access, m_trap, CAUSE_STORE_ACCESS, UNMAPPED + 8
  li t0, UNMAPPED + 0x100
  EXPECT_TRAP 1f
  jalr t0
1:
  LDREC t1, m_trap, TR_EPC
  CHECK fetch_access_epc, t1, UNMAPPED + 0x100
  CHECK_TRAP fetch_access, m_trap, CAUSE_FETCH_ACCESS, UNMAPPED + 0x100
  li t0, UNMAPPED
  EXPECT_TRAP 1f
  amoadd.w t1, t1, (t0)
1:
  CHECK_TRAP amo_access, m_trap, CAUSE_STORE_ACCESS, UNMAPPED

  SECTION delegation
  li t0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT)
  csrw medeleg, t0
  ENTER_MODE PRV_U
  li a7, 0
  EXPECT_TRAP 1f
16:
  ecall
1:
  CHECK_EPC deleg_ecall_u_sepc, s_trap, 16b
  CHECK_STATUS deleg_ecall_u_spp, s_trap, MSTATUS_SPP, 0
  LDREC t0, m_trap, TR_CAUSE
  CHECK deleg_ecall_u_not_in_m, t0, NO_TRAP
  CHECK_TRAP_FROM deleg_ecall_u, s_trap, CAUSE_ECALL_U, 0, PRV_U
  EXPECT_TRAP 1f
17:
  .word 0x0000000b
1:
  CHECK_EPC deleg_illegal_u_sepc, s_trap, 17b
  LDREC t0, s_trap, TR_TVAL
  SIG deleg_illegal_u_stval, t0
  CHECK_TRAP_FROM deleg_illegal_u, s_trap, CAUSE_ILLEGAL, 0x0000000b, PRV_U
  RETURN_TO_M                /* U ecall -> S (magic) -> S ecall -> M */
  ENTER_MODE PRV_S
  EXPECT_TRAP 1f
18:
  ebreak
1:
  LDREC t0, s_trap, TR_TVAL  /* 0 or the pc */
  la t1, 18b
  sub t1, t0, t1
  seqz t1, t1
  seqz t0, t0
  or t0, t0, t1
  CHECK deleg_ebreak_s_tval_ok, t0, 1
  LDREC t0, s_trap, TR_CAUSE
  CHECK deleg_ebreak_s_cause, t0, CAUSE_BREAKPOINT
  LDREC t0, s_trap, TR_PREV
  CHECK deleg_ebreak_s_from, t0, PRV_S
  CLEAR_TRAPS
  li a7, 0
  EXPECT_TRAP 1f
  ecall                      /* ecall from S is not delegated */
1:
  LDREC t0, s_trap, TR_CAUSE
  CHECK deleg_ecall_s_not_in_s, t0, NO_TRAP
  CHECK_TRAP_FROM deleg_ecall_s_in_m, m_trap, CAUSE_ECALL_S, 0, PRV_S
  RETURN_TO_M
  EXPECT_TRAP 1f
  .word 0x0000000b           /* traps taken in M stay in M whatever medeleg says */
1:
  LDREC t0, s_trap, TR_CAUSE
  CHECK deleg_m_not_in_s, t0, NO_TRAP
  CHECK_TRAP_FROM deleg_m_stays_m, m_trap, CAUSE_ILLEGAL, 0x0000000b, PRV_M
  csrw medeleg, zero

  SECTION xret_state
  /* mret M->M: MIE <- MPIE, MPIE <- 1, MPP <- U */
  li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
  csrc mstatus, t0
  li t0, MSTATUS_MPIE | MSTATUS_MPP
  csrs mstatus, t0
  la t0, 1f
  csrw mepc, t0
  mret
1:
  csrr t0, mstatus
  li t1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
  and t0, t0, t1
  CHECK mret_status, t0, MSTATUS_MIE | MSTATUS_MPIE
  /* trap entry M->M with MIE=1: MPIE <- 1, MIE <- 0, MPP <- M; mret restores MIE */
  li a7, 0
  EXPECT_TRAP 1f
  ecall
1:
  CHECK_STATUS trap_entry_m_status, m_trap, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP
  CLEAR_TRAPS
  csrr t0, mstatus
  andi t0, t0, MSTATUS_MIE
  CHECK mret_restores_mie, t0, MSTATUS_MIE
  csrci mstatus, MSTATUS_MIE
  /* trap entry M->M with MIE=0: MPIE <- 0 */
  li t0, MSTATUS_MPIE
  csrs mstatus, t0
  EXPECT_TRAP 1f
  ecall
1:
  CHECK_STATUS trap_entry_m_mie0, m_trap, MSTATUS_MIE | MSTATUS_MPIE, 0
  CLEAR_TRAPS
  /* sret M->S: SIE <- SPIE, SPIE <- 1, SPP <- U */
  li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  csrc mstatus, t0
  li t0, MSTATUS_SPIE | MSTATUS_SPP
  csrs mstatus, t0
  la t0, 1f
  csrw sepc, t0
  sret
1:
  csrr s2, sstatus           /* now in S */
  RETURN_TO_M
  li t1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  and s2, s2, t1
  CHECK sret_status, s2, MSTATUS_SIE | MSTATUS_SPIE
  /* trap entry into S from U with SIE=1: SPIE <- 1, SIE <- 0, SPP <- U */
  li t0, (1 << CAUSE_ECALL_U)
  csrw medeleg, t0
  csrsi mstatus, MSTATUS_SIE
  ENTER_MODE PRV_U
  li a7, 0
  EXPECT_TRAP 1f
  ecall
1:
  RETURN_TO_M
  CHECK_STATUS trap_entry_s_status, s_trap, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SPIE
  CLEAR_TRAPS
  /* trap entry into S from S: SPP <- S */
  ENTER_MODE PRV_S
  li t0, 0
  EXPECT_TRAP 1f
  csrw medeleg, t0           /* S cannot write medeleg: illegal, taken in M */
1:
  RETURN_TO_M
  LDREC t0, m_trap, TR_CAUSE
  CHECK s_write_medeleg_illegal, t0, CAUSE_ILLEGAL
  CLEAR_TRAPS
  csrw medeleg, zero
  csrci mstatus, MSTATUS_SIE
  /* mret to a mode below M clears MPRV */
  li t0, MSTATUS_MPRV
  csrs mstatus, t0
  ENTER_MODE PRV_U
  RETURN_TO_M
  csrr t0, mstatus
  li t1, MSTATUS_MPRV
  and t0, t0, t1
  CHECK mret_to_u_clears_mprv, t0, 0

  SECTION clint_pending_bits
  csrw mie, zero
  li t0, CLINT_MTIMECMP
  sd zero, 0(t0)             /* mtime >= 0: MTIP pending */
  csrr t1, mip
  srli t1, t1, IRQ_M_TIMER
  andi t1, t1, 1
  CHECK mtip_set, t1, 1
  li t2, -1
  sd t2, 0(t0)
  csrr t1, mip
  srli t1, t1, IRQ_M_TIMER
  andi t1, t1, 1
  CHECK mtip_clear, t1, 0
  li t0, CLINT_MSIP
  li t2, 1
  sw t2, 0(t0)
  csrr t1, mip
  srli t1, t1, IRQ_M_SOFT
  andi t1, t1, 1
  CHECK msip_set, t1, 1
  lw t1, 0(t0)
  CHECK msip_reg_read, t1, 1
  sw zero, 0(t0)
  csrr t1, mip
  srli t1, t1, IRQ_M_SOFT
  andi t1, t1, 1
  CHECK msip_clear, t1, 0
  li t0, CLINT_MTIME         /* mtime advances */
  ld t1, 0(t0)
  li t3, 100000
1:
  addi t3, t3, -1
  bnez t3, 1b
  ld t2, 0(t0)
  sltu t1, t1, t2
  CHECK mtime_advances, t1, 1
  li t0, CLINT_MTIMECMP      /* 32-bit halves of mtimecmp */
  li t2, -1
  sw t2, 0(t0)
  sw t2, 4(t0)
  sw zero, 4(t0)
  ld t1, 0(t0)
  CHECK mtimecmp_halves, t1, 0x00000000ffffffff
  li t2, -1
  sd t2, 0(t0)

  SECTION m_interrupts
  /* timer interrupt */
  CLEAR_IRQ
  li t0, 1 << IRQ_M_TIMER
  csrw mie, t0
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  addi t1, t1, 200
  li t0, CLINT_MTIMECMP
  sd t1, 0(t0)
  csrsi mstatus, MSTATUS_MIE
  WAIT_IRQ m_irq
  csrci mstatus, MSTATUS_MIE
  LDREC t0, m_irq, TR_COUNT
  CHECK mti_count, t0, 1
  LDREC t0, m_irq, TR_CAUSE
  CHECK mti_cause, t0, INTR | IRQ_M_TIMER
  LDREC t0, m_irq, TR_PREV
  CHECK mti_from, t0, PRV_M
  /* software interrupt */
  CLEAR_IRQ
  li t0, 1 << IRQ_M_SOFT
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  WAIT_IRQ m_irq
  csrci mstatus, MSTATUS_MIE
  LDREC t0, m_irq, TR_COUNT
  CHECK msi_count, t0, 1
  LDREC t0, m_irq, TR_CAUSE
  CHECK msi_cause, t0, INTR | IRQ_M_SOFT
  /* WFI wakes on a pending enabled interrupt even with MIE=0, without taking it */
  CLEAR_IRQ
  li t0, 1 << IRQ_M_TIMER
  csrw mie, t0
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  li t2, 10000               /* 1 ms at 10 MHz */
  add t1, t1, t2
  li t0, CLINT_MTIMECMP
  sd t1, 0(t0)
  li t3, 1000
1:
  wfi
  csrr t1, mip
  andi t1, t1, 1 << IRQ_M_TIMER
  bnez t1, 2f
  addi t3, t3, -1
  bnez t3, 1b
2:
  srli t1, t1, IRQ_M_TIMER
  CHECK wfi_wakes_mtip, t1, 1
  LDREC t0, m_irq, TR_COUNT
  CHECK wfi_mie0_not_taken, t0, 0
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  /* priority: MSI before MTI */
  CLEAR_IRQ
  li t0, (1 << IRQ_M_SOFT) | (1 << IRQ_M_TIMER)
  csrw mie, t0
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  li t0, CLINT_MTIMECMP
  sd zero, 0(t0)
  csrsi mstatus, MSTATUS_MIE
  li t5, SPIN
1:
  LDREC t6, m_irq, TR_COUNT
  addi t6, t6, -2
  beqz t6, 2f
  addi t5, t5, -1
  bnez t5, 1b
2:
  csrci mstatus, MSTATUS_MIE
  LDREC t0, m_irq, TR_COUNT
  CHECK prio_count, t0, 2
  la t1, m_irq_log
  ld t0, 0(t1)
  CHECK prio_first_msi, t0, INTR | IRQ_M_SOFT
  ld t0, 8(t1)
  CHECK prio_second_mti, t0, INTR | IRQ_M_TIMER
  /* M interrupt taken in S even with mstatus.MIE = 0 */
  CLEAR_IRQ
  li t0, 1 << IRQ_M_SOFT
  csrw mie, t0
  ENTER_MODE PRV_S
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  WAIT_IRQ m_irq
  RETURN_TO_M
  LDREC t0, m_irq, TR_CAUSE
  CHECK msi_in_s_cause, t0, INTR | IRQ_M_SOFT
  LDREC t0, m_irq, TR_PREV
  CHECK msi_in_s_from, t0, PRV_S
  /* not delegated S software interrupt goes to M when in S */
  CLEAR_IRQ
  li t0, 1 << IRQ_S_SOFT
  csrw mie, t0
  ENTER_MODE PRV_S
  csrsi sip, 2               /* not delegated: sip.SSIP not writable from S ... */
  RETURN_TO_M
  csrsi mip, 2               /* ... so M pends it; taken once we are in S */
  ENTER_MODE PRV_S
  WAIT_IRQ m_irq
  RETURN_TO_M
  LDREC t0, m_irq, TR_CAUSE
  CHECK ssi_not_delegated_to_m, t0, INTR | IRQ_S_SOFT
  csrw mie, zero

  SECTION s_interrupts
  /* delegated S software interrupt, raised by S itself */
  CLEAR_IRQ
  li t0, 1 << IRQ_S_SOFT
  csrw mideleg, t0
  csrw mie, t0
  csrsi mstatus, MSTATUS_SIE
  ENTER_MODE PRV_S
  csrsi sip, 2
  WAIT_IRQ s_irq
  RETURN_TO_M
  LDREC t0, s_irq, TR_CAUSE
  CHECK ssi_cause, t0, INTR | IRQ_S_SOFT
  LDREC t0, s_irq, TR_PREV
  CHECK ssi_from, t0, PRV_S
  LDREC t0, m_irq, TR_COUNT
  CHECK ssi_not_in_m, t0, 0
  /* with SIE=0 it stays pending in S, and is taken as soon as we drop to U */
  CLEAR_IRQ
  csrci mstatus, MSTATUS_SIE
  ENTER_MODE PRV_S
  csrsi sip, 2
  nop
  nop
  LDREC s2, s_irq, TR_COUNT
  S_ENTER_U
  WAIT_IRQ s_irq
  RETURN_TO_M
  CHECK ssi_sie0_pending_in_s, s2, 0
  LDREC t0, s_irq, TR_COUNT
  CHECK ssi_taken_in_u, t0, 1
  LDREC t0, s_irq, TR_PREV
  CHECK ssi_taken_in_u_from, t0, PRV_U
  /* delegated S timer interrupt from mip.STIP set by M */
  CLEAR_IRQ
  li t0, 1 << IRQ_S_TIMER
  csrw mideleg, t0
  csrw mie, t0
  csrsi mstatus, MSTATUS_SIE
  li t0, 1 << IRQ_S_TIMER
  csrs mip, t0               /* not taken in M: S interrupts never preempt M */
  nop
  LDREC s2, s_irq, TR_COUNT
  ENTER_MODE PRV_S
  WAIT_IRQ s_irq
  RETURN_TO_M
  CHECK sti_not_taken_in_m, s2, 0
  LDREC t0, s_irq, TR_CAUSE
  CHECK sti_cause, t0, INTR | IRQ_S_TIMER
  li t0, 1 << IRQ_S_TIMER
  csrc mip, t0
  csrw mie, zero
  csrw mideleg, zero
  csrci mstatus, MSTATUS_SIE

  ld ra, 0(sp)
  addi sp, sp, 16
  ret
