"""What the matrix tells about each runtime, and whether the adapters' capability records
(c2w_run/adapter.py, declared in the results document's runtime rows) agree with it.

`c2w-matrix capabilities results.json` prints, per runtime, each feature's status and the
choices an adapter makes from them (how the engine should wait for stdin, the highest exit
status that survives proc_exit); `check` holds the record fields the probe cases measure and
every disagreement with a declared record (`--check`: exit 1 when there is one)."""

from __future__ import annotations

from .aggregate import cells, features

WORKS = ("pass", "xpass")
BROKEN = ("fail", "xfail")


def _all_work(outcomes: dict[str, str], prefix: str) -> bool | None:
    got = [o for c, o in outcomes.items() if c.startswith(prefix) and o != "skip"]
    return all(o in WORKS for o in got) if got else None


def _works(outcome: str | None) -> bool | None:
    """True / False for a run that passed / failed; None when the case did not run (skip, error)."""
    return True if outcome in WORKS else False if outcome in BROKEN else None


def measured(outcomes: dict[str, str]) -> dict[str, object]:
    """The capability record fields the probe cases measure (None: not measured in this run)."""
    out: dict[str, object] = {}
    out["readonly_mapdir"] = _all_work(outcomes, "probe.mapdir_ro.")
    accept, bind = _works(outcomes.get("probe.sock.accept")), _works(outcomes.get("probe.sock.bind_accept"))
    out["sockets"] = ("preopen" if accept else "bind" if bind else
                      "none" if accept is False and bind is False else None)
    if outcomes.get("probe.exit.high") in WORKS:
        out["max_exit_status"] = 255
    elif outcomes.get("probe.exit.125") in WORKS:
        out["max_exit_status"] = 125
    else:
        out["max_exit_status"] = None
    return out


def disagreements(doc: dict) -> tuple[dict[str, dict], list[str]]:
    """Per runtime run with a declared record: the measured fields; and one line per field
    where the declaration and the run disagree."""
    found: dict[str, dict] = {}
    lines: list[str] = []
    for rt in doc["runtimes"]:
        declared = rt.get("capabilities")
        if not rt.get("selected") or declared is None:
            continue
        got = measured({r["case"]: r["outcome"] for r in doc["results"] if r["runtime"] == rt["name"]})
        found[rt["name"]] = got
        for key, value in got.items():
            if value is not None and declared.get(key) != value:
                lines.append(f"{rt['name']}: the adapter declares {key} = {declared.get(key)!r}, "
                             f"the matrix measured {value!r}")
    return found, lines


def capabilities(doc: dict) -> dict:
    grid = cells(doc)
    out: dict = {"schema": "c2w-matrix-capabilities", "version": 1, "from": doc["created"], "runtimes": {}}
    for rt in doc["runtimes"]:
        name = rt["name"]
        outcomes = {r["case"]: r["outcome"] for r in doc["results"] if r["runtime"] == name}
        entry: dict = {"installed": rt["installed"], "version": rt.get("version"),
                       "features": {f: grid[name, f].status for f in features(doc)}}
        poll = _all_work(outcomes, "probe.stdin_poll.")
        nonblock = all(outcomes.get(c) in WORKS for c in ("probe.stdin_nonblock.idle", "probe.stdin_nonblock.data")) \
            if "probe.stdin_nonblock.idle" in outcomes else None
        entry["stdin_wait"] = "poll" if poll else "nonblock" if nonblock else None
        entry["exit_status_max"] = measured(outcomes)["max_exit_status"]
        out["runtimes"][name] = entry
    found, lines = disagreements(doc)
    out["check"] = {"measured": found, "disagreements": lines}
    return out
