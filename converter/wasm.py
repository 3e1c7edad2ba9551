"""Adding payloads to engine.wasm as data segments, in Python (no toolchain at convert time).

Contract with the engine (see converter/engine/PAYLOAD.md): the engine exports a global
`c2w_payload` holding the address of a zero-filled header area of PAYLOAD_HEADER_SIZE bytes in
its linear memory. The converter appends each blob page-aligned above the module's initial
memory, raises the memory minimum to cover them, and fills the header with an extra active data
segment (active segments are applied in order, so it overrides the zeros):

    magic "C2WPAYL1" | u32 count | u32 reserved | count x {u32 kind, u32 addr, u32 size, u32 reserved}

all little-endian. Kinds are listed in KINDS.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .errors import ConvertError

PAGE = 65536
MAGIC = b"C2WPAYL1"
PAYLOAD_HEADER_SIZE = 4096
EXPORT_NAME = "c2w_payload"
KINDS = {"kernel": 1, "disk": 2, "config": 3, "initrd": 4, "cmdline": 5}
SEC_GLOBAL, SEC_EXPORT, SEC_MEMORY, SEC_DATA, SEC_DATACOUNT, SEC_IMPORT = 6, 7, 5, 11, 12, 2


def uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_uleb(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ConvertError("engine.wasm: truncated LEB128")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, pos


def read_sleb(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            if b & 0x40:
                result -= 1 << shift
            return result, pos


@dataclass
class Section:
    id: int
    body: bytes


def parse(module: bytes, what: str = "engine.wasm") -> list[Section]:
    if module[:8] != b"\0asm\x01\0\0\0":
        raise ConvertError(f"{what}: not a WebAssembly 1.0 module")
    pos, out = 8, []
    while pos < len(module):
        sid = module[pos]
        size, pos = read_uleb(module, pos + 1)
        out.append(Section(sid, module[pos:pos + size]))
        pos += size
    return out


def serialize(sections: list[Section]) -> bytes:
    out = bytearray(b"\0asm\x01\0\0\0")
    for s in sections:
        out.append(s.id)
        out += uleb(len(s.body))
        out += s.body
    return bytes(out)


def _name(buf: bytes, pos: int) -> tuple[str, int]:
    n, pos = read_uleb(buf, pos)
    return buf[pos:pos + n].decode(), pos + n


def _imported_globals(sections: list[Section]) -> int:
    count = 0
    for s in sections:
        if s.id != SEC_IMPORT:
            continue
        b = s.body
        n, pos = read_uleb(b, 0)
        for _ in range(n):
            _, pos = _name(b, pos)
            _, pos = _name(b, pos)
            kind = b[pos]
            pos += 1
            if kind == 0:
                _, pos = read_uleb(b, pos)
            elif kind == 1:
                pos += 1
                flags = b[pos]
                _, pos = read_uleb(b, pos + 1)
                if flags & 1:
                    _, pos = read_uleb(b, pos)
            elif kind == 2:
                flags = b[pos]
                _, pos = read_uleb(b, pos + 1)
                if flags & 1:
                    _, pos = read_uleb(b, pos)
            elif kind == 3:
                count += 1
                pos += 2
    return count


def exported_global_value(sections: list[Section], name: str) -> int:
    index = None
    for s in sections:
        if s.id == SEC_EXPORT:
            n, pos = read_uleb(s.body, 0)
            for _ in range(n):
                ename, pos = _name(s.body, pos)
                kind = s.body[pos]
                idx, pos = read_uleb(s.body, pos + 1)
                if ename == name and kind == 3:
                    index = idx
    if index is None:
        raise ConvertError(f"engine.wasm: no exported global {name!r}")
    index -= _imported_globals(sections)
    for s in sections:
        if s.id == SEC_GLOBAL:
            n, pos = read_uleb(s.body, 0)
            for i in range(n):
                pos += 2  # valtype, mutability
                op = s.body[pos]
                if op != 0x41:
                    raise ConvertError("engine.wasm: unsupported global initializer")
                value, pos = read_sleb(s.body, pos + 1)
                pos += 1  # end
                if i == index:
                    return value & 0xFFFFFFFF
    raise ConvertError(f"engine.wasm: global {name!r} not found")


def memory_limits(sections: list[Section]) -> tuple[int, int | None]:
    for s in sections:
        if s.id == SEC_MEMORY:
            _, pos = read_uleb(s.body, 0)
            flags = s.body[pos]
            lo, pos = read_uleb(s.body, pos + 1)
            hi = None
            if flags & 1:
                hi, pos = read_uleb(s.body, pos)
            return lo, hi
    raise ConvertError("engine.wasm: the module defines no memory (imported memory is not supported)")


def _set_memory(sections: list[Section], lo: int, hi: int | None) -> None:
    for s in sections:
        if s.id == SEC_MEMORY:
            s.body = uleb(1) + (bytes([1]) + uleb(lo) + uleb(hi) if hi is not None else bytes([0]) + uleb(lo))


def _active_segment(addr: int, data: bytes) -> bytes:
    sleb = bytearray()
    v = addr if addr < 0x80000000 else addr - (1 << 32)
    while True:
        b = v & 0x7F
        v >>= 7
        if (v == 0 and not b & 0x40) or (v == -1 and b & 0x40):
            sleb.append(b)
            break
        sleb.append(b | 0x80)
    return b"\x00\x41" + bytes(sleb) + b"\x0b" + uleb(len(data)) + data


def add_payloads(module: bytes, payloads: list[tuple[str, bytes]]) -> bytes:
    """Return `module` with `payloads` [(kind, bytes)] placed in memory and described in the header."""
    sections = parse(module)
    header_addr = exported_global_value(sections, EXPORT_NAME)
    lo, hi = memory_limits(sections)
    addr = lo * PAGE
    entries, segments = [], []
    for kind, blob in payloads:
        if kind not in KINDS:
            raise ConvertError(f"unknown payload kind {kind!r}")
        entries.append((KINDS[kind], addr, len(blob)))
        if blob:
            segments.append(_active_segment(addr, blob))
        addr += (len(blob) + PAGE - 1) // PAGE * PAGE
    if addr > 0xFFFFFFFF - PAGE:
        raise ConvertError(f"payloads too large for a 32-bit wasm memory ({addr >> 20} MiB)")
    header = MAGIC + struct.pack("<II", len(entries), 0)
    header += b"".join(struct.pack("<IIII", k, a, n, 0) for k, a, n in entries)
    if len(header) > PAYLOAD_HEADER_SIZE:
        raise ConvertError("too many payloads for the engine's header")
    segments.append(_active_segment(header_addr, header))
    new_lo = addr // PAGE
    if hi is not None and hi < new_lo:
        hi = new_lo
    _set_memory(sections, new_lo, hi)
    data = next((s for s in sections if s.id == SEC_DATA), None)
    if data is None:
        data = Section(SEC_DATA, uleb(0))
        # the data section goes after code (10) and before custom sections at the end
        idx = max(i for i, s in enumerate(sections) if s.id in range(1, 11)) + 1
        sections.insert(idx, data)
    count, pos = read_uleb(data.body, 0)
    data.body = uleb(count + len(segments)) + data.body[pos:] + b"".join(segments)
    for s in sections:
        if s.id == SEC_DATACOUNT:
            s.body = uleb(count + len(segments))
    return serialize(sections)


def read_payloads(module: bytes) -> dict[str, bytes]:
    """Inverse of add_payloads, for `c2w inspect` and tests: kind -> bytes."""
    sections = parse(module)
    header_addr = exported_global_value(sections, EXPORT_NAME)
    segs: dict[int, bytes] = {}
    for s in sections:
        if s.id != SEC_DATA:
            continue
        n, pos = read_uleb(s.body, 0)
        for _ in range(n):
            flag, pos = read_uleb(s.body, pos)
            if flag != 0 or s.body[pos] != 0x41:
                raise ConvertError("engine.wasm: unsupported data segment form")
            a, pos = read_sleb(s.body, pos + 1)
            pos += 1
            size, pos = read_uleb(s.body, pos)
            segs[a & 0xFFFFFFFF] = s.body[pos:pos + size]
            pos += size
    header = segs.get(header_addr, b"")
    if header[:8] != MAGIC:
        return {}
    count, _ = struct.unpack_from("<II", header, 8)
    names = {v: k for k, v in KINDS.items()}
    out = {}
    for i in range(count):
        k, a, n, _ = struct.unpack_from("<IIII", header, 16 + 16 * i)
        out[names.get(k, str(k))] = segs.get(a, b"")[:n] if n else b""
    return out


def add_custom_section(module: bytes, name: str, data: bytes) -> bytes:
    """Append (or replace) the custom section `name` at the end of `module`."""
    sections = [s for s in parse(module) if not (s.id == 0 and _name(s.body, 0)[0] == name)]
    raw = name.encode()
    sections.append(Section(0, uleb(len(raw)) + raw + data))
    return serialize(sections)


def exports(module: bytes) -> dict[str, int]:
    """Export name -> kind (0 func, 1 table, 2 memory, 3 global)."""
    out: dict[str, int] = {}
    for s in parse(module):
        if s.id == SEC_EXPORT:
            n, pos = read_uleb(s.body, 0)
            for _ in range(n):
                ename, pos = _name(s.body, pos)
                out[ename] = s.body[pos]
                _, pos = read_uleb(s.body, pos + 1)
    return out
