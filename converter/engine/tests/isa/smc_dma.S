/* Code written by a device: a virtio-blk read (DMA) into a page whose code has run, then
 * fence.i and a call into it, many times, alternating two sectors holding different code
 * (sector 0: addi a0, zero, 42; ret. sector 1: the same with 43; tests/test_smc.py makes the
 * disk). Without a virtio-blk device (the plain ISA suite) it only reports that. */
#include "common.h"

#define N 200
#define VIRTIO_SLOTS 0x10001000
#define V_MAGIC 0x000
#define V_VERSION 0x004
#define V_DEVICE 0x008
#define V_DRV_FEATURES 0x020
#define V_DRV_FEATURES_SEL 0x024
#define V_QUEUE_SEL 0x030
#define V_QUEUE_NUM 0x038
#define V_QUEUE_READY 0x044
#define V_QUEUE_NOTIFY 0x050
#define V_INT_STATUS 0x060
#define V_INT_ACK 0x064
#define V_STATUS 0x070
#define V_DESC_LO 0x080
#define V_DESC_HI 0x084
#define V_AVAIL_LO 0x090
#define V_AVAIL_HI 0x094
#define V_USED_LO 0x0a0
#define V_USED_HI 0x0a4
#define QSIZE 8

  .text
  .globl test_main
test_main:
  addi sp, sp, -48
  sd ra, 0(sp); sd s0, 8(sp); sd s1, 16(sp); sd s2, 24(sp); sd s5, 32(sp); sd s6, 40(sp)

  SECTION dma_into_code
  call find_blk              /* s5 = device base or 0 */
  snez t0, s5
  SIG dma_device_found, t0
  beqz s5, 9f
  call blk_init
  li s6, 0                   /* used index we wait for */
  li s0, 0
  li s1, 0
  li s2, 0
1:
  andi a0, s0, 1             /* sector */
  la a1, dma_code
  call blk_read              /* a0 = virtio status (0 = ok) */
  or s2, s2, a0
  fence.i
  li a0, -1
  la t0, dma_code
  jalr t0
  andi t1, s0, 1
  addi t1, t1, 42
  beq a0, t1, 2f
  addi s1, s1, 1
2:
  addi s0, s0, 1
  li t0, N
  blt s0, t0, 1b
  CHECK dma_status_errors, s2, 0
  CHECK dma_into_code_wrong, s1, 0
9:
  ld ra, 0(sp); ld s0, 8(sp); ld s1, 16(sp); ld s2, 24(sp); ld s5, 32(sp); ld s6, 40(sp)
  addi sp, sp, 48
  ret

/* s5 = base of the first virtio-mmio (version 2) block device among 8 slots, else 0 */
find_blk:
  li t0, VIRTIO_SLOTS
  li t4, 8
1:
  lw t2, V_MAGIC(t0)
  li t3, 0x74726976
  bne t2, t3, 2f
  lw t2, V_VERSION(t0)
  li t3, 2
  bne t2, t3, 2f
  lw t2, V_DEVICE(t0)
  beq t2, t3, 3f             /* device id 2: block */
2:
  li t3, 0x1000
  add t0, t0, t3
  addi t4, t4, -1
  bnez t4, 1b
  li s5, 0
  ret
3:
  mv s5, t0
  ret

blk_init:
  sw zero, V_STATUS(s5)      /* reset */
  li t1, 3                   /* ACKNOWLEDGE | DRIVER */
  sw t1, V_STATUS(s5)
  li t1, 1
  sw t1, V_DRV_FEATURES_SEL(s5)
  sw t1, V_DRV_FEATURES(s5)  /* VIRTIO_F_VERSION_1 (bit 32) */
  sw zero, V_DRV_FEATURES_SEL(s5)
  sw zero, V_DRV_FEATURES(s5)
  li t1, 11                  /* | FEATURES_OK */
  sw t1, V_STATUS(s5)
  sw zero, V_QUEUE_SEL(s5)
  li t1, QSIZE
  sw t1, V_QUEUE_NUM(s5)
  la t1, vq_desc
  sw t1, V_DESC_LO(s5)
  srli t1, t1, 32
  sw t1, V_DESC_HI(s5)
  la t1, vq_avail
  sw t1, V_AVAIL_LO(s5)
  srli t1, t1, 32
  sw t1, V_AVAIL_HI(s5)
  la t1, vq_used
  sw t1, V_USED_LO(s5)
  srli t1, t1, 32
  sw t1, V_USED_HI(s5)
  li t1, 1
  sw t1, V_QUEUE_READY(s5)
  li t1, 15                  /* | DRIVER_OK */
  sw t1, V_STATUS(s5)
  ret

/* Read sector a0 (512 bytes) into a1; returns the request's status byte in a0 (0xff: the
 * device never completed it). Waits by polling the used ring. */
blk_read:
  la t0, req_hdr
  sw zero, 0(t0)             /* VIRTIO_BLK_T_IN */
  sw zero, 4(t0)
  sd a0, 8(t0)
  la t1, req_status
  li t2, 0xff
  sb t2, 0(t1)
  la t3, vq_desc
  sd t0, 0(t3)               /* desc 0: header, device-readable, next 1 */
  li t2, 16
  sw t2, 8(t3)
  li t2, 1
  sh t2, 12(t3)
  sh t2, 14(t3)
  sd a1, 16(t3)              /* desc 1: data, device-writable, next 2 */
  li t2, 512
  sw t2, 24(t3)
  li t2, 3
  sh t2, 28(t3)
  li t2, 2
  sh t2, 30(t3)
  sd t1, 32(t3)              /* desc 2: status byte, device-writable */
  li t2, 1
  sw t2, 40(t3)
  li t2, 2
  sh t2, 44(t3)
  sh zero, 46(t3)
  la t3, vq_avail
  lhu t2, 2(t3)              /* ring[idx % QSIZE] = head 0, then idx + 1 */
  andi t4, t2, QSIZE - 1
  slli t4, t4, 1
  add t4, t4, t3
  sh zero, 4(t4)
  fence w, w
  addi t2, t2, 1
  sh t2, 2(t3)
  fence w, w
  sw zero, V_QUEUE_NOTIFY(s5)
  addi s6, s6, 1
  li t4, 100000000           /* polls before giving up */
  la t3, vq_used
1:
  lhu t2, 2(t3)
  slli t5, s6, 48
  srli t5, t5, 48
  beq t2, t5, 2f
  addi t4, t4, -1
  bnez t4, 1b
2:
  fence r, r
  lw t2, V_INT_STATUS(s5)
  sw t2, V_INT_ACK(s5)
  lbu a0, 0(t1)
  ret

  .data
  .align 12
vq_desc:
  .fill 2 * QSIZE, 8, 0
  .align 8
vq_avail:
  .fill 4 + 2 * QSIZE, 1, 0
  .align 8
vq_used:
  .fill 4 + 8 * QSIZE, 1, 0
  .align 4
req_hdr:
  .fill 16, 1, 0
req_status:
  .byte 0

  .align 12
dma_code:
  addi a0, zero, -1
  ret
  .fill 1016, 4, 0
