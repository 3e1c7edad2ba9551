"""build.sh with C2W_ENGINE_AOT=DIR compiles each translated page's unit to an object cached by its
contents: an engine with one more page compiles only that page and the table, the same units give
the cached engine at once, and a unit that does not compile is one clear failure."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from converter.aot.table import PageSource, units, write_units

ENGINE_DIR = Path(__file__).resolve().parents[2] / "engine"


def _page(seed: int) -> bytes:
    addi = (0x00150513 + (seed << 20)).to_bytes(4, "little")  # addi a0, a0, 1+seed
    return (addi + (0x8067).to_bytes(4, "little")) * 512  # ret


def _build(aot: Path, cache: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, C2W_CACHE=str(cache), C2W_ENGINE_AOT=str(aot))
    return subprocess.run([str(ENGINE_DIR / "build.sh"), "native"], capture_output=True, text=True, env=env,
                          timeout=900)


def test_one_more_page_compiles_only_that_page_and_the_table(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    pages = [PageSource(_page(s), {0: 0, 8: 16}) for s in (1, 2, 3)]
    two, three = tmp_path / "two", tmp_path / "three"
    write_units(units(pages[:2]), two)
    write_units(units(pages), three)
    p = _build(two, cache)
    assert p.returncode == 0, p.stderr
    first = set((cache / "aot-obj").iterdir())
    engine = Path(p.stdout.splitlines()[-1]) / "c2w-engine"
    assert engine.is_file()
    assert subprocess.run([str(engine), "--help"], capture_output=True).returncode == 0

    p = _build(three, cache)
    assert p.returncode == 0, p.stderr
    new = set((cache / "aot-obj").iterdir()) - first
    assert len(new) == 2, sorted(n.name for n in new)  # the third page and the table
    assert Path(p.stdout.splitlines()[-1]) != engine.parent

    again = tmp_path / "again"  # the same units elsewhere: the cached engine, nothing compiled
    write_units(units(pages[:2]), again)
    p = _build(again, cache)
    assert p.returncode == 0 and Path(p.stdout.splitlines()[-1]) == engine.parent
    assert set((cache / "aot-obj").iterdir()) == first | new

    (three / "page_broken.c").write_text("int broken(void) { return nope; }\n")
    p = _build(three, cache)
    assert p.returncode != 0 and "build.sh: compiling" in p.stderr and "page_broken.c" in p.stderr
    assert not list((cache / "aot-obj").glob("*.tmp.*"))
