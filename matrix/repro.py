"""`c2w-matrix repro CASE --runtime R -o DIR`: a self-contained bug bundle.

The case is run once through the real c2w-run (the recorded outcome). The bundle holds the probe's
.wasm and C sources, the fixtures, `run.sh` with the exact runtime command line (taken from the
runtime adapter's Invocation for the same c2w-run arguments), the runner's own `check.py` (with `cases.py`) and the case's
expectations, the runtime version, the recorded output, and a README ready to paste upstream.
`run.sh` exits 0 when the runtime does what the case expects and 1 when it does not.
"""

from __future__ import annotations

import json
import platform
import shlex
import shutil
import stat
from pathlib import Path

from conformance import cases as cases_mod
from conformance.expectations import Expectations
from conformance.programs import Programs, probe_sources
from conformance.runner import (Result, apply_expectation, c2w_run_args, free_port, prepare,
                               run_once)

from .collect import RunError, runtime_rows, select_runtimes

CONFORMANCE = Path(cases_mod.__file__).resolve().parent  # check.py and cases.py go into bundles


def _sh(arg: str, bundle: Path) -> str:
    """Quote one argument for run.sh, with the bundle's absolute path replaced by $HERE."""
    prefix = str(bundle)
    if arg.startswith(prefix):
        return '"$HERE"' + shlex.quote(arg[len(prefix):]) if arg != prefix else '"$HERE"'
    if prefix in arg:
        head, _, tail = arg.partition(prefix)
        return shlex.quote(head) + '"$HERE"' + shlex.quote(tail)
    return shlex.quote(arg)


def invocation_for(args: list[str]):
    """The launcher's own Invocation for these c2w-run arguments (the exact runtime command)."""
    from c2w_run import cli, registry

    ns = cli.run_parser().parse_args(args)
    req = cli.parse_request(ns)
    located = registry.require(registry.resolve_name(ns.runtime).name)
    return located, registry.invocation(located, cli.build_spec(req, located.info))


def ansi_c(text: str) -> str:
    """bash $'...' quoting: any bytes, one line."""
    out = []
    for b in text.encode():
        c = chr(b)
        if c in "\\'":
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append(f"\\x{b:02x}")
    return "$'" + "".join(out) + "'"


def _stdin_lines(case: cases_mod.Case) -> tuple[list[str], str]:
    """Shell lines that open fd 3 as the module's stdin, and the redirection to use."""
    if case.stdin == "none":
        return [], "</dev/null"
    if case.stdin == "inherit":
        return [], "</dev/null"
    if case.stdin == "data":
        return [], '<"$HERE/stdin.bin"'
    if case.stdin == "tty":
        return ["# stdin: this case needs a terminal on stdin: run ./run.sh from an interactive shell"], ""
    if case.stdin == "idle":
        body = f"sleep {case.timeout:g}"
    else:
        steps = []
        for s in case.stdin_script:
            if s.wait_for is not None:  # the runner waits for this output; a shell sleeps instead
                steps.append("sleep 1")
            steps.append(f"sleep {s.after:g}")
            if s.data:
                steps.append(f"printf %s {ansi_c(s.data)}")
            if s.close:
                break
        else:
            steps.append(f"sleep {case.timeout:g}")
        body = "; ".join(steps)
    return ["# stdin: a pipe that this feeder keeps open (and writes to, for a scripted case)",
            f"exec 3< <({body})", "FEEDER=$!"], "<&3"


