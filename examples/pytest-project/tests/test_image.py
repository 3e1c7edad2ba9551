"""Each test runs once per installed WASI runtime: test_hello[wasmtime], test_hello[wazero], ..."""

from pathlib import Path

import pytest


def test_hello(c2w_run):
    assert c2w_run("echo", "hi").stdout == b"hi\n"


def test_exit_status_comes_back(c2w_run):
    assert c2w_run("sh", "-c", "exit 3").returncode == 3


def test_stdin_reaches_the_container(c2w_run):
    r = c2w_run("sh", "-c", "tr a-z A-Z; echo done >&2", stdin=b"hello\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"HELLO\n", b"done\n")


def test_environment_and_workdir(c2w_run):
    r = c2w_run("sh", "-c", 'echo "$GREETING from $(pwd)"', env={"GREETING": "hi"}, workdir="/tmp")
    assert r.stdout == b"hi from /tmp\n"


def test_mapped_directory_is_read_and_written(c2w_run, tmp_path: Path):
    (tmp_path / "in.txt").write_text("from the host\n")
    r = c2w_run("sh", "-c", "cat /data/in.txt; echo from the container > /data/out.txt",
                volumes=[f"{tmp_path}:/data"])
    assert r.stdout == b"from the host\n", r.stderr
    assert (tmp_path / "out.txt").read_text() == "from the container\n"


@pytest.mark.c2w_image("c2w:default", memory_mb=96)
def test_an_image_converted_with_other_options(c2w_run, c2w_image: Path):
    assert c2w_image.suffix == ".wasm"
    kib = int(c2w_run("sh", "-c", "grep MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2").stdout)
    assert 64 * 1024 < kib <= 96 * 1024


def test_runtime_is_a_parameter(runtime: str):
    assert runtime  # the runtime's name, for tests that need it
