"""Real results documents for the matrix tests: `c2w-matrix run` through the real c2w-run on two
installed runtimes (wasmtime, wazero), including one image-level case (a probe standing in for an
image until the converter produces images) that names the probe explaining its failure."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cases import CASES_DIR
from conformance.programs import Programs

MATRIX = [sys.executable, "-m", "matrix.cli"]
CASES = ["probe.args.plain", "probe.env.*", "probe.exit.42", "probe.exit.137", "probe.stdio.separate",
         "probe.stdin_nonblock.idle", "image.stdin_wait.*", "probe.ctl.*"]

EXTRA_PROBE = '''
[[case]]
id = "probe.ctl.echo"
feature = "ctl"
level = "probe"
program = "stdin_cat"
description = "control characters in captured output (JUnit XML must still parse)"
stdin = "data"
stdin_data = "a\\u0001b\\u001bc\\n"
timeout = 30
[case.expect]
exit_code = 0
stdout_echo = true
'''

IMAGE_CASE = '''
[[case]]
id = "image.stdin_wait.nonblock"
feature = "stdin_wait"
level = "image"
program = "stdin_nonblock"
description = "the engine waits for stdin with non-blocking reads (stand-in image: the probe itself)"
args = ["3", "100"]
stdin = "idle"
timeout = 20
explains = ["probe.stdin_nonblock.idle"]
[case.expect]
exit_code = 0
stdout_regex = 'read=EAGAIN\\nread=EAGAIN\\nread=EAGAIN\\n'
'''


def matrix(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([*MATRIX, *args], capture_output=True, text=True, timeout=600, env=env)
    if check:
        assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="session")
def cases_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cases")
    for f in CASES_DIR.glob("*.toml"):
        shutil.copy(f, d / f.name)
    (d / "90_image.toml").write_text(IMAGE_CASE)
    (d / "91_extra.toml").write_text(EXTRA_PROBE)
    return d


@pytest.fixture(scope="session")
def probes_dir() -> Path:
    return Programs().probes


@pytest.fixture(scope="session")
def results_file(tmp_path_factory, cases_dir, probes_dir) -> Path:
    out = tmp_path_factory.mktemp("results") / "results.json"
    args = ["run", "-q", "--runtime", "wasmtime", "--runtime", "wazero", "--cases-dir", str(cases_dir),
            "--images", str(probes_dir), "-o", str(out)]
    for c in CASES:
        args += ["--cases", c]
    matrix(*args)
    return out


@pytest.fixture(scope="session")
def doc(results_file) -> dict:
    return json.loads(results_file.read_text())


def broken_wazero(tmp: Path) -> str:
    """A wazero whose adapter flags lose every -env=... (a deliberately broken adapter)."""
    import os
    rows = json.loads(subprocess.run([sys.executable, "-m", "c2w_run.cli", "runtimes", "--json"],
                                     capture_output=True, text=True, check=True).stdout)
    real = next(r for r in rows if r["name"] == "wazero")["command"][0]
    w = tmp / "wazero-drops-env"
    w.write_text("#!/usr/bin/env bash\nargs=()\nfor a in \"$@\"; do case \"$a\" in -env=*) ;; "
                 f"*) args+=(\"$a\");; esac; done\nexec {real} \"${{args[@]}}\"\n")
    w.chmod(w.stat().st_mode | stat.S_IXUSR)
    assert os.access(w, os.X_OK)
    return str(w)


@pytest.fixture(scope="session")
def good_and_broken(tmp_path_factory) -> tuple[Path, Path]:
    """Two real runs of the same cases on wazero: as installed, then with the broken adapter flag."""
    import os
    d = tmp_path_factory.mktemp("diff")
    good, broken = d / "good.json", d / "broken.json"
    sel = ["--cases", "probe.env.*", "--cases", "probe.args.plain"]
    matrix("run", "-q", "--runtime", "wazero", *sel, "-o", str(good))
    env = {**os.environ, "C2W_WAZERO": broken_wazero(d)}
    matrix("run", "-q", "--runtime", "wazero", *sel, "-o", str(broken), env=env)
    return good, broken
