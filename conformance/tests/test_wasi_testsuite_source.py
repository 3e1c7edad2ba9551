"""wasi-testsuite as a case source (`c2w-matrix run --suite wasi-testsuite=DIR`) on wasmtime and
wazero, through the real c2w-run, each test also run the way the suite's own runner runs it.

No package registry reachable here carries the suite's tests (conformance/README.md, STATUS), so
the suite here is one laid out as a checkout of its prod/testsuite-base branch is
(`tests/<lang>/testsuite/wasm32-wasip1/NAME.wasm` + `NAME.json` specifications + `manifest.json`),
holding this project's own probes with specifications written for them; a real checkout runs
the same way."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import wasi_testsuite
from conformance.cases import CaseError
from conformance.programs import Programs

MATRIX = [sys.executable, "-m", "matrix.cli"]

SPECS = {  # test name -> (probe, specification)
    "stdio": ("stdio", {"stdout": "out 1\nout 2\n", "stderr": "err 1\nerr 2\n"}),
    "args-env": ("args_env_exit", {"args": ["5", "a b"], "env": {"FOO": "bar"}, "exit_code": 5}),
    "exit-code": ("exit_code", {"args": ["3", "bye"], "exit_code": 3, "stdout": "bye\n"}),
    "preopen-ops": ("preopen_ops", {"args": ["fs-tests.dir"], "dirs": ["fs-tests.dir"]}),
    "wrong-exit": ("stdio", {"exit_code": 1}),  # fails everywhere: both runners must say so
}


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    probes = Programs().probes
    root = tmp_path_factory.mktemp("wasi-testsuite")
    c = root / "tests" / "c" / "testsuite" / "wasm32-wasip1"
    c.mkdir(parents=True)
    (c / "manifest.json").write_text(json.dumps({"name": "WASI C tests"}))
    for name, (probe, spec) in SPECS.items():
        shutil.copy(probes / f"{probe}.wasm", c / f"{name}.wasm")
        (c / f"{name}.json").write_text(json.dumps(spec))
    (c / "fs-tests.dir").mkdir()
    (c / "fs-tests.dir" / "input.txt").write_text("input data\n")
    rust = root / "tests" / "rust" / "testsuite"
    (rust / "wasm32-wasip1").mkdir(parents=True)
    shutil.copy(probes / "stdio.wasm", rust / "wasm32-wasip1" / "no-spec.wasm")  # default spec: exit 0
    (rust / "wasm32-wasip3").mkdir()
    shutil.copy(probes / "stdio.wasm", rust / "wasm32-wasip3" / "p3-only.wasm")  # not preview1: left out
    return root


def test_suite_tests_become_cases_with_their_specifications(suite: Path):
    cases = {c.id: c for c in wasi_testsuite.load(suite)}
    assert sorted(cases) == ["wts.c.args_env", "wts.c.exit_code", "wts.c.preopen_ops", "wts.c.stdio",
                             "wts.c.wrong_exit", "wts.rust.no_spec"]
    args = cases["wts.c.args_env"]
    assert args.feature == "wasi-testsuite/c" and args.level == "suite"
    assert args.args == ("5", "a b") and args.env == {"FOO": "bar"} and args.expect.exit_code == 5
    assert cases["wts.c.preopen_ops"].mapdirs[0].guest == "fs-tests.dir"
    assert cases["wts.rust.no_spec"].expect.exit_code == 0 and cases["wts.rust.no_spec"].expect.stdout is None
    with pytest.raises(CaseError, match="no preview1 test"):
        wasi_testsuite.load(suite / "tests" / "rust" / "testsuite" / "wasm32-wasip3")


def test_suite_runs_on_wasmtime_and_wazero_and_agrees_with_the_suites_own_runner(suite: Path, tmp_path: Path):
    out = tmp_path / "r.json"
    r = subprocess.run([*MATRIX, "run", "-q", "--no-rerun", "-j", "2", "--runtime", "wasmtime", "--runtime", "wazero",
                        "--suite", f"wasi-testsuite={suite}", "--cases", "probe.args.plain", "-o", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "disagrees" not in r.stderr
    doc = json.loads(out.read_text())
    got = {(x["runtime"], x["case"]): x for x in doc["results"]}
    for rt in ("wasmtime", "wazero"):
        assert got[(rt, "probe.args.plain")]["outcome"] == "pass"  # our cases, in the same document
        for case in ("wts.c.stdio", "wts.c.args_env", "wts.c.exit_code", "wts.c.preopen_ops", "wts.rust.no_spec"):
            assert got[(rt, case)]["outcome"] == "pass", got[(rt, case)]["problems"]
            assert got[(rt, case)]["note"] == "wasi-testsuite runner: pass"
        wrong = got[(rt, "wts.c.wrong_exit")]
        assert wrong["outcome"] == "fail" and "exit status 0, expected 1" in wrong["problems"][0]
        assert wrong["note"] == "wasi-testsuite runner: fail"
    md = subprocess.run([*MATRIX, "show", str(out), "--format", "md", "--no-details"], capture_output=True,
                        text=True, check=True).stdout
    head = next(ln for ln in md.splitlines() if ln.startswith("| runtime"))
    assert head.endswith("| wasi-testsuite/c | wasi-testsuite/rust |")  # their own columns, after ours
    row = next(ln for ln in md.splitlines() if ln.startswith("| **wazero**"))
    assert "4/5" in row and row.rstrip(" |").endswith("1/1")


def test_an_adapter_that_loses_a_mapping_disagrees_with_the_suites_own_runner(suite: Path, tmp_path: Path):
    """wazero behind a wrapper dropping -mount= with an absolute host path: what c2w-run's adapter
    passes (the suite's runner passes a relative one), i.e. a fault in our translation only."""
    rows = json.loads(subprocess.run([sys.executable, "-m", "c2w_run.cli", "runtimes", "--json"], capture_output=True,
                                     text=True, check=True).stdout)
    wazero = next(x for x in rows if x["name"] == "wazero")["command"][0]
    broken = tmp_path / "wazero-drops-absolute-mounts"
    broken.write_text("#!/usr/bin/env bash\nargs=()\nfor a in \"$@\"; do case \"$a\" in -mount=/*) ;; "
                      f"*) args+=(\"$a\");; esac; done\nexec {wazero} \"${{args[@]}}\"\n")
    broken.chmod(0o755)
    out = tmp_path / "r.json"
    r = subprocess.run([*MATRIX, "run", "-q", "--no-rerun", "--runtime", "wazero", "--suite-only",
                        "--suite", f"wasi-testsuite={suite}", "--cases", "wts.c.preopen_ops", "-o", str(out)],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "C2W_WAZERO": str(broken)})
    assert r.returncode == 0, r.stderr
    assert ("disagrees: wazero wts.c.preopen_ops: fail through c2w-run, pass under wasi-testsuite's runner"
            in r.stderr), r.stderr
    [res] = json.loads(out.read_text())["results"]
    assert res["outcome"] == "fail"
    assert res["note"] == "wasi-testsuite runner: pass (DISAGREES: through c2w-run fail)"


def test_suite_without_a_directory_says_why_in_one_line(tmp_path: Path):
    r = subprocess.run([*MATRIX, "run", "--suite", "wasi-testsuite"], capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}, timeout=120)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "no package registry reachable here carries its tests" in r.stderr
    r = subprocess.run([*MATRIX, "run", "--suite", "nosuch=x"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "unknown suite 'nosuch'" in r.stderr
