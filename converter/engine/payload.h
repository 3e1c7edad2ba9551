/* Payloads the converter (converter/wasm.py) places in linear memory, found through the header
 * the engine exports as the global `c2w_payload`. See PAYLOAD.md. */
#ifndef C2W_PAYLOAD_H
#define C2W_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PK_KERNEL = 1, PK_DISK = 2, PK_CONFIG = 3, PK_INITRD = 4, PK_CMDLINE = 5 };

typedef struct {
    uint32_t kind, addr, size, reserved;
} PayloadEntry;

#define PAYLOAD_MAX 255
typedef struct {
    char magic[8]; /* "C2WPAYL1" */
    uint32_t count, reserved;
    PayloadEntry e[PAYLOAD_MAX];
} PayloadHeader;

extern PayloadHeader c2w_payload;

/* True when the header holds payloads (magic and a sane count). */
bool payload_present(void);
/* The first payload of that kind: pointer and size; NULL when absent. */
uint8_t *payload_get(uint32_t kind, size_t *size);
/* Lowest address used by a payload (the end of the memory wasi-libc's allocator may use
 * before the payloads), or `top` when there are none. */
uintptr_t payload_low(uintptr_t top);

#endif
