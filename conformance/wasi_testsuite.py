"""wasi-testsuite (WebAssembly/wasi-testsuite) as a case source: its preview1 tests as cases.

A test is a `NAME.wasm` with an optional `NAME.json` specification beside it (the suite's
doc/specification.md): `args`, `dirs` (directories beside the test, pre-opened under their own
name), `env` (the whole WASI environment), `exit_code` (default 0), `stdout` / `stderr` (exact
bytes, checked when given). A test directory may hold a `manifest.json` with the suite's `name`.

`load(DIR)` finds every test under DIR (a checkout of the suite's prod/testsuite-base branch, or
one of its test directories), leaving out preview 2/3 directories (`wasm32-wasip2`, `wasm32-wasip3`),
and turns each into a `Case` of level `suite`: id `wts.<suite>.<test>`, feature
`wasi-testsuite/<suite>` (a column of its own; `<suite>` is `c`, `rust`, `assemblyscript`...).

`reference_argv` is how wasi-testsuite's own adapters (adapters/wasmtime.py, adapters/wazero.py)
start a test; `reference_run` runs one test that way and checks it with the specification, so
the matrix can show that c2w-run's adapter scores what the runtime scores under the suite's runner.

No package registry reachable here carries the suite (see conformance/README.md, STATUS): give
`--suite wasi-testsuite=DIR` or set C2W_WASI_TESTSUITE=DIR.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .cases import Case, CaseError, Expect, Fixture
from .runner import Result

SUITE_NAME = "wasi-testsuite"
ENV_VAR = "C2W_WASI_TESTSUITE"
NOT_PREVIEW1 = re.compile(r"wasm32-wasip[23]|preview2|wasip3")
TIMEOUT = 30.0


@dataclass(frozen=True)
class Spec:
    args: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    exit_code: int = 0
    stdout: str | None = None
    stderr: str | None = None


def suite_dir(value: str | None) -> Path:
    """`--suite wasi-testsuite[=DIR]`: DIR, else $C2W_WASI_TESTSUITE; one-line error otherwise."""
    where = value or os.environ.get(ENV_VAR, "")
    if not where:
        raise CaseError("wasi-testsuite: no package registry reachable here carries its tests; give "
                        f"--suite wasi-testsuite=DIR (a checkout of its prod/testsuite-base branch) or set {ENV_VAR}")
    path = Path(where).expanduser()
    if not path.is_dir():
        raise CaseError(f"wasi-testsuite: {where} is not a directory")
    return path.resolve()


def read_spec(wasm: Path) -> Spec:
    path = wasm.with_suffix(".json")
    if not path.is_file():
        return Spec()
    try:
        d = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CaseError(f"wasi-testsuite: {path}: {exc}") from None
    if not isinstance(d, dict):
        raise CaseError(f"wasi-testsuite: {path}: not a JSON object")
    env = d.get("env") or {}
    return Spec(args=tuple(str(a) for a in d.get("args") or ()), dirs=tuple(str(x) for x in d.get("dirs") or ()),
                env=tuple((str(k), str(v)) for k, v in env.items()), exit_code=int(d.get("exit_code", 0)),
                stdout=d.get("stdout"), stderr=d.get("stderr"))


def suite_slug(test_dir: Path, root: Path) -> str:
    """tests/c/testsuite/wasm32-wasip1 -> "c"; the root itself -> its manifest name or dir name."""
    parts = [p for p in test_dir.relative_to(root).parts if p not in ("tests", "testsuite", "wasm32-wasip1")]
    if not parts:
        manifest = test_dir / "manifest.json"
        name = ""
        if manifest.is_file():
            try:
                name = str(json.loads(manifest.read_text()).get("name", ""))
            except ValueError:
                name = ""
        parts = [name or test_dir.name]
    return "_".join(re.sub(r"[^a-z0-9]+", "_", p.lower()).strip("_") for p in parts) or "tests"


def case_for(wasm: Path, root: Path) -> Case:
    spec = read_spec(wasm)
    slug = suite_slug(wasm.parent, root)
    name = re.sub(r"[^a-z0-9]+", "_", wasm.stem.lower()).strip("_") or "test"
    return Case(
        id=f"wts.{slug}.{name}", feature=f"{SUITE_NAME}/{slug}", level="suite", program=str(wasm),
        args=spec.args, env=dict(spec.env), stdin="none", timeout=TIMEOUT,
        mapdirs=tuple(Fixture(guest=d, copy_from=str(wasm.parent / d)) for d in spec.dirs),
        description=f"wasi-testsuite {wasm.parent.relative_to(root) / wasm.name}",
        expect=Expect(exit_code=spec.exit_code, stdout=spec.stdout, stderr=spec.stderr),
        source=str(wasm.with_suffix(".json")),
    )


def load(root: Path, patterns: list[str] | None = None) -> list[Case]:
    """Every preview1 test under root, as cases (sorted by directory, then name)."""
    import fnmatch

    tests = sorted(p for p in root.rglob("*.wasm") if not NOT_PREVIEW1.search(str(p.parent)))
    if not tests:
        raise CaseError(f"wasi-testsuite: no preview1 test (*.wasm) under {root}")
    cases, seen = [], set()
    for wasm in tests:
        case = case_for(wasm, root)
        if case.id in seen:
            raise CaseError(f"wasi-testsuite: two tests named {case.id} under {root}")
        seen.add(case.id)
        if not patterns or any(fnmatch.fnmatch(case.id, p) for p in patterns):
            cases.append(case)
    return cases


def reference_argv(family: str, command: list[str], case: Case) -> list[str] | None:
    """The runtime command wasi-testsuite's own adapter builds for this test (run in a copy of the
    test's directory, dirs relative to it); None for a family the suite has no adapter for here."""
    dirs = [m.guest for m in case.mapdirs]
    if family == "wasmtime":  # adapters/wasmtime.py: wasmtime --env K=V --dir D TEST ARGS
        return [*command, *(a for k, v in case.env.items() for a in ("--env", f"{k}={v}")),
                *(a for d in dirs for a in ("--dir", d)), case.program, *case.args]
    if family == "wazero":  # adapters/wazero.py: wazero run -env=K=V -mount=HOST:GUEST TEST ARGS
        return [*command, "run", *(f"-env={k}={v}" for k, v in case.env.items()),
                *(f"-mount={d}:{d}" for d in dirs), case.program, *case.args]
    return None


