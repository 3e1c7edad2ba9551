"""Images of other architectures convert and run through qemu-user inside the riscv64 guest.

The test images are built here from Debian bookworm packages of each architecture (busybox-static,
hello, libc6: `converter/guest/build-default-image.sh ARCH`, cached by content hash), converted
with `c2w --platform ... --emulation user` (amd64 would default to the full-system x86_64 engine,
converter/bochs) and run through `c2w-run` on real runtimes.

What runs where, and why: every program a foreign container starts is a qemu-user process that
the engine interprets, and qemu's own start-up (relocating a 14 MB static-pie, setting up TCG,
translating the guest's first blocks) costs 2-5 s per exec on this machine under wasmtime, more
under wazero. So one container run per (architecture, runtime) checks everything at once:
`uname -m` (the image's machine), `hello` (dynamically linked glibc), `cat` (stdin with EOF), a
write into a mapped directory (read back on the host), `wget` of a page served on the host's
loopback (`--net`, passt), and `exit 7` (the exit status). `make test` runs all six architectures
on wasmtime and arm64 on every runtime (9 runs); `make test-foreign` (C2W_TEST_FOREIGN_ALL=1) all
six on wasmtime, wamr, wazero and node: 24 runs of 10-46 s each (node fastest, wazero slowest).
Bad input (no runtime needed): a platform with no qemu-user in Debian's riscv64 archive, a platform
the index lacks, an image whose binaries are not the architecture its config names,
`--emulation system` for a non-amd64 image: one line, exit 2, nothing written. Note that trixie's riscv64 `qemu-user`
does ship qemu-mips*, so `linux/mips` is accepted; `linux/ia64` is the example of a platform
with no emulator.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from testsupport import oci as t
from testsupport import runtimes
from testsupport.oci import REPO, run_c2w
from testsupport.servers import http_server

# Debian architecture -> (--platform, `uname -m` under qemu-user)
ARCHES = {
    "arm64": ("linux/arm64", "aarch64"),
    "amd64": ("linux/amd64", "x86_64"),
    "armhf": ("linux/arm/v7", "armv7l"),
    "i386": ("linux/386", "i686"),
    "ppc64el": ("linux/ppc64le", "ppc64le"),
    "s390x": ("linux/s390x", "s390x"),
}
RUNTIMES = ["wasmtime", "wamr", "wazero", "node"]
# (arch, runtime) pairs: every architecture on the first runtime and arm64 on all of them, or, with
# C2W_TEST_FOREIGN_ALL=1 (make test-foreign), every architecture on every runtime
RUNS = [(a, r) for a in ARCHES for r in RUNTIMES
        if os.environ.get("C2W_TEST_FOREIGN_ALL") == "1" or r == RUNTIMES[0] or a == "arm64"]
BODY = b"served on the host's loopback\n"


def c2w(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "converter.cli", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO)})


def c2w_run(module: Path, *args: str, flags: tuple[str, ...] = (), runtime: str = "wasmtime",
            input: bytes = b"", timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", runtime, *flags, str(module), *args],
                          input=input, capture_output=True, timeout=timeout, cwd=REPO)


def one_line_exit_2(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("c2w: error: "), r.stderr
    return lines[0]


@pytest.fixture(scope="session")
def installed() -> frozenset[str]:
    return runtimes.installed()


@pytest.fixture(scope="session")
def layouts() -> dict[str, Path]:
    """The test image of each architecture (an OCI layout), built from Debian packages."""
    return {arch: t.project_image(arch) for arch in ARCHES}


@pytest.fixture(scope="session")
def modules(layouts: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("foreign")
    out = {}
    for arch, (platform, _) in ARCHES.items():
        out[arch] = d / f"{arch}.wasm"
        # amd64 would default to the full-system engine (Bochs: converter/bochs, `make test-x86`)
        r = run_c2w("--platform", platform, "--emulation", "user", f"oci:{layouts[arch]}:latest", str(out[arch]))
        assert r.returncode == 0, r.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    with http_server(BODY) as port:
        yield port


# ---- runs ----

@pytest.mark.parametrize("arch, runtime", RUNS, ids=[f"{a}-{r}" for a, r in RUNS])
def test_foreign_image_runs_with_docker_semantics(arch: str, runtime: str, modules: dict[str, Path],
                                                  installed: set[str], http_port: int, tmp_path: Path) -> None:
    if runtime not in installed:
        pytest.skip(f"{runtime} is not installed on this machine")
    if shutil.which("passt") is None:
        pytest.skip("passt is not installed (Debian package passt, scripts/setup-system.sh)")
    script = ("uname -m; hello; cat; echo written-by-the-container > /out/note; "
              f"wget -q -O - http://10.0.2.2:{http_port}/; exit 7")
    r = c2w_run(modules[arch], "sh", "-c", script, runtime=runtime, input=b"stdin line\n",
                flags=("--net", "-v", f"{tmp_path}:/out"))
    err = r.stderr.decode(errors="replace")[-2000:]
    assert r.returncode == 7, err
    machine = ARCHES[arch][1]
    assert r.stdout == f"{machine}\nHello, world!\nstdin line\n".encode() + BODY, err
    assert (tmp_path / "note").read_text() == "written-by-the-container\n"


def test_argv0_is_preserved_and_the_emulator_is_hidden(modules: dict[str, Path]) -> None:
    r = c2w_run(modules["arm64"], "sh", "-c", 'echo "$0"; ls -a /')
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    lines = r.stdout.decode().split()
    assert lines[0] == "sh"  # binfmt_misc P flag: not the resolved /bin/sh
    assert ".c2w" not in lines and "bin" in lines


def test_inspect_shows_platform_and_emulation(modules: dict[str, Path], tmp_path: Path) -> None:
    meta = json.loads(c2w("inspect", "--json", str(modules["armhf"]), cwd=tmp_path).stdout)
    assert meta["platform"] == "linux/arm/v7"
    assert meta["emulation"]["mode"] == "user" and meta["emulation"]["emulator"] == "qemu-arm"
    assert meta["emulation"]["binfmt_flags"] == "POCF"
    assert meta["emulation"]["package"].startswith("qemu-user 1:")
    shown = c2w("inspect", str(modules["armhf"]), cwd=tmp_path).stdout
    assert "linux/arm/v7" in shown and "qemu-arm" in shown


def test_only_the_needed_emulator_goes_into_the_module(modules: dict[str, Path], layouts: dict[str, Path],
                                                       tmp_path: Path) -> None:
    r = run_c2w("--no-snapshot", f"oci:{layouts['s390x']}:latest", str(tmp_path / "s.wasm"))
    assert r.returncode == 0, r.stderr
    data = (tmp_path / "s.wasm").read_bytes()
    assert b":qemu-s390x:M:" in data
    assert b":qemu-aarch64:M:" not in data and b":qemu-x86_64:M:" not in data


# ---- choosing the platform ----

HELLO = [[t.directory("bin"), t.file("bin/hello.txt", b"hello\n")]]


def test_index_without_riscv64_picks_the_host_platform(tmp_path: Path) -> None:
    w = t.LayoutWriter(tmp_path / "img")
    w.index([w.image(HELLO, "arm64"), w.image(HELLO, "amd64"), w.image(HELLO, "s390x")])
    # (amd64 defaults to the Bochs engine, test_emulation_choice.py; this checks the qemu-user route)
    r = c2w("-q", "--no-snapshot", "--emulation", "user", "img", "out.wasm", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    meta = json.loads(c2w("inspect", "--json", "out.wasm", cwd=tmp_path).stdout)
    assert (meta["platform"], meta["emulation"]["emulator"]) == ("linux/amd64", "qemu-x86_64")


def test_index_without_riscv64_nor_the_host_platform_says_what_it_has(tmp_path: Path) -> None:
    w = t.LayoutWriter(tmp_path / "img")
    w.index([w.image(HELLO, "arm64"), w.image(HELLO, "s390x")])
    line = one_line_exit_2(c2w("-q", "img", "out.wasm", cwd=tmp_path))
    assert "the index has: linux/arm64, linux/s390x; choose one with --platform" in line
    assert "linux/ppc64le" in line  # what --platform takes
    assert not (tmp_path / "out.wasm").exists()


# ---- bad input: one line, exit 2, nothing written ----

def elf(machine: int, bits: int = 64, little: bool = True) -> bytes:
    """An ELF header with this e_machine (all the check reads)."""
    order = "little" if little else "big"
    return (b"\x7fELF" + bytes([bits // 32, 1 if little else 2, 1]) + b"\0" * 9 + (2).to_bytes(2, order)
            + machine.to_bytes(2, order) + b"\0" * 44)


def test_platform_without_a_qemu_user_emulator_is_refused(tmp_path: Path) -> None:
    t.oci_layout(tmp_path / "img", HELLO)
    line = one_line_exit_2(c2w("--platform", "linux/ia64", "img", "out.wasm", cwd=tmp_path))
    assert "no emulator for linux/ia64" in line and "--platform takes linux/riscv64, linux/amd64" in line
    line = one_line_exit_2(c2w("--platform", "windows/amd64", "img", "out.wasm", cwd=tmp_path))
    assert "only linux images run" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["img"]


def test_platform_the_index_lacks_is_refused(tmp_path: Path) -> None:
    w = t.LayoutWriter(tmp_path / "img")
    w.index([w.image(HELLO, "arm64"), w.image(HELLO, "riscv64")])
    line = one_line_exit_2(c2w("--platform", "linux/s390x", "img", "out.wasm", cwd=tmp_path))
    assert "no manifest for platform linux/s390x; the index has: linux/arm64, linux/riscv64" in line
    t.oci_layout(tmp_path / "single", HELLO, arch="arm64")
    line = one_line_exit_2(c2w("--platform", "linux/amd64", "single", "out.wasm", cwd=tmp_path))
    assert "the image is linux/arm64, not the requested linux/amd64" in line
    assert not (tmp_path / "out.wasm").exists()


@pytest.mark.parametrize("arch, binary, entrypoint, needle", [
    ("arm64", elf(62), None, "config says linux/arm64 but /usr/bin/busybox is built for x86-64 (linux/amd64)"),
    ("riscv64", elf(183), ["/app"], "config says linux/riscv64 but /app is built for AArch64 (linux/arm64)"),
    ("s390x", elf(22, little=True), None, "config says linux/s390x but /usr/bin/busybox is built for ELF machine 22, 64-bit LE"),
], ids=["arm64-config-amd64-sh", "riscv64-config-arm64-entrypoint", "s390x-config-little-endian-sh"])
def test_binaries_of_another_architecture_than_the_config_are_refused(
        tmp_path: Path, arch: str, binary: bytes, entrypoint: list[str] | None, needle: str) -> None:
    layer = [t.directory("usr"), t.directory("usr/bin"), t.file("usr/bin/busybox", binary, 0o755),
             t.symlink("bin", "usr/bin"), t.symlink("usr/bin/sh", "busybox"), t.file("app", binary, 0o755),
             t.file("start.sh", b"#!/bin/sh\nexec /app\n", 0o755)]
    cfg = {"Entrypoint": entrypoint} if entrypoint else {"Cmd": ["/start.sh"]}
    t.oci_layout(tmp_path / "img", [layer], arch=arch, **cfg)
    line = one_line_exit_2(c2w("-q", "img", "out.wasm", cwd=tmp_path))
    assert needle in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["img"]


def test_emulation_system_refuses_images_other_than_amd64(tmp_path: Path) -> None:
    # the full-system engine is x86_64 (Bochs: converter/bochs, its tests are `make test-x86`)
    t.oci_layout(tmp_path / "img", HELLO, arch="arm64")
    line = one_line_exit_2(c2w("--emulation", "system", "img", "out.wasm", cwd=tmp_path))
    assert "--emulation system runs linux/amd64 images only" in line and "linux/arm64" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["img"]
