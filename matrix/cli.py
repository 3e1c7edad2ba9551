"""`c2w-matrix`: run the conformance suite, show, diff, archive and reproduce results.

    c2w-matrix run [--runtime R]... [--cases GLOB]... [-o results.json] [--history] [--jobs N]
    c2w-matrix show results.json [--format rich|md|html|junit] [-o FILE]
    c2w-matrix diff OLD.json NEW.json            # exit 1 when a case regressed
    c2w-matrix history [--dir DIR] [--last N]
    c2w-matrix repro CASE --runtime R -o DIR
    c2w-matrix bisect CASE --runtime wasmtime --versions A..B -o DIR   # first release that changed
    c2w-matrix capabilities results.json         # what adapters should choose, as JSON
    c2w-matrix capabilities --check results.json # exit 1 if a declared capability record disagrees
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import diff as diff_mod
from . import history as history_mod
from .schema import ResultsError, dump, load

FORMATS = ("rich", "md", "html", "junit", "json")


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(out)


def render(doc: dict, fmt: str, out: Path | None = None, details: bool = True) -> None:
    if fmt == "rich":
        from rich.console import Console

        from . import render_rich
        if out is None:
            render_rich.render(doc, show_details=details)
        else:
            with out.open("w") as f:
                render_rich.render(doc, Console(file=f, width=200, color_system=None), show_details=details)
        return
    if fmt == "md":
        from . import render_md
        _write(render_md.render(doc, show_details=details), out)
    elif fmt == "html":
        from . import render_html
        _write(render_html.render(doc), out)
    elif fmt == "junit":
        from . import render_junit
        _write(render_junit.render(doc), out)
    elif fmt == "json":
        import json
        _write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", out)


def cmd_run(ns: argparse.Namespace) -> int:
    from rich.console import Console

    from .collect import run

    err = Console(stderr=True, highlight=False)
    done = [0]

    def progress(r) -> None:
        done[0] += 1
        if r.outcome in ("fail", "xpass", "error") or ns.verbose:
            style = {"pass": "green", "xfail": "yellow", "skip": "dim"}.get(r.outcome, "bold red")
            err.print(f"[{style}]{r.outcome:5}[/] {r.runtime:12} {r.case}  {r.duration:.2f}s"
                      + (f"  {'; '.join(r.problems)[:160]}" if r.outcome in ("fail", "xpass", "error") else ""))

    suite = None
    if ns.suite is not None:
        name, _, where = ns.suite.partition("=")
        if name != "wasi-testsuite":
            from .collect import RunError
            raise RunError(f"unknown suite {name!r} (known: wasi-testsuite)")
        from conformance.wasi_testsuite import suite_dir
        suite = suite_dir(where or None)
    doc = run(ns.runtime, ns.cases, ns.jobs, ns.cases_dir, ns.expectations_dir, ns.images, suite=suite,
              suite_only=ns.suite_only,
              rerun=not ns.no_rerun, progress=progress, progress_line=lambda line: err.print(line, markup=False, soft_wrap=True))
    if ns.output:
        dump(doc, ns.output)
    if ns.history:
        path = history_mod.save(doc, ns.history_dir)
        err.print(f"saved {path}")
    if not ns.quiet:
        render(doc, "rich", details=True)
    bad = sum(r["outcome"] in ("fail", "xpass", "error") for r in doc["results"])
    disagree = sum("DISAGREES" in r.get("note", "") for r in doc["results"])
    err.print(f"{len(doc['results'])} runs in {doc['duration']:.1f} s: {bad} unexpected"
              + (f", {disagree} disagreeing with wasi-testsuite's runner" if disagree else "")
              + (f"; results in {ns.output}" if ns.output else ""), soft_wrap=True)
    bad += disagree
    return 1 if bad and ns.strict else 0


def cmd_show(ns: argparse.Namespace) -> int:
    doc = load(ns.results)
    render(doc, ns.format, ns.output, details=not ns.no_details)
    return 0


def cmd_diff(ns: argparse.Namespace) -> int:
    old, new = load(ns.old), load(ns.new)
    d = diff_mod.compare(old, new)
    sys.stdout.write(diff_mod.render(d, str(ns.old), str(ns.new)))
    return 1 if d.regressions else 0


def cmd_history(ns: argparse.Namespace) -> int:
    sys.stdout.write(history_mod.render_text(ns.dir, ns.last))
    return 0


def cmd_capabilities(ns: argparse.Namespace) -> int:
    import json

    from .capabilities import capabilities
    caps = capabilities(load(ns.results))
    _write(json.dumps(caps, indent=1) + "\n", ns.output)
    if ns.check:
        for line in caps["check"]["disagreements"]:
            print(f"c2w-matrix: capability record disagrees: {line}", file=sys.stderr)
        return 1 if caps["check"]["disagreements"] else 0
    return 0


def cmd_repro(ns: argparse.Namespace) -> int:
    from .repro import repro

    bundle, result = repro(ns.case, ns.runtime, ns.output, ns.cases_dir, ns.expectations_dir)
    print(f"{ns.case} on {ns.runtime}: {result.outcome}" + (f" ({'; '.join(result.problems)[:200]})"
                                                           if result.problems else ""))
    print(f"bundle: {bundle}  (run {bundle / 'run.sh'}; paste {bundle / 'README.md'} upstream)")
    return 0


def cmd_bisect(ns: argparse.Namespace) -> int:
    from .bisect import bisect

    found = bisect(ns.case, ns.runtime, ns.versions, ns.output, ns.cases_dir,
                   log=lambda line: print(line, file=sys.stderr))
    if found.first_changed is None:
        ends = found.outcomes[found.releases[0]].outcome
        print(f"{ns.case}: {ends} on {found.releases[0]} and on {found.releases[-1]}: no change to bisect")
        return 1
    before = found.outcomes[found.last_unchanged].outcome
    after = found.outcomes[found.first_changed].outcome
    print(f"{ns.case}: {before} on {found.last_unchanged}, {after} on {found.first_changed} "
          f"(first change; {len(found.outcomes)} of {len(found.releases)} releases run)")
    print(f"bundle: {found.bundle}  (run {found.bundle / 'run.sh'}; bisect.json lists every run)")
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="c2w-matrix", description="Conformance suite and runtime x feature matrix.")
    sub = ap.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run cases on installed runtimes")
    r.add_argument("--runtime", "-r", action="append",
                   help="runtime (repeatable; default: every installed one); FAMILY@VERSIONS installs and runs "
                        "releases side by side: wasmtime@46, wasmtime@42..49, wasmtime@36,46,49, wazero@1.9..1.12")
    r.add_argument("--cases", "-k", action="append", metavar="GLOB", help="case id glob (repeatable)")
    r.add_argument("-o", "--output", type=Path, help="write the results document here")
    r.add_argument("--history", action="store_true", help="also store the results as HISTORY_DIR/<date>.json")
    r.add_argument("--history-dir", type=Path, default=history_mod.HISTORY_DIR)
    r.add_argument("--jobs", "-j", type=int, help="parallel runs (default: CPU count)")
    r.add_argument("--images", type=Path, help="directory of converted images (NAME.wasm) for image cases")
    r.add_argument("--suite", metavar="wasi-testsuite[=DIR]",
                   help="also run wasi-testsuite's preview1 tests from DIR (default: $C2W_WASI_TESTSUITE), "
                        "in columns of their own, each checked against the suite's own runner")
    r.add_argument("--suite-only", action="store_true", help="with --suite: only the suite's tests")
    r.add_argument("--no-rerun", action="store_true", help="do not rerun unexpected outcomes")
    r.add_argument("--strict", action="store_true", help="exit 1 on any fail, xpass or error")
    r.add_argument("--quiet", "-q", action="store_true", help="do not print the table")
    r.add_argument("--verbose", "-v", action="store_true", help="print every result as it comes")
    r.add_argument("--cases-dir", type=Path, help=argparse.SUPPRESS)
    r.add_argument("--expectations-dir", type=Path, help=argparse.SUPPRESS)
    r.set_defaults(func=cmd_run)

    s = sub.add_parser("show", help="render a results document")
    s.add_argument("results", type=Path)
    s.add_argument("--format", "-f", choices=FORMATS, default="rich")
    s.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    s.add_argument("--no-details", action="store_true", help="only the matrix, not the list of failures")
    s.set_defaults(func=cmd_show)

    d = sub.add_parser("diff", help="compare two results documents (exit 1 on a regression)")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    d.set_defaults(func=cmd_diff)

    h = sub.add_parser("history", help="trend per runtime x feature over the dated results")
    h.add_argument("--dir", type=Path, default=history_mod.HISTORY_DIR)
    h.add_argument("--last", type=int, default=30)
    h.set_defaults(func=cmd_history)

    c = sub.add_parser("capabilities", help="per-runtime feature status and adapter choices, as JSON")
    c.add_argument("results", type=Path)
    c.add_argument("-o", "--output", type=Path)
    c.add_argument("--check", action="store_true",
                   help="exit 1 when an adapter's declared capability record disagrees with the run")
    c.set_defaults(func=cmd_capabilities)

    p = sub.add_parser("repro", help="write a self-contained bug bundle for one case on one runtime")
    p.add_argument("case")
    p.add_argument("--runtime", "-r", required=True)
    p.add_argument("-o", "--output", type=Path, required=True, help="bundle directory")
    p.add_argument("--cases-dir", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--expectations-dir", type=Path, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_repro)

    b = sub.add_parser("bisect", help="find the first runtime release where a case changes outcome")
    b.add_argument("case")
    b.add_argument("--runtime", "-r", required=True, help="runtime family (wasmtime, wazero)")
    b.add_argument("--versions", required=True, metavar="A..B", help="release range, e.g. 42..49 or 1.9..1.12")
    b.add_argument("-o", "--output", type=Path, required=True, help="repro bundle directory for the first change")
    b.add_argument("--cases-dir", type=Path, help=argparse.SUPPRESS)
    b.set_defaults(func=cmd_bisect)
    return ap


def main(argv: list[str] | None = None) -> int:
    ns = parser().parse_args(sys.argv[1:] if argv is None else argv)
    from conformance.cases import CaseError
    from conformance.expectations import ExpectationError
    from conformance.programs import ProgramMissing

    from .collect import RunError
    try:
        return ns.func(ns)
    except (ResultsError, RunError, CaseError, ExpectationError, ProgramMissing) as exc:
        print(f"c2w-matrix: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
