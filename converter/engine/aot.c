/* Translated-page table lookup, the page hash, and the page profile (see aot.h). */
#include "aot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 64-bit multiply-xor over the page's 512 little-endian words; converter/aot/pagehash.py
 * computes the same. Collisions are harmless: a hit is confirmed by memcmp. */
uint64_t aot_page_hash(const uint8_t *page)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 512; i++) {
        uint64_t w;
        memcpy(&w, page + 8 * i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    return h;
}

TPageFn aot_lookup(const uint8_t *page, uint64_t hash)
{
    unsigned lo = 0, hi = c2w_aot_npages;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (c2w_aot_pages[mid].hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < c2w_aot_npages && c2w_aot_pages[lo].hash == hash; lo++)
        if (!memcmp(c2w_aot_pages[lo].bytes, page, 4096))
            return c2w_aot_pages[lo].fn;
    return NULL;
}

/* ------------------------------------------------------------------ profile
 * File format (text, one page per line after the header line "c2w-page-profile 1"):
 *   HASH SAMPLES ENTRIES HEXBYTES OFF:COUNT,OFF:COUNT...
 * HASH: 16 hex digits; SAMPLES: batch ends inside the page; ENTRIES: calls from the
 * dispatcher into the page (page switches, resumes after traps and SYSTEM); HEXBYTES: the 4096
 * bytes; then the entry offsets (hex) with their counts ("-" when none). */

typedef struct {
    uint64_t hash;
    uint64_t samples, entries;
    uint8_t bytes[4096];
    uint32_t at[2048]; /* entries per 2-byte offset */
} ProfPage;

#define PROF_SLOTS (1 << 15)
static ProfPage **prof;
static const char *prof_path;

static ProfPage *prof_lookup(CPU *c)
{
    uint64_t h = cpu_fetch_page_hash(c);
    unsigned i = (unsigned)(h ^ (h >> 29)) & (PROF_SLOTS - 1);
    for (unsigned n = 0; n < PROF_SLOTS; n++, i = (i + 1) & (PROF_SLOTS - 1)) {
        ProfPage *p = prof[i];
        if (p && p->hash == h && !memcmp(p->bytes, c->fetch_host, 4096))
            return p;
        if (!p) {
            p = calloc(1, sizeof *p);
            if (!p)
                return NULL;
            p->hash = h;
            memcpy(p->bytes, c->fetch_host, 4096);
            prof[i] = p;
            return p;
        }
    }
    return NULL; /* table full: not counted */
}

/* The record of the current fetch page: kept in its decoded page after the first look-up
 * (which compares the 4 KiB), so entries and samples cost a load. */
static ProfPage *prof_page(CPU *c)
{
    void **slot = cpu_fetch_page_prof(c);
    if (!*slot)
        *slot = prof_lookup(c);
    return *slot;
}

void aot_profile_entry(CPU *c, uint64_t vbase, uint32_t off)
{
    (void)vbase;
    ProfPage *p = prof_page(c);
    if (p) {
        p->entries++;
        p->at[(off & 0xfff) >> 1]++;
    }
}

void aot_profile_sample(CPU *c)
{
    if (c->fetch_tag != c->pc >> 12 || !c->fetch_dp)
        return;
    ProfPage *p = prof_page(c);
    if (p)
        p->samples++;
}

static void prof_dump(void)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", prof_path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "c2w-engine: --profile-pages: cannot write %s\n", tmp);
        return;
    }
    fprintf(f, "c2w-page-profile 1\n");
    for (unsigned i = 0; i < PROF_SLOTS; i++) {
        ProfPage *p = prof[i];
        if (!p)
            continue;
        fprintf(f, "%016llx %llu %llu ", (unsigned long long)p->hash,
                (unsigned long long)p->samples, (unsigned long long)p->entries);
        for (int k = 0; k < 4096; k++)
            fprintf(f, "%02x", p->bytes[k]);
        int any = 0;
        for (int k = 0; k < 2048; k++)
            if (p->at[k])
                fprintf(f, "%s%x:%u", any++ ? "," : " ", k * 2, p->at[k]);
        fprintf(f, "%s\n", any ? "" : " -");
    }
    if (fclose(f) != 0 || rename(tmp, prof_path) != 0) {
        fprintf(stderr, "c2w-engine: --profile-pages: cannot write %s\n", prof_path);
        remove(tmp);
    }
}

bool aot_profile_start(CPU *c, const char *path)
{
    prof = calloc(PROF_SLOTS, sizeof *prof);
    if (!prof)
        return false;
    prof_path = path;
    c->aot_profile = true;
    atexit(prof_dump);
    return true;
}