def family_of(runtime: str) -> str:
    """wasmtime, wasmtime46, wasmtime@47 -> wasmtime; wazero@1.11 -> wazero."""
    base = runtime.partition("@")[0]
    return next((f for f in ("wasmtime", "wazero") if base == f or re.fullmatch(f + r"\d+", base)), base)


def reference_run(case: Case, runtime: str, command: list[str]) -> str | None:
    """"pass" / "fail" for the test run as wasi-testsuite's runner runs it, None without an adapter."""
    argv = reference_argv(family_of(runtime), command, case)
    if argv is None:
        return None
    with tempfile.TemporaryDirectory(prefix="c2w-wts-") as tmp:
        work = Path(tmp)
        for m in case.mapdirs:
            shutil.copytree(m.copy_from, work / m.guest, symlinks=True)
        try:
            done = subprocess.run(argv, cwd=work, capture_output=True, timeout=case.timeout,
                                  stdin=subprocess.DEVNULL, env={"PATH": os.environ.get("PATH", "")})
        except subprocess.TimeoutExpired:
            return "fail"
    e = case.expect
    ok = (done.returncode == e.exit_code and (e.stdout is None or done.stdout == e.stdout.encode())
          and (e.stderr is None or done.stderr == e.stderr.encode()))
    return "pass" if ok else "fail"


def compare(results: list[Result], cases: dict[str, Case], commands: dict[str, list[str]], jobs: int = 2) -> list[str]:
    """Run each suite result's test again as wasi-testsuite's runner would, on the same runtime
    binary; record the verdict in the result's note and return the disagreements (one line each:
    c2w-run's adapter scoring a test otherwise than the runtime does under the suite's runner)."""
    from concurrent.futures import ThreadPoolExecutor

    todo = [r for r in results if r.level == "suite" and r.outcome != "skip" and commands.get(r.runtime)]

    def one(r: Result) -> str | None:
        verdict = reference_run(cases[r.case], r.runtime, commands[r.runtime])
        if verdict is None:
            return None
        ours = "pass" if r.outcome in ("pass", "xpass") else "fail"
        r.note = (r.note + "; " if r.note else "") + f"wasi-testsuite runner: {verdict}"
        if verdict != ours:
            r.note += f" (DISAGREES: through c2w-run {ours})"
            return f"{r.runtime} {r.case}: {ours} through c2w-run, {verdict} under wasi-testsuite's runner"
        return None

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return [line for line in pool.map(one, todo) if line]
