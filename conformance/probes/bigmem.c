/* Probe: a module with 512 MiB of initial linear memory.
 * c2w-ldflags: -Wl,--initial-memory=536870912
 * usage: bigmem
 * Prints "memory_pages=N" (64 KiB wasm pages: 8192, or 8193 on WAMR, which
 * appends its app heap unless --heap-size=0), writes one byte
 * in every 4 KiB page of a 500 MiB static array, reads them back, prints
 * "OK touched=N" and exits 0 (1 with "FAIL at page N" on a mismatch). */
#include "probe.h"

#define BIG (500u << 20)
static volatile uint8_t big[BIG];

int main(void)
{
    p_puts(1, "memory_pages=");
    p_putu(1, __builtin_wasm_memory_size(0));
    p_puts(1, "\n");
    uint32_t pages = BIG / 4096;
    for (uint32_t i = 0; i < pages; i++)
        big[(size_t)i * 4096] = (uint8_t)(i * 7 + 1);
    for (uint32_t i = 0; i < pages; i++)
        if (big[(size_t)i * 4096] != (uint8_t)(i * 7 + 1)) {
            p_puts(1, "FAIL at page ");
            p_putu(1, i);
            p_puts(1, "\n");
            return 1;
        }
    p_puts(1, "OK touched=");
    p_putu(1, pages);
    p_puts(1, "\n");
    return 0;
}
