"""The image config as the engine hands it to the guest init: RUN record fields.

The config payload (kind "config") is the image-default part of the RUN record described in
converter/guest/PROTOCOL.md: a sequence of fields `u8 tag | u32 LE length | bytes`, with tags
E (Entrypoint element, repeated), C (Cmd element, repeated), V (Env KEY=VALUE, repeated),
W (WorkingDir) and U (User). The engine copies these in front of the run-time fields.
One engine-only field may follow: M (guest RAM in MiB, ASCII decimal), which the engine reads
and does not forward.
"""

from __future__ import annotations

import struct

from .errors import ConvertError


def field(tag: str, value: bytes) -> bytes:
    return tag.encode() + struct.pack("<I", len(value)) + value


def _strings(cfg: dict, key: str, what: str) -> list[str]:
    value = cfg.get(key)
    if value is None:
        return []
    if isinstance(value, str):  # tolerate a bare string, as docker does for Entrypoint/Cmd
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConvertError(f"image config: {what} must be a list of strings")
    return value


def encode(config: dict, memory_mb: int | None = None) -> bytes:
    """Encode the `config` object of an OCI image config into RUN fields (+ M when given)."""
    cfg = config.get("config")
    cfg = {} if cfg is None else cfg
    if not isinstance(cfg, dict):
        raise ConvertError("image config: 'config' is not an object")
    out = bytearray()
    for tag, key in (("E", "Entrypoint"), ("C", "Cmd"), ("V", "Env")):
        for s in _strings(cfg, key, key):
            if "\0" in s:
                raise ConvertError(f"image config: {key} holds a NUL byte")
            out += field(tag, s.encode("utf-8", "surrogateescape"))
    for tag, key in (("W", "WorkingDir"), ("U", "User")):
        value = cfg.get(key)
        if value:
            if not isinstance(value, str) or "\0" in value:
                raise ConvertError(f"image config: {key} must be a string")
            out += field(tag, value.encode("utf-8", "surrogateescape"))
    if memory_mb is not None:
        if not 16 <= memory_mb <= 4096:
            raise ConvertError(f"--memory {memory_mb}: expected 16..4096 MiB")
        out += field("M", str(memory_mb).encode())
    return bytes(out)


def decode(data: bytes) -> list[tuple[str, bytes]]:
    """Inverse of encode (for `c2w inspect` and tests)."""
    fields, pos = [], 0
    while pos < len(data):
        if pos + 5 > len(data):
            raise ConvertError("config payload: truncated field header")
        tag = chr(data[pos])
        (n,) = struct.unpack_from("<I", data, pos + 1)
        pos += 5
        if pos + n > len(data):
            raise ConvertError("config payload: truncated field")
        fields.append((tag, data[pos:pos + n]))
        pos += n
    return fields
