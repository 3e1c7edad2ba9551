"""The matrix as one self-contained HTML page (inline CSS, no scripts, no external resources)."""

from __future__ import annotations

from html import escape

from .aggregate import LEGEND, SYMBOL, cells, feature_level, features, not_passing, totals, version_label, why

CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: center; vertical-align: top; }
th { background: #f3f3f3; }
td.rt { text-align: left; font-weight: bold; }
td.ver { text-align: left; color: #666; font-size: 12px; max-width: 16em; }
.pass { background: #c8f7c5; } .fail, .error { background: #f8b4b4; font-weight: bold; }
.xpass { background: #e9b8f5; font-weight: bold; } .xfail, .partial { background: #fbeeb8; }
.skip, .not-installed, .not-run { background: #eee; color: #777; }
.why { text-align: left; font-size: 12px; max-width: 60em; }
small.explain { display: block; color: #555; }
"""


def render(doc: dict) -> str:
    feats = features(doc)
    levels = feature_level(doc)
    grid = cells(doc)
    h = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
         f"<title>c2w-matrix {escape(doc['created'])}</title>", f"<style>{CSS}</style></head><body>",
         "<h1>c2w-run runtime × feature matrix</h1>",
         f"<p>Measured {escape(doc['created'])} on {escape(doc['host']['hostname'])} "
         f"({doc['host']['cpus']} CPUs): {len(doc['results'])} runs in {doc['duration']:.0f} s. "
         f"Launcher: {escape(doc['launcher']['version'])}.</p>",
         "<table id=\"matrix\"><thead><tr><th>runtime</th><th>version</th>"]
    for f in feats:
        label = escape(f) if levels[f] != "image" else f"<em>{escape(f)}</em>"
        h.append(f"<th>{label}</th>")
    h.append("</tr></thead><tbody>")
    for rt in doc["runtimes"]:
        h.append(f"<tr><td class=\"rt\">{escape(rt['name'])}</td>"
                 f"<td class=\"ver\">{escape(version_label(rt))}</td>")
        for f in feats:
            c = grid[rt["name"], f]
            title = "; ".join(f"{r['case']}: {r['outcome']}" for r in c.results)
            extra = ""
            if c.explained_by:
                extra = f"<small class=\"explain\">← {escape(', '.join(c.explained_by))}</small>"
            cls = c.status.replace(" ", "-")
            h.append(f"<td class=\"{cls}\" title=\"{escape(title)}\">{escape(c.text)}{extra}</td>")
        h.append("</tr>")
    h.append("</tbody></table>")
    n = totals(doc)
    h.append("<p>" + ", ".join(f"{escape(k)}: {v}" for k, v in n.items()) + "</p>")
    h.append("<ul>" + "".join(f"<li><span class=\"{k}\">{escape(SYMBOL[k])}</span> {escape(k)}: "
                              f"{escape(v)}</li>" for k, v in LEGEND.items()) + "</ul>")
    bad = not_passing(doc)
    if bad:
        h.append("<h2>Not passing</h2><table id=\"details\"><thead><tr><th>runtime</th><th>case</th>"
                 "<th>outcome</th><th>why</th></tr></thead><tbody>")
        for r in bad:
            link = f" <a href=\"{escape(r['link'])}\">upstream</a>" if r.get("link") else ""
            h.append(f"<tr><td>{escape(r['runtime'])}</td><td>{escape(r['case'])}</td>"
                     f"<td class=\"{escape(r['outcome'])}\">{escape(r['outcome'])}"
                     f"{' (flaky)' if r.get('flaky') else ''}</td>"
                     f"<td class=\"why\">{escape(why(r)[:500])}{link}</td></tr>")
        h.append("</tbody></table>")
    h.append("</body></html>")
    return "\n".join(h) + "\n"
