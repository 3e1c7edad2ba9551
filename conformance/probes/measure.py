"""Run every probe case on every installed runtime and print a Markdown table.

usage: python3 conformance/probes/measure.py [--runtime NAME]... [--json FILE]

Runtimes come from probe_runtimes.find_runtime ($C2W_<NAME>, the cache's
bin/, PATH). Each case prints PASS, FAIL or n/a with a short note; --json
writes every case's command, exit status, stdout and stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import probe_runtimes as pr  # noqa: E402

BUILD = Path(__file__).resolve().parent / "build.sh"
ARGS = ["a b", "", "\u00e9\u4e2d", "--flag", "-x", "line\nbreak", "env:FOO", "env:EMPTY", "env:SPACE"]
ENV = {"FOO": "bar", "EMPTY": "", "SPACE": "x y=z"}


@dataclass
class Result:
    status: str  # PASS / FAIL / n/a
    note: str = ""
    detail: dict | None = None


def esc(b: bytes) -> str:
    """The probes' escaping (probe.h p_escaped)."""
    out = []
    for c in b:
        if c == 0x5C:
            out.append("\\\\")
        elif c == 0x0A:
            out.append("\\n")
        elif c == 0x09:
            out.append("\\t")
        elif c == 0x0D:
            out.append("\\r")
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append(f"\\x{c:02x}")
    return "".join(out)


