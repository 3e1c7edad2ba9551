"""The stdio transport's relay: `python -m c2w_run.net.mux PASST_ARGV_JSON -- RUNTIME ARGV...`.

It starts passt on one end of a loopback TCP connection (`{fd}` in PASST_ARGV_JSON) and the runtime with
pipes on its stdin and stdout, then speaks the engine's multiplex (converter/engine/net.h) to
the runtime: every message is `u32 BE length N | u8 type | N-1 bytes`;
  to the engine:   0 = network frame (from passt), 1 = stdin bytes (from our stdin), 2 = stdin EOF
  from the engine: 0 = network frame (to passt),   1 = stdout bytes (to our stdout).
passt's side is QEMU's stream framing (u32 BE length + frame). stderr is the runtime's own.
The relay exits with the runtime's status (a signal N gives 128+N) once its stdout is drained,
and takes passt down with it. SIGINT/SIGTERM/SIGHUP reach the whole process group (c2w-run
forwards them there); the relay itself outlives them to pass on the runtime's last output. If
c2w-run dies (SIGKILL), the relay kills its process group (runtime and passt) too.

Nothing here blocks the runtime's stdout: writes towards the runtime's stdin and towards passt
go through queues with their own writer threads. (A blocking write there closes a cycle: the
engine blocked writing stdout, the relay blocked writing to passt, passt waiting for the relay
to take frames, the relay blocked writing the runtime's stdin that the engine does not read.)
"""

from __future__ import annotations

import ctypes
import json
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading

CHUNK = 1 << 20


def _note(signum: int, frame: object) -> None:  # a handler, not SIG_IGN: the runtime keeps defaults
    pass


def _orphaned(signum: int, frame: object) -> None:
    os.killpg(os.getpgrp(), signal.SIGKILL)  # c2w-run is gone: the runtime, passt and us


def tcp_pair() -> tuple[socket.socket, socket.socket]:
    """A connected loopback TCP pair. Not socketpair(): passt drops frames its write does not
    fit into the socket buffer (and TCP retransmits them), and an AF_UNIX pair's buffer is
    small; loopback TCP buffers grow with the load."""
    with socket.socket() as lsock:
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        ours = socket.create_connection(lsock.getsockname())
        theirs, _ = lsock.accept()
    return ours, theirs


class Writer:
    """A queue drained into one file descriptor or socket by its own thread."""

    def __init__(self, write) -> None:  # type: ignore[no-untyped-def]
        self.q: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.write = write
        self.ok = True
        threading.Thread(target=self._run, daemon=True).start()

    def put(self, data: bytes | bytearray) -> bool:
        if self.ok:
            self.q.put(bytes(data))
        return self.ok

    def close(self) -> None:
        self.q.put(None)

    def _run(self) -> None:
        while (item := self.q.get()) is not None:
            try:
                self.write(item)
            except (OSError, ValueError):
                self.ok = False
                return


