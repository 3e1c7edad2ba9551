"""Runs cases x runtimes through the real `c2w-run` command line and records outcomes.

Each case runs in its own temporary directory (fixtures for its mapped directories) with its own
TCP port when it needs one, under a timeout, in parallel across a small pool. An unexpected
outcome (a failure, or a pass of an expected failure) is rerun once; when the rerun disagrees
the result is marked flaky. Outcomes: pass, fail, xfail, xpass, skip, error.
"""

from __future__ import annotations

import os
import pty
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .cases import Case
from .check import check, decode
from .expectations import Expectations
from .programs import OptionalImageAbsent, ProgramMissing, Programs

PASS_OUTPUT_LIMIT = 2048  # ... and in one that did (keeps the nightly history small)
OUTCOMES = ("pass", "fail", "xfail", "xpass", "skip", "error")
GRACE = 15.0  # seconds beyond the case timeout before the runner itself kills c2w-run
LISTEN_OPTION = "--wasi-listen"


@dataclass
class Result:
    runtime: str
    case: str
    feature: str
    level: str
    outcome: str
    duration: float = 0.0
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    problems: list[str] = field(default_factory=list)
    reason: str = ""
    link: str = ""
    flaky: bool = False
    attempts: int = 0
    command: list[str] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def c2w_run_command() -> list[str]:
    return [sys.executable, "-m", "c2w_run.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REPEAT_RE = re.compile(r"\{repeat:(.):(\d+)\}")


def substitute(value: str, port: int | None, server_port: int | None = None) -> str:
    """Placeholders in case arguments and env values: {listen} (127.0.0.1:PORT of the case's
    socket), {port} (PORT), {server_port} (the host server's port) and {repeat:C:N} (N copies of C)."""
    if port is not None:
        value = value.replace("{listen}", f"127.0.0.1:{port}").replace("{port}", str(port))
    if server_port is not None:
        value = value.replace("{server_port}", str(server_port))
    return REPEAT_RE.sub(lambda m: m.group(1) * int(m.group(2)), value)


def tcp_server(sock: socket.socket, reply: bytes, stop: threading.Event) -> None:
    """Accept connections until stop; send reply to each (after reading what the peer sent
    first, up to a blank line or 0.5 s), then close it."""
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = sock.accept()
        except (TimeoutError, OSError):
            continue
        with conn:
            conn.settimeout(0.5)
            try:
                data = b""
                while b"\r\n\r\n" not in data and b"\n\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            try:
                conn.sendall(reply)
            except OSError:
                pass
    sock.close()


def c2w_run_args(case: Case, runtime: str, program: Path, workdir: Path, port: int | None,
                 server_port: int | None = None) -> list[str]:
    """The c2w-run arguments (after the command itself) for one run of case."""
    argv = ["--runtime", runtime]
    for i, m in enumerate(case.mapdirs):
        argv += ["-v", f"{workdir / f'dir{i}'}:{m.guest}{':ro' if m.readonly else ''}"]
    for k, v in case.env.items():
        argv += ["-e", f"{k}={substitute(v, port, server_port)}"]
    if case.stdin == "none":
        argv.append("--no-stdin")
    if case.listen and port is not None:
        argv += [LISTEN_OPTION, f"127.0.0.1:{port}"]
    argv += [*(substitute(a, port, server_port) for a in case.launcher_args), "--timeout", f"{case.timeout:g}",
             str(program), *(substitute(a, port, server_port) for a in case.args)]
    return argv


def command_for(case: Case, runtime: str, program: Path, workdir: Path, port: int | None = None,
                server_port: int | None = None) -> list[str]:
    return [*c2w_run_command(), *c2w_run_args(case, runtime, program, workdir, port, server_port)]


def prepare(case: Case, workdir: Path) -> None:
    for i, m in enumerate(case.mapdirs):
        host = workdir / f"dir{i}"
        if m.copy_from:
            shutil.copytree(m.copy_from, host, symlinks=True, dirs_exist_ok=True)
        host.mkdir(parents=True, exist_ok=True)
        for rel, content in m.files.items():
            p = host / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(content)


def tcp_client(port: int, send: bytes, result: dict, deadline_s: float, stop: threading.Event) -> None:
    """Connect (retrying until deadline_s), send, read one line. A connection closed without a
    reply is retried too: a port forwarder may accept before anything listens behind it."""
    end = time.monotonic() + deadline_s
    connected = False
    while time.monotonic() < end and not stop.is_set():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            time.sleep(0.05)
            continue
        connected = True
        try:
            s.sendall(send)
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError as exc:
            result["error"] = str(exc)
            data = b""
        finally:
            s.close()
        if data:
            result.pop("error", None)
            result["reply"] = data
            return
        time.sleep(0.2)
    if "error" not in result:
        result["error"] = (f"no reply from 127.0.0.1:{port}" if connected
                           else f"could not connect to 127.0.0.1:{port}")


class Capture:
    """Output read as it comes, so that a stdin script can wait for it."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.pos = 0  # where the next wait_for starts looking
        self.done = False
        self.cond = threading.Condition()

    def read_from(self, f) -> None:
        fd = f.fileno()
        while True:
            chunk = os.read(fd, 65536)
            with self.cond:
                if not chunk:
                    self.done = True
                    self.cond.notify_all()
                    return
                self.buf += chunk
                self.cond.notify_all()

    def wait_for(self, pattern: str, stop: threading.Event, timeout: float) -> bool:
        rx = re.compile(pattern.encode(), re.MULTILINE)
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                    return True
                left = end - time.monotonic()
                if self.done or stop.is_set() or left <= 0:
                    return False
                self.cond.wait(min(left, 0.2))


def feed_stdin(case: Case, pipe, stop: threading.Event, out: Capture | None = None) -> None:
    try:
        if case.stdin == "data":
            pipe.write(case.stdin_bytes())
            pipe.close()
        elif case.stdin == "script":
            for step in case.stdin_script:
                if step.wait_for is not None and out is not None:
                    if not out.wait_for(step.wait_for, stop, case.timeout):
                        break  # never came: leave stdin open until the process exits
                if stop.wait(step.after):
                    return
                if step.data:
                    pipe.write(step.data.encode())
                    pipe.flush()
                if step.close:
                    pipe.close()
                    return
            stop.wait()
            pipe.close()
        elif case.stdin == "idle":
            stop.wait()  # open, no data, until the process exits
            pipe.close()
    except (BrokenPipeError, ValueError, OSError):
        pass


def stop_process(proc: subprocess.Popen) -> None:
    """SIGTERM c2w-run (it forwards it to the runtime's group), then SIGKILL its session."""
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_once(case: Case, runtime: str, programs: Programs) -> Result:
    base = Result(runtime, case.id, case.feature, case.level, "error", attempts=1)
    try:
        program = programs.path(case.level, case.program)
    except ProgramMissing as exc:
        base.problems = [str(exc)]
        return base
    with tempfile.TemporaryDirectory(prefix="c2w-case-") as tmp:
        workdir = Path(tmp)
        prepare(case, workdir)
        port = free_port() if (case.listen or case.tcp_port) else None
        stop = threading.Event()
        server_port = None
        if case.server is not None:
            srv = socket.socket()
            srv.bind(("127.0.0.1", 0))
            srv.listen(8)
            server_port = srv.getsockname()[1]
            threading.Thread(target=tcp_server, args=(srv, case.server.reply.encode(), stop), daemon=True).start()
        argv = command_for(case, runtime, program, workdir, port, server_port)
        base.command = [a if len(a) <= 300 else f"{a[:40]}[... {len(a)} characters]" for a in argv]
        master = slave = None
        if case.stdin in ("data", "idle", "script"):
            stdin = subprocess.PIPE
        elif case.stdin == "tty":
            master, slave = pty.openpty()
            stdin = slave
        else:
            stdin = subprocess.DEVNULL
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=workdir, start_new_session=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        if slave is not None:
            os.close(slave)
        threads: list[threading.Thread] = []
        captured = {"out": Capture(), "err": Capture()}
        threads.append(threading.Thread(target=captured["out"].read_from, args=(proc.stdout,), daemon=True))
        threads.append(threading.Thread(target=captured["err"].read_from, args=(proc.stderr,), daemon=True))
        if proc.stdin is not None:
            threads.append(threading.Thread(target=feed_stdin, args=(case, proc.stdin, stop, captured["out"]),
                                            daemon=True))
        client: dict = {}
        if case.client is not None and port is not None:
            threads.append(threading.Thread(
                target=tcp_client, args=(port, case.client.send.encode(), client,
                                         case.client.connect_timeout, stop), daemon=True))
        for t in threads:
            t.start()
        timed_out = False
        try:
            proc.wait(case.timeout + GRACE)
        except subprocess.TimeoutExpired:
            timed_out = True
            stop_process(proc)
            proc.wait()
        stop.set()
        for t in threads:
            t.join(5)
        if master is not None:
            os.close(master)
        base.duration = round(time.monotonic() - start, 3)
        with captured["out"].cond, captured["err"].cond:
            out, err = bytes(captured["out"].buf), bytes(captured["err"].buf)
        base.exit_code = proc.returncode
        base.stdout, base.stderr = decode(out), decode(err)
        if timed_out:
            base.problems = [f"c2w-run did not exit within {case.timeout + GRACE:g} s"]
            return base
        if proc.returncode == 2 and err.startswith(b"c2w-run: error:"):
            # the launcher refuses this launch on this runtime: the feature is not available
            base.problems = [decode(err).strip().splitlines()[0]]
            base.outcome = "fail"
            return base
        base.problems = check(case, proc.returncode, out, err, workdir, client if case.client else None)
        if proc.returncode == 124 and b"c2w-run: timed out" in err and case.expect.exit_code != 124:
            base.problems.insert(0, f"no exit within the case timeout ({case.timeout:g} s)")
        base.outcome = "pass" if not base.problems else "fail"
        return base


def apply_expectation(result: Result, kind: str | None) -> Result:
    if kind == "xfail":
        if result.outcome == "fail":
            result.outcome = "xfail"
        elif result.outcome == "pass":
            result.outcome = "xpass"
    return result


def unexpected(result: Result) -> bool:
    return result.outcome in ("fail", "xpass")


def run_case(case: Case, runtime: str, programs: Programs, expectations: Expectations,
             rerun: bool = True) -> Result:
    exp = expectations.for_case(case.id)
    if exp is not None and exp.kind == "skip":
        return Result(runtime, case.id, case.feature, case.level, "skip", reason=exp.reason, link=exp.link)
    if case.level == "image":
        try:
            programs.path(case.level, case.program)
        except OptionalImageAbsent as absent:
            return Result(runtime, case.id, case.feature, case.level, "skip", reason=str(absent))
        except ProgramMissing:
            pass  # reported by run_once as an error
    kind = exp.kind if exp else None
    result = apply_expectation(run_once(case, runtime, programs), kind)
    if rerun and unexpected(result):
        second = apply_expectation(run_once(case, runtime, programs), kind)
        second.attempts = 2
        if second.outcome != result.outcome:
            second.flaky = True
            second.problems = second.problems + [f"flaky: first attempt was {result.outcome}: "
                                                 + "; ".join(result.problems)[:300]]
        result = second
    if exp is not None:
        result.reason, result.link = exp.reason, exp.link
    if result.outcome == "pass":
        result.stdout, result.stderr = trim(result.stdout), trim(result.stderr)
    return result


def trim(text: str, limit: int = PASS_OUTPUT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n[... {len(text) - limit} more characters]"


def run_matrix(cases: list[Case], runtimes: list[str], programs: Programs,
               expectations_dir: Path | None = None, jobs: int = 2,
               progress: Callable[[Result], None] | None = None, rerun: bool = True) -> list[Result]:
    """Every case on every runtime; results in (runtime, case) order."""
    exps = {r: (Expectations.load(r, expectations_dir) if expectations_dir else Expectations.load(r))
            for r in runtimes}
    if any(c.level == "probe" for c in cases):
        programs.probes  # build once, before the pool starts
    work = [(c, r) for r in runtimes for c in cases]

    def one(cr: tuple[Case, str]) -> Result:
        r = run_case(cr[0], cr[1], programs, exps[cr[1]], rerun=rerun)
        if progress:
            progress(r)
        return r

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, work))
