/* libFuzzer harness: the payload header (payload.c) the converter writes into the engine's
 * linear memory: magic, count and entries, read by payload_present / payload_get /
 * payload_low. Input: the header bytes (up to one 4 KiB page; the rest stays zero). Oracle: no
 * sanitizer report; a present header has count <= PAYLOAD_MAX; payload_get returns the first
 * entry of its kind, and payload_low the lowest address of a non-empty payload. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&c2w_payload, 0, sizeof c2w_payload);
    memcpy(&c2w_payload, data, size < sizeof c2w_payload ? size : sizeof c2w_payload);
    bool present = payload_present();
    if (present && c2w_payload.count > PAYLOAD_MAX)
        abort();
    uintptr_t top = (uintptr_t)1 << 40, low = payload_low(top);
    uintptr_t want = top;
    for (uint32_t i = 0; present && i < c2w_payload.count; i++)
        if (c2w_payload.e[i].size && c2w_payload.e[i].addr < want)
            want = c2w_payload.e[i].addr;
    if (low != want)
        abort();
    for (uint32_t kind = 0; kind <= 6; kind++) {
        size_t n = 0;
        uint8_t *p = payload_get(kind, &n);
        if (!present && p)
            abort();
        if (p) { /* the first entry of that kind */
            uint32_t i = 0;
            while (c2w_payload.e[i].kind != kind)
                i++;
            if ((uintptr_t)p != c2w_payload.e[i].addr || n != c2w_payload.e[i].size)
                abort();
        }
    }
    return 0;
}
