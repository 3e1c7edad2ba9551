/* Zicsr and machine/supervisor CSRs: csrrw/s/c (+i) semantics incl. x0 forms, misa, mhartid,
 * read-only CSR write traps, mscratch, mstatus/sstatus fields and views, mie/sie and mip/sip
 * views through mideleg, mepc alignment, satp WARL, counters cycle/time/instret and their
 * mcounteren/scounteren gating from S and U. */
#include "common.h"

/* run one CSR instruction that must raise illegal-instruction; check cause and mtval */
.macro ILLEGAL name, insn:vararg
  CLEAR_TRAPS
  EXPECT_TRAP .Lill\@
.Linsn\@:
  \insn
.Lill\@:
  li tp, 0
  la t5, m_trap
  ld t6, TR_CAUSE(t5)
  CHECK \name\()_cause, t6, CAUSE_ILLEGAL
  /* mtval: 0 or the instruction bits are both allowed; QEMU writes the bits */
  ld t6, TR_TVAL(t5)
  la t5, .Linsn\@
  lwu t5, 0(t5)
  sub t5, t6, t5
  seqz t5, t5
  seqz t6, t6
  or t6, t6, t5
  CHECK \name\()_tval_ok, t6, 1
  CLEAR_TRAPS
.endm
/* same but no trap expected */
.macro LEGAL name, insn:vararg
  CLEAR_TRAPS
  EXPECT_TRAP .Lleg\@
  \insn
.Lleg\@:
  li tp, 0
  la t5, m_trap
  ld t6, TR_CAUSE(t5)
  CHECK \name\()_no_trap, t6, NO_TRAP
  CLEAR_TRAPS
.endm

  .text
  .globl test_main
