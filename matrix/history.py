"""Dated results under matrix-history/<YYYY-MM-DD>.json (repository root), and the trend per runtime x feature."""

from __future__ import annotations

import re
from pathlib import Path

from .aggregate import SYMBOL, cells, features
from .schema import ResultsError, dump, load

# the dated results live in the repository, outside the Python package (the nightly workflow
# commits one per night there); --history-dir / --dir choose another place
HISTORY_DIR = Path(__file__).resolve().parents[1] / "matrix-history"
NAME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{4})?\.json$")


def save(doc: dict, directory: Path = HISTORY_DIR) -> Path:
    """Store doc as <date>.json (the run's UTC date); a second run the same day replaces it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{doc['created'][:10]}.json"
    dump(doc, path)
    return path


def entries(directory: Path = HISTORY_DIR) -> list[tuple[str, dict]]:
    if not directory.is_dir():
        raise ResultsError(f"history directory {directory} does not exist")
    out = []
    for p in sorted(directory.iterdir()):
        if NAME_RE.match(p.name):
            out.append((p.stem, load(p)))
    return out


def trend(directory: Path = HISTORY_DIR, last: int = 30) -> tuple[list[str], list[str], dict]:
    """(dates, features, {(runtime, feature): marks oldest..newest})."""
    hist = entries(directory)[-last:]
    dates = [d for d, _ in hist]
    feats: list[str] = []
    runtimes: list[str] = []
    grids = []
    for _, doc in hist:
        for f in features(doc):
            if f not in feats:
                feats.append(f)
        for rt in doc["runtimes"]:
            if rt["name"] not in runtimes:
                runtimes.append(rt["name"])
        grids.append(cells(doc))
    marks = {}
    for rt in runtimes:
        for f in feats:
            marks[rt, f] = "".join(SYMBOL[g[rt, f].status] if (rt, f) in g else " " for g in grids)
    return dates, feats, marks


def render_text(directory: Path = HISTORY_DIR, last: int = 30) -> str:
    dates, feats, marks = trend(directory, last)
    if not dates:
        return f"no results in {directory}\n"
    runtimes = list(dict.fromkeys(k[0] for k in marks))
    width = max(len(dates), 5)
    lines = [f"history: {len(dates)} run(s), {dates[0]} .. {dates[-1]} (oldest left; "
             + " ".join(f"{v}={k}" for k, v in SYMBOL.items() if v.strip()) + ")"]
    lines.append("runtime".ljust(12) + " " + " ".join(f.ljust(max(len(f), width)) for f in feats))
    for rt in runtimes:
        lines.append(rt.ljust(12) + " " + " ".join(marks[rt, f].ljust(max(len(f), width)) for f in feats))
    return "\n".join(lines) + "\n"
