/* Checks payload.c's sbrk: with payloads placed by converter/wasm.py above the initial memory,
 * malloc must never return memory overlapping them, and the payload bytes must stay intact.
 * Built for wasm32-wasi together with ../../payload.c; the payloads (kind 2, "disk") hold
 * bytes (i * 7 + kind) % 256. Prints "ok <allocations> <lowest payload> <top>" or "FAIL ...". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../payload.h"

static int overlaps(uintptr_t a, size_t n)
{
    for (uint32_t i = 0; i < c2w_payload.count; i++) {
        uintptr_t s = c2w_payload.e[i].addr, e = s + c2w_payload.e[i].size;
        if (a < e && s < a + n)
            return 1;
    }
    return 0;
}

int main(void)
{
    if (!payload_present()) {
        puts("FAIL no payloads");
        return 1;
    }
    uint32_t seed = 12345;
    int count = 0;
    void *keep[512];
    for (int round = 0; round < 512; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (round % 16 == 0) ? (size_t)(seed % (8u << 20)) + 1 : (size_t)(seed % 5000) + 1;
        uint8_t *p = malloc(n);
        if (!p) {
            printf("FAIL malloc(%zu) returned NULL\n", n);
            return 1;
        }
        if (overlaps((uintptr_t)p, n)) {
            printf("FAIL malloc(%zu) = %p overlaps a payload\n", n, (void *)p);
            return 1;
        }
        memset(p, 0xa5, n);
        keep[round] = p;
        if (round % 3 == 0) {
            free(keep[round / 2]);
            keep[round / 2] = NULL;
        }
        count++;
    }
    for (uint32_t i = 0; i < c2w_payload.count; i++) {
        const PayloadEntry *e = &c2w_payload.e[i];
        const uint8_t *p = (const uint8_t *)(uintptr_t)e->addr;
        for (uint32_t j = 0; j < e->size; j++)
            if (p[j] != (uint8_t)((j * 7 + e->kind) % 256)) {
                printf("FAIL payload %u byte %u changed\n", i, j);
                return 1;
            }
    }
    printf("ok %d %#lx %#lx\n", count, (unsigned long)payload_low(~(uintptr_t)0),
           (unsigned long)(__builtin_wasm_memory_size(0) * 65536ul));
    return 0;
}
