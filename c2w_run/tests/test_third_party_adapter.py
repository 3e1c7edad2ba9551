"""A third-party adapter package, really installed, is found through the entry point group,
listed by `c2w-run runtimes`, and runs a module."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    src = tmp_path_factory.mktemp("src") / "pkg"
    shutil.copytree(HERE / "thirdparty_adapter", src)  # setuptools writes build/ beside the sources
    r = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--no-cache-dir", "--target", str(target), str(src)],
        capture_output=True, text=True, timeout=300, cwd=src)
    assert r.returncode == 0, r.stderr
    assert list(target.glob("c2w_run_wasmtime_nocache-1.0.0.dist-info/entry_points.txt"))
    return target


def c2w_run(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    return subprocess.run([sys.executable, "-m", "c2w_run.cli", *args], capture_output=True,
                          text=True, timeout=120, env=env, cwd=REPO)


def wasmtime_installed() -> bool:
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "runtimes", "--json"],
                       capture_output=True, text=True, timeout=120, cwd=REPO)
    return any(row["name"] == "wasmtime" and row["installed"] for row in json.loads(r.stdout))


def test_installed_adapter_is_listed_with_its_version(site: Path) -> None:
    r = c2w_run(site, "runtimes", "--json")
    assert r.returncode == 0, r.stderr
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    assert "wasmtime" in rows, "built-in adapters are still there"
    row = rows["wasmtime-nocache"]
    assert row["description"].startswith("wasmtime CLI without its compilation cache")
    if row["installed"]:
        assert row["version"].endswith("(cache off)")
    else:
        assert row["install"] == "pip install c2w-run-wasmtime-nocache"


def test_adapter_is_not_there_without_the_package() -> None:
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "runtimes", "--json"],
                       capture_output=True, text=True, timeout=120, cwd=REPO)
    assert "wasmtime-nocache" not in {row["name"] for row in json.loads(r.stdout)}


def test_installed_adapter_runs_a_module(site: Path, tmp_path: Path) -> None:
    if not wasmtime_installed():
        pytest.skip("the example adapter drives the wasmtime CLI, which is not installed here")
    probes = subprocess.run([str(REPO / "conformance/probes/build.sh")], capture_output=True,
                            text=True, timeout=600, check=True).stdout.strip().splitlines()[-1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    wasmtime = json.loads(c2w_run(site, "runtimes", "--json").stdout)
    cmd = next(row["command"] for row in wasmtime if row["name"] == "wasmtime")
    env["C2W_WASMTIME_NOCACHE"] = " ".join(cmd)
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime-nocache",
                        "-e", "GREETING=hi there", f"{probes}/args_env_exit.wasm", "5", "x y",
                        "env:GREETING"], capture_output=True, text=True, timeout=120, env=env, cwd=REPO)
    assert r.returncode == 5, r.stderr
    assert "argv[2]=x y" in r.stdout.splitlines()
    assert "env:GREETING=hi there" in r.stdout.splitlines()


def test_registry_refuses_ro_for_an_adapter_that_declares_no_read_only_preopens(site: Path, tmp_path: Path) -> None:
    # the example adapter maps every directory read-write and never looks at `readonly`: the
    # registry refuses from its capability record before the adapter is asked
    module = tmp_path / "m.wasm"
    module.write_bytes(b"\0asm\1\0\0\0")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)]),
           "C2W_WASMTIME_NOCACHE": "/nonexistent/wasmtime"}
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime-nocache",
                        "-v", f"{tmp_path}:/data:ro", str(module)], capture_output=True, text=True,
                       timeout=120, env=env, cwd=REPO)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "c2w-run: error: wasmtime-nocache cannot map a directory read-only"), r.stderr
    assert "wazero" in lines[0]  # names the runtimes that can
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime-nocache",
                        "--wasi-listen", "127.0.0.1:9", str(module)], capture_output=True, text=True,
                       timeout=120, env=env, cwd=REPO)
    assert r.returncode == 2
    assert "wasmtime-nocache cannot give the module a pre-opened listening socket" in r.stderr
