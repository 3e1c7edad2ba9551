"""Which engine an image runs on: linux/amd64 defaults to the full-system x86_64 engine (Bochs),
`--emulation user` keeps qemu-user in the riscv64 guest, other architectures have only qemu-user,
riscv64 runs natively. The choice is a pure function (no Bochs build needed to test it); the CLI
check below stops before anything is built."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from converter.convert import choose_emulation
from converter.errors import UnsupportedArchitecture
from testsupport import oci as t

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("arch, requested, mode", [
    ("amd64", None, "system"),
    ("amd64", "system", "system"),
    ("amd64", "user", "user"),
    ("arm64", None, "user"),
    ("arm64", "user", "user"),
    ("s390x", None, "user"),
    ("386", None, "user"),  # i386 binaries stay on qemu-user: the x86_64 engine is for amd64 images
    ("riscv64", None, "native"),
    ("riscv64", "user", "native"),  # nothing to emulate
])
def test_amd64_defaults_to_the_system_engine_and_user_keeps_qemu(arch: str, requested: str | None,
                                                                   mode: str) -> None:
    assert choose_emulation(arch, requested) == mode


@pytest.mark.parametrize("arch", ["arm64", "riscv64", "386"])
def test_system_emulation_of_another_architecture_is_refused(arch: str) -> None:
    with pytest.raises(UnsupportedArchitecture, match="--emulation system runs linux/amd64 images only"):
        choose_emulation(arch, "system")


def test_unknown_emulation_is_refused() -> None:
    with pytest.raises(UnsupportedArchitecture, match="--emulation kvm: expected user or system"):
        choose_emulation("amd64", "kvm")


def test_default_amd64_conversion_asks_for_bochs_and_names_the_user_route(tmp_path: Path) -> None:
    # an amd64 image without --emulation goes to the x86_64 engine: with that engine pointed at a
    # missing file the conversion stops there, in one line that names the qemu-user way out
    t.oci_layout(tmp_path / "img", [[t.directory("bin"), t.file("bin/hello.txt", b"hello\n")]], arch="amd64")
    env = {**os.environ, "PYTHONPATH": str(REPO), "C2W_BOCHS_WASM": str(tmp_path / "absent.wasm")}
    r = subprocess.run([sys.executable, "-m", "converter.cli", "-q", "img", "out.wasm"], capture_output=True,
                       text=True, timeout=300, cwd=tmp_path, env=env)
    lines = r.stderr.strip().splitlines()
    assert r.returncode != 0 and len(lines) == 1, r.stderr
    assert "absent.wasm: no such file" in lines[0] and "or convert with --emulation user" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["img"]
