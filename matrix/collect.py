"""Running the suite and building the results document."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from conformance import cases as cases_mod
from conformance import wasi_testsuite
from conformance.programs import Programs
from conformance.runner import Result, c2w_run_command, run_matrix

from .schema import SCHEMA_NAME, VERSION, validate

REPO = Path(__file__).resolve().parents[1]


class RunError(ValueError):
    """Bad input to `c2w-matrix run` (one line)."""


def runtime_rows(versions: list[str] | None = None) -> list[dict]:
    """Every adapter c2w-run knows, from `c2w-run runtimes --json`, and the named installed
    releases (`wasmtime@46`)."""
    done = subprocess.run([*c2w_run_command(), "runtimes", "--json", *(versions or ())], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)
    if done.returncode != 0:
        raise RunError(f"c2w-run runtimes failed: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout)


def launcher_version() -> str:
    done = subprocess.run([*c2w_run_command(), "--version"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    return (done.stdout or done.stderr).strip()


def git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    return done.stdout.strip() or None


def select_runtimes(rows: list[dict], wanted: list[str] | None) -> list[str]:
    """The runtimes to run: the named ones (each must exist and be installed), else all installed."""
    by_name = {r["name"]: r for r in rows}
    if not wanted:
        return [r["name"] for r in rows if r["installed"]]
    out = []
    for name in wanted:
        if name not in by_name:
            aliases = {alias: r["name"] for r in rows for alias in r.get("aliases", ())}
            if aliases.get(name) in by_name:
                name = aliases[name]
            else:
                raise RunError(f"unknown runtime {name!r}; known runtimes: {', '.join(sorted(by_name))}")
        if not by_name[name]["installed"]:
            raise RunError(f"runtime {name!r} is not installed; {by_name[name].get('install', '')}".rstrip("; "))
        if name not in out:
            out.append(name)
    return out


def install_versions(runtimes: list[str] | None, log: Callable[[str], None] | None = None
                     ) -> tuple[list[str] | None, list[str]]:
    """`--runtime` values with the version specs (`wasmtime@42..49`) expanded into the releases'
    names, each installed; and those names."""
    if not runtimes:
        return runtimes, []
    from c2w_run.runtimes.versioned import VersionError

    from . import versions
    wanted: list[str] = []
    versioned: list[str] = []
    for spec in runtimes:
        if "@" not in spec:
            wanted.append(spec)
            continue
        try:
            names = versions.ensure(spec, log)
        except VersionError as exc:
            raise RunError(str(exc)) from None
        wanted += names
        versioned += [n for n in names if n not in versioned]
    return wanted, versioned


def document(cases: list[cases_mod.Case], rows: list[dict], selected: list[str],
             results: list[Result], duration: float, jobs: int, created: dt.datetime,
             selection: list[str] | None = None) -> dict:
    doc = {
        "schema": SCHEMA_NAME,
        "version": VERSION,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": round(duration, 3),
        "jobs": jobs,
        "selection": list(selection or []),
        "host": {"hostname": socket.gethostname(), "platform": platform.platform(),
                 "cpus": os.cpu_count() or 1, "python": platform.python_version(), "git": git_commit()},
        "launcher": {"command": c2w_run_command(), "version": launcher_version()},
        "runtimes": [{
            "name": r["name"], "description": r.get("description", ""), "installed": bool(r["installed"]),
            "selected": r["name"] in selected, "version": r.get("version"), "command": r.get("command"),
            "install": r.get("install", ""), "aliases": list(r.get("aliases", ())),
            **({"capabilities": r["capabilities"]} if "capabilities" in r else {}),
        } for r in rows],
        "cases": [c.to_json() for c in cases],
        "results": [r.to_json() for r in results],
    }
    validate(doc)
    return doc


def run(runtimes: list[str] | None = None, patterns: list[str] | None = None, jobs: int | None = None,
        cases_dir: Path | None = None, expectations_dir: Path | None = None, images: Path | None = None,
        rerun: bool = True, progress: Callable[[Result], None] | None = None,
        progress_line: Callable[[str], None] | None = None, suite: Path | None = None,
        suite_only: bool = False) -> dict:
    """Run the selected cases on the selected runtimes; return the results document. `suite`: a
    wasi-testsuite directory whose preview1 tests run too (`suite_only`: only they)."""
    ours = [p for p in patterns or () if not p.startswith("wts.")]  # --cases 'wts.*' selects suite tests
    theirs = [p for p in patterns or () if p.startswith("wts.")]
    try:
        cases = [] if suite_only or (patterns and not ours) else cases_mod.load(cases_dir or cases_mod.CASES_DIR, ours)
        if suite is not None:
            cases += wasi_testsuite.load(suite, theirs)
    except cases_mod.CaseError as exc:
        raise RunError(str(exc)) from None
    if not cases:
        raise RunError(f"no case matches {' '.join(patterns or [])!r}")
    programs = Programs(images=images)
    if programs.images is None:  # image cases need converted images: leave them out
        if all(c.level == "image" for c in cases):
            raise RunError("image cases need converted images: give --images DIR (or set C2W_IMAGES)")
        cases = [c for c in cases if c.level != "image"]
    wanted, versioned = install_versions(runtimes, progress_line)
    rows = runtime_rows(versioned)
    selected = select_runtimes(rows, wanted)
    if not selected:
        raise RunError("no runtime is installed (make runtimes)")
    jobs = jobs or max(1, os.cpu_count() or 1)
    created = dt.datetime.now(dt.timezone.utc)
    start = time.monotonic()
    results = run_matrix(cases, selected, programs, expectations_dir, jobs=jobs, progress=progress, rerun=rerun)
    if suite is not None:  # the same tests under wasi-testsuite's own runner semantics
        commands = {r["name"]: r["command"] for r in rows if r["name"] in selected and r.get("command")}
        for line in wasi_testsuite.compare(results, {c.id: c for c in cases}, commands, jobs):
            if progress_line:
                progress_line(f"disagrees: {line}")
    return document(cases, rows, selected, results, time.monotonic() - start, jobs, created, patterns)
