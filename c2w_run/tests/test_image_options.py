"""Image-level flags reach a c2w image as its own options, before a `--` that keeps the
container command verbatim; plain WASI modules refuse them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from c2w_run.image import ImageOptions, is_c2w_image

REPO = Path(__file__).resolve().parents[2]


def with_meta(module: bytes) -> bytes:
    name = b"c2w.meta"
    body = bytes([len(name)]) + name + b"{}"
    return module + b"\0" + bytes([len(body)]) + body


def probe(name: str) -> Path:
    out = subprocess.run([str(REPO / "conformance/probes/build.sh")], capture_output=True, text=True,
                         timeout=600, check=True).stdout.strip().splitlines()[-1]
    return Path(out) / name


def test_a_module_with_the_meta_section_is_a_c2w_image(tmp_path: Path) -> None:
    plain = probe("args_env_exit.wasm").read_bytes()
    (tmp_path / "img.wasm").write_bytes(with_meta(plain))
    (tmp_path / "plain.wasm").write_bytes(plain)
    (tmp_path / "junk.wasm").write_bytes(b"\0asm\x01\0\0\0\x00\xff")
    assert is_c2w_image(tmp_path / "img.wasm")
    assert not is_c2w_image(tmp_path / "plain.wasm")
    assert not is_c2w_image(tmp_path / "junk.wasm")
    assert not is_c2w_image(tmp_path / "missing.wasm")


def test_options_come_first_and_the_command_stays_verbatim() -> None:
    opts = ImageOptions(entrypoint="", workdir="/w d", user="1000:1000", tty=True, no_stdin=True)
    assert opts.argv(["--help", "x"]) == ["--entrypoint", "", "--workdir", "/w d", "--user", "1000:1000",
                                          "--tty", "--no-stdin", "--", "--help", "x"]
    assert ImageOptions().argv([]) == ["--no-tty", "--"]


def test_image_flags_arrive_in_the_modules_argv_through_a_runtime(tmp_path: Path) -> None:
    plain = tmp_path / "print_args.wasm"
    subprocess.run(["clang", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-o", str(plain),
                    str(REPO / "c2w_run/tests/data/print_args.c")], check=True, timeout=120)
    img = tmp_path / "img.wasm"
    img.write_bytes(with_meta(plain.read_bytes()))
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", "--entrypoint", "/bin/sh",
                        "--workdir", "/tmp", str(img), "--help", "a b"], capture_output=True, text=True,
                       timeout=120, cwd=REPO, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["--entrypoint", "/bin/sh", "--workdir", "/tmp", "--no-tty", "--", "--help", "a b"]


def test_image_protocol_composes_options_net_winsize_stdin_mode_and_status_channel_once() -> None:
    from c2w_run import registry
    from c2w_run.image import STATUS_DIR, ImageProtocol, StatusChannel

    proto = ImageProtocol(ImageOptions(workdir="/w", tty=True), net=True, mac="52:54:00:00:00:01", winsize="24x80")
    wasmer = registry.resolve_name("wasmer").capabilities
    args, env, mapdirs = proto.compose(["sh"], {"A": "1"}, wasmer, "stdio", None)
    assert args == ["--stdin-mode", "idle", "--net=stdio", "--mac", "52:54:00:00:00:01",
                    "--workdir", "/w", "--tty", "--", "sh"]
    assert env == {"A": "1", "C2W_WINSIZE": "24x80"} and mapdirs == []
    wasmtime46 = registry.resolve_name("wasmtime46").capabilities
    assert ImageProtocol.needs_status_channel(wasmtime46)
    channel = StatusChannel()
    try:
        args, env, mapdirs = proto.compose(["sh"], {"C2W_WINSIZE": "1x1"}, wasmtime46, "socket", channel)
        assert args[:3] == ["--net", "--mac", "52:54:00:00:00:01"]
        assert env == {"C2W_WINSIZE": "1x1", "C2W_STATUS_FILE": f"{STATUS_DIR}/status"}
        assert mapdirs == [channel.mapdir] and channel.mapdir.guest == STATUS_DIR
    finally:
        channel.close()
