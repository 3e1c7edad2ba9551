/* The physical address bus: RAM plus devices that register address ranges with read/write
 * callbacks and an opaque pointer (TinyEMU's iomem style). The CPU reaches devices only
 * through it, so cpu.c knows no board. */
#ifndef C2W_BUS_H
#define C2W_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* off is relative to the range's base; false = nothing answers there (an access fault). */
typedef bool BusReadFn(void *opaque, uint64_t off, int size, uint64_t *val);
typedef bool BusWriteFn(void *opaque, uint64_t off, int size, uint64_t val);

typedef struct {
    uint64_t base, size;
    void *opaque;
    BusReadFn *read;
    BusWriteFn *write;
} BusRange;

#define BUS_MAX_RANGES 48

typedef struct Bus {
    BusRange r[BUS_MAX_RANGES];
    int n;
} Bus;

/* Register [base, base + size). A later range takes precedence over an earlier one it
 * overlaps (a device over a default window). Returns 0, or -1 when the table is full. */
int bus_register(Bus *b, uint64_t base, uint64_t size, void *opaque, BusReadFn *rd, BusWriteFn *wr);
bool bus_read(const Bus *b, uint64_t pa, int size, uint64_t *val);
bool bus_write(const Bus *b, uint64_t pa, int size, uint64_t val);

#endif
