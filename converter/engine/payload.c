/* The payload header, and (wasm only) an sbrk that keeps malloc away from the payloads.
 *
 * Debian bookworm's wasi-libc (0.0~git20220510) dlmalloc, on its first call, takes the whole
 * range [__heap_base, sbrk(0)) as its first segment, then grows with sbrk(). The converter puts
 * the payloads above the module's original initial memory and raises the memory minimum, so
 * sbrk(0) = memory.size would hand the payloads to malloc. This sbrk (it replaces libc's: the
 * linker takes ours, so libc.a's sbrk.o is never pulled) reports the lowest payload address as
 * the break, and on the first growth jumps over the payloads to the top of memory. dlmalloc
 * handles a non-contiguous sbrk as a new segment. */
#include "payload.h"

#include <errno.h>
#include <string.h>

/* Zero-filled until the converter's data segment overwrites it; one page, page-aligned. */
__attribute__((aligned(4096))) PayloadHeader c2w_payload;

_Static_assert(sizeof(PayloadHeader) == 4096, "the payload header is one 4 KiB page");

bool payload_present(void)
{
    return !memcmp(c2w_payload.magic, "C2WPAYL1", 8) && c2w_payload.count <= PAYLOAD_MAX;
}

uint8_t *payload_get(uint32_t kind, size_t *size)
{
    if (!payload_present())
        return NULL;
    for (uint32_t i = 0; i < c2w_payload.count; i++) {
        PayloadEntry *e = &c2w_payload.e[i];
        if (e->kind == kind) {
            *size = e->size;
            return (uint8_t *)(uintptr_t)e->addr;
        }
    }
    return NULL;
}

uintptr_t payload_low(uintptr_t top)
{
    uintptr_t low = top;
    if (!payload_present())
        return low;
    for (uint32_t i = 0; i < c2w_payload.count; i++) {
        PayloadEntry *e = &c2w_payload.e[i];
        if (e->size && e->addr < low)
            low = e->addr;
    }
    return low;
}

#ifdef __wasm__
#define WASM_PAGE 65536u

void *sbrk(intptr_t increment)
{
    static uintptr_t brk, hole_start, hole_end;
    uintptr_t top = __builtin_wasm_memory_size(0) * (uintptr_t)WASM_PAGE;
    if (!brk) {
        hole_start = payload_low(top);
        hole_end = top;
        brk = hole_start;
    }
    if (increment == 0)
        return (void *)brk;
    if (increment < 0) { /* dlmalloc trimming: keep the memory */
        errno = ENOMEM;
        return (void *)-1;
    }
    if (brk == hole_start && hole_end > hole_start)
        brk = hole_end; /* skip the payloads */
    uintptr_t old = brk;
    if ((uintptr_t)increment > UINTPTR_MAX - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    uintptr_t end = brk + (uintptr_t)increment;
    if (end > top) {
        uintptr_t pages = (end - top + WASM_PAGE - 1) / WASM_PAGE;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) {
            errno = ENOMEM;
            return (void *)-1;
        }
    }
    brk = end;
    return (void *)old;
}
#endif
