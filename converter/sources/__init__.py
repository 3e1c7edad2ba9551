"""Image sources: each turns a reference into an `Image` (see converter.image).

References: `oci:DIR[:TAG]`, `docker-archive:FILE[:REF]`, or a bare path (a directory holding
`oci-layout`, or a tar file: a `docker save` archive). Explicit transport prefixes always win.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from ..errors import ConvertError
from ..image import Image
from . import docker_archive, oci_layout

TRANSPORTS = ("oci:", "docker-archive:")


def _split_tag(rest: str) -> tuple[Path, str | None]:
    """`DIR[:TAG]`: a colon starts a tag only when the whole string is not an existing path."""
    if Path(rest).exists() or ":" not in rest:
        return Path(rest), None
    path, _, tag = rest.rpartition(":")
    return Path(path), tag or None


def open_image(ref: str, platform: str | None = None) -> Image:
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
    raise ConvertError(f"{ref}: no such image (expected a path, oci:DIR[:TAG] or docker-archive:FILE)")
