"""The hash the engine keys translated pages by (converter/engine/aot.c: aot_page_hash)."""
from __future__ import annotations

import struct

PAGE = 4096
_MASK = (1 << 64) - 1


def page_hash(page: bytes) -> int:
    """64-bit multiply-xor over the page's 512 little-endian words."""
    if len(page) != PAGE:
        raise ValueError(f"a page is {PAGE} bytes, got {len(page)}")
    h = 0x9E3779B97F4A7C15
    for (w,) in struct.iter_unpack("<Q", page):
        h = ((h ^ w) * 0xFF51AFD7ED558CCD) & _MASK
        h ^= h >> 32
    return h
