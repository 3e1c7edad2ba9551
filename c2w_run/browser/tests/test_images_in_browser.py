"""The default image (converted by the real `c2w`) through `c2w-run --runtime browser` on real
headless Chromium: hello, exit 7, stdin to EOF, stdout/stderr apart, a mapped directory written
back, and --net reaching a loopback server on the host through the page's WebSocket + passt."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from testsupport.servers import http_server

from .conftest import launch

BODY = b"served on the host's loopback\n"


def test_hello(image: Path) -> None:
    r = launch(str(image), "echo", "hello from the browser")
    assert (r.returncode, r.stdout) == (0, b"hello from the browser\n"), r.stderr


def test_exit_status_7(image: Path) -> None:
    assert launch(str(image), "sh", "-c", "exit 7").returncode == 7


def test_stdin_reaches_the_container_then_eof(image: Path) -> None:
    r = launch(str(image), "sh", "-c", "wc -c; echo done", input=b"x" * 100000)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"100000\ndone\n"


def test_stdout_and_stderr_stay_apart(image: Path) -> None:
    r = launch(str(image), "sh", "-c", "echo out; echo err >&2")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"out\n", b"err\n")


def test_mapped_directory_is_written_back(image: Path, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "in.txt").write_text("from the host\n")
    (tmp_path / "sub" / "old").write_text("old\n")
    (tmp_path / "gone").write_text("x")
    (tmp_path / "link").symlink_to("in.txt")
    script = ("cat /data/link; echo changed > /data/in.txt; echo new > /data/sub/new; "
              "mkdir /data/made; echo deep > /data/made/f; rm /data/gone; mv /data/sub/old /data/moved; "
              "ln -s made/f /data/newlink")
    r = launch("-v", f"{tmp_path}:/data", str(image), "sh", "-c", script)
    assert (r.returncode, r.stdout) == (0, b"from the host\n"), r.stderr
    assert (tmp_path / "in.txt").read_text() == "changed\n"
    assert (tmp_path / "sub" / "new").read_text() == "new\n"
    assert (tmp_path / "made" / "f").read_text() == "deep\n"
    assert (tmp_path / "moved").read_text() == "old\n"
    assert os.readlink(tmp_path / "newlink") == "made/f" and os.readlink(tmp_path / "link") == "in.txt"
    assert not (tmp_path / "gone").exists() and not (tmp_path / "sub" / "old").exists()


def test_read_only_mapping_refuses_writes(image: Path, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("ro\n")
    r = launch("-v", f"{tmp_path}:/data:ro", str(image), "sh", "-c", "cat /data/f; echo x > /data/f")
    assert r.returncode != 0 and r.stdout == b"ro\n"
    assert b"Read-only file system" in r.stderr
    assert (tmp_path / "f").read_text() == "ro\n"


@pytest.fixture
def http_port() -> Iterator[int]:
    with http_server(BODY) as port:
        yield port


def test_net_wget_reaches_a_loopback_server(image: Path, http_port: int) -> None:
    if shutil.which("passt") is None:
        pytest.skip("passt is not installed (Debian package 'passt', scripts/setup-system.sh)")
    r = launch("--net", str(image), "wget", "-q", "-O", "-", f"http://10.0.2.2:{http_port}/")
    assert (r.returncode, r.stdout) == (0, BODY), r.stderr
