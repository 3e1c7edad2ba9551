/* SiFive-compatible PLIC: 32 level-triggered sources, two contexts (hart 0 M and S). */
#include "machine.h"

void machine_plic_output(Machine *m, bool meip, bool seip);

void plic_reset(PLIC *p)
{
    memset(p, 0, sizeof *p);
}

/* Highest-priority pending, enabled, unclaimed source above the threshold; 0 if none. */
static int best(const PLIC *p, int ctx)
{
    uint32_t cand = p->pending & p->enable[ctx] & ~p->claimed;
    int id = 0;
    uint32_t prio = p->threshold[ctx];
    for (int i = 1; i < PLIC_NSRC; i++) {
        if ((cand >> i) & 1 && p->priority[i] > prio) {
            prio = p->priority[i];
            id = i;
        }
    }
    return id;
}

static void update(Machine *m)
{
    PLIC *p = &m->plic;
    machine_plic_output(m, best(p, 0) != 0, best(p, 1) != 0);
}

void plic_set_level(Machine *m, int irq, int level)
{
    PLIC *p = &m->plic;
    if (irq <= 0 || irq >= PLIC_NSRC)
        return;
    uint32_t bit = 1u << irq;
    if (level) {
        p->level |= bit;
        p->pending |= bit;
    } else {
        p->level &= ~bit;
        p->pending &= ~bit;
    }
    update(m);
}

bool plic_read(Machine *m, uint64_t off, uint32_t *val)
{
    PLIC *p = &m->plic;
    *val = 0;
    if (off < 0x1000) {
        if (off / 4 < PLIC_NSRC)
            *val = p->priority[off / 4];
    } else if (off == 0x1000) {
        *val = p->pending;
    } else if (off >= 0x2000 && off < 0x200000) {
        uint64_t ctx = (off - 0x2000) / 0x80, word = (off - 0x2000) % 0x80;
        if (ctx < 2 && word == 0)
            *val = p->enable[ctx];
    } else if (off >= 0x200000) {
        uint64_t ctx = (off - 0x200000) / 0x1000, reg = (off - 0x200000) % 0x1000;
        if (ctx < 2) {
            if (reg == 0)
                *val = p->threshold[ctx];
            else if (reg == 4) { /* claim */
                int id = best(p, (int)ctx);
                if (id) {
                    p->claimed |= 1u << id;
                    p->pending &= ~(1u << id);
                }
                *val = (uint32_t)id;
                update(m);
            }
        }
    }
    return true;
}

bool plic_write(Machine *m, uint64_t off, uint32_t val)
{
    PLIC *p = &m->plic;
    if (off < 0x1000) {
        if (off / 4 < PLIC_NSRC && off != 0)
            p->priority[off / 4] = val & 7;
    } else if (off >= 0x2000 && off < 0x200000) {
        uint64_t ctx = (off - 0x2000) / 0x80, word = (off - 0x2000) % 0x80;
        if (ctx < 2 && word == 0)
            p->enable[ctx] = val & ~1u;
    } else if (off >= 0x200000) {
        uint64_t ctx = (off - 0x200000) / 0x1000, reg = (off - 0x200000) % 0x1000;
        if (ctx < 2) {
            if (reg == 0)
                p->threshold[ctx] = val & 7;
            else if (reg == 4 && val > 0 && val < PLIC_NSRC) { /* complete */
                uint32_t bit = 1u << val;
                p->claimed &= ~bit;
                if (p->level & bit)
                    p->pending |= bit; /* level still high: pending again */
            }
        }
    }
    update(m);
    return true;
}
