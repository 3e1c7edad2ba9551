"""An image in a local Docker-API engine (Docker, or Podman's `podman system service`), read
through the `docker` SDK, which honours DOCKER_HOST. The engine exports a `docker save`
archive, which the docker-archive source reads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import ConvertError
from ..image import Image, normalize_platform
from . import docker_archive


class NotInEngine(ConvertError):
    """The engine answered, but has no such image (auto-detection then tries a registry)."""


def engine_available() -> bool:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    return not host.startswith("unix://") or Path(host[len("unix://"):]).exists()


def load(ref: str, platform: str | None = None) -> Image:
    try:
        import docker  # type: ignore[import-untyped]
        from docker.errors import DockerException, ImageNotFound  # type: ignore[import-untyped]
    except ImportError:
        raise ConvertError("reading from a Docker-API engine needs the docker SDK: pip install 'c2w-run[engine]'") from None
    host = os.environ.get("DOCKER_HOST", "the default Docker socket")
    try:
        client = docker.from_env()
        image = client.images.get(ref)
    except ImageNotFound:
        raise NotInEngine(f"{ref}: no such image in the engine at {host}") from None
    except DockerException as e:
        raise ConvertError(f"cannot reach the Docker-API engine at {host}: {str(e).splitlines()[0]}") from None
    want = normalize_platform(platform)
    attrs = image.attrs or {}
    have = (attrs.get("Os", "linux"), attrs.get("Architecture", ""))
    if want and have != want:
        raise ConvertError(f"{ref}: the engine's image is {'/'.join(have)}, not {'/'.join(want)}")
    with tempfile.TemporaryDirectory(prefix="c2w-engine-") as tmp:
        archive = Path(tmp) / "image.tar"
        try:
            with archive.open("wb") as f:
                for chunk in image.save(named=True):
                    f.write(chunk)
        except DockerException as e:
            raise ConvertError(f"{ref}: the engine failed to export the image: {str(e).splitlines()[0]}") from None
        loaded = docker_archive.load(archive, None, platform)  # reads the layers into memory
    loaded.reference = f"docker-daemon:{ref}"
    loaded.source = "docker-engine"
    loaded.manifest_digest = attrs.get("Id")
    return loaded
