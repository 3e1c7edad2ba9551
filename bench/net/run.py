#!/usr/bin/env python3
"""Network benchmark: MB/s of a 50 MB HTTP download from the host into the guest, per transport,
against qemu-system-riscv64 with the same passt, in one run.

Each row runs `wget -q -O /dev/null http://10.0.2.2:PORT/blob` in the default image's busybox
(the host's 127.0.0.1 is 10.0.2.2 through passt's gateway mapping) and times it inside the guest
(/proc/uptime before and after, so boot and start-up are not counted):
  - c2w-run --net on each runtime and each of its transports (socket: wasmtime46, wazero; stdio:
    the multiplex relay, every runtime whose stdin polling works);
  - the native engine (development build, same payloads, socket transport on an inherited fd);
  - qemu-system-riscv64 (TCG, -M virt) booting the same kernel, init and rootfs, its virtio-net on
    `-netdev stream` to passt's UNIX socket, driven through the control protocol
    (converter/guest/tests/ctlpeer.py).
passt runs with the same addresses everywhere (c2w_run/net/passt.py). Not a test: it prints numbers.

Usage: bench/net/run.py [--mb 50] [--runs 1]
"""

from __future__ import annotations

import argparse
import http.server
import importlib.util
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from c2w_run import registry  # noqa: E402
from c2w_run.net import passt  # noqa: E402
from converter import wasm  # noqa: E402

GUEST_NET = f"addr={passt.GUEST_ADDR}/{passt.PREFIX} gw={passt.GATEWAY} dns={passt.DNS} mtu={passt.MTU}"


