"""An image in a registry (`docker://REF`), pulled with skopeo: the manifest (or index) is read
with `skopeo inspect --raw`, the platform chosen here, and that one image copied into a
temporary OCI layout."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import weakref
from pathlib import Path

from ..errors import ConvertError
from ..image import INDEX_TYPES, Image, parse_json, select_from_index
from . import oci_layout


def repository(ref: str) -> str:
    """`host:port/name:tag` or `name@sha256:...` -> `host:port/name`."""
    if "@" in ref:
        return ref.split("@", 1)[0]
    head, _, last = ref.rpartition("/")
    name = last.split(":", 1)[0]
    return f"{head}/{name}" if head else name


def _skopeo(args: list[str], what: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    if shutil.which("skopeo") is None:
        raise ConvertError("pulling from a registry needs skopeo (Debian package 'skopeo')")
    try:
        done = subprocess.run(["skopeo", *args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ConvertError(f"{what}: skopeo timed out after {timeout:g} s") from None
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        msg = lines[-1] if lines else f"exit {done.returncode}"
        m = re.search(r'msg="((?:[^"\\]|\\.)*)"', msg)  # logrus: time=... level=fatal msg="..."
        if m:
            msg = m.group(1).replace('\\"', '"')
        raise ConvertError(f"{what}: {msg}")
    return done


def load(ref: str, platform: str | None = None, tls_verify: bool = True) -> Image:
    tls = [f"--tls-verify={'true' if tls_verify else 'false'}"]
    raw = _skopeo(["inspect", "--raw", *tls, f"docker://{ref}"], f"docker://{ref}").stdout.encode()
    doc = parse_json(raw, f"docker://{ref}: manifest")
    source = ref
    if doc.get("mediaType") in INDEX_TYPES or "manifests" in doc:
        desc = select_from_index(doc, platform, f"docker://{ref}")
        source = f"{repository(ref)}@{desc['digest']}"
    tmp = tempfile.mkdtemp(prefix="c2w-pull-")
    copy = ["copy", "--quiet", f"--src-tls-verify={'true' if tls_verify else 'false'}",
            f"docker://{source}", f"oci:{tmp}:image"]
    try:
        _skopeo(copy, f"docker://{ref}")
        image = oci_layout.load(Path(tmp), "image", platform)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    image.reference = f"docker://{ref}"
    image.source = "registry"
    image.extra["cleanup"] = weakref.finalize(image, shutil.rmtree, tmp, True)
    if "@" in source:
        image.manifest_digest = source.split("@", 1)[1]
    return image



