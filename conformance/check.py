"""Checking one run against its case's expectations: used by the runner, and copied (with
cases.py beside it) into every repro bundle, where `python3 check.py` checks the bundle's run.

In a bundle: expect.json (the case's [case.expect] and client), stdin.bin (the stdin bytes, if
any), work/ (the mapped directories after the run) and actual/ (stdout, stderr, exit_code,
client_reply) beside this file.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

if __package__:
    from .cases import Case, Client, Expect
else:  # a copy in a repro bundle, beside a copy of cases.py
    from cases import Case, Client, Expect  # type: ignore[no-redef]

OUTPUT_LIMIT = 64 * 1024  # captured output kept in a result that did not pass


def decode(b: bytes | None, limit: int = OUTPUT_LIMIT) -> str:
    b = b or b""
    text = b[:limit].decode("utf-8", "backslashreplace")
    return text + (f"\n[... {len(b) - limit} more bytes]" if len(b) > limit else "")


def check(case: Case, code: int, out: bytes, err: bytes, workdir: Path,
          client: dict | None = None) -> list[str]:
    """Every way this run differs from the case's expectations (empty: it passed)."""
    e = case.expect
    so, se = decode(out, 1 << 30), decode(err, 1 << 30)
    problems = []
    if e.exit_nonzero:
        if code == 0:
            problems.append("exit status 0, expected non-zero")
    elif e.exit_code is not None and code != e.exit_code:
        problems.append(f"exit status {code}, expected {e.exit_code}")
    if e.stdout is not None and so != e.stdout:
        problems.append(f"stdout {so[:200]!r}, expected {e.stdout[:200]!r}")
    if e.stdout_regex is not None and not re.search(e.stdout_regex, so, re.MULTILINE):
        problems.append(f"stdout {so[:300]!r} does not match /{e.stdout_regex}/")
    if e.stdout_echo and out != case.stdin_bytes():
        problems.append(f"stdout is {len(out)} bytes, not the {len(case.stdin_bytes())} stdin bytes")
    if e.stderr is not None and se != e.stderr:
        problems.append(f"stderr {se[:200]!r}, expected {e.stderr[:200]!r}")
    if e.stderr_regex is not None and not re.search(e.stderr_regex, se, re.MULTILINE):
        problems.append(f"stderr {se[:300]!r} does not match /{e.stderr_regex}/")
    for rel, want in {**e.files, **e.files_regex}.items():
        p = workdir / rel
        if not p.is_file():
            problems.append(f"host file {rel} missing")
            continue
        got = p.read_text(errors="backslashreplace")
        if rel in e.files and got != want:
            problems.append(f"host file {rel} is {got[:100]!r}, expected {want[:100]!r}")
        if rel in e.files_regex and not re.search(e.files_regex[rel], got, re.MULTILINE):
            problems.append(f"host file {rel} {got[:100]!r} does not match /{e.files_regex[rel]}/")
    for rel in e.absent:
        if (workdir / rel).exists():
            problems.append(f"host file {rel} exists, expected absent")
    if case.client is not None and client is not None:
        if "error" in client:
            problems.append(f"TCP client: {client['error']}")
        else:
            reply = client.get("reply", b"").decode("utf-8", "backslashreplace")
            c = case.client
            if c.expect is not None and reply != c.expect:
                problems.append(f"TCP reply {reply!r}, expected {c.expect!r}")
            if c.expect_regex is not None and not re.search(c.expect_regex, reply, re.MULTILINE):
                problems.append(f"TCP reply {reply!r} does not match /{c.expect_regex}/")
    return problems


def main() -> int:
    """Check a repro bundle's run (the files beside this script); exit 1 when it fails."""
    here = Path(__file__).resolve().parent
    e = json.loads((here / "expect.json").read_text())
    client = e.pop("client", None)
    e["absent"] = tuple(e.get("absent", ()))
    stdin = here / "stdin.bin"
    case = Case(id="repro.case", feature="", level="probe", program="",
                stdin="data" if stdin.exists() else "none",
                stdin_data=stdin.read_bytes().decode("utf-8", "surrogateescape") if stdin.exists() else "",
                expect=Expect(**e), client=Client(**client) if client else None)
    act = here / "actual"
    out, err = (act / "stdout").read_bytes(), (act / "stderr").read_bytes()
    code = int((act / "exit_code").read_text().strip())
    reply = act / "client_reply"
    problems = check(case, code, out, err, here / "work",
                     {"reply": reply.read_bytes() if reply.exists() else b""} if client else None)
    print("exit status:", code)
    print("stdout:", repr(decode(out)[:2000]))
    print("stderr:", repr(decode(err)[:2000]))
    if problems:
        print("RESULT: fail (the runtime does not do what the case expects)")
        for p in problems:
            print("  -", p)
        return 1
    print("RESULT: pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
