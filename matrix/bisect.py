"""`c2w-matrix bisect CASE --runtime wasmtime --versions A..B`: the first release where a case
changes outcome.

The releases are the family's registry's, one per label (wasmtime: the newest of each major) from
A to B (matrix/versions.py). Both ends are run first; when they agree there is nothing to find.
Otherwise a binary search (each probe installs its release into the cache if needed, then runs the
case once through c2w-run, no expectations applied) finds the first release whose outcome differs
from A's, assuming the outcome changes once in the range. Its repro bundle (matrix/repro.py) is
written to the output directory, with `bisect.json` (every release run and its outcome).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from c2w_run.runtimes.versioned import FAMILIES, VersionError, plain
from conformance import cases as cases_mod
from conformance.programs import Programs
from conformance.runner import Result, run_once

from . import versions
from .collect import RunError
from .repro import find_case, repro


@dataclass
class Bisection:
    case: str
    family: str
    releases: list[str]  # runtime names in order (wasmtime@42, ...)
    outcomes: dict[str, Result] = field(default_factory=dict)
    first_changed: str | None = None
    bundle: Path | None = None

    def to_json(self) -> dict:
        return {"case": self.case, "family": self.family, "releases": self.releases,
                "first_changed": self.first_changed,
                "last_unchanged": self.last_unchanged,
                "runs": {name: {"outcome": r.outcome, "exit_code": r.exit_code, "problems": r.problems[:3]}
                         for name, r in self.outcomes.items()}}

    @property
    def last_unchanged(self) -> str | None:
        if self.first_changed is None:
            return None
        return self.releases[self.releases.index(self.first_changed) - 1]


def load_case(case_id: str, cases_dir: Path | None = None) -> cases_mod.Case:
    case = find_case(case_id, cases_dir)
    if case.level != "probe":
        raise RunError(f"bisect runs probe cases; {case_id} is an image case")
    return case


def bisect(case_id: str, family_name: str, span: str, out: Path, cases_dir: Path | None = None,
           log: Callable[[str], None] = lambda line: None,
           releases: Callable = versions.available) -> Bisection:
    family = FAMILIES.get(family_name)
    if family is None:
        raise RunError(f"no runtime versions for {family_name!r}: bisect works on {', '.join(sorted(FAMILIES))}")
    if ".." not in span:
        raise RunError(f"--versions takes a range A..B, not {span!r}")
    case = load_case(case_id, cases_dir)
    try:
        picked = versions.expand(f"{family_name}@{span}", releases)
    except (VersionError, versions.InstallError) as exc:
        raise RunError(str(exc)) from None
    if len(picked) < 2:
        raise RunError(f"the registry has only {len(picked)} {family_name} release in {span}: nothing to bisect")
    names = [name for name, _ in picked]
    by_name = dict(picked)
    found = Bisection(case.id, family_name, names)
    programs = Programs()

    def outcome(name: str) -> str:
        if name not in found.outcomes:
            try:
                versions.install(family, by_name[name], log)
            except versions.InstallError as exc:
                raise RunError(str(exc)) from None
            result = run_once(case, name, programs)
            found.outcomes[name] = result
            log(f"{name} ({plain(by_name[name])}): {result.outcome}"
                + (f"  {'; '.join(result.problems)[:140]}" if result.problems else ""))
        return found.outcomes[name].outcome

    lo, hi = 0, len(names) - 1
    first = outcome(names[lo])
    if outcome(names[hi]) == first:
        return found
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if outcome(names[mid]) == first:
            lo = mid
        else:
            hi = mid
    found.first_changed = names[hi]
    found.bundle, _ = repro(case.id, names[hi], out, cases_dir)
    (found.bundle / "bisect.json").write_text(json.dumps(found.to_json(), indent=1) + "\n")
    before = found.outcomes[names[lo]]
    with (found.bundle / "README.md").open("a") as f:
        f.write(f"## Bisected\n\n`{case.id}`: {before.outcome} on {names[lo]} ({plain(by_name[names[lo]])}), "
                f"{found.outcomes[names[hi]].outcome} on {names[hi]} ({plain(by_name[names[hi]])}), the first "
                f"release of {names[0]}..{names[-1]} that changed (`c2w-matrix bisect`; every run in "
                "`bisect.json`).\n")
    return found
