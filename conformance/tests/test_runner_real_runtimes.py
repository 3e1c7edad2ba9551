"""The runner on real runtimes, through the real c2w-run: cases pass where the runtime works,
known failures show as xfail, a wrong expectation shows as xpass, a broken adapter flag turns
cells into fail."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import cases
from conformance.expectations import Expectations
from conformance.programs import Programs
from conformance.runner import run_case, run_matrix

RUNTIMES = ("wasmtime", "wazero")
BASIC = ["probe.args.special", "probe.env.special", "probe.exit.42", "probe.stdio.separate",
         "probe.stdin.cat", "probe.stdin_poll.idle_pipe", "probe.stdin_poll.interactive", "probe.mapdir.ops",
         "probe.timeout.kill"]


def installed() -> dict[str, dict]:
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "runtimes", "--json"], capture_output=True,
                       text=True, timeout=120)
    return {row["name"]: row for row in json.loads(r.stdout)}


@pytest.fixture(scope="module")
def programs() -> Programs:
    p = Programs()
    assert (p.probes / "args_env_exit.wasm").is_file()
    return p


@pytest.fixture(scope="module")
def table() -> dict[str, dict]:
    t = installed()
    missing = [r for r in RUNTIMES if not t[r]["installed"]]
    if missing:
        pytest.fail(f"runtimes not installed (run make runtimes): {missing}")
    return t


def test_basic_probe_cases_pass_on_two_real_runtimes(programs, table):
    sel = cases.load(patterns=BASIC)
    results = run_matrix(sel, list(RUNTIMES), programs, jobs=2)
    assert len(results) == len(BASIC) * 2
    bad = [(r.runtime, r.case, r.problems) for r in results if r.outcome != "pass"]
    assert not bad
    for r in results:
        assert r.command[:3] == [sys.executable, "-m", "c2w_run.cli"] and r.duration > 0
    timeout = next(r for r in results if r.case == "probe.timeout.kill")
    assert timeout.exit_code == 124 and 1.5 < timeout.duration < 10


def test_known_failure_is_xfail_with_its_reason(programs, table):
    [case] = cases.load(patterns=["probe.stdin_nonblock.idle"])
    r = run_case(case, "wasmtime", programs, Expectations.load("wasmtime"))
    assert r.outcome == "xfail"
    assert "EBADF" in r.stdout and "EBADF" in r.reason
    ok = run_case(case, "wazero", programs, Expectations.load("wazero"))
    assert ok.outcome == "pass", ok.problems


def test_wrong_expectation_shows_as_xpass_after_a_rerun(programs, table, tmp_path: Path):
    (tmp_path / "wazero.toml").write_text('[xfail."probe.exit.*"]\nreason = "deliberately wrong"\n')
    [case] = cases.load(patterns=["probe.exit.42"])
    r = run_case(case, "wazero", programs, Expectations.load("wazero", tmp_path))
    assert r.outcome == "xpass" and r.attempts == 2 and r.reason == "deliberately wrong"


def test_broken_adapter_flag_turns_env_cells_into_fail(programs, table, tmp_path: Path, monkeypatch):
    # a wazero whose adapter flags lose every -env=...: C2W_WAZERO points c2w-run at this wrapper
    real = table["wazero"]["command"][0]
    wrapper = tmp_path / "wazero-drops-env"
    wrapper.write_text("#!/usr/bin/env bash\nargs=()\nfor a in \"$@\"; do case \"$a\" in -env=*) ;; "
                       f"*) args+=(\"$a\");; esac; done\nexec {real} \"${{args[@]}}\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("C2W_WAZERO", str(wrapper))
    sel = cases.load(patterns=["probe.env.*", "probe.args.plain"])
    results = {r.case: r for r in run_matrix(sel, ["wazero"], programs, jobs=2)}
    assert results["probe.args.plain"].outcome == "pass"
    assert results["probe.env.plain"].outcome == "fail"
    assert results["probe.env.special"].outcome == "fail"
    assert any("envc=0" in p for p in results["probe.env.plain"].problems)


def test_missing_program_is_an_error_not_a_fail(programs, table, tmp_path: Path):
    (tmp_path / "c.toml").write_text('[[case]]\nid = "probe.ghost.run"\nfeature = "ghost"\nlevel = "probe"\n'
                                     'program = "no_such_probe"\n')
    [case] = cases.load(tmp_path)
    r = run_case(case, "wasmtime", programs, Expectations({}))
    assert r.outcome == "error" and "not found" in r.problems[0]
    assert os.path.isdir(programs.probes)


def test_socket_case_accepts_a_real_tcp_client(programs, table):
    if not table["wasmtime46"]["installed"]:
        pytest.fail("wasmtime46 not installed (make runtimes)")
    [case] = cases.load(patterns=["probe.sock.accept"])
    r = run_case(case, "wasmtime46", programs, Expectations.load("wasmtime46"))
    assert r.outcome == "pass", r.problems
    assert "received=ping\\n" in r.stdout
    assert "--wasi-listen" in r.command and not r.note  # c2w-run's own option, no stand-in flags
    skipped = run_case(case, "node", programs, Expectations({}))
    assert skipped.outcome in ("skip", "fail")  # node:wasi has no sockets either way
