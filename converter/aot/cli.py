"""python -m converter.aot PROFILE... -o OUT: translate the hot pages of engine page profiles
(--profile-pages) into C for converter/engine/build.sh (C2W_ENGINE_AOT=OUT): OUT a directory of
units (one per page, compiled and cached each on its own), or OUT.c one file."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .profile import ProfileError, merge, read_profile, select
from .table import PageSource, generate, units, write_units


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m converter.aot", description=__doc__)
    ap.add_argument("profiles", nargs="+", type=Path, help="files written by c2w-engine --profile-pages")
    ap.add_argument("-o", "--output", type=Path, required=True, help="directory of C units to write, or one FILE.c")
    ap.add_argument("--coverage", type=float, default=0.99,
                    help="translate the heaviest pages covering this share of the profile (0.99)")
    ap.add_argument("--max-pages", type=int, default=2000, help="at most this many pages (2000)")
    ap.add_argument("--min-samples", type=int, default=1,
                    help="skip pages with fewer batch-end samples than this (1; 0 keeps all)")
    a = ap.parse_args(argv)
    try:
        pages = merge([read_profile(p) for p in a.profiles])
    except (OSError, ProfileError) as e:
        print(f"aot: {e}", file=sys.stderr)
        return 2
    chosen = select(pages, a.coverage, a.max_pages, a.min_samples << 32)
    sources = [PageSource(p.data, {0: 0, **p.entry_offsets}) for p in chosen]
    try:
        if a.output.suffix == ".c":
            src, npages, ninsn = generate(sources)
            tmp = a.output.with_name(a.output.name + f".tmp{os.getpid()}")
            tmp.write_text(src)
            tmp.replace(a.output)
        else:
            u = units(sources)
            write_units(u, a.output)
            npages, ninsn = u.pages, u.instructions
    except OSError as e:
        print(f"aot: {e}", file=sys.stderr)
        return 2
    print(f"aot: {npages} pages ({ninsn} instructions) of {len(pages)} profiled -> {a.output}",
          file=sys.stderr)
    return 0
