"""pytest plugin (entry point `pytest11`): test a container image on every installed WASI runtime.

    def test_hello(c2w_run):
        assert c2w_run("echo", "hi").stdout == b"hi\\n"

gives one test per installed runtime (`test_hello[wasmtime]`, `test_hello[wazero]`, ...):

- `c2w_image`: the converted image (a Path to the .wasm), converted once per session per
  reference and options. Which image: the closest `@pytest.mark.c2w_image(REF, snapshot=...,
  memory_mb=..., platform=...)` marker (function, class or module `pytestmark`), else the ini
  value `c2w_image`, else `c2w:default` (the project's small busybox image).
- `runtime`: the runtime name; every test using it (directly or through `c2w_run`) is
  parametrized over the runtimes c2w-run's registry finds installed, or those named by
  `--c2w-runtime NAME` (repeatable) / the ini value `c2w_runtimes`.
- `c2w_run(*args, stdin=None, env=None, volumes=(), entrypoint=None, workdir=None, user=None,
  timeout=120, flags=())`: runs the image with `c2w-run --runtime RUNTIME` and returns the
  `subprocess.CompletedProcess` (bytes stdout/stderr, returncode = the container's exit status).
- Expectations: `--c2w-expectations DIR` / ini `c2w_expectations` names a directory of
  `<runtime>.toml` files in the conformance suite's format (conformance/expectations.py, loaded
  by its loader); a key matches the test's name (`test_hello`) or node id without parameters
  (`tests/test_x.py::test_hello`), glob patterns allowed. `skip` skips that runtime's test;
  `xfail` expects it to fail, strictly: an unexpected pass fails the run.

A test (or conftest) that parametrizes or defines `runtime` itself is left alone.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

MARKER = "c2w_image"
DEFAULT_IMAGE = "c2w:default"
IMAGE_OPTIONS = ("snapshot", "memory_mb", "platform")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("c2w", "c2w-run: container images on WASI runtimes")
    group.addoption("--c2w-runtime", action="append", default=[], metavar="NAME",
                    help="run c2w_run/runtime tests on this runtime (repeatable; default: every installed one)")
    group.addoption("--c2w-expectations", metavar="DIR",
                    help="directory of <runtime>.toml expectations (skip/xfail with reasons)")
    parser.addini("c2w_runtimes", type="args", default=[], help="runtimes for c2w_run tests (default: installed)")
    parser.addini("c2w_expectations", default="", help="expectations directory, relative to the ini file")
    parser.addini("c2w_image", default=DEFAULT_IMAGE, help="image the c2w_image fixture converts by default")


def pytest_configure(config: pytest.Config) -> None:
    """Named runtimes and the expectations are checked here: a bad one is a usage error (exit 4)."""
    runtimes = config.stash[_RUNTIMES] = Runtimes(config)
    if config.getoption("c2w_runtime") or config.getini("c2w_runtimes"):
        runtimes.names()
    directory = runtimes.directory()
    if directory is not None:
        for toml in sorted(directory.glob("*.toml")) if directory.is_dir() else [directory]:
            runtimes.expectations(toml.stem)
    config.addinivalue_line(
        "markers", f"{MARKER}(ref, *, snapshot=True, memory_mb=None, platform=None): the image c2w_image "
                   "converts for these tests (oci:DIR[:TAG], docker-archive:FILE, docker://REF, c2w:default, ...)")


@dataclass(frozen=True)
class ImageRequest:
    ref: str
    snapshot: bool = True
    memory_mb: int | None = None
    platform: str | None = None


class Runtimes:
    """The runtimes tests are parametrized over, and their expectations (loaded once)."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self._names: list[str] | None = None
        self._expectations: dict[str, Any] = {}

    def names(self) -> list[str]:
        if self._names is None:
            self._names = self._select()
        return self._names

    def _select(self) -> list[str]:
        from c2w_run import registry

        wanted = self.config.getoption("c2w_runtime") or self.config.getini("c2w_runtimes")
        if not wanted:
            return [name for name, info in registry.runtimes().items() if registry.locate(info)]
        out = []
        for name in wanted:
            try:
                info = registry.resolve_name(name)
            except registry.UnknownRuntime as e:
                raise pytest.UsageError(str(e)) from None
            if not registry.locate(info):
                raise pytest.UsageError(f"runtime {info.name!r} is not installed; {info.install}")
            if info.name not in out:
                out.append(info.name)
        return out

    def directory(self) -> Path | None:
        opt = self.config.getoption("c2w_expectations")
        if opt:
            return Path(opt).resolve()
        ini = self.config.getini("c2w_expectations")
        if not ini:
            return None
        base = self.config.inipath.parent if self.config.inipath else self.config.rootpath
        return (base / ini).resolve()

    def expectations(self, runtime: str) -> Any:
        from conformance.expectations import ExpectationError, Expectations

        if runtime not in self._expectations:
            directory = self.directory()
            if directory is not None and not directory.is_dir():
                raise pytest.UsageError(f"c2w expectations: {directory}: no such directory")
            try:
                self._expectations[runtime] = Expectations.load(runtime, directory) if directory else Expectations({})
            except ExpectationError as e:
                raise pytest.UsageError(f"c2w expectations: {e}") from None
        return self._expectations[runtime]

    def marks(self, runtime: str, case_ids: Iterable[str]) -> list[pytest.MarkDecorator]:
        exp = self.expectations(runtime)
        for case_id in case_ids:
            found = exp.for_case(case_id)
            if found is None:
                continue
            reason = f"{runtime}: {found.reason}" + (f" ({found.link})" if found.link else "")
            if found.kind == "skip":
                return [pytest.mark.skip(reason=reason)]
            return [pytest.mark.xfail(reason=reason, strict=True)]
        return []


