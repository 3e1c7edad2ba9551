"""diff (exit codes on two real documents), history, repro bundles whose run.sh really reproduces,
and one-line errors for bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from matrix import history

from .conftest import matrix


def test_diff_reports_the_regression_with_exit_1_and_the_fix_with_exit_0(good_and_broken):
    good, broken = good_and_broken
    r = matrix("diff", str(good), str(broken), check=False)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "regression wazero       probe.env.plain: pass -> fail" in r.stdout
    assert "3 regression(s), 0 fix(es)" in r.stdout  # env.plain, env.special, env.long
    back = matrix("diff", str(broken), str(good), check=False)
    assert back.returncode == 0 and "0 regression(s), 3 fix(es)" in back.stdout
    same = matrix("diff", str(good), str(good))
    assert "0 regression(s), 0 fix(es), 0 other change(s)" in same.stdout


def test_history_keeps_dated_results_and_shows_the_trend(good_and_broken, tmp_path: Path):
    good, broken = good_and_broken
    for day, src in (("2026-11-25", good), ("2026-11-26", broken), ("2026-11-27", good)):
        doc = json.loads(src.read_text())
        doc["created"] = f"{day}T03:00:00Z"
        assert history.save(doc, tmp_path).name == f"{day}.json"
    out = matrix("history", "--dir", str(tmp_path)).stdout
    assert "3 run(s), 2026-11-25 .. 2026-11-27" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("wazero"))
    assert "✓✗✓" in line and "✓✓✓" in line  # env broke for a night; args never did


def test_repro_bundle_run_sh_reproduces_nonblocking_stdin_failure(tmp_path: Path):
    out = tmp_path / "bundle"
    r = matrix("repro", "probe.stdin_nonblock.idle", "--runtime", "wasmtime", "-o", str(out))
    assert "xfail" in r.stdout
    for name in ("stdin_nonblock.wasm", "src/stdin_nonblock.c", "src/probe.h", "run.sh", "README.md",
                 "recorded.json", "check.py", "expect.json"):
        assert (out / name).is_file(), name
    readme = (out / "README.md").read_text()
    assert "wasmtime 4" in readme or "wasmtime 5" in readme
    assert "set_flags FAIL errno=8 EBADF" in readme and "## Expected" in readme
    assert "run -- ./stdin_nonblock.wasm 3 100" in readme
    moved = tmp_path / "moved"  # the bundle is self-contained: it runs from anywhere
    shutil.move(out, moved)
    done = subprocess.run([str(moved / "run.sh")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "RESULT: fail" in done.stdout and "set_flags FAIL errno=8 EBADF" in done.stdout
    recorded = json.loads((moved / "recorded.json").read_text())
    assert recorded["outcome"] == "xfail"
    assert (moved / "actual" / "stdout").read_text() == recorded["stdout"]


def test_repro_bundle_of_a_working_runtime_passes(tmp_path: Path):
    out = tmp_path / "ok"
    r = matrix("repro", "probe.mapdir.two", "--runtime", "wazero", "-o", str(out))
    assert ": pass" in r.stdout
    done = subprocess.run([str(out / "run.sh")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "RESULT: pass" in done.stdout, done.stdout + done.stderr
    assert (out / "work" / "dir1" / "probe_renamed.txt").read_text() == "written by probe\n"


def one_line_error(*args: str) -> str:
    r = matrix(*args, check=False)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("c2w-matrix: error: "), r.stderr
    return lines[0]


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, results_file):
    assert "unknown runtime 'nope'" in one_line_error("run", "--runtime", "nope")
    assert "runtime 'wasmedge' is not installed" in one_line_error("run", "--runtime", "wasmedge")
    assert "no case matches" in one_line_error("run", "--cases", "probe.zzz.*")
    assert "give --images DIR" in one_line_error("run", "--cases", "image.*")
    assert "no such case 'probe.zzz'" in one_line_error("repro", "probe.zzz", "--runtime", "wasmtime",
                                                       "-o", str(tmp_path / "b"))
    assert "cannot read results file" in one_line_error("show", str(tmp_path / "missing.json"))
    (tmp_path / "x.json").write_text("{nope")
    assert "is not JSON" in one_line_error("show", str(tmp_path / "x.json"))
    doc = json.loads(results_file.read_text())
    doc["version"] = 99
    (tmp_path / "v99.json").write_text(json.dumps(doc))
    assert "results schema version 99 is not supported" in one_line_error("diff", str(results_file),
                                                                         str(tmp_path / "v99.json"))
    (tmp_path / "other.json").write_text('{"hello": 1}')
    assert "not a c2w-matrix-results document" in one_line_error("show", str(tmp_path / "other.json"))
    assert "does not exist" in one_line_error("history", "--dir", str(tmp_path / "nohist"))


def test_repro_bundle_replays_a_scripted_stdin_over_time(tmp_path: Path):
    out = tmp_path / "late"
    r = matrix("repro", "probe.stdin_poll.late_data", "--runtime", "wazero", "-o", str(out))
    assert ": pass" in r.stdout
    run_sh = (out / "run.sh").read_text()
    assert "exec 3< <(sleep 0.5; printf %s $'late\\x0a'; sleep 1)" in run_sh
    done = subprocess.run([str(out / "run.sh")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "data=late\\\\n" in done.stdout, done.stdout + done.stderr


def test_capabilities_tell_adapters_how_to_wait_for_stdin_from_real_history():
    path = history.HISTORY_DIR / "2026-11-27.json"  # a real full run on this machine
    caps = json.loads(matrix("capabilities", str(path)).stdout)["runtimes"]
    assert caps["wasmtime"]["stdin_wait"] == "poll" and caps["wazero"]["stdin_wait"] == "poll"
    assert caps["wasmtime"]["features"]["stdin_nonblock"] == "xfail"
    assert caps["wasmtime"]["exit_status_max"] == 125 and caps["wamr"]["exit_status_max"] == 255
    assert caps["wasmedge"] == {"installed": False, "version": None, "features": caps["wasmedge"]["features"],
                                "stdin_wait": None, "exit_status_max": None}
    assert set(caps["wasmedge"]["features"].values()) == {"not installed"}
