"""An image in a registry (`docker://REF`), pulled with skopeo: the manifest (or index) is read
with `skopeo inspect --raw`, the platform chosen here, and that one image copied into a
temporary OCI layout.

Docker's convention for loopback registries: a registry on 127.0.0.0/8, ::1 or `localhost` is
spoken to without TLS verification (skopeo then falls back to plain HTTP), unless the caller
asks for verification explicitly."""

from __future__ import annotations

import ipaddress
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


def registry_host(ref: str) -> str | None:
    """The registry host of `ref` without its port (`[::1]:5000/x` -> `::1`), or None when the
    first component is not a host (Docker's rule: it holds a dot or a colon, or is `localhost`)."""
    first, sep, _ = ref.partition("/")
    if not sep or not (first == "localhost" or "." in first or ":" in first or first.startswith("[")):
        return None
    if first.startswith("["):
        return first[1:].partition("]")[0]
    return first.rpartition(":")[0] if first.count(":") == 1 else first


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def verify_tls(ref: str, tls_verify: bool | None) -> bool:
    """An explicit choice wins; by default, loopback registries are not verified (Docker's
    insecure-registries default), every other registry is."""
    return (not is_loopback(registry_host(ref))) if tls_verify is None else tls_verify


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


def load(ref: str, platform: str | None = None, tls_verify: bool | None = None) -> Image:
    verify = "true" if verify_tls(ref, tls_verify) else "false"
    tls = [f"--tls-verify={verify}"]
    raw = _skopeo(["inspect", "--raw", *tls, f"docker://{ref}"], f"docker://{ref}").stdout.encode()
    doc = parse_json(raw, f"docker://{ref}: manifest")
    source = ref
    if doc.get("mediaType") in INDEX_TYPES or "manifests" in doc:
        desc = select_from_index(doc, platform, f"docker://{ref}")
        source = f"{repository(ref)}@{desc['digest']}"
    tmp = tempfile.mkdtemp(prefix="c2w-pull-")
    copy = ["copy", "--quiet", f"--src-tls-verify={verify}",
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



