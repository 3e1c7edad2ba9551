"""What the matrix tells the launcher: per runtime, each feature's status and the choices an
adapter makes from them (how the engine should wait for stdin, the highest exit status that
survives proc_exit). `c2w-matrix capabilities results.json` prints it as JSON."""

from __future__ import annotations

from .aggregate import cells, features

WORKS = ("pass", "xpass")


def _all_work(outcomes: dict[str, str], prefix: str) -> bool | None:
    got = [o for c, o in outcomes.items() if c.startswith(prefix) and o != "skip"]
    return all(o in WORKS for o in got) if got else None


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
        if outcomes.get("probe.exit.high") in WORKS:
            entry["exit_status_max"] = 255
        elif outcomes.get("probe.exit.125") in WORKS:
            entry["exit_status_max"] = 125
        else:
            entry["exit_status_max"] = None
        out["runtimes"][name] = entry
    return out