class Relay:
    def __init__(self, passt_argv: list[str], runtime_argv: list[str]) -> None:
        self.ours, self.theirs = tcp_pair()
        self.passt_argv = passt_argv
        self.passt: subprocess.Popen[bytes] | None = None
        self.rt = subprocess.Popen(runtime_argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.to_rt = Writer(self.rt.stdin.write)  # type: ignore[union-attr]
        self.to_passt = Writer(self.ours.sendall)

    def send(self, data: bytes | bytearray) -> bool:
        return self.to_rt.put(data)

    def stdin_pump(self) -> None:
        """Our stdin -> type 1 messages, then one type 2 (EOF)."""
        while True:
            try:
                data = os.read(0, 65536)
            except OSError:
                data = b""
            if not data:
                self.send(struct.pack(">IB", 1, 2))
                return
            if not self.send(struct.pack(">IB", len(data) + 1, 1) + data):
                return

    def net_pump(self) -> None:
        """passt's frames -> type 0 messages (one write per read, however many frames)."""
        buf = bytearray()
        while True:
            try:
                data = self.ours.recv(CHUNK)
            except OSError:
                return
            if not data:
                return
            buf += data
            out = bytearray()
            off = 0
            while len(buf) - off >= 4:
                (n,) = struct.unpack_from(">I", buf, off)
                if len(buf) - off < 4 + n:
                    break
                out += struct.pack(">IB", n + 1, 0)
                out += buf[off + 4:off + 4 + n]
                off += 4 + n
            del buf[:off]
            if out and not self.send(out):
                return

    def output_pump(self) -> None:
        """The runtime's stdout: type 1 -> our stdout, type 0 -> passt."""
        src = self.rt.stdout.fileno()  # type: ignore[union-attr]
        buf = bytearray()
        while True:
            data = os.read(src, CHUNK)
            if not data:
                break
            buf += data
            off = 0
            frames = bytearray()
            while len(buf) - off >= 5:
                (n,) = struct.unpack_from(">I", buf, off)
                if n == 0:
                    raise SystemExit("c2w-run: bad message from the engine on the stdio multiplex")
                if len(buf) - off < 4 + n:
                    break
                kind = buf[off + 4]
                body = buf[off + 5:off + 4 + n]
                if kind == 1:
                    if frames:
                        self._to_passt(frames)
                        frames = bytearray()
                    self._write_out(body)
                elif kind == 0:
                    frames += struct.pack(">I", n - 1) + body
                off += 4 + n
            if frames:
                self._to_passt(frames)
            del buf[:off]
        if buf:  # a program that is not a c2w image, or a broken stream: pass it on as is
            self._write_out(buf)

    def _to_passt(self, data: bytes | bytearray) -> None:
        if self.passt is None:  # the first frame goes in before passt starts (see below)
            try:
                self.ours.sendall(data)
            except OSError:
                return
            self._start_passt()
            return
        self.to_passt.put(data)

    def _start_passt(self) -> None:
        """Started once the engine's first frame (its gratuitous ARP) waits in the socket: passt
        2023-03 crashes on a forwarded connection that comes before any guest frame."""
        fd = self.theirs.fileno()
        self.passt = subprocess.Popen([a.replace("{fd}", str(fd)) for a in self.passt_argv], pass_fds=[fd],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        self.theirs.close()
        threading.Thread(target=self.net_pump, daemon=True).start()
        threading.Thread(target=self._watch_passt, daemon=True).start()

    def _watch_passt(self) -> None:
        assert self.passt is not None
        try:
            code = self.passt.wait(0.3)
        except subprocess.TimeoutExpired:
            return
        log = self.passt_argv[self.passt_argv.index("--log-file") + 1]
        try:
            tail = [ln for ln in open(log, errors="replace").read().splitlines() if ln.strip()][-1].strip()
        except (OSError, IndexError):
            tail = "(no log)"
        print(f"c2w-run: --net: passt exited with status {code}: {tail}; the container has no network",
              file=sys.stderr)

    @staticmethod
    def _write_out(data: bytes | bytearray) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(1, view)
            except BrokenPipeError:
                return
            view = view[n:]

    def run(self) -> int:
        threading.Thread(target=self.stdin_pump, daemon=True).start()
        self.output_pump()
        code = self.rt.wait()
        self.to_passt.close()
        self.to_rt.close()
        self.ours.shutdown(socket.SHUT_RDWR)
        if self.passt is not None:
            try:
                self.passt.wait(2)
            except subprocess.TimeoutExpired:
                self.passt.kill()
                self.passt.wait()
        return 128 - code if code < 0 else code


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m c2w_run.net.mux PASST_ARGV_JSON -- RUNTIME ARGV...", file=sys.stderr)
        return 2
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _note)
    signal.signal(signal.SIGUSR1, _orphaned)
    try:  # PR_SET_PDEATHSIG: SIGUSR1 when c2w-run dies
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGUSR1)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:
        return 125
    return Relay(json.loads(argv[0]), argv[2:]).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
