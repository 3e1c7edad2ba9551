"""An OCI image layout directory: `oci:DIR[:TAG]` or a directory holding `oci-layout`."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConvertError
from ..image import (
    INDEX_TYPES, LAYER_TYPES, MANIFEST_TYPES, Image, Layer, check_config, check_digest, descriptor, list_of,
    parse_json, select_from_index,
)


def is_oci_layout(path: Path) -> bool:
    return path.is_dir() and (path / "oci-layout").is_file()


def blob_path(root: Path, digest: str) -> Path:
    algo, _, hexd = digest.partition(":")
    if algo != "sha256" or len(hexd) != 64 or not all(c in "0123456789abcdef" for c in hexd):
        raise ConvertError(f"{root}: invalid digest {digest!r}")
    return root / "blobs" / algo / hexd


def read_blob(root: Path, digest: str, what: str) -> bytes:
    p = blob_path(root, digest)
    if not p.is_file():
        raise ConvertError(f"{root}: missing blob {digest} ({what})")
    data = p.read_bytes()
    check_digest(data, digest, f"{root}: {what}")
    return data


def resolve_manifest(root: Path, desc: dict, platform: str | None, depth: int = 0) -> tuple[dict, str]:
    if depth > 4:
        raise ConvertError(f"{root}: image indexes nested too deeply")
    desc = descriptor(desc, f"{root}: manifest")
    mt = desc.get("mediaType", "")
    data = read_blob(root, desc["digest"], "manifest")
    doc = parse_json(data, f"{root}: manifest {desc['digest']}")
    mt = doc.get("mediaType", mt)
    if not isinstance(mt, str):
        raise ConvertError(f"{root}: manifest {desc['digest']}: 'mediaType' is not a string")
    if mt in INDEX_TYPES or "manifests" in doc:
        return resolve_manifest(root, select_from_index(doc, platform, str(root)), platform, depth + 1)
    if mt and mt not in MANIFEST_TYPES:
        raise ConvertError(f"{root}: unknown manifest media type {mt!r}")
    return doc, desc["digest"]


def load(root: Path, tag: str | None = None, platform: str | None = None) -> Image:
    if not is_oci_layout(root):
        raise ConvertError(f"{root}: not an OCI image layout (no oci-layout file)")
    index = parse_json((root / "index.json").read_bytes() if (root / "index.json").is_file() else b"",
                       f"{root}/index.json")
    manifests = [descriptor(m, f"{root}/index.json") for m in list_of(index, "manifests", f"{root}/index.json")]
    if tag:
        manifests = [m for m in manifests
                     if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") == tag]
        if not manifests:
            raise ConvertError(f"{root}: no image tagged {tag!r}")
    if not manifests:
        raise ConvertError(f"{root}: the layout holds no image")
    if len(manifests) == 1:
        desc = manifests[0]
    else:
        desc = select_from_index({"manifests": manifests}, platform, str(root))
    manifest, manifest_digest = resolve_manifest(root, desc, platform)
    return image_from_manifest(root, manifest, manifest_digest, f"oci:{root}" + (f":{tag}" if tag else ""))


def image_from_manifest(root: Path, manifest: dict, manifest_digest: str, reference: str) -> Image:
    cfg_desc = manifest.get("config") or {}
    if not isinstance(cfg_desc, dict) or "digest" not in cfg_desc:
        raise ConvertError(f"{reference}: manifest has no config")
    cfg_desc = descriptor(cfg_desc, f"{reference}: manifest config")
    config = check_config(parse_json(read_blob(root, cfg_desc["digest"], "image config"),
                                     f"{reference}: image config"), f"{reference}: image config")
    layers = []
    for d in list_of(manifest, "layers", f"{reference}: manifest"):
        d = descriptor(d, f"{reference}: manifest layer")
        if d.get("size") is not None and (not isinstance(d["size"], int) or isinstance(d["size"], bool)):
            raise ConvertError(f"{reference}: layer {d['digest'][:80]}: 'size' is not an integer")
        mt = d.get("mediaType", "")
        if mt not in LAYER_TYPES:
            raise ConvertError(f"{reference}: unknown layer media type {mt!r}")
        p = blob_path(root, d["digest"])
        if not p.is_file():
            raise ConvertError(f"{reference}: missing blob {d['digest']} (layer)")
        layers.append(Layer(d["digest"], mt, d.get("size"), (lambda p=p: p.open("rb"))))
    return Image(reference, config, cfg_desc["digest"], layers, manifest_digest, source="oci")
