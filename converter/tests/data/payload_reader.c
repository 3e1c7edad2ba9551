/* A minimal module honouring the payload contract (converter/wasm.py): prints each payload's
 * kind, size and first bytes. Used to check add_payloads under a real runtime. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct entry { uint32_t kind, addr, size, reserved; };
struct header { char magic[8]; uint32_t count, reserved; struct entry e[255]; };

__attribute__((aligned(4096))) struct header c2w_payload;

int main(void) {
    if (memcmp(c2w_payload.magic, "C2WPAYL1", 8) != 0) {
        puts("no payload");
        return 1;
    }
    for (uint32_t i = 0; i < c2w_payload.count; i++) {
        const struct entry *e = &c2w_payload.e[i];
        const char *p = (const char *)(uintptr_t)e->addr;
        printf("%u %u %.*s\n", e->kind, e->size, (int)(e->size < 16 ? e->size : 16), p);
    }
    return 0;
}