def run(argv, stdin=None, input_bytes=None, timeout=20.0, feed=None):
    """Run argv; feed(proc) may write to stdin. Returns (rc, out, err, secs, maxrss_kb)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=stdin if stdin is not None else subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if feed:
        threading.Thread(target=feed, args=(p,), daemon=True).start()
    elif stdin is None:
        threading.Thread(target=lambda: (p.stdin.write(input_bytes or b""), p.stdin.close()),
                         daemon=True).start()
    out_chunks, err_chunks = [], []
    to = threading.Thread(target=lambda: out_chunks.append(p.stdout.read()), daemon=True)
    te = threading.Thread(target=lambda: err_chunks.append(p.stderr.read()), daemon=True)
    to.start()
    te.start()
    rc = None
    rusage = None
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        pid, status, rusage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            rc = os.waitstatus_to_exitcode(status)
            p.returncode = rc
            break
        time.sleep(0.005)
    secs = time.monotonic() - t0
    if rc is None:
        p.kill()
        _, status, rusage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        rc = "timeout"
    to.join(2)
    te.join(2)
    out = out_chunks[0] if out_chunks else b""
    err = err_chunks[0] if err_chunks else b""
    return rc, out, err, secs, (rusage.ru_maxrss if rusage else 0)


def free_port() -> int:
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def echo_client(port: int, line: bytes, result: dict, deadline_s: float = 8.0) -> None:
    import socket
    end = time.time() + deadline_s
    while time.time() < end:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            break
        except OSError:
            time.sleep(0.05)
    else:
        result["error"] = "cannot connect"
        return
    try:
        s.sendall(line)
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        result["reply"] = data
    except OSError as e:
        result["error"] = str(e)
    finally:
        s.close()


class Cases:
    def __init__(self, probes: Path, runtime: str, binary: str):
        self.p = probes
        self.rt = runtime
        self.bin = binary

    def cmd(self, name, args=(), **kw):
        return pr.command(self.rt, self.bin, pr.Launch(self.p / f"{name}.wasm", list(args), **kw))

    def detail(self, argv, rc, out, err, secs=None):
        return {"argv": argv, "rc": rc, "stdout": out.decode(errors="replace")[-4000:],
                "stderr": err.decode(errors="replace")[-2000:], "secs": secs}

    # ---- cases
    def args_env_exit(self):
        argv = self.cmd("args_env_exit", ["7", *ARGS], env=ENV)
        rc, out, err, secs, _ = run(argv)
        lines = out.decode("utf-8", "replace").splitlines()
        want_argv = [f"argv[{i + 1}]={esc(a.encode())}" for i, a in enumerate(["7", *ARGS])]
        problems = []
        if rc != 7:
            problems.append(f"rc={rc}")
        for w in want_argv:
            if w not in lines:
                problems.append(f"missing {w!r}")
        for k, v in ENV.items():
            if f"env:{k}={esc(v.encode())}" not in lines:
                problems.append(f"env {k}")
        envc = next((ln for ln in lines if ln.startswith("envc=")), "envc=?")
        argv0 = next((ln for ln in lines if ln.startswith("argv[0]=")), "argv[0]=?")
        note = f"{envc}, {argv0.split('/')[-1]}"
        return Result("FAIL" if problems else "PASS", "; ".join(problems[:3]) or note,
                      self.detail(argv, rc, out, err, secs))

    def stdio(self):
        argv = self.cmd("stdio")
        rc, out, err, secs, _ = run(argv)
        ok = rc == 0 and out == b"out 1\nout 2\n" and b"err 1\nerr 2\n" in err
        return Result("PASS" if ok else "FAIL", f"rc={rc}" if not ok else "",
                      self.detail(argv, rc, out, err, secs))

    def stdin_cat(self):
        data = random.Random(1).randbytes(1 << 20)
        argv = self.cmd("stdin_cat")
        rc, out, err, secs, _ = run(argv, input_bytes=data)
        ok = rc == 0 and out == data and f"bytes={len(data)}".encode() in err
        note = f"{secs:.2f}s" if ok else f"rc={rc} got {len(out)} bytes"
        return Result("PASS" if ok else "FAIL", note, self.detail(argv, rc, b"", err, secs))

    def poll_data(self):
        argv = self.cmd("stdin_poll", ["1000", "3"])
        rc, out, err, secs, _ = run(argv, input_bytes=b"hi\n")
        s = out.decode(errors="replace")
        ok = rc == 0 and "round=1 fired=stdin" in s and "data=hi\\n" in s and "read=EOF" in s
        return Result("PASS" if ok else "FAIL", first_line(s) if ok else short(s, rc),
                      self.detail(argv, rc, out, err, secs))

    def poll_idle_pipe(self):
        argv = self.cmd("stdin_poll", ["300", "2"])
        r, w = os.pipe()
        try:
            rc, out, err, secs, _ = run(argv, stdin=r, timeout=6)
        finally:
            os.close(r)
            os.close(w)
        s = out.decode(errors="replace")
        ms = [int(x) for x in re.findall(r"fired=clock elapsed_ms=(\d+)", s)]
        ok = rc == 0 and len(ms) == 2 and all(250 <= m <= 1500 for m in ms)
        note = f"clock after {ms} ms" if ms else short(s, rc)
        return Result("PASS" if ok else "FAIL", note, self.detail(argv, rc, out, err, secs))

    def poll_late_data(self):
        argv = self.cmd("stdin_poll", ["3000", "1"])

        def feed(p):
            time.sleep(0.5)
            p.stdin.write(b"late\n")
            p.stdin.flush()
            time.sleep(1.0)
            p.stdin.close()
        rc, out, err, secs, _ = run(argv, feed=feed, timeout=8)
        s = out.decode(errors="replace")
        m = re.search(r"fired=(stdin|stdin\+clock) elapsed_ms=(\d+)", s)
        ok = rc == 0 and m is not None and 300 <= int(m.group(2)) <= 2000 and "data=late\\n" in s
        note = f"fired={m.group(1)} after {m.group(2)} ms" if m else short(s, rc)
        return Result("PASS" if ok else "FAIL", note,
                      self.detail(argv, rc, out, err, secs))

    def poll_idle_tty(self):
        argv = self.cmd("stdin_poll", ["300", "1"])
        master, slave = pty.openpty()
        try:
            rc, out, err, secs, _ = run(argv, stdin=slave, timeout=6)
        finally:
            os.close(slave)
            os.close(master)
        s = out.decode(errors="replace")
        ok = rc == 0 and "fired=clock" in s
        return Result("PASS" if ok else "FAIL", first_line(s) + " / " + (s.splitlines()[1] if len(s.splitlines()) > 1 else short(s, rc)),
                      self.detail(argv, rc, out, err, secs))

    def nonblock_idle(self):
        argv = self.cmd("stdin_nonblock", ["3", "100"])
        r, w = os.pipe()
        try:
            rc, out, err, secs, _ = run(argv, stdin=r, timeout=6)
        finally:
            os.close(r)
            os.close(w)
        s = out.decode(errors="replace")
        ok = rc == 0 and s.count("read=EAGAIN") == 3
        return Result("PASS" if ok else "FAIL", first_line(s) if rc != "timeout" else "blocked in fd_read",
                      self.detail(argv, rc, out, err, secs))

    def nonblock_data(self):
        argv = self.cmd("stdin_nonblock", ["20", "50"])
        rc, out, err, secs, _ = run(argv, input_bytes=b"data\n", timeout=6)
        s = out.decode(errors="replace")
        ok = rc == 0 and "data=data\\n" in s
        return Result("PASS" if ok else "FAIL", first_line(s), self.detail(argv, rc, out, err, secs))

    def _preopen(self, guest):
        with tempfile.TemporaryDirectory() as d:
            host = Path(d) / "host"
            (host / "sub").mkdir(parents=True)
            (host / "input.txt").write_bytes(b"input data\n")
            argv = self.cmd("preopen_ops", [guest], dirs=[(str(host), guest)])
            rc, out, err, secs, _ = run(argv)
            s = out.decode(errors="replace")
            fails = [ln.split()[0] + ":" + ln.split()[-1] for ln in s.splitlines() if " FAIL" in ln]
            host_ok = ((host / "probe_renamed.txt").read_bytes() == b"written by probe\n"
                       if (host / "probe_renamed.txt").exists() else False)
            ok = rc == 0 and host_ok and not fails
            esc_line = next((ln for ln in s.splitlines() if ln.startswith("escape")), "")
            note = ", ".join(fails) if fails else (esc_line if ok else short(s, rc))
            return Result("PASS" if ok else "FAIL", note, self.detail(argv, rc, out, err, secs))

    def preopen(self):
        return self._preopen("/data")

    def preopen_deep(self):
        return self._preopen("/mnt/a/b")

    def sock_accept(self):
        port = free_port()
        try:
            argv = self.cmd("sock_accept", listen=f"127.0.0.1:{port}")
        except pr.Unsupported as e:
            return Result("n/a", str(e))
        return self._sock(argv, port)

    def sock_bind_accept(self):
        port = free_port()
        try:
            argv = self.cmd("sock_bind_accept", [f"127.0.0.1:{port}"], addr_pool="127.0.0.1/32")
        except pr.Unsupported as e:
            return Result("n/a", str(e))
        return self._sock(argv, port)

    def _sock(self, argv, port):
        res: dict = {}
        t = threading.Thread(target=echo_client, args=(port, b"ping\n", res), daemon=True)
        t.start()
        rc, out, err, secs, _ = run(argv, timeout=10)
        t.join(10)
        s = out.decode(errors="replace")
        ok = rc == 0 and res.get("reply") == b"echo: ping\n" and "received=ping\\n" in s
        note = next((ln for ln in s.splitlines() if ln.startswith("accepted")), "") if ok else (
            res.get("error") or short(s or err.decode(errors="replace"), rc))
        return Result("PASS" if ok else "FAIL", note, self.detail(argv, rc, out, err, secs))

    def bigmem(self):
        argv = self.cmd("bigmem")
        rc, out, err, secs, rss = run(argv, timeout=60)
        m = re.search(rb"memory_pages=(\d+)", out)
        pages = int(m.group(1)) if m else 0
        ok = rc == 0 and pages >= 8192 and b"OK touched=128000" in out
        note = f"{pages} pages, {secs:.2f}s, {rss // 1024} MiB RSS" if ok else short(out.decode(errors="replace") + err.decode(errors="replace"), rc)
        return Result("PASS" if ok else "FAIL", note, self.detail(argv, rc, out, err, secs))

    def exit_code(self):
        argv = self.cmd("exit_code", ["42", "bye"])
        rc, out, err, secs, _ = run(argv)
        argv0 = self.cmd("exit_code", ["0"])
        rc0, out0, _, secs0, _ = run(argv0)
        ok = rc == 42 and out == b"bye\n" and rc0 == 0 and out0 == b"exiting with 0\n"
        return Result("PASS" if ok else "FAIL", f"start+exit {secs0 * 1000:.0f} ms" if ok else f"rc={rc}/{rc0}",
                      self.detail(argv, rc, out, err, secs))

    def exit_code_high(self):
        got = {}
        for code in (125, 126, 137, 255):
            argv = self.cmd("exit_code", [str(code)])
            rc, out, err, secs, _ = run(argv)
            got[code] = rc
        ok = all(rc == code for code, rc in got.items())
        note = "" if ok else ", ".join(f"{c}->{r}" for c, r in got.items() if c != r)
        return Result("PASS" if ok else "FAIL", note, {"codes": got})

    def trap(self):
        argv = self.cmd("trap")
        rc, out, err, secs, _ = run(argv)
        ok = rc not in (0, "timeout") and out == b"about to trap\n"
        return Result("PASS" if ok else "FAIL", f"rc={rc}", self.detail(argv, rc, out, err, secs))

    def sleep_forever(self):
        argv = self.cmd("sleep_forever")
        rc, out, err, secs, _ = run(argv, timeout=1.0)
        ok = rc == "timeout" and out == b"sleeping\n"
        return Result("PASS" if ok else "FAIL", "killed after 1 s" if ok else f"rc={rc}",
                      self.detail(argv, rc, out, err, secs))


CASES = ["args_env_exit", "stdio", "stdin_cat", "poll_data", "poll_idle_pipe", "poll_late_data",
         "poll_idle_tty", "nonblock_idle", "nonblock_data", "preopen", "preopen_deep", "sock_accept",
         "sock_bind_accept", "bigmem", "exit_code", "exit_code_high", "trap", "sleep_forever"]


def first_line(s: str) -> str:
    return s.splitlines()[0] if s.strip() else "(no output)"


def short(s: str, rc) -> str:
    s = " | ".join(s.strip().splitlines()[:2])
    return f"rc={rc} {s[:80]}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runtime", action="append", help="runtime name (default: all installed)")
    ap.add_argument("--case", action="append", help="case name (default: all)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    probes = Path(subprocess.run([str(BUILD)], check=True, capture_output=True, text=True).stdout.split()[-1])
    found = pr.available()
    names = a.runtime or list(found)
    missing = [n for n in names if n not in found]
    if missing:
        print(f"measure.py: runtime not installed: {', '.join(missing)}", file=sys.stderr)
        return 2
    cases = a.case or CASES
    results: dict = {}
    for rt in names:
        c = Cases(probes, rt, found[rt])
        results[rt] = {}
        for case in cases:
            try:
                r = getattr(c, case)()
            except pr.Unsupported as e:
                r = Result("n/a", str(e))
            results[rt][case] = r
            print(f"{rt:18} {case:16} {r.status:5} {r.note}", file=sys.stderr)
    print("| case | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for case in cases:
        cells = []
        for rt in names:
            r = results[rt][case]
            mark = {"PASS": "✓", "FAIL": "✗", "n/a": "–"}[r.status]
            cells.append(f"{mark} {r.note}".strip().replace("|", "/"))
        print(f"| {case} | " + " | ".join(cells) + " |")
    if a.json:
        a.json.write_text(json.dumps({rt: {k: {"status": v.status, "note": v.note, **(v.detail or {})}
                                           for k, v in rs.items()} for rt, rs in results.items()},
                                     indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
