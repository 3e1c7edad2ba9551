"""The engine's page profile (--profile-pages FILE, format in converter/engine/aot.c) and the
choice of pages worth translating."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .pagehash import PAGE, page_hash

HEADER = "c2w-page-profile 1"


class ProfileError(ValueError):
    pass


@dataclass
class PageProfile:
    hash: int
    samples: int            # batch ends inside the page (~ instructions run there / batch size)
    entries: int            # calls from the dispatcher into the page
    data: bytes
    entry_offsets: dict[int, int] = field(default_factory=dict)

    @property
    def weight(self) -> int:
        """Samples (time spent) first; entries break ties between pages never sampled."""
        return (self.samples << 32) + self.entries


def read_profile(path: Path) -> list[PageProfile]:
    lines = path.read_text().splitlines()
    if not lines or lines[0] != HEADER:
        raise ProfileError(f"{path}: not a page profile (first line is not '{HEADER}')")
    pages = []
    for n, line in enumerate(lines[1:], 2):
        parts = line.split(" ")
        if len(parts) != 5:
            raise ProfileError(f"{path}:{n}: expected 5 fields, got {len(parts)}")
        try:
            h, samples, entries = int(parts[0], 16), int(parts[1]), int(parts[2])
            data = bytes.fromhex(parts[3])
            offs = {} if parts[4] == "-" else {int(o, 16): int(k) for o, k in
                                                 (e.split(":") for e in parts[4].split(","))}
        except ValueError as e:
            raise ProfileError(f"{path}:{n}: {e}") from None
        if len(data) != PAGE or page_hash(data) != h:
            raise ProfileError(f"{path}:{n}: page bytes do not match their hash")
        pages.append(PageProfile(h, samples, entries, data, offs))
    return pages


def merge(profiles: list[list[PageProfile]]) -> list[PageProfile]:
    """One entry per page contents, counts added."""
    by: dict[tuple[int, bytes], PageProfile] = {}
    for prof in profiles:
        for p in prof:
            key = (p.hash, p.data)
            if key not in by:
                by[key] = PageProfile(p.hash, 0, 0, p.data, {})
            q = by[key]
            q.samples += p.samples
            q.entries += p.entries
            for o, k in p.entry_offsets.items():
                q.entry_offsets[o] = q.entry_offsets.get(o, 0) + k
    return list(by.values())


def select(pages: list[PageProfile], coverage: float = 0.99, max_pages: int = 2000,
           min_weight: int = 1 << 32) -> list[PageProfile]:
    """The heaviest pages that together cover `coverage` of the total weight (at most
    max_pages, none lighter than min_weight: by default, pages never sampled are left out)."""
    ranked = sorted(pages, key=lambda p: p.weight, reverse=True)
    total = sum(p.weight for p in ranked) or 1
    out, acc = [], 0
    for p in ranked:
        if acc >= coverage * total or len(out) >= max_pages or p.weight < min_weight:
            break
        out.append(p)
        acc += p.weight
    return out
