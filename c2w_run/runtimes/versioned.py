"""Several versions of one runtime side by side: `wasmtime@46`, `wazero@1.11`, `wasmtime@46.0.0`.

A version is installed (by `c2w-matrix`, matrix/versions.py) into the c2w cache as
`runtimes/<family>/<version dir>/` (wasmtime: `46.0.1/wasmtime`, the layout `make runtimes` uses
for wasmtime46; wazero: `v1.12.0/bin/wazero`). These adapters are not registered with the others
(a plain `c2w-run runtimes` and a default matrix run leave them out): the registry resolves a
`FAMILY@VERSION` name here on demand. `FAMILY@LABEL` (wasmtime: the major version, `wasmtime@46`;
wazero: major.minor, `wazero@1.11`) is the newest installed release with that label; a full
version (`wasmtime@46.0.0`) is that release.

A versioned adapter translates as its family's adapter does and declares the family's widest
capability record (wasmtime: pre-opened sockets, which 46 and older have): across versions the
runtime itself decides, not a record written for the latest release.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from ..adapter import PREOPEN, Adapter, RuntimeInfo
from ..locate import cache_dir, ensure_executable
from ..spec import Invocation, LaunchSpec
from .wasmtime import Wasmtime
from .wazero import Wazero

VERSION_RE = re.compile(r"^v?(\d+(?:\.\d+)*)(?:\.post(\d+))?$")


def parse_version(text: str) -> tuple[int, ...] | None:
    """`46.0.1` / `v1.12.0` / `49.0.3.post1` as a sortable tuple (a post release sorts after its
    release); None for anything else (pre-releases, temp dirs)."""
    m = VERSION_RE.match(text.strip())
    if not m:
        return None
    parts = tuple(int(p) for p in m.group(1).split("."))
    return parts + ((int(m.group(2)),) if m.group(2) else ())


def plain(version: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in version)


@dataclass(frozen=True)
class Family:
    name: str  # the family's adapter name and `FAMILY@...` prefix
    label_parts: int  # how many leading version numbers make a label (1: major; 2: major.minor)
    binary: str  # the executable, relative to a version directory
    dir_prefix: str = ""  # version directory = prefix + version ("v" for Go module tags)

    @property
    def root(self) -> Path:
        return cache_dir() / "runtimes" / self.name

    def label(self, version: tuple[int, ...]) -> str:
        return plain(version[:self.label_parts])

    def directory(self, version: str) -> Path:
        return self.root / f"{self.dir_prefix}{version}"

    def installed(self) -> dict[tuple[int, ...], Path]:
        """Every installed version with a runnable binary: version -> binary."""
        out: dict[tuple[int, ...], Path] = {}
        if not self.root.is_dir():
            return out
        for d in self.root.iterdir():
            v = parse_version(d.name)
            if v is None or len(v) < self.label_parts:
                continue
            binary = d / self.binary
            if binary.is_file():
                out[v] = binary
        return out


FAMILIES = {
    "wasmtime": Family("wasmtime", 1, "wasmtime"),
    "wazero": Family("wazero", 2, "bin/wazero", dir_prefix="v"),
}
BASES: dict[str, Adapter] = {"wasmtime": Wasmtime(), "wazero": Wazero()}
WIDEST = {  # the family's widest record (see the module docstring)
    "wasmtime": lambda caps: dataclasses.replace(caps, sockets=PREOPEN),
    "wazero": lambda caps: caps,
}


class VersionError(LookupError):
    """A `FAMILY@VERSION` name that is malformed, of no known family, or not installed."""


def split(name: str) -> tuple[Family, str]:
    """`wasmtime@46` -> (the wasmtime family, "46"); one-line VersionError otherwise."""
    family_name, _, version = name.partition("@")
    family = FAMILIES.get(family_name)
    if family is None:
        raise VersionError(f"no runtime versions for {family_name!r}: versions exist for "
                           f"{', '.join(sorted(FAMILIES))} (e.g. wasmtime@46, wazero@1.12)")
    if parse_version(version) is None:
        raise VersionError(f"bad version {version!r} in {name!r} (e.g. {family_name}@46 or {family_name}@46.0.1)")
    return family, version.lstrip("v")


def pick(family: Family, version: str, installed: dict[tuple[int, ...], Path]) -> tuple[int, ...] | None:
    """The installed release `version` names: itself when it is a full release, else the newest
    release with that label."""
    wanted = parse_version(version)
    assert wanted is not None
    if len(wanted) > family.label_parts:
        return wanted if wanted in installed else None
    found = [v for v in installed if v[:len(wanted)] == wanted]
    return max(found) if found else None


class Versioned(Adapter):
    """One installed release of a family: the family adapter's translation, its own binary."""

    def __init__(self, base: Adapter, info: RuntimeInfo, binary: Path) -> None:
        super().__init__(info)
        self.base = base
        self.binary = binary

    def locate(self) -> list[str] | None:
        return [str(self.binary)] if ensure_executable(self.binary) else None

    def version(self, command: list[str]) -> str | None:
        return self.base.version(command)

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        return self.base.invocation(command, spec)


def resolve(name: str) -> Versioned:
    """The adapter of `FAMILY@VERSION` (VersionError when it is not installed)."""
    family, version = split(name)
    installed = family.installed()
    found = pick(family, version, installed)
    if found is None:
        have = ", ".join(f"{family.name}@{plain(v)}" for v in sorted(installed)) or "none"
        raise VersionError(f"{name} is not installed (installed: {have}); "
                           f"`c2w-matrix run --runtime {name}` installs it")
    base = BASES[family.name]
    info = RuntimeInfo(
        name=name, description=f"{base.info.description} {plain(found)}", env_var="",
        install=f"c2w-matrix run --runtime {name} (installs it into the c2w cache)",
        capabilities=WIDEST[family.name](base.info.capabilities),
    )
    return Versioned(base, info, installed[found])

