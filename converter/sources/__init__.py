"""Image sources: each turns a reference into an `Image` (see converter.image).

References: `c2w:default` (the small riscv64 busybox image the project builds and the wheel
ships), `oci:DIR[:TAG]`, `docker-archive:FILE[:REF]`, `docker-daemon:REF` (a Docker-API
engine: DOCKER_HOST), `docker://REF` (a registry, through skopeo). A reference without a prefix
is, in order: a path (a directory holding `oci-layout`, or a `docker save` tar file), an image
in DOCKER_HOST's engine, an image in a registry. Explicit transport prefixes always win.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from .. import components
from ..errors import ConvertError
from ..image import Image
from . import docker_archive, docker_engine, oci_layout, registry

DEFAULT_REF = "c2w:default"
TRANSPORTS = (DEFAULT_REF, "oci:", "docker-archive:", "docker-daemon:", "docker://")


def _split_tag(rest: str) -> tuple[Path, str | None]:
    """`DIR[:TAG]`: a colon starts a tag only when the whole string is not an existing path."""
    if Path(rest).exists() or ":" not in rest:
        return Path(rest), None
    path, _, tag = rest.rpartition(":")
    return Path(path), tag or None


def _looks_like_path(ref: str) -> bool:
    return ref.startswith(("/", "./", "../", "~")) or ref.endswith((".tar", ".tar.gz"))


def open_image(ref: str, platform: str | None = None, tls_verify: bool | None = None) -> Image:
    if ref == DEFAULT_REF:
        image = oci_layout.load(components.default_image(), "latest", platform)
        image.reference = DEFAULT_REF
        return image
    if ref.startswith("docker://"):
        return registry.load(ref[len("docker://"):], platform, tls_verify)
    if ref.startswith("docker-daemon:"):
        return docker_engine.load(ref[len("docker-daemon:"):], platform)
    if ref.startswith("oci:"):
        path, tag = _split_tag(ref[4:])
        return oci_layout.load(path, tag, platform)
    if ref.startswith("docker-archive:"):
        path, name = _split_tag(ref[len("docker-archive:"):])
        if not path.is_file():
            raise ConvertError(f"{path}: no such docker-archive file")
        return docker_archive.load(path, name, platform)
    path = Path(ref)
    if path.is_dir():
        if oci_layout.is_oci_layout(path):
            return oci_layout.load(path, None, platform)
        raise ConvertError(f"{ref}: a directory but not an OCI image layout (no oci-layout file)")
    if path.is_file():
        if tarfile.is_tarfile(path):
            return docker_archive.load(path, None, platform)
        raise ConvertError(f"{ref}: not an OCI layout directory nor a docker-archive tar file")
    if _looks_like_path(ref):
        raise ConvertError(f"{ref}: no such file or directory")
    if docker_engine.engine_available():
        try:
            return docker_engine.load(ref, platform)
        except docker_engine.NotInEngine:
            pass
    try:
        return registry.load(ref, platform, tls_verify)
    except ConvertError as e:
        raise ConvertError(f"{ref}: no such image (not a path, not in a Docker-API engine, "
                           f"and the registry said: {str(e).split(': ', 1)[-1]})") from None
