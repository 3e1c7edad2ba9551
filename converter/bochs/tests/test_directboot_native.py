"""The patched Bochs boots the x86_64 guest kernel directly (no BIOS) to an initramfs /init."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bochsrun import Run, boot


@pytest.fixture(scope="module")
def smoke_run(bochs_native: Path, x86_kernel: Path, x86_smoke_initramfs: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One native boot of the smoke initramfs, with the virtio devices of patch 0004."""
    return boot([str(bochs_native), "-q", "-f"], tmp_path_factory.mktemp("smoke") / "bochsrc",
                x86_kernel, x86_smoke_initramfs)


def test_kernel_boots_to_busybox_init_and_powers_off(smoke_run: Run) -> None:
    out = smoke_run.stdout
    assert "c2w-smoke: init running as pid 1 on x86_64" in out, out[-3000:] + smoke_run.stderr[-2000:]
    assert "vendor_id" in out
    assert smoke_run.status == 0, f"status {smoke_run.status}\n{smoke_run.stderr[-2000:]}"


def test_engine_virtio_rng_serves_the_guest_through_the_bus_shim(smoke_run: Run) -> None:
    # converter/engine's virtio.c + virtio_rng.c behind Bochs' memory handlers and the PIC:
    # the kernel probes the device, picks it as the hardware RNG and reads 16 bytes from it
    out = smoke_run.stdout
    assert "virtio-mmio: Registering device virtio-mmio.0 at 0xfeb00000-0xfeb001ff, IRQ 5" in out
    m = re.search(r"c2w-smoke: rng virtio_rng\.0 ([0-9a-f]{32})\n", out)
    assert m, out[-3000:]
    assert m.group(1) != "0" * 32


def test_kernel_panic_without_init_exits_nonzero(
    bochs_native: Path, x86_kernel: Path, tmp_path: Path
) -> None:
    # no initrd: the kernel cannot mount a root fs and panics; panic=-1 reboots, and a reboot
    # ends a directly booted simulation with status 1
    run = boot([str(bochs_native), "-q", "-f"], tmp_path / "bochsrc", x86_kernel, None)
    assert "Kernel panic" in run.stdout, run.stdout[-3000:]
    assert run.status == 1


def test_missing_kernel_is_one_clear_line(bochs_native: Path, tmp_path: Path) -> None:
    run = boot([str(bochs_native), "-q", "-f"], tmp_path / "bochsrc", tmp_path / "nope", None)
    assert run.status != 0
    assert f"bochs: directboot: cannot read kernel '{tmp_path / 'nope'}'" in run.stderr


def test_non_bzimage_is_refused(bochs_native: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus"
    bogus.write_bytes(b"\0" * 8192)
    run = boot([str(bochs_native), "-q", "-f"], tmp_path / "bochsrc", bogus, None)
    assert run.status != 0
    assert "is not a Linux bzImage" in run.stderr