def write_bundle(case: cases_mod.Case, runtime: str, programs: Programs, result: Result, out: Path,
                 version: str | None) -> Path:
    if case.level != "probe":
        raise RunError(f"repro bundles are made for probe cases; {case.id} is an image case")
    out.mkdir(parents=True, exist_ok=True)
    bundle = out.resolve()
    wasm_src = programs.path(case.level, case.program)
    shutil.copy2(wasm_src, bundle / wasm_src.name)
    (bundle / "src").mkdir(exist_ok=True)
    sources = probe_sources(case.program)
    for s in sources:
        shutil.copy2(s, bundle / "src" / s.name)
    # fixtures: the pristine copy, and work/ (recreated by run.sh before every run)
    fixtures = bundle / "fixtures"
    shutil.rmtree(fixtures, ignore_errors=True)
    fixtures.mkdir()
    prepare(case, fixtures)
    work = bundle / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(fixtures, work)
    if case.stdin == "data":
        (bundle / "stdin.bin").write_bytes(case.stdin_bytes())
    if case.server is not None:
        raise RunError(f"repro bundles do not include a host TCP server yet ({case.id})")
    port = free_port() if (case.listen or case.tcp_port) else None
    args = c2w_run_args(case, runtime, bundle / wasm_src.name, work, port)
    located, inv = invocation_for(args)
    base = list(located.command)
    argv = list(inv.argv)
    rest = argv[len(base):] if argv[:len(base)] == base else argv
    stdin_setup, redirect = _stdin_lines(case)
    expect = {k: v for k, v in vars(case.expect).items()}
    expect["absent"] = list(case.expect.absent)
    if case.client:
        expect["client"] = vars(case.client)
    (bundle / "expect.json").write_text(json.dumps(expect, indent=1, ensure_ascii=False) + "\n")
    for module in ("check.py", "cases.py"):  # the runner's own check, run as a script
        shutil.copy2(CONFORMANCE / module, bundle / module)
    lines = [
        "#!/usr/bin/env bash",
        f"# Reproduce {case.id} on {runtime} ({version or 'version unknown'}).",
        "# Exit 0: the runtime does what the case expects; exit 1: it does not (see README.md).",
        "set -u",
        'HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
        'cd "$HERE"',
        "# the runtime command (edit to try another build of the same runtime)",
        "RUNTIME=(" + " ".join(shlex.quote(a) for a in base) + ")",
        'rm -rf "$HERE/work" "$HERE/actual" && cp -r "$HERE/fixtures" "$HERE/work" && mkdir -p "$HERE/actual"',
    ]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in inv.env.items()]
    lines += stdin_setup
    if case.client is not None and port is not None:
        lines += [
            f"# a TCP client: connects to 127.0.0.1:{port}, sends {case.client.send!r}, saves the reply",
            "( for _ in $(seq 200); do exec 4<>/dev/tcp/127.0.0.1/" + str(port) + " 2>/dev/null && break; sleep 0.05; done",
            f"  printf %s {ansi_c(case.client.send)} >&4; IFS= read -r line <&4; printf '%s\\n' \"$line\" > \"$HERE/actual/client_reply\" ) &",
        ]
    cmd = '"${RUNTIME[@]}" ' + " ".join(_sh(a, bundle) for a in rest)
    lines += [
        "set -x",
        f"timeout -s KILL {case.timeout + 10:g} {cmd} {redirect} >\"$HERE/actual/stdout\" 2>\"$HERE/actual/stderr\"",
        "echo $? > \"$HERE/actual/exit_code\"",
        "{ set +x; } 2>/dev/null",
    ]
    if stdin_setup and stdin_setup[-1] == "FEEDER=$!":
        lines.append('kill "$FEEDER" 2>/dev/null; exec 3<&-')
    lines += ["wait", 'exec python3 "$HERE/check.py"']
    run_sh = bundle / "run.sh"
    run_sh.write_text("\n".join(lines) + "\n")
    run_sh.chmod(run_sh.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    (bundle / "recorded.json").write_text(json.dumps(result.to_json(), indent=1, ensure_ascii=False) + "\n")
    shown = [a.replace(str(bundle), ".") for a in rest]
    (bundle / "README.md").write_text(readme(case, runtime, version, result, sources, shown, base, wasm_src.name))
    return bundle


def readme(case: cases_mod.Case, runtime: str, version: str | None, result: Result, sources: list[Path],
           rest: list[str], base: list[str], wasm_name: str) -> str:
    verdict = {"fail": "does not behave as expected", "xfail": "does not behave as expected (a known failure)",
               "pass": "behaves as expected", "xpass": "behaves as expected (although listed as a known failure)",
               "error": "could not be run", "skip": "was not run"}[result.outcome]
    src_main = sources[0]
    cmd = " ".join(shlex.quote(a) for a in [Path(base[-1]).name if len(base) == 1 else " ".join(base), *rest])
    body = [
        f"# {runtime}: {case.description or case.id}",
        "",
        f"`{case.id}` (feature `{case.feature}`) {verdict} on **{version or runtime}**.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "./run.sh        # exit 0: as expected; exit 1: the problem below",
        "```",
        "",
        f"`run.sh` runs `{wasm_name}` (compiled from `src/{src_main.name}`) with this command line:",
        "",
        "```sh",
        cmd,
        "```",
        "",
    ]
    if case.stdin == "data":
        body += [f"with `stdin.bin` ({len(case.stdin_bytes())} bytes) on stdin.", ""]
    elif case.stdin == "idle":
        body += ["with stdin a pipe that stays open and carries no data.", ""]
    elif case.stdin == "script":
        body += ["with stdin a pipe written to over time: "
                 + ", ".join(f"after {s.after:g} s " + ("close" if s.close else repr(s.data)) for s in case.stdin_script),
                 ""]
    elif case.stdin == "tty":
        body += ["with a terminal on stdin.", ""]
    else:
        body += ["with stdin at EOF (/dev/null).", ""]
    body += ["## Expected", ""] + [f"- {line}" for line in case.expect.describe()]
    body += ["", "## Actual (recorded)", "",
             f"- exit status: {result.exit_code}"]
    body += [f"- {p}" for p in result.problems]
    body += ["", "stdout:", "", "```", result.stdout.rstrip("\n")[:3000], "```", "", "stderr:", "", "```",
             result.stderr.rstrip("\n")[:3000], "```", ""]
    if result.reason:
        body += ["## Known", "", f"{result.reason}" + (f" — {result.link}" if result.link else ""), ""]
    body += ["## Environment", "",
             f"- runtime: {version or 'unknown'} (`{' '.join(base)}`)",
             f"- host: {platform.platform()}",
             "- module: WASI preview1 command, built by the c2w-run project's conformance/probes/build.sh:",
             "  `clang --target=wasm32-wasi --sysroot=/usr -O2 -std=c11` (Debian clang 14 + wasi-libc)",
             "", f"## Source (`src/{src_main.name}`)", "", "```c", src_main.read_text().rstrip("\n"), "```", ""]
    return "\n".join(body)


def find_case(case_id: str, cases_dir: Path | None = None) -> cases_mod.Case:
    try:
        found = [c for c in cases_mod.load(cases_dir or cases_mod.CASES_DIR) if c.id == case_id]
    except cases_mod.CaseError as exc:
        raise RunError(str(exc)) from None
    if not found:
        raise RunError(f"no such case {case_id!r} (see conformance/cases/*.toml)")
    return found[0]


def repro(case_id: str, runtime: str, out: Path, cases_dir: Path | None = None,
          expectations_dir: Path | None = None) -> tuple[Path, Result]:
    case = find_case(case_id, cases_dir)
    rows = runtime_rows([runtime] if "@" in runtime else None)  # an installed release: wasmtime@47
    [name] = select_runtimes(rows, [runtime])
    version = next((r.get("version") for r in rows if r["name"] == name), None)
    if case.level != "probe":
        raise RunError(f"repro bundles are made for probe cases; {case.id} is an image case")
    programs = Programs()
    exps = Expectations.load(name, expectations_dir) if expectations_dir else Expectations.load(name)
    exp = exps.for_case(case.id)  # a repro runs even a case the runtime's expectations skip
    result = apply_expectation(run_once(case, name, programs), exp.kind if exp else None)
    if exp is not None:
        result.reason, result.link = exp.reason, exp.link
    bundle = write_bundle(case, name, programs, result, out, version)
    return bundle, result
