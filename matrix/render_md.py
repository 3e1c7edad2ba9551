"""The matrix as Markdown (for a README)."""

from __future__ import annotations

from .aggregate import LEGEND, SYMBOL, cells, feature_level, features, not_passing, totals, version_label, why


def _esc(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def render(doc: dict, show_details: bool = True) -> str:
    feats = features(doc)
    levels = feature_level(doc)
    grid = cells(doc)
    lines = [f"Measured {doc['created']} on {doc['host']['hostname']} ({doc['host']['cpus']} CPUs), "
             f"{len(doc['results'])} runs in {doc['duration']:.0f} s, launcher {doc['launcher']['version']}.", ""]
    head = ["runtime", "version"] + [f if levels[f] != "image" else f"*{f}*" for f in feats]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for rt in doc["runtimes"]:
        row = [f"**{rt['name']}**", _esc(version_label(rt))]
        for f in feats:
            c = grid[rt["name"], f]
            text = c.text
            if c.explained_by:
                text += " ← " + ", ".join(f"`{p}`" for p in c.explained_by)
            row.append(_esc(text))
        lines.append("| " + " | ".join(row) + " |")
    n = totals(doc)
    lines += ["", "Totals: " + ", ".join(f"{k} {v}" for k, v in n.items()) + ".", ""]
    lines.append("Legend: " + "; ".join(f"`{SYMBOL[k]}` ({k}) {v}" for k, v in LEGEND.items())
                 + f"; `{SYMBOL['not installed']}` runtime not installed. Cells: cases passed / cases run. *Italic* features are image level.")
    if show_details:
        bad = not_passing(doc)
        if bad:
            lines += ["", "| runtime | case | outcome | why |", "|---|---|---|---|"]
            for r in bad:
                text = why(r) + (f" ([upstream]({r['link']}))" if r.get("link") else "")
                out = r["outcome"] + (" (flaky)" if r.get("flaky") else "")
                lines.append(f"| {r['runtime']} | `{r['case']}` | {out} | {_esc(text[:300])} |")
    return "\n".join(lines) + "\n"
