"""Per-runtime expectations, in conformance/expectations/<runtime>.toml (wasi-testsuite style):

    [skip."probe.sock.accept"]
    reason = "no preview1 socket preopens in this runtime"
    link = "https://..."

    [xfail."probe.stdin_nonblock.*"]
    reason = "fd_fdstat_set_flags(0, NONBLOCK) returns EBADF"
    link = "https://..."

Keys may be glob patterns (`probe.stdin.*`); the first matching key wins, skip before xfail.
A skipped case is not run; an expected failure is run, and shows as xfail when it fails and as
xpass (as loud as a failure) when it passes.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

EXPECTATIONS_DIR = Path(__file__).parent / "expectations"
KINDS = ("skip", "xfail")


class ExpectationError(ValueError):
    pass


@dataclass(frozen=True)
class Expectation:
    kind: str  # "skip" | "xfail"
    reason: str
    link: str = ""


class Expectations:
    def __init__(self, table: dict[str, dict[str, dict]], source: str = ""):
        for kind, entries in table.items():
            if kind not in KINDS:
                raise ExpectationError(f"{source}: unknown table [{kind}] (expected {', '.join(KINDS)})")
            for pattern, entry in entries.items():
                if not isinstance(entry, dict) or not str(entry.get("reason", "")).strip():
                    raise ExpectationError(f"{source}: [{kind}.\"{pattern}\"] needs a reason")
        self.table = table
        self.source = source

    @classmethod
    def load(cls, runtime: str, directory: Path = EXPECTATIONS_DIR) -> "Expectations":
        """`<runtime>.toml`; a release without its own file (`wasmtime@46`) takes its family's
        (`wasmtime.toml`, written for the latest): where a release differs, it shows as fail/xpass."""
        path = directory / f"{runtime}.toml"
        if not path.is_file() and "@" in runtime:
            path = directory / f"{runtime.partition('@')[0]}.toml"
        if not path.is_file():
            return cls({}, path.name)
        try:
            with path.open("rb") as f:
                return cls(tomllib.load(f), path.name)
        except tomllib.TOMLDecodeError as exc:
            raise ExpectationError(f"{path.name}: {exc}") from None

    def for_case(self, case_id: str) -> Expectation | None:
        for kind in KINDS:
            for pattern, entry in (self.table.get(kind) or {}).items():
                if fnmatch.fnmatch(case_id, pattern):
                    return Expectation(kind, str(entry.get("reason", "")), str(entry.get("link", "")))
        return None

    def patterns(self) -> list[str]:
        return [p for kind in KINDS for p in (self.table.get(kind) or {})]
