"""wamr-aot: wamrc compiles a module once into the cache, iwasm runs the .aot with wamr's flags."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from c2w_run import registry
from c2w_run.locate import find_executable
from c2w_run.runtimes import wamr_aot
from c2w_run.spec import LaunchSpec, ListenSocket, MapDir, Unsupported

REPO = Path(__file__).resolve().parents[2]
MODULE_BYTES = b"\0asm\1\0\0\0"

# found before any test points C2W_CACHE elsewhere
REAL_WAMRC = wamr_aot.wamrc_command()
REAL_IWASM = find_executable(("iwasm",))


def stand_in_wamrc(tmp_path: Path, version: str = "wamrc 9.9.9", fail: str = "") -> Path:
    """A real program with wamrc's `--version` and `-o OUT IN` syntax; counts its compiles."""
    exe = tmp_path / "wamrc"
    body = f'echo "{fail}" >&2; exit 1' if fail else 'echo x >>"$(dirname "$0")/compiles"; cp "$3" "$2"'
    exe.write_text(f'#!/bin/sh\n[ "$1" = --version ] && {{ echo "{version}"; exit 0; }}\n'
                   f'[ "$1" = -o ] || exit 2\n{body}\n')
    exe.chmod(0o755)
    return exe


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("C2W_CACHE", str(tmp_path / "cache"))
    p = tmp_path / "probe.wasm"
    p.write_bytes(MODULE_BYTES)
    return p


def argv_for(spec: LaunchSpec) -> list[str]:
    located = registry.Located(registry.resolve_name("wamr-aot"), ["iwasm"])
    return registry.invocation(located, spec).argv


def test_wamr_aot_runs_the_cached_aot_with_wamr_flags(tmp_path: Path, module: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2W_WAMRC", str(stand_in_wamrc(tmp_path)))
    spec = LaunchSpec(module=module, args=["a b", ""], env={"K": "v=w"},
                      mapdirs=[MapDir(Path("/host/d"), "/g/d")], listen=ListenSocket("127.0.0.1", 9000),
                      runtime_flags=["--stack-size=65536"])
    aot = tmp_path / "cache" / "aot" / "wamr" / (
        hashlib.sha256(MODULE_BYTES + b"\0wamrc 9.9.9").hexdigest() + ".aot")
    assert argv_for(spec) == [
        "iwasm", "--map-dir=/g/d::/host/d", "--env=K=v=w", "--addr-pool=127.0.0.1/32",
        "--stack-size=65536", str(aot), "a b", "",
    ]
    assert aot.read_bytes() == MODULE_BYTES
    assert sorted(p.name for p in aot.parent.iterdir()) == [aot.name]  # no temporary left


def test_wamr_aot_compiles_once_per_module_and_wamrc_version(tmp_path: Path, module: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2W_WAMRC", str(stand_in_wamrc(tmp_path)))
    first = argv_for(LaunchSpec(module=module))[-1]
    assert argv_for(LaunchSpec(module=module))[-1] == first
    assert (tmp_path / "compiles").read_text().count("x") == 1
    newer = tmp_path / "newer"
    newer.mkdir()
    monkeypatch.setenv("C2W_WAMRC", str(stand_in_wamrc(newer, version="wamrc 9.9.10")))
    assert argv_for(LaunchSpec(module=module))[-1] != first
    assert (newer / "compiles").read_text().count("x") == 1


def test_wamr_aot_refuses_read_only_map_like_wamr(tmp_path: Path, module: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2W_WAMRC", str(stand_in_wamrc(tmp_path)))
    spec = LaunchSpec(module=module, mapdirs=[MapDir(Path("/h"), "/g", readonly=True)])
    with pytest.raises(Unsupported, match="^wamr-aot cannot map a directory read-only"):
        argv_for(spec)
    assert not (tmp_path / "compiles").exists()


def test_wamr_aot_reports_the_compile_error_in_one_line(tmp_path: Path, module: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2W_WAMRC", str(stand_in_wamrc(tmp_path, fail="wamrc: probe.wasm: boom")))
    with pytest.raises(Unsupported, match=r"^wamr-aot: wamrc cannot compile .*probe\.wasm: wamrc: probe\.wasm: boom$"):
        argv_for(LaunchSpec(module=module))
    assert list((tmp_path / "cache" / "aot" / "wamr").iterdir()) == []


def test_wamr_aot_is_not_installed_without_wamrc(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("C2W_WAMRC", "C2W_IWASM_AOT")}
    env.update(C2W_CACHE=str(tmp_path / "empty-cache"), PATH="/usr/bin:/bin")
    done = subprocess.run([sys.executable, "-m", "c2w_run.cli", "runtimes", "--json"],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    row = {r["name"]: r for r in json.loads(done.stdout)}["wamr-aot"]
    assert row["installed"] is False
    assert "make runtimes-all" in row["install"]


@pytest.mark.skipif(REAL_WAMRC is None or REAL_IWASM is None,
                    reason="wamrc/iwasm not installed: `make runtimes-all` builds wamrc (needs LLVM 14)")
def test_wamr_aot_runs_a_real_probe_compiled_by_wamrc(tmp_path: Path) -> None:
    built = subprocess.run([str(REPO / "conformance/probes/build.sh")], capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    probe = Path(built.stdout.strip().splitlines()[-1]) / "args_env_exit.wasm"
    cache = tmp_path / "cache"
    env = {**os.environ, "C2W_CACHE": str(cache), "C2W_WAMRC": " ".join(REAL_WAMRC or []),
           "C2W_IWASM_AOT": str(REAL_IWASM)}
    argv = [sys.executable, "-m", "c2w_run.cli", "--runtime", "wamr-aot", "-e", "GREETING=hi there",
            str(probe), "7", "a b", "env:GREETING"]
    runs = [subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
                           stdin=subprocess.DEVNULL) for _ in range(2)]
    for r in runs:
        assert r.returncode == 7, r.stderr
        assert "argv[2]=a b" in r.stdout.splitlines()
        assert "env:GREETING=hi there" in r.stdout.splitlines()
    (aot,) = (cache / "aot" / "wamr").iterdir()
    assert aot.suffix == ".aot"
    assert aot.read_bytes()[:4] == b"\0aot"
