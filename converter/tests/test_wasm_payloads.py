"""Payloads become data segments that a real runtime loads where the header says."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from converter import wasm
from converter.errors import ConvertError

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if not shutil.which("clang"):
        pytest.skip("clang (Debian package) not installed: run make setup")
    out = tmp_path_factory.mktemp("reader") / "reader.wasm"
    subprocess.run(["clang", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-Wl,--export=c2w_payload",
                    str(HERE / "data/payload_reader.c"), "-o", str(out)], check=True)
    return out.read_bytes()


def run_wasmtime(module: Path) -> subprocess.CompletedProcess[str]:
    from c2w_run import registry

    cmd = registry.require("wasmtime").command
    return subprocess.run([*cmd, "run", str(module)], capture_output=True, text=True, timeout=60)


def test_runtime_sees_payloads_at_the_addresses_in_the_header(reader: bytes, tmp_path: Path) -> None:
    big = b"DISK" + bytes(200_000) + b"END"
    out = wasm.add_payloads(reader, [("kernel", b"KERNEL-IMAGE"), ("disk", big), ("config", b"{}")])
    mod = tmp_path / "out.wasm"
    mod.write_bytes(out)
    done = run_wasmtime(mod)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["1 12 KERNEL-IMAGE", f"2 {len(big)} DISK", "3 2 {}"]


def test_payloads_read_back_from_the_module(reader: bytes) -> None:
    out = wasm.add_payloads(reader, [("kernel", b"K" * 70000), ("config", b'{"a":1}')])
    assert wasm.read_payloads(out) == {"kernel": b"K" * 70000, "config": b'{"a":1}'}


def test_memory_minimum_grows_to_cover_the_payloads(reader: bytes) -> None:
    lo, _ = wasm.memory_limits(wasm.parse(reader))
    out = wasm.add_payloads(reader, [("disk", bytes(3 * wasm.PAGE + 1))])
    assert wasm.memory_limits(wasm.parse(out))[0] == lo + 4


def test_module_without_payload_export_is_refused(tmp_path: Path) -> None:
    if not shutil.which("clang"):
        pytest.skip("clang (Debian package) not installed: run make setup")
    src = tmp_path / "m.c"
    src.write_text("int main(void){return 0;}\n")
    subprocess.run(["clang", "--target=wasm32-wasi", "--sysroot=/usr", str(src), "-o", str(tmp_path / "m.wasm")],
                   check=True)
    with pytest.raises(ConvertError, match="c2w_payload"):
        wasm.add_payloads((tmp_path / "m.wasm").read_bytes(), [("kernel", b"x")])
