"""The stdio transport's relay: `python -m c2w_run.net.mux PASST_ARGV_JSON -- RUNTIME ARGV...`.

It starts passt on one end of a socketpair (`{fd}` in PASST_ARGV_JSON) and the runtime with
pipes on its stdin and stdout, then speaks the engine's multiplex (converter/engine/net.h) to
the runtime: every message is `u32 BE length N | u8 type | N-1 bytes`;
  to the engine:   0 = network frame (from passt), 1 = stdin bytes (from our stdin), 2 = stdin EOF
  from the engine: 0 = network frame (to passt),   1 = stdout bytes (to our stdout).
passt's side is QEMU's stream framing (u32 BE length + frame). stderr is the runtime's own.
The relay exits with the runtime's status (a signal N gives 128+N) once its stdout is drained,
and takes passt down with it. SIGINT/SIGTERM/SIGHUP reach the whole process group (c2w-run
forwards them there); the relay itself outlives them to pass on the runtime's last output.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading

CHUNK = 1 << 20


def _note(signum: int, frame: object) -> None:  # a handler, not SIG_IGN: the runtime keeps defaults
    pass


class Relay:
    def __init__(self, passt_argv: list[str], runtime_argv: list[str]) -> None:
        self.ours, self.theirs = socket.socketpair()
        self.passt_argv = passt_argv
        self.passt: subprocess.Popen[bytes] | None = None
        self.rt = subprocess.Popen(runtime_argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.to_rt = self.rt.stdin
        self.lock = threading.Lock()

    def send(self, data: bytes | bytearray) -> bool:
        with self.lock:
            try:
                self.to_rt.write(data)  # type: ignore[union-attr]
                return True
            except (BrokenPipeError, ValueError, OSError):
                return False

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
        try:
            self.ours.sendall(data)
        except OSError:
            return
        if self.passt is None:
            self._start_passt()

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
        self.ours.close()
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
    return Relay(json.loads(argv[0]), argv[2:]).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
