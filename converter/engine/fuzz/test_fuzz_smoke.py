"""A short smoke run of each libFuzzer harness (make fuzz runs them longer): the seed corpus,
the reproducers of fixed crashes among it, and FUZZ_SMOKE_SECONDS (default 10) of fuzzing
each, with no crash, no sanitizer report and no oracle failure."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SECONDS = int(os.environ.get("FUZZ_SMOKE_SECONDS", "10"))


def _libfuzzer_missing() -> str | None:
    if not shutil.which("clang"):
        return "clang not installed (scripts/setup-system.sh)"
    lib = subprocess.run(["clang", "-print-file-name=libclang_rt.fuzzer-x86_64.a"], capture_output=True,
                         text=True).stdout.strip()
    if not Path(lib).is_file():
        return "libFuzzer not installed: libclang-rt-14-dev (scripts/setup-system.sh)"
    return None


@pytest.fixture(scope="module")
def harnesses() -> Path:
    reason = _libfuzzer_missing()
    if reason:
        pytest.skip(reason)
    r = subprocess.run([str(HERE / "build.sh")], capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    return Path(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("harness", ["9p", "virtq", "payload", "net", "netmux"])
def test_fuzz_harness_survives_its_seeds_and_a_short_run(harness: str, harnesses: Path, tmp_path: Path) -> None:
    work = tmp_path / "corpus"
    work.mkdir()
    share_root = Path(tempfile.mkdtemp(dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else tmp_path))
    env = {**os.environ, "C2W_FUZZ_TMPDIR": str(share_root)}
    r = subprocess.run([str(harnesses / f"fuzz_{harness}"), f"-max_total_time={SECONDS}", "-timeout=20",
                        "-print_final_stats=1", f"-artifact_prefix={tmp_path}/", str(work),
                        str(HERE / "corpus" / harness)], capture_output=True, text=True, errors="replace",
                       timeout=SECONDS + 300, env=env)
    assert r.returncode == 0, r.stderr[-4000:]
    runs = int(re.findall(r"stat::number_of_executed_units: *(\d+)", r.stderr)[-1])
    seeds = len(list((HERE / "corpus" / harness).iterdir()))
    assert runs > seeds  # the seeds ran, then fuzzing did
    assert not list(share_root.iterdir())  # the share fixture removed itself
    share_root.rmdir()
