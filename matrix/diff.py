"""Comparing two results documents: regressions, fixes, and other changes.

A case *works* on a runtime when its outcome is pass or xpass (it did what the case expects) and
is *broken* when it is fail, xfail or error. A regression is works -> broken; a fix is
broken -> works. Skips, new and removed cases or runtimes, and version changes are listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass

WORKS = ("pass", "xpass")
BROKEN = ("fail", "xfail", "error")


@dataclass
class Change:
    kind: str  # regression | fix | changed | new | removed
    runtime: str
    case: str
    old: str
    new: str
    detail: str = ""


@dataclass
class Diff:
    changes: list[Change]
    versions: list[tuple[str, str | None, str | None]]

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "regression"]

    @property
    def fixes(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "fix"]


def compare(old: dict, new: dict) -> Diff:
    a = {(r["runtime"], r["case"]): r for r in old["results"]}
    b = {(r["runtime"], r["case"]): r for r in new["results"]}
    changes: list[Change] = []
    for key in sorted(a.keys() | b.keys()):
        ra, rb = a.get(key), b.get(key)
        if ra is None:
            assert rb is not None
            changes.append(Change("new", *key, "-", rb["outcome"]))
            continue
        if rb is None:
            changes.append(Change("removed", *key, ra["outcome"], "-"))
            continue
        oa, ob = ra["outcome"], rb["outcome"]
        if oa == ob:
            continue
        detail = "; ".join(rb.get("problems") or []) or rb.get("reason", "")
        if oa in WORKS and ob in BROKEN:
            kind = "regression"
        elif oa in BROKEN and ob in WORKS:
            kind = "fix"
        else:
            kind = "changed"
        changes.append(Change(kind, *key, oa, ob, detail[:300]))
    va = {r["name"]: r.get("version") for r in old["runtimes"]}
    vb = {r["name"]: r.get("version") for r in new["runtimes"]}
    versions = [(n, va.get(n), vb.get(n)) for n in sorted(va.keys() | vb.keys()) if va.get(n) != vb.get(n)]
    return Diff(changes, versions)


def render(d: Diff, old_label: str, new_label: str) -> str:
    lines = [f"c2w-matrix diff {old_label} -> {new_label}"]
    for name, va, vb in d.versions:
        lines.append(f"  version  {name}: {va or 'not installed'} -> {vb or 'not installed'}")
    order = ("regression", "fix", "changed", "new", "removed")
    for kind in order:
        for c in (c for c in d.changes if c.kind == kind):
            line = f"  {kind:10} {c.runtime:12} {c.case}: {c.old} -> {c.new}"
            if c.detail and kind == "regression":
                line += f"  ({c.detail})"
            lines.append(line)
    lines.append(f"{len(d.regressions)} regression(s), {len(d.fixes)} fix(es), "
                 f"{len(d.changes) - len(d.regressions) - len(d.fixes)} other change(s)")
    return "\n".join(lines) + "\n"
