/* Self-modifying-code workload for bench/engine/run.py, in the style of a JIT such as qemu-user's
 * TCG: emit a block of code into an executable buffer, make it visible to instruction fetch
 * (__builtin___clear_cache: the riscv_flush_icache syscall, FENCE.I in the kernel), run it and
 * the block emitted before it; N times (argv[1], default 20000). Before each block, some
 * "translator" work in other code pages (snprintf of an integer and a double, as a JIT runs
 * its translator between the blocks it emits). Prints the checked sum. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define BLOCK 16                  /* instructions per block */
#define NBLOCKS 256               /* 16 KiB of buffer, reused round robin */
#define ADDI_A0_A0(imm) (((uint32_t)(imm) << 20) | 0x00050513u)
#define RET 0x00008067u

typedef long (*block_fn)(long);

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000;
    uint32_t *buf = mmap(NULL, NBLOCKS * BLOCK * 4, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        perror("smc: mmap");
        return 1;
    }
    long sum = 0, want = 0;
    unsigned chars = 0;
    for (long i = 0; i < n; i++) {
        char text[64];
        chars += (unsigned)snprintf(text, sizeof text, "%ld %.3f", i, (double)i / 7);
        uint32_t *b = buf + (i % NBLOCKS) * BLOCK;
        long k = (i & 7) + 1;
        for (int j = 0; j < BLOCK - 1; j++)
            b[j] = ADDI_A0_A0(k);
        b[BLOCK - 1] = RET;
        __builtin___clear_cache((char *)b, (char *)(b + BLOCK));
        sum += ((block_fn)(uintptr_t)b)(0);
        want += k * (BLOCK - 1);
        if (i > 0) { /* the previous block, still in the buffer */
            sum += ((block_fn)(uintptr_t)(buf + ((i - 1) % NBLOCKS) * BLOCK))(0);
            want += (((i - 1) & 7) + 1) * (BLOCK - 1);
        }
    }
    printf("smc: %ld blocks, sum %ld %s (%u chars formatted)\n", n, sum, sum == want ? "ok" : "WRONG", chars);
    return sum == want ? 0 : 1;
}
