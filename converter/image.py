"""A container image as the converter sees it: config, layers, and where they came from.

Sources (OCI layout, docker-archive, ...) resolve a reference into an `Image` whose layers
are verified against their digests before use.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import IO, Callable

from . import platforms
from .errors import ConvertError, UnsupportedArchitecture

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
LAYER_TYPES = {
    "application/vnd.oci.image.layer.v1.tar": "",
    "application/vnd.oci.image.layer.v1.tar+gzip": "gz",
    "application/vnd.oci.image.layer.v1.tar+zstd": "zst",
    "application/vnd.docker.image.rootfs.diff.tar.gzip": "gz",
    "application/vnd.docker.image.rootfs.diff.tar": "",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": "gz",
}


@dataclass
class Layer:
    digest: str
    media_type: str
    size: int | None
    open: Callable[[], IO[bytes]]  # the blob as stored (compressed or not)


@dataclass
class Image:
    reference: str
    config: dict
    config_digest: str
    layers: list[Layer]
    manifest_digest: str | None = None
    source: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def architecture(self) -> str:
        return str(self.config.get("architecture", ""))

    @property
    def os(self) -> str:
        return str(self.config.get("os", ""))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_digest(data: bytes, digest: str, what: str) -> None:
    algo, _, hexd = digest.partition(":")
    if algo != "sha256" or len(hexd) != 64:
        raise ConvertError(f"{what}: unsupported digest {digest!r}")
    if sha256_hex(data) != hexd:
        raise ConvertError(f"{what}: content does not match its digest {digest}")


def parse_json(data: bytes, what: str) -> dict:
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ConvertError(f"{what}: not valid JSON ({e.msg if hasattr(e, 'msg') else e})") from None
    if not isinstance(doc, dict):
        raise ConvertError(f"{what}: expected a JSON object")
    return doc


def list_of(doc: dict, key: str, what: str) -> list:
    """doc[key] as a list ([] when absent or null); one line when it is something else."""
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConvertError(f"{what}: {key!r} is not a list")
    return value


def descriptor(desc: object, what: str) -> dict:
    """A content descriptor: an object with a string digest, string mediaType and object
    platform/annotations when present."""
    if not isinstance(desc, dict) or not isinstance(desc.get("digest"), str):
        raise ConvertError(f"{what}: a descriptor without a string 'digest'")
    if not isinstance(desc.get("mediaType", ""), str):
        raise ConvertError(f"{what}: descriptor {desc['digest'][:80]}: 'mediaType' is not a string")
    for key in ("platform", "annotations"):
        value = desc.get(key)
        if value is not None and (not isinstance(value, dict)
                                  or not all(isinstance(v, str) for v in value.values())):
            raise ConvertError(f"{what}: descriptor {desc['digest'][:80]}: {key!r} is not an object of strings")
    return desc


def check_config(config: dict, what: str) -> dict:
    """The parts of an image config the converter reads, with the JSON types it expects."""
    for key in ("architecture", "os", "variant"):
        if not isinstance(config.get(key, ""), str):
            raise ConvertError(f"{what}: {key!r} is not a string")
    rootfs = config.get("rootfs")
    if rootfs is not None and not isinstance(rootfs, dict):
        raise ConvertError(f"{what}: 'rootfs' is not an object")
    if not all(isinstance(d, str) for d in list_of(rootfs or {}, "diff_ids", what)):
        raise ConvertError(f"{what}: 'rootfs.diff_ids' holds a non-string")
    cfg = config.get("config")
    if cfg is None:
        return config
    if not isinstance(cfg, dict):
        raise ConvertError(f"{what}: 'config' is not an object")
    for key in ("Entrypoint", "Cmd", "Env"):
        value = cfg.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(a, str) for a in value)):
            raise ConvertError(f"{what}: config.{key} is not a list of strings")
    for key in ("WorkingDir", "User", "StopSignal"):
        if not isinstance(cfg.get(key) or "", str):
            raise ConvertError(f"{what}: config.{key} is not a string")
    for key in ("ExposedPorts", "Labels", "Volumes"):
        if not isinstance(cfg.get(key) or {}, dict):
            raise ConvertError(f"{what}: config.{key} is not an object")
    return config


def platform_of(desc: dict) -> str:
    p = desc.get("platform") or {}
    s = f"{p.get('os', '?')}/{p.get('architecture', '?')}"
    return s + (f"/{p['variant']}" if p.get("variant") else "")


def normalize_platform(platform: str | None) -> tuple[str, str] | None:
    """`linux/riscv64`, `riscv64` -> ("linux", "riscv64")."""
    if not platform:
        return None
    parts = platform.split("/")
    if len(parts) == 1:
        return ("linux", parts[0])
    return (parts[0], parts[1])


def select_from_index(index: dict, platform: str | None, what: str) -> dict:
    """Pick the manifest descriptor for `platform`; without one, like docker: riscv64 (native here)
    if the index has it, else the host's platform, else one line naming what the index has."""
    manifests = [descriptor(m, what) for m in list_of(index, "manifests", what)]
    if not manifests:
        raise ConvertError(f"{what}: the image index lists no manifests")
    if platform:
        wants = [platforms.parse(platform)]
    else:
        wants = [platforms.Platform("linux", platforms.NATIVE), platforms.host()]
    for want in wants:
        for m in manifests:
            p = m.get("platform") or {}
            if want.matches(p.get("os", ""), p.get("architecture", ""), p.get("variant", "")):
                return m
    if not any(m.get("platform") for m in manifests) and len(manifests) == 1 and not platform:
        return manifests[0]
    have = ", ".join(sorted({platform_of(m) for m in manifests}))
    if platform:
        raise UnsupportedArchitecture(f"{what}: no manifest for platform {wants[0]}; the index has: {have}")
    raise UnsupportedArchitecture(f"{what}: no manifest for platform linux/riscv64 nor the host's {wants[1]}; "
                                  f"the index has: {have}; choose one with --platform "
                                  f"(it takes {platforms.supported_list()})")


def image_platform(image: Image) -> platforms.Platform:
    return platforms.Platform(image.os or "linux", image.architecture, str(image.config.get("variant", "")))


def check_architecture(image: Image, platform: str | None = None) -> platforms.Arch:
    """The image's architecture as c2w runs it; refuses unknown ones, and a --platform the image is not."""
    have = image_platform(image)
    if platform:
        want = platforms.parse(platform)
        if not want.matches(have.os, have.arch, have.variant):
            raise UnsupportedArchitecture(f"{image.reference}: the image is {have}, not the requested {want}")
    return platforms.check(have, f"{image.reference}: image platform {have}")