_RUNTIMES = pytest.StashKey[Runtimes]()


def _ours(metafunc: pytest.Metafunc) -> bool:
    """Is `runtime` this plugin's fixture for this test (not parametrized nor redefined by the user)?"""
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if "runtime" in ([n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)):
            return False
    defs = getattr(metafunc, "_arg2fixturedefs", {}).get("runtime")
    return bool(defs) and getattr(defs[-1].func, "__module__", "") == __name__


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "runtime" not in metafunc.fixturenames or not _ours(metafunc):
        return
    runtimes = metafunc.config.stash[_RUNTIMES]
    names = runtimes.names()
    if not names:
        metafunc.parametrize("runtime", [pytest.param(None, id="no-runtime", marks=pytest.mark.skip(
            reason="no WASI runtime installed (pip install 'c2w-run[wasmtime]', or see c2w-run runtimes)"))])
        return
    case_ids = (metafunc.function.__name__, metafunc.definition.nodeid.split("[", 1)[0])
    metafunc.parametrize("runtime", [pytest.param(n, id=n, marks=runtimes.marks(n, case_ids)) for n in names])


@pytest.fixture
def runtime() -> str:
    """The runtime name (parametrized by this plugin over the installed runtimes)."""
    raise pytest.UsageError("the runtime fixture is parametrized by the c2w_run pytest plugin")  # not reached


class ImageCache:
    """Converted images of this session, by request; a failed conversion fails every test using it."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.done: dict[ImageRequest, Path | str] = {}

    def get(self, req: ImageRequest) -> Path:
        if req not in self.done:
            self.done[req] = self._convert(req)
        found = self.done[req]
        if isinstance(found, str):
            pytest.fail(found, pytrace=False)
        return found

    def _convert(self, req: ImageRequest) -> Path | str:
        from converter.convert import Options, convert
        from converter.errors import ConvertError

        out = self.directory / f"image-{len(self.done)}.wasm"
        try:
            convert(req.ref, out, Options(platform=req.platform, memory_mb=req.memory_mb, snapshot=req.snapshot))
        except ConvertError as e:
            return f"c2w {req.ref}: {e}"
        return out


@pytest.fixture(scope="session")
def _c2w_images(tmp_path_factory: pytest.TempPathFactory) -> ImageCache:
    return ImageCache(tmp_path_factory.mktemp("c2w-images"))


def image_request(node: pytest.Item, default: str) -> ImageRequest:
    mark = node.get_closest_marker(MARKER)
    if mark is None:
        return ImageRequest(default)
    unknown = set(mark.kwargs) - {"ref", *IMAGE_OPTIONS}
    if unknown or len(mark.args) > 1:
        raise pytest.UsageError(f"{node.nodeid}: @pytest.mark.{MARKER}(ref, *, {', '.join(IMAGE_OPTIONS)}) "
                                f"got {', '.join(sorted(unknown)) or 'more than one reference'}")
    ref = mark.args[0] if mark.args else mark.kwargs.get("ref", default)
    return ImageRequest(str(ref), bool(mark.kwargs.get("snapshot", True)), mark.kwargs.get("memory_mb"),
                        mark.kwargs.get("platform"))


@pytest.fixture
def c2w_image(request: pytest.FixtureRequest, _c2w_images: ImageCache) -> Path:
    """The test's image converted by c2w (once per session per reference and options)."""
    return _c2w_images.get(image_request(request.node, request.config.getini("c2w_image") or DEFAULT_IMAGE))


Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]


def command(module: Path, runtime: str, args: Iterable[str], *, stdin: bytes | None = None,
            env: dict[str, str] | None = None, volumes: Iterable[str] = (), entrypoint: str | None = None,
            workdir: str | None = None, user: str | None = None, timeout: float = 120,
            flags: Iterable[str] = ()) -> list[str]:
    """The `c2w-run` command line of one run (the launcher's own CLI, as users type it)."""
    cmd = [sys.executable, "-m", "c2w_run.cli", "--runtime", runtime, "--timeout", f"{timeout:g}"]
    if stdin is None:
        cmd.append("--no-stdin")
    for k, v in (env or {}).items():
        cmd += ["-e", f"{k}={v}"]
    for v in volumes:
        cmd += ["-v", str(v)]
    for flag, value in (("--entrypoint", entrypoint), ("--workdir", workdir), ("--user", user)):
        if value is not None:
            cmd += [flag, value]
    return [*cmd, *flags, str(module), *args]


@pytest.fixture
def c2w_run(c2w_image: Path, runtime: str) -> Runner:
    """`c2w_run(*args, stdin=None, env=None, volumes=(), entrypoint=None, workdir=None, user=None,
    timeout=120, flags=())` runs the image on this test's runtime; returns the CompletedProcess."""

    def run(*args: str, stdin: bytes | None = None, timeout: float = 120, **kw: Any) -> subprocess.CompletedProcess[bytes]:
        cmd = command(c2w_image, runtime, args, stdin=stdin, timeout=timeout, **kw)
        feed: dict[str, Any] = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
        return subprocess.run(cmd, capture_output=True, timeout=timeout + 60, **feed)

    return run
