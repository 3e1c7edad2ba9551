"""Finding Debian's Chromium and starting it headless on a loopback page.

Never downloads a browser: `chromium` comes from Debian (scripts/setup-system.sh). Each launch
gets a fresh profile directory (`c2w-browser-<pid>-*` in /dev/shm or the temp dir), removed when the launch
ends; profiles left behind by a launcher that was killed (-9, a timeout) are removed by the next
launch once their process is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ENV_VAR = "C2W_CHROMIUM"  # path of the chromium binary to use
NAMES = ("chromium", "chromium-browser")
PROFILE_PREFIX = "c2w-browser-"


def profile_root() -> Path:
    """Where profiles go: /dev/shm when there is one (creating and removing a profile on this
    VM's disk took 0.4 s of each run), else the temp dir."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--disable-breakpad",
    "--password-store=basic",
    "--enable-logging=stderr",
)


def find() -> str | None:
    env = os.environ.get(ENV_VAR)
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def version(path: str) -> str | None:
    try:
        r = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = r.stdout.strip().splitlines()
    return line[0] if r.returncode == 0 and line else None


def _remove_stale_profiles() -> None:
    for d in profile_root().glob(PROFILE_PREFIX + "*"):
        pid = d.name[len(PROFILE_PREFIX):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except PermissionError:
            pass


class Browser:
    """One headless Chromium process showing `url`; `close()` stops it and removes its profile."""

    def __init__(self, binary: str, url: str, extra: tuple[str, ...] = (), devtools: bool = False) -> None:
        _remove_stale_profiles()
        self.dir = Path(tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-", dir=profile_root()))
        self.profile = self.dir / "profile"
        self.log_path = self.dir / "chromium.log"
        argv = [binary, *FLAGS, f"--user-data-dir={self.profile}", *extra]
        if devtools:  # CDP on a free loopback port, written to <profile>/DevToolsActivePort
            argv += ["--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]
        argv.append(url)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def devtools_url(self, timeout: float = 30.0) -> str:
        """The browser's CDP WebSocket URL (needs devtools=True)."""
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                port, path = port_file.read_text().split("\n")[:2]
                if port and path:
                    return f"ws://127.0.0.1:{int(port)}{path}"
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"chromium gave no DevTools port: {self.log_tail()}")

    def log_tail(self, lines: int = 5) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace").strip().splitlines()
            return " | ".join(ln.strip() for ln in text[-lines:])
        return "(no log)"

    def close(self) -> None:
        # SIGKILL: the profile is thrown away, so a graceful shutdown (~0.5 s) buys nothing; the
        # browser's child processes exit when its IPC channels close
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
