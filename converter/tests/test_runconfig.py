"""The image config becomes the image-default RUN fields the engine hands to the guest init."""

from __future__ import annotations

import struct

import pytest

from converter import runconfig
from converter.errors import ConvertError


def test_entrypoint_cmd_env_workdir_user_become_fields_in_protocol_order() -> None:
    cfg = {"config": {"Entrypoint": ["/bin/sh", "-c"], "Cmd": ["echo $X", ""], "Env": ["X=a b", "Y="],
                      "WorkingDir": "/srv", "User": "nobody:nogroup"}}
    data = runconfig.encode(cfg)
    assert runconfig.decode(data) == [
        ("E", b"/bin/sh"), ("E", b"-c"), ("C", b"echo $X"), ("C", b""), ("V", b"X=a b"), ("V", b"Y="),
        ("W", b"/srv"), ("U", b"nobody:nogroup"),
    ]
    assert data[:1 + 4 + 7] == b"E" + struct.pack("<I", 7) + b"/bin/sh"


def test_utf8_and_long_values_are_kept_byte_exact() -> None:
    long = "x" * 200_000
    fields = runconfig.decode(runconfig.encode({"config": {"Cmd": ["été", long]}}))
    assert fields == [("C", "été".encode()), ("C", long.encode())]


def test_an_empty_config_gives_no_fields() -> None:
    assert runconfig.encode({}) == b""
    assert runconfig.encode({"config": {"WorkingDir": "", "Cmd": None}}) == b""


@pytest.mark.parametrize("cfg, needle", [
    ({"config": {"Cmd": [1]}}, "Cmd must be a list of strings"),
    ({"config": {"Env": ["A=\0"]}}, "Env holds a NUL byte"),
    ({"config": []}, "'config' is not an object"),
])
def test_malformed_configs_are_refused_with_the_key_named(cfg: dict, needle: str) -> None:
    with pytest.raises(ConvertError, match=needle):
        runconfig.encode(cfg)


def test_memory_is_an_engine_field_after_the_image_fields() -> None:
    fields = runconfig.decode(runconfig.encode({"config": {"Cmd": ["sh"]}}, memory_mb=256))
    assert fields == [("C", b"sh"), ("M", b"256")]
    with pytest.raises(ConvertError, match="--memory 8: expected 16..4096 MiB"):
        runconfig.encode({}, memory_mb=8)
