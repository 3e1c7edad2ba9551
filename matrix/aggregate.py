"""From results to matrix cells: one cell per runtime x feature."""

from __future__ import annotations

from dataclasses import dataclass, field

# worst first: a cell shows the worst outcome among its cases
PRECEDENCE = ("error", "fail", "xpass", "partial", "xfail", "pass", "skip")
# the one status -> symbol map of every renderer (one character: history lines use it as is);
# WORD adds a word where neither colour nor a legend beside the cell tells them apart
SYMBOL = {"pass": "✓", "fail": "✗", "xfail": "x", "xpass": "!", "error": "E", "partial": "◐",
          "skip": "–", "not installed": "·", "not run": " "}
WORD = {"xfail": "known", "xpass": "xpass"}
BAD = ("fail", "xpass", "error")
LEGEND = {
    "pass": "every case passed",
    "partial": "some cases pass, the others are known failures (xfail)",
    "xfail": "fails, as the runtime's expectations say (known, with reason)",
    "fail": "an unexpected failure",
    "xpass": "passed although expected to fail: update the expectations",
    "error": "the case could not run (missing program, hung launcher)",
    "skip": "not run (skip expectation, or the launcher cannot express it yet)",
}


@dataclass
class Cell:
    runtime: str
    feature: str
    status: str
    passed: int = 0
    ran: int = 0
    results: list[dict] = field(default_factory=list)
    explained_by: list[str] = field(default_factory=list)  # failing probes behind an image feature

    @property
    def text(self) -> str:
        """The symbol (and its word, with `words`) and cases passed / cases run."""
        return self.label(words=True)

    def label(self, words: bool = False) -> str:
        if self.status in ("not installed", "not run", "skip"):
            return SYMBOL[self.status]
        word = f" {WORD[self.status]}" if words and self.status in WORD else ""
        return f"{SYMBOL[self.status]}{word} {self.passed}/{self.ran}"

    def bad(self) -> list[dict]:
        return [r for r in self.results if r["outcome"] not in ("pass", "skip")]


def cell_status(outcomes: list[str]) -> str:
    ran = [o for o in outcomes if o != "skip"]
    if not ran:
        return "skip"
    for status in ("error", "fail", "xpass"):
        if status in ran:
            return status
    if "xfail" in ran:
        return "partial" if "pass" in ran else "xfail"
    return "pass"


def features(doc: dict) -> list[str]:
    """Features in case order (probe features first, then image features)."""
    seen: list[str] = []
    for level in ("probe", "image", "suite"):
        for c in doc["cases"]:
            if c["level"] == level and c["feature"] not in seen:
                seen.append(c["feature"])
    return seen


def feature_level(doc: dict) -> dict[str, str]:
    return {c["feature"]: c["level"] for c in doc["cases"]}


def cells(doc: dict) -> dict[tuple[str, str], Cell]:
    by_rt_case = {(r["runtime"], r["case"]): r for r in doc["results"]}
    case_info = {c["id"]: c for c in doc["cases"]}
    out: dict[tuple[str, str], Cell] = {}
    for rt in doc["runtimes"]:
        name = rt["name"]
        for feat in features(doc):
            if not rt["installed"]:
                out[name, feat] = Cell(name, feat, "not installed")
                continue
            results = [by_rt_case[name, c["id"]] for c in doc["cases"]
                       if c["feature"] == feat and (name, c["id"]) in by_rt_case]
            if not results:
                out[name, feat] = Cell(name, feat, "not run")
                continue
            cell = Cell(name, feat, cell_status([r["outcome"] for r in results]),
                        passed=sum(r["outcome"] in ("pass", "xpass") for r in results),
                        ran=sum(r["outcome"] != "skip" for r in results), results=results)
            if cell.status not in ("pass", "skip"):
                for r in results:
                    for probe in case_info.get(r["case"], {}).get("explains", []):
                        pr = by_rt_case.get((name, probe))
                        if pr and pr["outcome"] not in ("pass", "skip") and probe not in cell.explained_by:
                            cell.explained_by.append(probe)
            out[name, feat] = cell
    return out


def totals(doc: dict) -> dict[str, int]:
    counts = {o: 0 for o in ("pass", "fail", "xfail", "xpass", "skip", "error")}
    for r in doc["results"]:
        counts[r["outcome"]] += 1
    counts["flaky"] = sum(1 for r in doc["results"] if r.get("flaky"))
    return counts




def version_label(rt: dict) -> str:
    if not rt["installed"]:
        return "not installed"
    v = rt.get("version") or "?"
    return v.split(" (")[0]  # "wasmtime 49.0.3 (f96eabaa1 2026-10-14)" -> "wasmtime 49.0.3"


def not_passing(doc: dict) -> list[dict]:
    """The results a report lists: not passed, flaky, or carrying a note."""
    return [r for r in doc["results"] if r["outcome"] != "pass" or r.get("flaky") or r.get("note")]


def why(r: dict, with_reason: bool = False) -> str:
    """Why a result did not pass: its problems when it went wrong (with the expectation's reason
    in brackets if `with_reason`), else the expectation's reason; then its note."""
    problems = "; ".join(r.get("problems") or [])
    text = r.get("reason") or problems
    if r["outcome"] in BAD and problems:
        text = problems + (f"  [{r['reason']}]" if with_reason and r.get("reason") else "")
    if r.get("note"):
        text = f"{text} ({r['note']})" if text else r["note"]
    return text
