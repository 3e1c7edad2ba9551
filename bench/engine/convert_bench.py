"""The conversion rows of bench/engine/run.py --convert (issue 13): c2w:default converted plain and
with `--aot=on --aot-pages N --aot-train CMD` (twice: the second conversion finds the translated
engine in build.sh's content-hash cache), conversion seconds and out.wasm MB for each, then the
training command and an untrained command run on both images by `c2w-run --runtime wasmtime`
(wasmtime's compile cache on, filled by one untimed run per image and command). Prints numbers.
"""
from __future__ import annotations

import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _tool(root: Path, name: str) -> str:
    local = root / ".venv" / "bin" / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        print(f"bench: {name} not found (run `make venv`)", file=sys.stderr)
        sys.exit(1)
    return found


def _timed(argv: list[str], timeout: float) -> tuple[float, float, str]:
    """Wall and host CPU seconds of one command, and its stdout+stderr; exits on failure."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        print(f"bench: {' '.join(argv)} failed (exit {p.returncode}):\n{(p.stdout + p.stderr)[-2000:]}",
              file=sys.stderr)
        sys.exit(1)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, p.stdout + p.stderr


def convert_section(root: Path, runs: int, pages: int, train: str, untrained: str) -> None:
    c2w, c2w_run = _tool(root, "c2w"), _tool(root, "c2w-run")
    with tempfile.TemporaryDirectory(prefix="c2w-bench-convert-") as tmp:
        images: dict[str, Path] = {}
        rows: list[tuple[str, float, float, str]] = []
        aot_flags = ["--aot=on", "--aot-pages", str(pages), "--aot-train", train]
        for name, flags in (("plain", []), ("aot", aot_flags), ("aot-again", aot_flags)):
            out = Path(tmp) / f"{name}.wasm"
            wall, _, log = _timed([c2w, *flags, "c2w:default", str(out)], timeout=3600)
            note = next((ln.strip() for ln in log.splitlines() if ln.startswith("c2w: AOT:")), "")
            rows.append((name, wall, out.stat().st_size / 1e6, note))
            images.setdefault("aot" if name.startswith("aot") else name, out)
        same = (Path(tmp) / "aot.wasm").read_bytes() == (Path(tmp) / "aot-again.wasm").read_bytes()

        print(f"\n## conversion: c2w:default, AOT = {' '.join(aot_flags[:3])} --aot-train '{train}'")
        print(f"{'image':10} {'convert s':>9} {'out.wasm MB':>11}  c2w's AOT line")
        for name, wall, mb, note in rows:
            print(f"{name:10} {wall:9.1f} {mb:11.2f}  {note}")
        for name, _, _, note in rows[1:]:
            m = re.search(r"engine build (\d+) s", note)
            hit = "?" if not m else "cache hit" if int(m.group(1)) < 5 else "compiled (cache miss)"
            print(f"({name}: translated engine {hit})")
        print(f"(aot-again repeats aot's conversion: build.sh's content-hash cache hits when the profile "
              f"selects the same pages and seeds; out.wasm {'byte-identical' if same else 'DIFFERENT'} to aot's)")

        flags = ["--runtime", "wasmtime", "--runtime-flag=-C", "--runtime-flag=cache=y", "--no-stdin"]
        cmds = {"train": train, "untrained": untrained}
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        outputs: dict[tuple[str, str], str] = {}
        for img, path in images.items():  # untimed: fills wasmtime's cache of compiled modules
            for c, cmd in cmds.items():
                outputs[(img, c)] = _timed([c2w_run, *flags, str(path), "sh", "-c", _inner(cmd)], 1800)[2]
        for _ in range(runs):
            for img, path in images.items():
                for c, cmd in cmds.items():
                    wall, cpu, _ = _timed([c2w_run, *flags, str(path), "sh", "-c", _inner(cmd)], 1800)
                    times.setdefault((img, c), []).append((wall, cpu))
        print(f"\n{'command':10} {'image':6} {'wall s':>7} {'cpu s':>7}  vs plain (wall; cpu)   "
              f"c2w-run --runtime wasmtime (-C cache=y, warm), whole run incl. start")
        for c, cmd in cmds.items():
            pw = statistics.median(w for w, _ in times[("plain", c)])
            pc = statistics.median(x for _, x in times[("plain", c)])
            for img in images:
                w = statistics.median(x for x, _ in times[(img, c)])
                u = statistics.median(x for _, x in times[(img, c)])
                vs = "" if img == "plain" else f"{w / pw:.2f}x; {u / pc:.2f}x"
                print(f"{c:10} {img:6} {w:7.2f} {u:7.2f}  {vs}")
            agree = outputs[("plain", c)].strip() == outputs[("aot", c)].strip()
            print(f"{'':10} ({cmd}; output {'same' if agree else 'DIFFERS'} on both images)")
        print(f"(median of {runs} runs after one untimed run each)")


def _inner(cmd: str) -> str:
    """The shell text of a `sh -c '...'` command line, else the command itself (run by sh -c)."""
    import shlex
    words = shlex.split(cmd)
    return words[2] if len(words) == 3 and words[:2] == ["sh", "-c"] else cmd
