"""Conformance cases, kept as TOML data in conformance/cases/*.toml.

Each file holds `[[case]]` tables:

    id = "probe.args.special"       # unique, dotted
    feature = "args"                # the matrix column
    level = "probe"                 # probe | image
    program = "args_env_exit"       # a probe name (level probe) or an image name (level image)
    description = "..."
    args = ["0", "a b"]             # "{listen}" is replaced by HOST:PORT of the case's socket
    launcher_args = ["--entrypoint", "/bin/sh"]   # c2w-run options before the module (image cases)
    env = { AAA = "hello" }
    stdin = "none"                  # none | data | idle | script | tty | inherit
    stdin_data = "..."              # with stdin = "data" (stdin_repeat = N repeats it N times)
    stdin_script = [{ after = 0.5, data = "late\n" }, { after = 1.0, close = true }]
    # an interactive exchange: { wait_for = "\\$ $", data = "echo hi\n" } waits for the prompt first
    listen = true                   # a pre-opened TCP listener (c2w-run --wasi-listen)
    tcp_port = true                 # only a free port: {listen} / {port} in args, for the client (e.g. -p)
    server = { reply = "..." }      # a TCP server on the host at 127.0.0.1:{server_port}: sends reply, closes
    client = { send = "ping\n", expect = "echo: ping\n" }   # a TCP client talks to it
    timeout = 30
    explains = ["probe.stdin_poll.idle_pipe"]   # image level: the probe cases behind this feature
    [[case.mapdir]]
    guest = "/data"
    readonly = false
    files = { "input.txt" = "hello\n" }     # fixtures written before the run
    copy_from = "/path/to/dir"              # a host directory copied in first (wasi-testsuite's dirs)
    [case.expect]
    exit_code = 0                   # or exit_nonzero = true
    stdout = "exact text"           # or stdout_regex = "..." (re.MULTILINE, re.search)
    stdout_echo = true              # stdout must equal the stdin bytes
    stderr = "..."                  # or stderr_regex
    files = { "dir0/out.txt" = "..." }      # host files afterwards (dir<N> = the Nth mapdir)
    files_regex = { ... }
    absent = ["dir0/probe_new.txt"]         # host files that must not exist afterwards
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CASES_DIR = Path(__file__).parent / "cases"
LEVELS = ("probe", "image", "suite")  # suite: an external suite's test (conformance/wasi_testsuite.py)
STDIN_MODES = ("none", "data", "idle", "script", "tty", "inherit")
ID_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


class CaseError(ValueError):
    pass


@dataclass(frozen=True)
class Fixture:
    guest: str
    files: dict[str, str] = field(default_factory=dict)
    readonly: bool = False
    copy_from: str = ""  # a host directory copied in first (an external suite's fixture directory)


@dataclass(frozen=True)
class StdinStep:
    after: float = 0.0  # seconds after the previous step (or after wait_for matched)
    wait_for: str | None = None  # first wait until stdout (since the last match) matches this regex
    data: str = ""
    close: bool = False


@dataclass(frozen=True)
class Client:
    send: str = ""
    expect: str | None = None
    expect_regex: str | None = None
    connect_timeout: float = 10.0


@dataclass(frozen=True)
class Server:
    reply: str = ""


@dataclass(frozen=True)
class Expect:
    exit_code: int | None = 0
    exit_nonzero: bool = False
    stdout: str | None = None
    stdout_regex: str | None = None
    stdout_echo: bool = False
    stderr: str | None = None
    stderr_regex: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    files_regex: dict[str, str] = field(default_factory=dict)
    absent: tuple[str, ...] = ()

    def describe(self) -> list[str]:
        """Human-readable expectation lines (for reports and repro READMEs)."""
        out = []
        if self.exit_nonzero:
            out.append("exit status: non-zero")
        elif self.exit_code is not None:
            out.append(f"exit status: {self.exit_code}")
        if self.stdout is not None:
            out.append(f"stdout exactly: {self.stdout!r}")
        if self.stdout_regex is not None:
            out.append(f"stdout matches: /{self.stdout_regex}/")
        if self.stdout_echo:
            out.append("stdout: the stdin bytes, unchanged")
        if self.stderr is not None:
            out.append(f"stderr exactly: {self.stderr!r}")
        if self.stderr_regex is not None:
            out.append(f"stderr matches: /{self.stderr_regex}/")
        for rel, want in self.files.items():
            out.append(f"host file {rel}: {want!r}")
        for rel, want in self.files_regex.items():
            out.append(f"host file {rel} matches: /{want}/")
        for rel in self.absent:
            out.append(f"host file {rel}: absent")
        return out


@dataclass(frozen=True)
class Case:
    id: str
    feature: str
    level: str
    program: str
    args: tuple[str, ...] = ()
    launcher_args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    stdin: str = "none"
    stdin_data: str = ""
    stdin_repeat: int = 1
    stdin_script: tuple[StdinStep, ...] = ()
    timeout: float = 60.0
    mapdirs: tuple[Fixture, ...] = ()
    listen: bool = False
    tcp_port: bool = False
    server: Server | None = None
    client: Client | None = None
    explains: tuple[str, ...] = ()
    description: str = ""
    expect: Expect = field(default_factory=Expect)
    source: str = ""

    def stdin_bytes(self) -> bytes:
        return self.stdin_data.encode() * self.stdin_repeat if self.stdin == "data" else b""

    def to_json(self) -> dict:
        return {"id": self.id, "feature": self.feature, "level": self.level, "program": self.program,
                "description": self.description, "explains": list(self.explains),
                "expect": self.expect.describe(), "source": self.source}


def _case(d: dict, source: str) -> Case:
    where = f"{source}: case {d.get('id', '?')}"
    try:
        e = dict(d.pop("expect", {}))
        e["absent"] = tuple(e.get("absent", ()))
        expect = Expect(**e)
        mapdirs = tuple(Fixture(**m) for m in d.pop("mapdir", []))
        script = tuple(StdinStep(**s) for s in d.pop("stdin_script", []))
        client = Client(**d.pop("client")) if "client" in d else None
        server = Server(**d.pop("server")) if "server" in d else None
        d["args"] = tuple(str(a) for a in d.get("args", ()))
        d["launcher_args"] = tuple(str(a) for a in d.get("launcher_args", ()))
        d["explains"] = tuple(d.get("explains", ()))
        case = Case(**d, expect=expect, mapdirs=mapdirs, stdin_script=script, client=client, server=server,
                    source=source)
    except TypeError as exc:
        raise CaseError(f"{where}: {exc}") from None
    if not ID_RE.match(case.id):
        raise CaseError(f"{where}: id must be dotted lowercase words (e.g. probe.args.plain)")
    if case.level not in LEVELS:
        raise CaseError(f"{where}: level must be one of {', '.join(LEVELS)}")
    if case.stdin not in STDIN_MODES:
        raise CaseError(f"{where}: stdin must be one of {', '.join(STDIN_MODES)}")
    if case.stdin == "script" and not case.stdin_script:
        raise CaseError(f"{where}: stdin = \"script\" needs stdin_script steps")
    if case.client is not None and not (case.listen or case.tcp_port):
        raise CaseError(f"{where}: a client needs listen = true or tcp_port = true")
    if case.level == "probe" and case.explains:
        raise CaseError(f"{where}: only image cases name the probes that explain them")
    if case.timeout <= 0:
        raise CaseError(f"{where}: timeout must be positive")
    patterns = [case.expect.stdout_regex, case.expect.stderr_regex, *case.expect.files_regex.values()]
    if case.client is not None:
        patterns.append(case.client.expect_regex)
    patterns += [s.wait_for for s in case.stdin_script]
    for pattern in patterns:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CaseError(f"{where}: bad regex {pattern!r}: {exc}") from None
    return case


def load(directory: Path = CASES_DIR, patterns: list[str] | str | None = None) -> list[Case]:
    """Every case in directory/*.toml (in file order) whose id matches one of the glob patterns."""
    if isinstance(patterns, str):
        patterns = [patterns]
    if not directory.is_dir():
        raise CaseError(f"cases directory {directory} does not exist")
    cases: list[Case] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.toml")):
        try:
            with path.open("rb") as f:
                doc = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise CaseError(f"{path.name}: {exc}") from None
        for d in doc.get("case", []):
            case = _case(dict(d), path.name)
            if case.id in seen:
                raise CaseError(f"{path.name}: duplicate case id {case.id}")
            seen.add(case.id)
            if not patterns or any(fnmatch.fnmatch(case.id, p) for p in patterns):
                cases.append(case)
    by_id = {c.id for c in cases} | seen
    for case in cases:
        for probe in case.explains:
            if probe not in by_id:
                raise CaseError(f"{case.source}: case {case.id} explains unknown case {probe}")
    return cases
