"""The matrix as a rich table: runtimes x features, coloured cells."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from .aggregate import LEGEND, SYMBOL, cells, feature_level, features, not_passing, totals, version_label, why

STYLE = {"pass": "bold green", "fail": "bold red", "error": "bold red", "xpass": "bold magenta",
         "xfail": "yellow", "partial": "yellow", "skip": "dim", "not installed": "dim italic",
         "not run": "dim"}


def table(doc: dict) -> Table:
    feats = features(doc)
    levels = feature_level(doc)
    grid = cells(doc)
    t = Table(title=f"c2w-matrix  {doc['created']}  ({doc['host']['hostname']}, {doc['duration']:.0f} s)",
              show_lines=False)
    t.add_column("runtime", style="bold", no_wrap=True)
    t.add_column("version", style="dim", max_width=18, overflow="ellipsis", no_wrap=True)
    for f in feats:
        t.add_column(f if levels[f] != "image" else f"[u]{f}[/u]", justify="center", overflow="fold")
    for rt in doc["runtimes"]:
        row: list[Text | str] = [rt["name"], version_label(rt)]
        for f in feats:
            c = grid[rt["name"], f]
            text = Text(c.label(), style=STYLE[c.status])
            if c.explained_by:
                text.append("\n← " + ", ".join(p.removeprefix("probe.") for p in c.explained_by), style="dim")
            row.append(text)
        t.add_row(*row)
    return t


def details(doc: dict) -> Table:
    t = Table(title="not passing", show_header=True, header_style="bold")
    for col in ("runtime", "case", "outcome", "why"):
        t.add_column(col, overflow="fold")
    for r in not_passing(doc):
        flaky = " (flaky)" if r.get("flaky") else ""
        t.add_row(r["runtime"], r["case"], Text(r["outcome"] + flaky, style=STYLE.get(r["outcome"], "")),
                  why(r, with_reason=True)[:400])
    return t


def render(doc: dict, console: Console | None = None, show_details: bool = True) -> None:
    if console is None:
        import sys
        console = Console(width=None if sys.stdout.isatty() else 240)
    n = totals(doc)
    summary = Text(" ".join(f"{k}={v}" for k, v in n.items()))
    legend = Text("  ".join(f"{SYMBOL[k]} {k}: {v}" for k, v in LEGEND.items())
                  + f"  {SYMBOL['not installed']} not installed  (blank) not run", style="dim")
    parts: list = [table(doc), summary, legend]
    if show_details:
        parts.append(details(doc))
    console.print(Group(*parts))
