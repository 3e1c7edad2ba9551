"""The capability record each adapter declares (c2w_run/adapter.py) agrees with what a real
matrix run measures (`c2w-matrix capabilities --check`); an adapter that declares more than its
runtime does is caught by the same check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from c2w_run import registry

from .conftest import matrix

CASES = ["probe.mapdir_ro.*", "probe.sock.*", "probe.exit.125", "probe.exit.high"]
MEASURED = ("readonly_mapdir", "sockets", "max_exit_status")

LIAR = '''
"""wasmtime's adapter, declaring a read-only preopen and exit statuses up to 255 it does not have."""
from c2w_run.hookspecs import Capabilities, RuntimeInfo, hookimpl
from c2w_run.runtimes.wasmtime import Wasmtime


class Liar(Wasmtime):
    info = RuntimeInfo(name="wasmtime-liar", description="wasmtime, declaring too much",
                       env_var="C2W_WASMTIME_LIAR", executables=("wasmtime",),
                       capabilities=Capabilities(readonly_mapdir=True, max_exit_status=255))


@hookimpl
def c2w_run_register_runtimes(register):
    register.add(Liar())
'''


def run_matrix(out: Path, runtimes: list[str], env: dict[str, str] | None = None) -> dict:
    args = ["run", "-q", "--no-rerun", "-j", "2", "-o", str(out)]
    for rt in runtimes:
        args += ["--runtime", rt]
    for c in CASES:
        args += ["--cases", c]
    matrix(*args, env=env)
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def installed() -> list[str]:
    found = []
    for name in registry.runtimes():
        try:
            registry.require(name)
        except registry.RuntimeNotInstalled:
            continue
        found.append(name)
    return found


def test_declared_records_agree_with_a_real_matrix_run(installed: list[str], tmp_path: Path) -> None:
    assert {"wasmtime", "wazero"} <= set(installed), "make runtimes"
    out = tmp_path / "results.json"
    doc = run_matrix(out, installed)
    r = matrix("capabilities", "--check", str(out), check=False)
    assert r.returncode == 0, r.stderr
    check = json.loads(r.stdout)["check"]
    assert check["disagreements"] == []
    # not vacuous: every installed runtime had every measured field measured, and it is the declared one
    for name in installed:
        declared = registry.resolve_name(name).capabilities
        got = check["measured"][name]
        for key in MEASURED:
            assert got[key] is not None, (name, key)
            assert got[key] == getattr(declared, key), (name, key)
    rows = {rt["name"]: rt for rt in doc["runtimes"]}
    assert rows["wamr"]["aliases"] == ["iwasm"]
    assert rows["wazero"]["capabilities"]["readonly_mapdir"] is True


def test_an_adapter_declaring_what_its_runtime_cannot_do_fails_the_check(installed: list[str],
                                                                         tmp_path: Path) -> None:
    assert "wasmtime" in installed, "make runtimes"
    site = tmp_path / "site"
    site.mkdir()
    (site / "c2w_wasmtime_liar.py").write_text(LIAR)
    dist = site / "c2w_wasmtime_liar-1.0.dist-info"  # an installed distribution with its entry point
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: c2w-wasmtime-liar\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[c2w_run.runtimes]\nwasmtime-liar = c2w_wasmtime_liar\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
           "C2W_WASMTIME_LIAR": " ".join(registry.require("wasmtime").command)}
    rows = json.loads(subprocess.run([sys.executable, "-m", "c2w_run.cli", "runtimes", "--json"], env=env,
                                     capture_output=True, text=True, timeout=120, check=True).stdout)
    assert any(r["name"] == "wasmtime-liar" and r["installed"] for r in rows)
    out = tmp_path / "results.json"
    run_matrix(out, ["wasmtime-liar"], env=env)
    r = matrix("capabilities", "--check", str(out), check=False)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert ("c2w-matrix: capability record disagrees: wasmtime-liar: the adapter declares "
            "readonly_mapdir = True, the matrix measured False") in lines
    assert ("c2w-matrix: capability record disagrees: wasmtime-liar: the adapter declares "
            "max_exit_status = 255, the matrix measured 125") in lines
    assert len(lines) == 2  # its sockets ("none") are declared as they are