def ctlpeer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("ctlpeer", ROOT / "converter/guest/tests/ctlpeer.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["ctlpeer"] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def serve(blob: bytes) -> int:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(blob)))
            self.end_headers()
            view = memoryview(blob)
            for i in range(0, len(blob), 1 << 20):
                self.wfile.write(view[i:i + (1 << 20)])

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return int(srv.server_address[1])


def script(port: int) -> str:
    return ("a=$(cut -d' ' -f1 /proc/uptime); "
            f"wget -q -O /dev/null http://{passt.GATEWAY}:{port}/blob || exit 9; "
            "b=$(cut -d' ' -f1 /proc/uptime); echo $a $b")


def seconds(out: bytes, what: str) -> float:
    try:
        a, b = (float(x) for x in out.decode().split())
    except ValueError:
        raise SystemExit(f"bench: {what}: unexpected output {out[-300:]!r}") from None
    return b - a


def run_c2w(runtime: str, transport: str, image: Path, port: int) -> float:
    p = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", runtime, "--net", "--net-transport",
                        transport, str(image), "sh", "-c", script(port)], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=900)
    if p.returncode:
        raise SystemExit(f"bench: {runtime} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
    return seconds(p.stdout, runtime)


def run_native(d: Path, port: int, tmp: Path) -> float:
    engine = Path(subprocess.run([str(ROOT / "converter/engine/build.sh"), "native"], check=True,
                                 capture_output=True, text=True).stdout.split()[-1]) / "c2w-engine"
    with socket.socket() as lsock:
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        fd = lsock.fileno()
        proc = subprocess.Popen(
            [str(engine), "--kernel", str(d / "kernel"), "--initrd", str(d / "initrd"), "--drive", str(d / "disk"),
             "--config", str(d / "config"), "--append", (d / "cmdline").read_text(), "--run",
             f"--net=socket=listenfd={fd}", "--no-stdin", "sh", "-c", script(port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=[fd])
        conn = socket.create_connection(lsock.getsockname())
        net = subprocess.Popen(passt.argv(passt.find(), conn.fileno(), [], tmp / "passt-native.log"),
                               pass_fds=[conn.fileno()], stderr=subprocess.DEVNULL)
        conn.close()
        out, err = proc.communicate(timeout=900)
        net.terminate()
        net.wait()
    if proc.returncode:
        raise SystemExit(f"bench: native engine failed: {err.decode()[-500:]}")
    return seconds(out, "native")


def run_qemu(d: Path, port: int, tmp: Path) -> float:
    peer = ctlpeer()
    # passt started as root drops to nobody before it binds its socket: a directory it can reach
    sockdir = Path(tempfile.mkdtemp(prefix="c2w-bench-passt-"))
    sockdir.chmod(0o1777)
    sock = sockdir / "passt.sock"
    argv = passt.argv(passt.find(), 0, [], tmp / "passt-qemu.log")
    i = argv.index("--fd")
    argv[i:i + 2] = ["--socket", str(sock)]
    argv.remove("--one-off")  # keep it for the whole boot
    net = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
    for _ in range(500):
        if sock.exists():
            break
        time.sleep(0.01)
    orig = peer.qemu_argv
    peer.qemu_argv = lambda *a, **k: orig(*a, **k) + [
        "-netdev", f"stream,id=n0,server=off,addr.type=unix,addr.path={sock}",
        "-device", "virtio-net-device,netdev=n0"]
    try:
        guest = peer.Guest(d / "kernel", d / "initrd", d / "disk", memory_mb=128)
        res = peer.boot_and_run(guest, peer.RunRequest(args=["sh", "-c", script(port)], net=GUEST_NET,
                                                       image_env=["PATH=/usr/bin:/bin"], no_stdin=True),
                                timeout=900)
    finally:
        net.terminate()
        net.wait()
        shutil.rmtree(sockdir, ignore_errors=True)
    if res.status != 0:
        raise SystemExit(f"bench: qemu run failed: status {res.status} {res.stderr[-300:]!r} {res.errors}")
    return seconds(res.stdout, "qemu")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=50, help="download size in MB (10^6 bytes)")
    ap.add_argument("--runs", type=int, default=1, help="runs per row (median)")
    ns = ap.parse_args()
    blob = os.urandom(ns.mb * 1_000_000)
    port = serve(blob)
    oci = subprocess.run([str(ROOT / "converter/guest/build-default-image.sh")], check=True, capture_output=True,
                         text=True).stdout.split()[-1]
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="c2w-bench-net-") as t:
        tmp = Path(t)
        image, cold = tmp / "out.wasm", tmp / "cold.wasm"
        for out, flags in ((image, []), (cold, ["--no-snapshot"])):
            subprocess.run([sys.executable, "-m", "converter.cli", "-q", *flags, f"oci:{oci}:latest", str(out)],
                           check=True, cwd=ROOT)
        for kind, data in wasm.read_payloads(cold.read_bytes()).items():
            (tmp / kind).write_bytes(data)

        def med(fn) -> float:  # type: ignore[no-untyped-def]
            return statistics.median(fn() for _ in range(ns.runs))

        qemu_row = ("qemu-system-riscv64 (TCG, virtio-net, stream)", med(lambda: run_qemu(tmp, port, tmp)))
        for runtime, info in registry.runtimes().items():
            try:
                registry.require(runtime)
            except Exception:  # noqa: BLE001 - not installed: no row
                continue
            for tr in info.capabilities.net_transports:
                rows.append((f"{runtime} ({tr})", med(lambda r=runtime, t=tr: run_c2w(r, t, image, port))))
        rows.append(("native engine (socket)", med(lambda: run_native(tmp, port, tmp))))
        rows.append(qemu_row)
    qemu = ns.mb / rows[-1][1]
    print(f"{ns.mb} MB HTTP download host -> guest through passt (busybox wget, timed in the guest, "
          f"median of {ns.runs}):")
    for name, secs in rows:
        rate = ns.mb / secs
        print(f"  {name:<48} {secs:7.2f} s {rate:8.2f} MB/s  {rate / qemu:5.2f}x qemu")
    return 0


if __name__ == "__main__":
    sys.exit(main())
