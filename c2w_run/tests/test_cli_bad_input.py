"""Bad input: one line naming the problem, exit status 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

WASM = b"\0asm\1\0\0\0"


def c2w_run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "c2w_run.cli", *args], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.fixture
def module(tmp_path: Path) -> Path:
    p = tmp_path / "m.wasm"
    p.write_bytes(WASM)
    return p


def assert_one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for n in needles:
        assert n in lines[0]


def test_unknown_runtime_lists_the_known_ones(module: Path) -> None:
    done = c2w_run("--runtime", "nosuch", str(module))
    assert_one_line_error(done, "nosuch", "wasmtime", "wazero", "wamr", "node", "wasmedge")


def test_missing_module_file(tmp_path: Path) -> None:
    assert_one_line_error(c2w_run(str(tmp_path / "absent.wasm")), "absent.wasm", "does not exist")


def test_non_wasm_module_file(tmp_path: Path) -> None:
    p = tmp_path / "text.wasm"
    p.write_text("hello")
    assert_one_line_error(c2w_run(str(p)), "not a WebAssembly module")


def test_runtime_not_installed_names_what_provides_it(module: Path) -> None:
    # wasmedge cannot be installed from this project's registries
    import os

    env = {k: v for k, v in os.environ.items() if k != "C2W_WASMEDGE"}
    env["PATH"] = "/usr/bin:/bin"
    done = c2w_run("--runtime", "wasmedge", str(module), env=env)
    assert_one_line_error(done, "wasmedge", "not installed", "C2W_WASMEDGE")


def test_bad_mapdir_syntax(module: Path) -> None:
    assert_one_line_error(c2w_run("-v", "nocolon", str(module)), "nocolon", "HOST:GUEST")


def test_mapdir_host_must_exist(module: Path, tmp_path: Path) -> None:
    assert_one_line_error(c2w_run("-v", f"{tmp_path}/none:/x", str(module)), "not a directory")


def test_runtimes_json_lists_wasmedge_as_not_installed_with_install_hint() -> None:
    import json
    import os

    env = {k: v for k, v in os.environ.items() if k != "C2W_WASMEDGE"}
    env["PATH"] = "/usr/bin:/bin"
    done = c2w_run("runtimes", "--json", env=env)
    assert done.returncode == 0, done.stderr
    rows = {r["name"]: r for r in json.loads(done.stdout)}
    assert rows["wasmedge"]["installed"] is False
    assert "wasmedge" in rows["wasmedge"]["install"].lower()
    assert rows["wasmtime"]["installed"] is True
    assert rows["wasmtime"]["version"].startswith("wasmtime ")


def test_bad_wasi_listen_address(module: Path) -> None:
    r = c2w_run("--wasi-listen", "localhost:80", str(module))
    assert r.returncode == 2
    assert r.stderr.strip() == "c2w-run: error: invalid --wasi-listen 'localhost:80': 'localhost' is not an IP address"
