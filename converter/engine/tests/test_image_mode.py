"""Image mode of engine.wasm: payloads added by the converter's own converter.wasm.add_payloads
(kernel, initrd = tests/peer/ctlpeer.c as /init, disk, config, cmdline) boot under a real WASI
runtime; argv/environ are the run-time interface; `wasmtime wizer` snapshots at READY and the
snapshot resumes on wasmtime, WAMR (iwasm), wazero and node."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from engine_helpers import REPO, field, make_image, peer_initramfs, snapshot, wasmtime_bin
from testsupport.runtimes import argv as runtime_argv, require_argv

DISK = os.urandom(1 << 20)
CONFIG = field("E", "/bin/entry") + field("C", "dump") + field("V", "IMG=1") + field("W", "/img")


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{len(data)} {h:016x}"


DISK_SUM = fnv1a64(DISK)


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_image(tmp_path_factory.mktemp("img") / "cold.wasm", peer_initramfs(), config=CONFIG, disk=DISK)


@pytest.fixture(scope="module")
def snap(cold: Path) -> Path:
    return snapshot(cold, cold.with_name("snap.wasm"))


def wasmtime(module: Path, *args: str, env: dict[str, str] | None = None, stdin: bytes = b"",
             dirs: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
    mapped = [(d.partition("::")[0], d.partition("::")[2] or d) for d in dirs]  # HOST[::GUEST]
    return subprocess.run(runtime_argv("wasmtime", module, args, dirs=mapped, env=env), input=stdin,
                          capture_output=True, timeout=120)


def fields(p: subprocess.CompletedProcess[bytes]) -> list[tuple[str, str]]:
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return [(ln[:1], ln[2:]) for ln in p.stdout.decode().splitlines()]


def test_cold_image_boots_from_payloads_with_runtime_interface(cold: Path) -> None:
    f = fields(wasmtime(cold, "--workdir", "/w", "dump", "a b", env={"K": "v v"}))
    assert f[:4] == [("E", "/bin/entry"), ("C", "dump"), ("V", "IMG=1"), ("W", "/img")]
    assert [t for t in f[4:] if t[0] not in "Tr"] == [("v", "K=v\\x20v"), ("w", "/w"), ("a", "dump"), ("a", "a\\x20b")]


def test_disk_payload_is_served_intact(cold: Path, snap: Path) -> None:
    for module in (cold, snap):
        p = wasmtime(module, "disksum")
        assert p.returncode == 0, p.stderr
        assert p.stdout.decode().strip() == DISK_SUM


def test_snapshot_resumes_with_fresh_args_env_and_status(snap: Path) -> None:
    f = fields(wasmtime(snap, "dump", "x", env={"A": "1"}))
    assert [t for t in f[4:] if t[0] not in "Tr"] == [("v", "A=1"), ("a", "dump"), ("a", "x")]
    p = wasmtime(snap, "exit", "7")
    assert (p.returncode, p.stdout, p.stderr) == (7, b"out\n", b"err\n")
    data = os.urandom(300_000)
    p = wasmtime(snap, "cat", stdin=data)
    assert p.returncode == 0 and p.stdout == data


def test_snapshot_holds_the_kernel_once(cold: Path, snap: Path) -> None:
    # the kernel payload is zeroed once copied into guest RAM: the snapshot keeps only the copy
    from engine_helpers import kernel
    chunk = kernel().read_bytes()[0x20000:0x21000]  # kernel text, stays intact in guest RAM
    assert cold.read_bytes().count(chunk) == 1
    assert snap.read_bytes().count(chunk) == 1


def test_snapshot_starts_fast(snap: Path) -> None:
    wasmtime(snap, "exit", "0")  # warm the compilation cache
    t0 = time.monotonic()
    p = wasmtime(snap, "exit", "0")
    elapsed = time.monotonic() - t0
    assert p.returncode == 0
    assert elapsed < 3.0, f"snapshotted start-to-exit took {elapsed:.2f} s"


def test_bad_runtime_option_exits_2(snap: Path) -> None:
    p = wasmtime(snap, "--frobnicate", "dump")
    assert p.returncode == 2
    assert p.stderr == b"c2w: unknown option --frobnicate (see --help; put the command after --)\n"


def test_help_lists_the_runtime_options(snap: Path) -> None:
    p = wasmtime(snap, "--help")
    assert p.returncode == 0 and b"--entrypoint CMD" in p.stdout and b"--mount NAME:PATH" in p.stdout


def test_wizer_fails_clearly_when_the_guest_never_gets_ready(tmp_path: Path) -> None:
    from engine_helpers import GUEST_DIR, last_line
    smoke = last_line([str(GUEST_DIR / "build-initramfs.sh"), "--smoke"], timeout=600)
    cold = make_image(tmp_path / "cold.wasm", smoke)
    p = subprocess.run([wasmtime_bin(), "wizer", "-S", "cli", "-f", "wizer.initialize", "-o",
                        str(tmp_path / "snap.wasm"), str(cold)], capture_output=True, timeout=300)
    assert p.returncode != 0
    assert b"c2w: the guest powered off without reporting an exit status" in p.stderr


def image_argv(runtime: str, snap: Path, *args: str) -> list[str]:
    """The snapshot run on `runtime`: node through c2w-run (its runner needs the launcher's
    image protocol), the others as their adapters invoke a plain module."""
    if runtime != "node":
        return require_argv(runtime, snap, args)
    c2w_run = REPO / ".venv" / "bin" / "c2w-run"
    if not c2w_run.exists() or shutil.which("node") is None:
        pytest.skip("node or c2w-run not installed")
    return [str(c2w_run), "--runtime", "node", str(snap), *args]


@pytest.mark.parametrize("runtime", ["wamr", "wazero", "node"])
def test_snapshot_runs_on_other_runtimes(snap: Path, runtime: str) -> None:
    p = subprocess.run(image_argv(runtime, snap, "exit", "9"), capture_output=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert (p.returncode, p.stdout, p.stderr) == (9, b"out\n", b"err\n")
    p = subprocess.run(image_argv(runtime, snap, "cat"), input=b"hello\n", capture_output=True, timeout=120)
    assert (p.returncode, p.stdout) == (0, b"hello\n"), p.stderr


def test_config_memory_field_sets_guest_ram_and_is_not_forwarded(tmp_path: Path) -> None:
    cold = make_image(tmp_path / "m.wasm", peer_initramfs(), config=CONFIG + field("M", "300"))
    p = wasmtime(cold, "meminfo")
    assert p.returncode == 0, p.stderr
    total_kb = int(p.stdout.split()[1])
    assert 280_000 < total_kb < 307_200
    assert not [t for t in fields(wasmtime(cold, "dump")) if t[0] == "M"]


def test_bad_config_payload_is_125(tmp_path: Path) -> None:
    cold = make_image(tmp_path / "bad.wasm", peer_initramfs(), config=CONFIG + b"C\xff\xff\x00\x00x")
    p = wasmtime(cold, "dump")
    assert p.returncode == 125
    assert p.stderr.startswith(b"c2w: config payload: field 'C' at byte ")


def test_bad_kernel_payload_is_125_with_one_line(tmp_path: Path) -> None:
    from converter import wasm

    from engine_helpers import engine
    bad = tmp_path / "bad-kernel.wasm"
    bad.write_bytes(wasm.add_payloads(engine("wasm").read_bytes(),
                                      [("kernel", b"not a kernel" * 100), ("initrd", peer_initramfs().read_bytes())]))
    p = wasmtime(bad, "dump")
    assert p.returncode == 125
    assert p.stderr == b"c2w: kernel payload: not a RISC-V Linux kernel Image (bad header magic)\n"


def test_snapshot_is_reproducible(cold: Path, snap: Path, tmp_path: Path) -> None:
    # the boot to READY runs on an instruction-count clock with a fixed entropy stream, and the
    # dead stack is zeroed: the same cold module always gives the same snapshot
    again = snapshot(cold, tmp_path / "again.wasm")
    assert again.read_bytes() == snap.read_bytes()
    # while every run still gets fresh randomness (the r field reseeds the guest's CRNG)
    seeds = {[v for t, v in fields(wasmtime(snap, "dump")) if t == "r"][0] for _ in range(2)}
    assert len(seeds) == 2


def test_interactive_stdin_on_wasmer_with_stdin_mode_idle(snap: Path) -> None:
    # wasmer 7's poll_oneoff misreports stdin and the read blocks the engine: with the default
    # mode a line typed is only answered after the next one; --stdin-mode idle reads stdin only
    # while the guest idles, so each line is answered at once
    import select
    p = subprocess.Popen(image_argv("wasmer", snap, "--no-tty", "--stdin-mode", "idle", "cat"),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert p.stdin and p.stdout
    try:
        p.stdin.write(b"first\n")
        p.stdin.flush()
        assert select.select([p.stdout], [], [], 30)[0], "no answer to the first line"
        assert p.stdout.readline() == b"first\n"
        p.stdin.write(b"second\n")
        p.stdin.close()
        assert p.wait(timeout=30) == 0
        assert p.stdout.read() == b"second\n"
    finally:
        if p.poll() is None:
            p.kill()
