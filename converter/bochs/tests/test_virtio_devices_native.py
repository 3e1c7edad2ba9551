"""converter/engine's virtio console, blk and 9p serve the x86_64 guest through the bus shim
(patch 0005, hostio.h): the smoke init reads the disk, mounts the share, reads a line of stdin
from the virtio console and prints all of it there."""

from __future__ import annotations

from pathlib import Path

import pytest

from bochsrun import VIRTIO_CMDLINE, Run, boot


@pytest.fixture(scope="module")
def devices_run(bochs_native: Path, x86_kernel: Path, x86_smoke_initramfs: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Run:
    d = tmp_path_factory.mktemp("devices")
    disk = d / "disk.img"
    disk.write_bytes(b"c2w-disk-marker!".ljust(4096, b"\0"))
    share = d / "share"
    share.mkdir()
    (share / "hello").write_text("hello-from-9p\n")
    return boot([str(bochs_native), "-q", "-f"], d / "bochsrc", x86_kernel, x86_smoke_initramfs,
                cmdline=VIRTIO_CMDLINE + " c2w.smoke.stdin",
                c2w=f"console=1, disk={disk}, share={share}:smoketag:ro",
                stdin=b"a line typed on stdin\n")


def test_console_is_the_engine_virtio_console_on_stdout(devices_run: Run) -> None:
    out = devices_run.stdout
    assert "c2w-smoke: init running as pid 1 on x86_64" in out, out[-3000:] + devices_run.stderr[-2000:]
    assert "console=hvc0" in out and "ttyS0" not in out  # no serial port configured
    assert devices_run.status == 0, f"status {devices_run.status}\n{devices_run.stderr[-2000:]}"


def test_console_input_reaches_the_guest(devices_run: Run) -> None:
    assert "c2w-smoke: stdin a line typed on stdin\n" in devices_run.stdout, devices_run.stdout[-3000:]


def test_disk_image_is_dev_vda(devices_run: Run) -> None:
    assert "c2w-smoke: vda c2w-disk-marker!\n" in devices_run.stdout, devices_run.stdout[-3000:]


def test_share_mounts_over_9p_by_its_tag(devices_run: Run) -> None:
    assert "c2w-smoke: 9p smoketag hello-from-9p\n" in devices_run.stdout, devices_run.stdout[-3000:]


def test_devices_are_declared_on_the_command_line_one_irq_each(devices_run: Run) -> None:
    cmdline = devices_run.stdout.split("c2w-smoke: cmdline ", 1)[-1].split("\n", 1)[0]
    for base, irq in (("0xfeb00000", 5), ("0xfeb01000", 6), ("0xfeb02000", 7), ("0xfeb03000", 10)):
        assert f"virtio_mmio.device=0x200@{base}:{irq}" in cmdline.split(), cmdline


def test_unreadable_disk_image_stops_bochs(bochs_native: Path, x86_kernel: Path, tmp_path: Path) -> None:
    run = boot([str(bochs_native), "-q", "-f"], tmp_path / "bochsrc", x86_kernel, None,
               c2w=f"console=1, disk={tmp_path / 'missing.img'}")
    assert run.status != 0
    assert f"cannot open disk image '{tmp_path / 'missing.img'}'" in run.stdout + run.stderr
