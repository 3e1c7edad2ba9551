"""Reference implementation of the engine side of PROTOCOL.md, plus a QEMU harness.

`RunRequest` encodes a RUN payload; `Peer` speaks the record stream on a connected socket;
`boot_and_run` boots the real kernel + init under qemu-system-riscv64 -M virt with the control
channel on a virtio-serial port named c2w.ctl, sends one RUN, relays stdin and collects the
result.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROTO_VERSION = 1
# engine -> guest
RUN, STDIN, STDIN_EOF, SIGNAL, WINSIZE = 0x01, 0x02, 0x03, 0x04, 0x05
# guest -> engine
READY, STDOUT, STDERR, EXIT, ERROR, STDIN_CREDIT = 0x81, 0x82, 0x83, 0x84, 0x85, 0x86
STDIN_WINDOW = 64 << 10  # stdin bytes in flight before any STDIN_CREDIT
MAX_RECORD = 64 << 20


def record(rtype: int, payload: bytes = b"") -> bytes:
    return struct.pack("<B3xI", rtype, len(payload)) + payload


def _s(v: str | bytes) -> bytes:
    return v.encode() if isinstance(v, str) else v


@dataclass
class RunRequest:
    """RUN fields. Image defaults (E C V W U) and run-time fields (a e v w u t z i h T m d)."""

    image_entrypoint: list[str | bytes] = field(default_factory=list)
    image_cmd: list[str | bytes] = field(default_factory=list)
    image_env: list[str | bytes] = field(default_factory=list)
    image_workdir: str | bytes | None = None
    image_user: str | bytes | None = None
    args: list[str | bytes] | None = None
    entrypoint: list[str | bytes] | None = None
    env: list[str | bytes] = field(default_factory=list)
    workdir: str | bytes | None = None
    user: str | bytes | None = None
    tty: bool = False
    winsize: tuple[int, int] | None = None
    no_stdin: bool = False
    hostname: str | None = None
    clock: float | None = None  # seconds since the epoch; None = now
    mounts: list[tuple[str, str, bool]] = field(default_factory=list)  # tag, guest path, ro
    debug: bool = False
    net: str | None = None  # 'n': "addr=A.B.C.D/P gw=... dns=... mac=... mtu=..."
    seed: bytes | None = None  # 'r': CRNG seed (an engine sends 32+ bytes of random_get)

    def encode(self) -> bytes:
        out = bytearray()

        def put(tag: str, value: bytes) -> None:
            out.extend(struct.pack("<BI", ord(tag), len(value)))
            out.extend(value)

        for v in self.image_entrypoint:
            put("E", _s(v))
        for v in self.image_cmd:
            put("C", _s(v))
        for v in self.image_env:
            put("V", _s(v))
        if self.image_workdir is not None:
            put("W", _s(self.image_workdir))
        if self.image_user is not None:
            put("U", _s(self.image_user))
        for v in self.args or []:
            put("a", _s(v))
        for v in self.entrypoint or []:
            put("e", _s(v))
        for v in self.env:
            put("v", _s(v))
        if self.workdir is not None:
            put("w", _s(self.workdir))
        if self.user is not None:
            put("u", _s(self.user))
        if self.tty:
            put("t", b"1")
        if self.winsize:
            put("z", struct.pack("<HH", *self.winsize))
        if self.no_stdin:
            put("i", b"0")
        if self.hostname is not None:
            put("h", self.hostname.encode())
        t = time.time() if self.clock is None else self.clock
        put("T", struct.pack("<QI", int(t), int((t % 1) * 1e9)))
        for tag, path, ro in self.mounts:
            put("m", tag.encode() + b"\0" + path.encode() + (b"\0ro" if ro else b""))
        if self.debug:
            put("d", b"1")
        if self.net is not None:
            put("n", self.net.encode())
        if self.seed is not None:
            put("r", self.seed)
        return bytes(out)


class ProtocolError(Exception):
    pass


class Peer:
    """The engine side of one control channel (a connected stream socket)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.hung_up = False

    def send(self, rtype: int, payload: bytes = b"") -> None:
        """Send one record; a guest that already powered off is not an error."""
        if self.hung_up:
            return
        try:
            self.sock.sendall(record(rtype, payload))
        except (BrokenPipeError, ConnectionResetError):
            self.hung_up = True

    def recv(self, timeout: float) -> tuple[int, bytes] | None:
        """Next record, or None at EOF. Raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 8:
                rtype, n = struct.unpack_from("<B3xI", self.buf)
                if self.buf[1:4] != b"\0\0\0" or n > MAX_RECORD:
                    raise ProtocolError(f"bad record header {bytes(self.buf[:8]).hex()}")
                if len(self.buf) >= 8 + n:
                    payload = bytes(self.buf[8 : 8 + n])
                    del self.buf[: 8 + n]
                    return rtype, payload
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no record from the guest in time")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self.buf.extend(chunk)


@dataclass
class RunResult:
    status: int | None
    stdout: bytes
    stderr: bytes
    errors: list[str]
    ready_s: float  # QEMU start to READY
    total_s: float
    console: str  # UART (OpenSBI, earlycon) then hvc0 output (kernel + init logs), QEMU's output
    qemu_rc: int | None
    order: list[int]  # record types in arrival order


@dataclass
class Guest:
    kernel: Path
    initrd: Path
    rootfs: Path
    qemu: str = "qemu-system-riscv64"
    memory_mb: int = 256


def qemu_argv(g: Guest, sock: str, console_log: str, shares: list[tuple[str, Path]],
              append: str, serial_log: str | None = None) -> list[str]:
    """serial_log: the UART (OpenSBI's banner, and the kernel's earlycon=sbi output) to a file."""
    argv = [
        g.qemu, "-M", "virt", "-m", str(g.memory_mb), "-nodefaults", "-display", "none",
        "-no-reboot", "-serial", f"file:{serial_log}" if serial_log else "none",
        "-kernel", str(g.kernel), "-initrd", str(g.initrd), "-append", append,
        "-drive", f"file={g.rootfs},if=none,format=raw,id=rootfs,readonly=on",
        "-device", "virtio-blk-device,drive=rootfs",
        "-device", "virtio-rng-device",
        "-device", "virtio-serial-device,id=vser",
        "-chardev", f"file,id=con,path={console_log}",
        "-device", "virtconsole,chardev=con",
        "-chardev", f"socket,id=ctl,path={sock}",
        "-device", "virtserialport,chardev=ctl,name=c2w.ctl",
    ]
    for i, (tag, host) in enumerate(shares):
        argv += ["-fsdev", f"local,id=fs{i},path={host},security_model=none",
                 "-device", f"virtio-9p-device,fsdev=fs{i},mount_tag={tag}"]
    return argv


def hotplug_when_logged(logs: list[str], needle: bytes, monitor_path: str, command: str,
                        proc: subprocess.Popen, deadline: float) -> socket.socket | None:
    """Once `needle` shows up in one of the logs, send one HMP command to QEMU's monitor.
    None if QEMU exited first (the caller then sees the control socket close)."""
    while not any(os.path.exists(f) and needle in Path(f).read_bytes() for f in logs):
        if proc.poll() is not None:
            return None
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {needle!r} on the console in time")
        time.sleep(0.01)
    mon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mon.connect(monitor_path)
    mon.sendall(command.encode() + b"\n")
    return mon


def boot_and_run(
    g: Guest,
    req: RunRequest,
    stdin: bytes | None = None,
    stdin_eof: bool = True,
    shares: list[tuple[str, Path]] | None = None,
    signal_after: tuple[float, int] | None = None,
    events: list[tuple[float, int, bytes]] | None = None,
    ctl_as_console: bool = False,
    user_net: bool = False,
    honour_credit: bool = True,
    debug: bool = False,
    timeout: float = 60.0,
    append_extra: str = "",
    hangup_after_run: bool = False,
    ctl_late: bool = False,
    on_output: list[tuple[bytes, int, bytes]] | None = None,
) -> RunResult:
    """Boot, wait for READY, send RUN (+ stdin, EOF), collect output until EXIT.

    events: (seconds after RUN, record type, payload) sent while the container runs;
    signal_after=(t, sig) is a shorthand for one SIGNAL event. ctl_as_console: the control
    channel is a second virtio console port (/dev/hvc1, c2w.ctl=/dev/hvc1) instead of a named
    generic port. user_net: a virtio-net NIC on QEMU's user-mode network (10.0.2.0/24, the host's
    loopback is 10.0.2.2). ctl_late: the control port is not there at boot; it is hot-plugged
    (QEMU monitor device_add) once the init logs that it is waiting for it (needs debug).
    """
    assert debug or not ctl_late, "ctl_late waits for a debug log line"
    with tempfile.TemporaryDirectory(prefix="c2w-peer-") as tmp:
        sock_path = os.path.join(tmp, "ctl.sock")
        console_log = os.path.join(tmp, "console.log")
        serial_log = os.path.join(tmp, "serial.log")
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(sock_path)
        lsock.listen(1)
        # earlycon=sbi: what the kernel (and the init, through /dev/kmsg) prints before hvc0 is
        # up is otherwise lost, e.g. a panic or an init failure early in the boot.
        append = "console=hvc0 earlycon=sbi panic=-1 " + ("loglevel=7 c2w.debug" if debug else "quiet")
        if append_extra:
            append += " " + append_extra
        if ctl_as_console:
            append += " c2w.ctl=/dev/hvc1"
        argv = qemu_argv(g, sock_path, console_log, shares or [], append, serial_log)
        ctl_dev = "virtconsole,chardev=ctl" if ctl_as_console else "virtserialport,chardev=ctl,name=c2w.ctl"
        i = argv.index("virtserialport,chardev=ctl,name=c2w.ctl")
        argv[i] = ctl_dev
        monitor_path = os.path.join(tmp, "monitor.sock")
        if ctl_late:
            del argv[i - 1 : i + 1]
            argv += ["-monitor", f"unix:{monitor_path},server=on,wait=off"]
        if user_net:
            argv += ["-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
        todo = sorted(events or [])
        triggers = list(on_output or [])
        if signal_after:
            todo = sorted(todo + [(signal_after[0], SIGNAL, struct.pack("<I", signal_after[1]))])
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        out, err, errors, order = bytearray(), bytearray(), [], []
        status: int | None = None
        ready_s = -1.0
        try:
            lsock.settimeout(timeout)
            conn, _ = lsock.accept()
            peer = Peer(conn)
            deadline = t0 + timeout
            monitor = None
            if ctl_late:
                monitor = hotplug_when_logged([console_log, serial_log],
                                              b"waiting for the control channel", monitor_path,
                                              f"device_add {ctl_dev},bus=vser.0", proc, deadline)
            r = peer.recv(deadline - time.monotonic())
            if r is not None:
                order.append(r[0])
            if r is not None and r[0] == READY:
                ready_s = time.monotonic() - t0
                assert r[1] == struct.pack("<I", PROTO_VERSION), r
                peer.send(RUN, req.encode())
                if hangup_after_run:
                    conn.shutdown(socket.SHUT_RDWR)
                    stdin, stdin_eof = None, False
                # stdin flow: at most STDIN_WINDOW bytes not yet credited by the guest
                pending = bytearray(stdin or b"")
                in_flight, eof_due = 0, stdin_eof
                window = STDIN_WINDOW if honour_credit else 1 << 62
                t_run = time.monotonic()
                while not hangup_after_run:
                    while pending and in_flight < window:
                        n = min(32768, window - in_flight, len(pending))
                        peer.send(STDIN, bytes(pending[:n]))
                        del pending[:n]
                        in_flight += n
                    if eof_due and not pending:
                        peer.send(STDIN_EOF)
                        eof_due = False
                    wait = deadline - time.monotonic()
                    while todo and time.monotonic() >= t_run + todo[0][0]:
                        _, rtype, payload = todo.pop(0)
                        peer.send(rtype, payload)
                        if rtype == STDIN:
                            in_flight += len(payload)
                    if todo:
                        wait = min(wait, max(0.01, t_run + todo[0][0] - time.monotonic()))
                    try:
                        r = peer.recv(wait)
                    except TimeoutError:
                        if todo:
                            continue
                        raise
                    if r is None:
                        break
                    order.append(r[0])
                    if r[0] == STDIN_CREDIT:
                        in_flight -= struct.unpack("<I", r[1])[0]
                        assert in_flight >= 0, "guest credited more stdin than was sent"
                    elif r[0] == STDOUT:
                        out += r[1]
                        while triggers and triggers[0][0] in out:
                            _, rtype, payload = triggers.pop(0)
                            peer.send(rtype, payload)
                            if rtype == STDIN:
                                in_flight += len(payload)
                    elif r[0] == STDERR:
                        err += r[1]
                    elif r[0] == ERROR:
                        errors.append(r[1].decode(errors="replace"))
                    elif r[0] == EXIT:
                        status = struct.unpack("<I", r[1])[0]
            else:  # ERROR + EXIT instead of READY
                while r is not None:
                    if r[0] == ERROR:
                        errors.append(r[1].decode(errors="replace"))
                    elif r[0] == EXIT:
                        status = struct.unpack("<I", r[1])[0]
                    r = peer.recv(deadline - time.monotonic())
                    if r is not None:
                        order.append(r[0])
            conn.close()
            if monitor:
                monitor.close()
            qemu_rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            lsock.close()
        total = time.monotonic() - t0
        console = "".join(Path(f).read_bytes().decode(errors="replace").replace("\r", "")
                          for f in (serial_log, console_log) if os.path.exists(f))
        qout = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
        return RunResult(status, bytes(out), bytes(err), errors, ready_s, total,
                         console + qout, qemu_rc, order)
