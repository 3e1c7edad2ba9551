"""`c2w` refuses bad input with one line naming the problem, a non-zero exit, and no output file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testsupport import oci as t

REPO = Path(__file__).resolve().parents[2]


def c2w(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "converter.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def one_line_error(r: subprocess.CompletedProcess) -> str:
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert lines[0].startswith("c2w: error: ")
    return lines[0]


def only(path: Path, *names: str) -> None:
    """Nothing half-written: the directory holds exactly `names`."""
    assert sorted(p.name for p in path.iterdir()) == sorted(names)


HELLO = [[t.directory("bin"), t.file("bin/hello", b"#!/bin/sh\necho hello\n", 0o755)]]


def test_missing_image_is_named(tmp_path: Path) -> None:
    line = one_line_error(c2w("nope/image", "out.wasm", cwd=tmp_path))
    assert "nope/image: no such image" in line
    only(tmp_path)


def test_architecture_without_an_emulator_is_refused_naming_the_supported_ones(tmp_path: Path) -> None:
    t.oci_layout(tmp_path / "img", HELLO, arch="ia64")
    r = c2w("img", "out.wasm", cwd=tmp_path)
    line = one_line_error(r)
    assert r.returncode == 2
    assert "no emulator for linux/ia64" in line and "linux/riscv64, linux/amd64, linux/arm64" in line
    only(tmp_path, "img")


def test_index_without_the_platform_names_the_platforms_it_has(tmp_path: Path) -> None:
    w = t.LayoutWriter(tmp_path / "img")
    w.index([w.image(HELLO, "amd64"), w.image(HELLO, "arm64")])
    line = one_line_error(c2w("--platform", "linux/riscv64", "img", "out.wasm", cwd=tmp_path))
    assert "no manifest for platform linux/riscv64; the index has: linux/amd64, linux/arm64" in line
    only(tmp_path, "img")


def test_corrupt_layer_leaves_no_output_and_keeps_an_existing_one(tmp_path: Path) -> None:
    t.oci_layout(tmp_path / "img", HELLO)
    blobs = sorted((tmp_path / "img/blobs/sha256").iterdir(), key=lambda p: p.stat().st_size)
    layer = next(b for b in blobs if b.read_bytes()[:2] == b"\x1f\x8b")
    layer.write_bytes(layer.read_bytes()[:-8] + b"\0" * 8)
    (tmp_path / "out.wasm").write_bytes(b"previous")
    line = one_line_error(c2w("img", "out.wasm", cwd=tmp_path))
    assert "layer 1" in line
    only(tmp_path, "img", "out.wasm")
    assert (tmp_path / "out.wasm").read_bytes() == b"previous"


def test_path_escape_in_a_layer_is_refused(tmp_path: Path) -> None:
    t.oci_layout(tmp_path / "img", [[t.file("../escape", b"x")]])
    line = one_line_error(c2w("img", "-o", "out.wasm", cwd=tmp_path))
    assert "escape" in line
    only(tmp_path, "img")


def test_directory_that_is_not_a_layout_is_named(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    line = one_line_error(c2w("dir", cwd=tmp_path))
    assert "not an OCI image layout" in line
    only(tmp_path, "dir")


def test_file_that_is_no_image_is_named(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello")
    line = one_line_error(c2w("x.txt", cwd=tmp_path))
    assert "x.txt: not an OCI layout directory nor a docker-archive tar file" in line


@pytest.mark.parametrize("args, needle", [
    (["--bogus", "img"], "unrecognized arguments: --bogus"),
    (["img", "a.wasm", "-o", "b.wasm"], "either as OUT or as -o"),
    (["--platform", "linux/riscv64", "--target-arch", "riscv64", "img"], "either --platform or --target-arch"),
    ([], "the following arguments are required: IMAGE"),
])
def test_bad_options_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    r = c2w(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert needle in one_line_error(r)


def test_inspect_refuses_a_file_that_is_not_a_c2w_image(tmp_path: Path) -> None:
    (tmp_path / "plain.wasm").write_bytes(b"\0asm\x01\0\0\0")
    (tmp_path / "text.wasm").write_text("not wasm")
    assert "plain.wasm: not a c2w image" in one_line_error(c2w("inspect", "plain.wasm", cwd=tmp_path))
    assert "text.wasm: not a WebAssembly 1.0 module" in one_line_error(c2w("inspect", "text.wasm", cwd=tmp_path))
    assert "missing.wasm: No such file" in one_line_error(c2w("inspect", "missing.wasm", cwd=tmp_path))


def test_boot_names_a_missing_kernel(tmp_path: Path) -> None:
    line = one_line_error(c2w("boot", "--kernel", "nope", "--native", cwd=tmp_path))
    assert "--kernel nope: no such file" in line
