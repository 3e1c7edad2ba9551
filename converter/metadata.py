"""What an out.wasm contains, recorded in its custom section `c2w.meta` (JSON) for `c2w inspect`.

Nothing here depends on time or on temporary paths, so conversions stay reproducible.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from c2w_run.image import META_SECTION as SECTION
from c2w_run.image import NotWasm, read_section

from . import __version__
from .errors import ConvertError
from .image import Image

FORMAT = 1


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def kernel_version(kernel: Path) -> str:
    """The `Linux version ...` banner inside a kernel Image, or "" when not found."""
    data = kernel.read_bytes()
    if data[0x202:0x206] == b"HdrS":  # x86 bzImage: the setup header points at the version string
        at = 0x200 + int.from_bytes(data[0x20e:0x210], "little")
        end = data.find(b"\0", at, at + 400)
        return "Linux version " + data[at:end].decode("ascii", "replace").strip() if end > at else ""
    i = data.find(b"Linux version ")
    if i < 0:
        return ""
    end = data.find(b"\n", i, i + 400)
    return data[i:end if end > 0 else i + 200].decode("ascii", "replace").strip()


def describe(image: Image, payloads: list[tuple[str, bytes]], engine: Path, kernel: Path,
             snapshot: bool) -> dict:
    cfg = image.config.get("config") or {}
    return {
        "format": FORMAT,
        "c2w_version": __version__,
        "source": {
            "reference": image.reference,
            "transport": image.source,
            "manifest_digest": image.manifest_digest,
            "config_digest": image.config_digest,
        },
        "architecture": image.architecture,
        "os": image.os,
        "config": {k: cfg.get(k) for k in ("Entrypoint", "Cmd", "Env", "WorkingDir", "User",
                                           "ExposedPorts", "Labels") if cfg.get(k) is not None},
        "layers": [{"digest": layer.digest, "size": layer.size} for layer in image.layers],
        "payloads": {kind: {"size": len(blob), "digest": _sha256(blob)} for kind, blob in payloads},
        "engine": {"digest": _sha256(engine.read_bytes())},
        "kernel": {"version": kernel_version(kernel)},
        "snapshot": snapshot,
    }


def read(module_path: Path) -> dict:
    """The metadata of an out.wasm; one-line ConvertError when it is not a c2w image."""
    try:
        raw = read_section(module_path, SECTION)
        size = module_path.stat().st_size
    except OSError as e:
        raise ConvertError(f"{module_path}: {e.strerror}") from None
    except NotWasm as e:
        raise ConvertError(f"{module_path}: {e}") from None
    if raw is None:
        raise ConvertError(f"{module_path}: not a c2w image (no {SECTION} section)")
    try:
        meta = json.loads(raw)
    except ValueError:
        raise ConvertError(f"{module_path}: corrupt {SECTION} section") from None
    meta["file_size"] = size
    return meta