test_main:
  addi sp, sp, -16
  sd ra, 0(sp)

  SECTION identity
  csrr t0, misa
  SIG misa, t0
  srli t1, t0, 62
  CHECK misa_mxl64, t1, 2
  li t1, (1<<0)|(1<<2)|(1<<3)|(1<<5)|(1<<8)|(1<<12)|(1<<18)|(1<<20)   /* A C D F I M S U */
  and t2, t0, t1
  CHECK_EQ misa_imafdcsu, t2, t1
  csrr t0, mhartid
  CHECK mhartid, t0, 0
  csrr t0, mvendorid
  SIG mvendorid, t0
  csrr t0, marchid
  csrr t0, mimpid

  SECTION csr_ops
  csrr s0, mscratch          /* the trap handler's stack: restored below, no traps meanwhile */
  li t0, 0x1234
  csrw mscratch, t0
  li t1, 0x00f0
  csrrs t2, mscratch, t1
  CHECK csrrs_old, t2, 0x1234
  csrr t2, mscratch
  CHECK csrrs_new, t2, 0x12f4
  li t1, 0x1004
  csrrc t2, mscratch, t1
  CHECK csrrc_old, t2, 0x12f4
  csrr t2, mscratch
  CHECK csrrc_new, t2, 0x02f0
  li t1, -1
  csrrw t2, mscratch, t1
  CHECK csrrw_old, t2, 0x02f0
  csrr t2, mscratch
  CHECK csrrw_full64, t2, 0xffffffffffffffff
  csrrwi t2, mscratch, 0x1f
  CHECK csrrwi_old, t2, 0xffffffffffffffff
  csrrsi t2, mscratch, 0x0
  CHECK csrrsi_zero_read, t2, 0x1f
  csrrci t2, mscratch, 0x3
  CHECK csrrci_old, t2, 0x1f
  csrrsi t2, mscratch, 0x10
  CHECK csrrsi_old, t2, 0x1c
  csrr t2, mscratch
  CHECK csrrsi_new, t2, 0x1c
  csrrw zero, mscratch, t1   /* rd = x0: write only */
  csrr t2, mscratch
  CHECK csrrw_rd_x0, t2, 0xffffffffffffffff
  li t2, 5
  csrrw t2, mscratch, t2     /* rd == rs1: old value out, register value in */
  CHECK csrrw_rd_eq_rs1_old, t2, 0xffffffffffffffff
  csrr t2, mscratch
  CHECK csrrw_rd_eq_rs1_new, t2, 5
  csrw mscratch, s0
  li t0, 0x777
  csrw sscratch, t0
  csrr t2, sscratch
  CHECK sscratch, t2, 0x777
  la t0, _strap_stack
  csrw sscratch, t0

  SECTION read_only_csrs
  /* set/clear with x0 (or uimm 0) do not write: legal on read-only CSRs */
  LEGAL csrrs_x0_mhartid, csrrs t0, mhartid, x0
  LEGAL csrrc_x0_mvendorid, csrrc t0, mvendorid, x0
  LEGAL csrrsi_0_marchid, csrrsi t0, marchid, 0
  LEGAL csrrci_0_cycle, csrrci t0, cycle, 0
  LEGAL csrrs_x0_time, csrrs t0, time, x0
  li t1, 0
  ILLEGAL csrrs_zero_reg_mhartid, csrrs t0, mhartid, t1   /* rs1 != x0: a write even if 0 */
  ILLEGAL csrrw_mhartid, csrrw t0, mhartid, x0
  ILLEGAL csrw_mvendorid, csrw mvendorid, t1
  ILLEGAL csrrsi_1_mimpid, csrrsi t0, mimpid, 1
  ILLEGAL csrw_cycle, csrw cycle, t1
  ILLEGAL csrw_time, csrw time, t1
  ILLEGAL csrw_instret, csrrwi t0, instret, 0
  ILLEGAL csr_unknown_7ff, csrr t0, 0x7ff
  ILLEGAL csr_unknown_5c0, csrr t0, 0x5c0
  ILLEGAL csr_hypervisor_600, csrr t0, 0x600

  SECTION mstatus
  csrr s0, mstatus
  srli t0, s0, 32
  andi t0, t0, 0xf
  CHECK mstatus_sxl_uxl, t0, 0xa
  li t0, MSTATUS_MPP
  csrs mstatus, t0
  csrr t2, mstatus
  and t2, t2, t0
  CHECK mpp_m, t2, MSTATUS_MPP
  li t1, (1 << 11)
  csrc mstatus, t0
  csrs mstatus, t1
  csrr t2, mstatus
  and t2, t2, t0
  CHECK mpp_s, t2, (1 << 11)
  csrc mstatus, t0
  li t1, (2 << 11)           /* reserved mode: WARL, must read back as a supported mode */
  csrs mstatus, t1
  csrr t2, mstatus
  and t2, t2, t0
  xor t2, t2, t1
  snez t2, t2
  CHECK mpp_reserved_2_not_kept, t2, 1
  csrc mstatus, t0
  li t0, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPRV | MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_MPIE
  csrs mstatus, t0
  csrr t2, mstatus
  and t2, t2, t0
  CHECK_EQ mstatus_rw_bits, t2, t0
  csrc mstatus, t0
  csrr t2, mstatus
  and t2, t2, t0
  CHECK mstatus_rw_cleared, t2, 0
  /* sstatus is a view: it hides MPP/MPIE/MIE/TVM/..., shares SIE/SPIE/SPP/SUM/MXR/FS */
  li t0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_TSR | MSTATUS_SPP | MSTATUS_SUM
  csrs mstatus, t0
  csrr t2, sstatus
  li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_TSR
  and t3, t2, t1
  CHECK sstatus_hides_m_fields, t3, 0
  li t1, MSTATUS_SPP | MSTATUS_SUM
  and t3, t2, t1
  CHECK sstatus_shows_s_fields, t3, MSTATUS_SPP | MSTATUS_SUM
  srli t3, t2, 32
  andi t3, t3, 3
  CHECK sstatus_uxl, t3, 2
  li t1, -1
  csrc sstatus, t1           /* clears only the S-visible bits */
  csrr t2, mstatus
  li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_TSR
  and t3, t2, t1
  CHECK sstatus_clear_keeps_m_fields, t3, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_TSR
  li t1, MSTATUS_SPP | MSTATUS_SUM | MSTATUS_FS
  and t3, t2, t1
  CHECK sstatus_clear_clears_s_fields, t3, 0
  csrw mstatus, s0

  SECTION interrupt_csrs
  csrw mideleg, zero
  li t0, 0xaaa               /* SSIE STIE SEIE MSIE MTIE MEIE */
  csrw mie, t0
  csrr t2, mie
  CHECK mie_rw, t2, 0xaaa
  csrr t2, sie
  SIG sie_not_delegated, t2
  li t0, 0x222
  csrw mideleg, t0
  csrr t2, mideleg
  CHECK mideleg_s_bits, t2, 0x222
  csrr t2, sie
  CHECK sie_delegated_view, t2, 0x222
  csrw sie, zero
  csrr t2, mie
  CHECK sie_write_through, t2, 0x888
  csrw mie, zero
  li t0, -1
  csrw mideleg, t0
  csrr t2, mideleg
  andi t2, t2, 0x222
  CHECK mideleg_s_interrupts_delegable, t2, 0x222
  csrw mideleg, zero
  li t0, -1
  csrw medeleg, t0
  csrr t2, medeleg
  li t1, (1<<0)|(1<<3)|(1<<8)|(1<<12)|(1<<13)|(1<<15)   /* what Linux delegates */
  and t2, t2, t1
  CHECK_EQ medeleg_linux_bits, t2, t1
  csrw medeleg, zero
  /* mip: SSIP and STIP are writable from M; SSIP visible in sip when delegated */
  li t0, 2
  csrs mip, t0
  csrr t2, mip
  andi t2, t2, 0x22
  CHECK mip_ssip_set, t2, 2
  li t0, 0x222
  csrw mideleg, t0
  csrr t2, sip
  andi t2, t2, 0x222
  CHECK sip_ssip_view, t2, 2
  csrci sip, 2               /* SSIP writable through sip */
  csrr t2, mip
  andi t2, t2, 2
  CHECK sip_ssip_clear, t2, 0
  li t0, 32
  csrs mip, t0
  csrr t2, sip
  andi t2, t2, 0x20
  CHECK sip_stip_view, t2, 0x20
  csrc sip, t0               /* STIP read-only in sip */
  csrr t2, mip
  andi t2, t2, 0x20
  CHECK sip_stip_readonly, t2, 0x20
  csrc mip, t0
  csrw mideleg, zero

  SECTION trap_csrs
  csrr s0, mtvec
  li t0, 0x80001001          /* vectored mode */
  csrw mtvec, t0
  csrr t2, mtvec
  CHECK mtvec_vectored, t2, 0x80001001
  li t0, 0x80001002          /* reserved mode: WARL */
  csrw mtvec, t0
  csrr t2, mtvec
  andi t2, t2, 3
  sltiu t2, t2, 2
  CHECK mtvec_mode2_not_kept, t2, 1
  csrw mtvec, s0
  csrr s0, mepc
  li t0, 0x80001237
  csrw mepc, t0
  csrr t2, mepc
  CHECK mepc_bit0_clear, t2, 0x80001236
  csrw mepc, s0
  li t0, 0x80001237
  csrw sepc, t0
  csrr t2, sepc
  CHECK sepc_bit0_clear, t2, 0x80001236
  li t0, 0x8000000000000005
  csrw mcause, t0
  csrr t2, mcause
  CHECK mcause_rw, t2, 0x8000000000000005
  li t0, 0x123456789
  csrw mtval, t0
  csrr t2, mtval
  CHECK mtval_rw, t2, 0x123456789
  csrw stval, t0
  csrr t2, stval
  CHECK stval_rw, t2, 0x123456789
  li t0, 0xd
  csrw scause, t0
  csrr t2, scause
  CHECK scause_rw, t2, 0xd

  SECTION satp
  csrw satp, zero
  li t0, (5 << 60) | 0x1234  /* reserved mode: the whole write is ignored */
  csrw satp, t0
  csrr t2, satp
  CHECK satp_mode5_ignored, t2, 0
  li t0, (8 << 60) | (0xffff << 44) | 0x80123  /* Sv39, ASID all ones, PPN */
  csrw satp, t0
  csrr t2, satp
  srli t3, t2, 60
  CHECK satp_sv39_mode, t3, 8
  li t3, 0xfffffffffff
  and t3, t2, t3
  CHECK satp_ppn, t3, 0x80123
  csrw satp, zero
  li t0, (9 << 60)           /* Sv48: either supported (kept) or the write is ignored */
  csrw satp, t0
  csrr t2, satp
  srli t2, t2, 60
  addi t2, t2, -9
  seqz t2, t2
  csrr t3, satp
  seqz t3, t3
  or t2, t2, t3
  CHECK satp_sv48_kept_or_ignored, t2, 1
  csrw satp, zero

  SECTION counters
  rdcycle t0
  rdcycle t1
  sltu t2, t0, t1
  CHECK cycle_increases, t2, 1
  rdinstret t0
  nop
  nop
  rdinstret t1
  sltu t2, t0, t1
  CHECK instret_increases, t2, 1
  rdtime t0
  li t3, CLINT_MTIME
  ld t1, 0(t3)
  rdtime t2
  sltu t4, t1, t0
  CHECK time_le_mtime, t4, 0
  sltu t4, t2, t1
  CHECK mtime_le_time, t4, 0
  li t3, 1000000
  sub t4, t2, t0
  sltu t4, t4, t3
  CHECK time_step_small, t4, 1
  csrr t0, mcycle
  csrr t1, cycle
  sltu t2, t1, t0
  CHECK mcycle_alias, t2, 0
  li t0, 0x100000
  csrw minstret, t0
  csrr t1, minstret
  sltu t1, t1, t0
  CHECK minstret_write_readback, t1, 0

  SECTION counter_enable
  /* counters from S and U are gated by mcounteren (and scounteren for U) */
  csrw mcounteren, zero
  csrw scounteren, zero
  ENTER_MODE PRV_S
  ILLEGAL s_cycle_mcounteren0, rdcycle t0
  ILLEGAL s_time_mcounteren0, rdtime t0
  RETURN_TO_M
  li t0, 7
  csrw mcounteren, t0
  csrr t2, mcounteren
  CHECK mcounteren_rw, t2, 7
  ENTER_MODE PRV_S
  LEGAL s_cycle_allowed, rdcycle t0
  LEGAL s_time_allowed, rdtime t0
  LEGAL s_instret_allowed, rdinstret t0
  RETURN_TO_M
  ENTER_MODE PRV_U
  ILLEGAL u_time_scounteren0, rdtime t0
  RETURN_TO_M
  li t0, 2
  csrw scounteren, t0        /* TM only */
  ENTER_MODE PRV_U
  LEGAL u_time_allowed, rdtime t0
  ILLEGAL u_cycle_scounteren_cy0, rdcycle t0
  RETURN_TO_M
  csrw mcounteren, zero
  csrw scounteren, zero

  ld ra, 0(sp)
  addi sp, sp, 16
  ret
