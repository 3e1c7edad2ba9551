"""Bochs built for wasm32-wasi (setjmp/longjmp through Asyncify) boots the same guest under
wasmtime, with the same console output as the native build."""

from __future__ import annotations

from pathlib import Path

from bochsrun import boot


def _preopens(*paths: Path) -> list[str]:
    args: list[str] = []
    for d in sorted({str(p.resolve().parent) for p in paths}):
        args += ["--dir", f"{d}::{d}"]
    return args


def test_kernel_boots_under_wasmtime_like_natively(
    bochs_wasm: Path, wasmtime_cmd: list[str], x86_kernel: Path, x86_smoke_initramfs: Path,
    tmp_path: Path
) -> None:
    rc = tmp_path / "bochsrc"
    argv = [*wasmtime_cmd, "run", *_preopens(x86_kernel, x86_smoke_initramfs, rc),
            str(bochs_wasm), "-q", "-f"]
    run = boot(argv, rc, x86_kernel.resolve(), x86_smoke_initramfs.resolve(), timeout=600)
    out = run.stdout
    assert "c2w-smoke: init running as pid 1 on x86_64" in out, out[-3000:] + run.stderr[-2000:]
    assert "c2w-smoke: rng virtio_rng.0 " in out  # the engine's virtio-rng, WASI random_get
    assert "reboot: System halted" in out
    assert run.status == 0, f"status {run.status}\n{run.stderr[-2000:]}"


def test_asyncify_output_is_a_wasi_command(bochs_wasm: Path) -> None:
    data = bochs_wasm.read_bytes()
    assert data[:4] == b"\0asm"
    assert b"wasi_snapshot_preview1" in data
    # wasm-opt --asyncify ran: its runtime is exported, and the module imports nothing from
    # "asyncify" any more (a length-prefixed module name in the import section)
    assert b"asyncify_start_unwind" in data
    assert b"\x08asyncify" not in data
