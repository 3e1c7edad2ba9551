"""The C that `c2w --aot` generates depends only on the hot pages and their frequent entry
points, not on the profile's order or on rare entries (interrupt resumes that differ from run
to run), and each page's unit only on that page: so the engine build's content-hash caches
(objects per unit, the engine per set of units) hit when an image is converted again or shares
pages with another."""
from __future__ import annotations

from pathlib import Path

from converter.aot.conversion import translate
from converter.aot.pagehash import page_hash
from converter.aot.profile import HEADER


def _page(seed: int) -> bytes:
    nop, ret = (0x13).to_bytes(4, "little"), (0x8067).to_bytes(4, "little")
    addi = (0x00150513 + (seed << 20)).to_bytes(4, "little")  # addi a0, a0, 1+seed
    return (addi + nop * 15 + ret) * 60 + bytes(4096 - 68 * 60)


def _write(path: Path, pages: list[tuple[bytes, int, dict[int, int]]]) -> Path:
    lines = [HEADER]
    for data, samples, offs in pages:
        at = ",".join(f"{o:x}:{k}" for o, k in sorted(offs.items())) or "-"
        lines.append(f"{page_hash(data):016x} {samples} {sum(offs.values())} {data.hex()} {at}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _tree(d: Path) -> dict[str, str]:
    return {f.name: f.read_text() for f in sorted(d.iterdir())}


def test_generated_c_ignores_profile_order_and_rare_entries(tmp_path: Path) -> None:
    a, b, cold = _page(1), _page(2), _page(3)
    hot_a, hot_b = {0x0: 50000, 0x44: 20000}, {0x88: 90000}
    one = _write(tmp_path / "1.prof", [(a, 900, {**hot_a, 0x10: 3}), (b, 800, hot_b), (cold, 0, {0: 1})])
    two = _write(tmp_path / "2.prof", [(cold, 0, {0: 2}), (b, 820, {**hot_b, 0x20: 1, 0x24: 7}), (a, 880, hot_a)])
    assert translate(one, tmp_path / "1", 2)[0] == 2
    assert translate(two, tmp_path / "2", 2)[0] == 2
    assert _tree(tmp_path / "1") == _tree(tmp_path / "2")
    assert len(_tree(tmp_path / "1")) == 3  # two pages and the table


def test_frequent_entry_points_change_the_generated_c(tmp_path: Path) -> None:
    a = _page(1)
    one = _write(tmp_path / "1.prof", [(a, 900, {0x0: 50000})])
    two = _write(tmp_path / "2.prof", [(a, 900, {0x0: 50000, 0x46: 20000})])
    translate(one, tmp_path / "1", 1)
    translate(two, tmp_path / "2", 1)
    assert _tree(tmp_path / "1") != _tree(tmp_path / "2")


def test_a_page_unit_does_not_depend_on_the_other_pages_chosen(tmp_path: Path) -> None:
    a, b, c = _page(1), _page(2), _page(3)
    prof = _write(tmp_path / "p.prof", [(a, 900, {0x0: 50000}), (b, 800, {0x88: 9000}), (c, 700, {0x44: 900})])
    for n in (1, 2, 3):
        translate(prof, tmp_path / str(n), n)
    one, two, three = (_tree(tmp_path / str(n)) for n in (1, 2, 3))
    assert len(one) == 2 and len(two) == 3 and len(three) == 4
    for name, text in one.items():
        if name != "table.c":
            assert two[name] == text == three[name]
    assert one["table.c"] != two["table.c"]
