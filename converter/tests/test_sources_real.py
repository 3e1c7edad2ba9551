"""Every image source converts an image that then runs: an OCI layout, a docker-archive, an image
in Podman's Docker-API service, and one in a registry on loopback; multi-arch selection works
from an index in each; the same input gives the same bytes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testsupport import oci as t
from testsupport import servers
from testsupport.oci import REPO


def c2w(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    quiet = [] if args[:1] == ("inspect",) else ["-q"]
    return subprocess.run([sys.executable, "-m", "converter.cli", *quiet, *args], capture_output=True, text=True,
                          timeout=1800, cwd=REPO, env={**os.environ, **(env or {})})


def runs_hello(module: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", str(module), "echo", "-n",
                        "hello"], capture_output=True, timeout=120, cwd=REPO, stdin=subprocess.DEVNULL)
    assert (r.returncode, r.stdout) == (0, b"hello"), r.stderr[-2000:]


def inspect(module: Path) -> dict:
    r = c2w("inspect", "--json", str(module))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def layout(default_image: Path) -> Path:
    return default_image


@pytest.fixture(scope="module")
def archive(layout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("archive") / "default.tar"
    subprocess.run(["skopeo", "copy", "--quiet", f"oci:{layout}:latest", f"docker-archive:{out}:c2w/default:latest"],
                   check=True, capture_output=True, timeout=600)
    return out


def test_oci_layout_converts_and_runs(layout: Path, tmp_path: Path) -> None:
    r = c2w(f"oci:{layout}:latest", str(tmp_path / "a.wasm"))
    assert r.returncode == 0, r.stderr
    runs_hello(tmp_path / "a.wasm")
    meta = inspect(tmp_path / "a.wasm")
    assert meta["source"]["transport"] == "oci" and meta["architecture"] == "riscv64"


def test_docker_archive_converts_and_runs(archive: Path, tmp_path: Path) -> None:
    r = c2w(str(archive), str(tmp_path / "b.wasm"))  # auto-detected from the tar file
    assert r.returncode == 0, r.stderr
    runs_hello(tmp_path / "b.wasm")
    assert inspect(tmp_path / "b.wasm")["source"]["transport"] == "docker-archive"


def test_image_in_podmans_docker_api_converts_and_runs(archive: Path, tmp_path: Path) -> None:
    import docker  # type: ignore[import-untyped]

    with servers.podman_service(tmp_path / "podman") as host:
        client = docker.DockerClient(base_url=host)
        client.images.load(archive.read_bytes())
        r = c2w("c2w/default:latest", str(tmp_path / "c.wasm"), env={"DOCKER_HOST": host})  # auto-detected
        assert r.returncode == 0, r.stderr
        r = c2w("docker-daemon:c2w/default:latest", str(tmp_path / "c2.wasm"), env={"DOCKER_HOST": host})
        assert r.returncode == 0, r.stderr
        missing = c2w("docker-daemon:c2w/absent:1", str(tmp_path / "x.wasm"), env={"DOCKER_HOST": host})
        assert missing.returncode != 0 and "c2w/absent:1: no such image in the engine" in missing.stderr
    runs_hello(tmp_path / "c.wasm")
    assert inspect(tmp_path / "c.wasm")["source"]["transport"] == "docker-engine"
    assert not (tmp_path / "x.wasm").exists()


def two_platform_layout(base: Path, dest: Path, *, include_riscv64: bool = True, other: str = "amd64") -> Path:
    """An OCI layout whose only entry is an image index: the default riscv64 image and a tiny image of
    architecture `other` (a text file, no binaries)."""
    import shutil

    shutil.copytree(base, dest)
    w = t.LayoutWriter(dest)
    index = json.loads((dest / "index.json").read_text())
    riscv = {k: v for k, v in index["manifests"][0].items() if k != "annotations"}
    riscv["platform"] = {"os": "linux", "architecture": "riscv64"}
    amd64 = w.image([[t.file("hello.txt", other)]], arch=other)
    manifests = ([riscv] if include_riscv64 else []) + [amd64]
    raw = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                      "manifests": manifests}).encode()
    desc = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": w.blob(raw), "size": len(raw),
            "annotations": {"org.opencontainers.image.ref.name": "multi"}}
    (dest / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [desc]}))
    return dest


def test_registry_image_converts_and_runs_and_platforms_are_chosen_from_an_index(layout: Path, tmp_path: Path) -> None:
    multi = two_platform_layout(layout, tmp_path / "multi")
    amd_only = two_platform_layout(layout, tmp_path / "amd", include_riscv64=False, other="s390x")
    with servers.registry(tmp_path / "registry") as reg:
        servers.push(f"oci:{layout}:latest", f"{reg}/c2w/default:1")
        servers.push(f"oci:{multi}:multi", f"{reg}/c2w/multi:1", all_platforms=True)
        servers.push(f"oci:{amd_only}:multi", f"{reg}/c2w/amd:1", all_platforms=True)
        # a loopback registry speaks plain HTTP without any flag (Docker's convention)
        r = c2w(f"docker://{reg}/c2w/default:1", str(tmp_path / "d.wasm"))
        assert r.returncode == 0, r.stderr
        r = c2w(f"{reg}/c2w/default:1", str(tmp_path / "d2.wasm"))  # auto: the registry
        assert r.returncode == 0, r.stderr
        port = reg.rpartition(":")[2]
        r = c2w(f"docker://localhost:{port}/c2w/default:1", str(tmp_path / "d3.wasm"))
        assert r.returncode == 0, r.stderr
        verified = c2w("--tls-verify=true", f"docker://{reg}/c2w/default:1", str(tmp_path / "v.wasm"))
        r = c2w("--tls-verify=false", "--platform", "linux/riscv64", f"docker://{reg}/c2w/multi:1",
                str(tmp_path / "m.wasm"))
        assert r.returncode == 0, r.stderr
        refused = c2w("--tls-verify=false", f"docker://{reg}/c2w/amd:1", str(tmp_path / "amd.wasm"))
    runs_hello(tmp_path / "d.wasm")
    assert inspect(tmp_path / "d.wasm")["source"]["transport"] == "registry"
    assert inspect(tmp_path / "m.wasm")["architecture"] == "riscv64"
    assert verified.returncode != 0 and "HTTP response to HTTPS client" in verified.stderr  # an explicit choice wins
    assert len(verified.stderr.strip().splitlines()) == 1 and not (tmp_path / "v.wasm").exists()
    lines = refused.stderr.strip().splitlines()
    assert refused.returncode != 0 and len(lines) == 1
    assert "no manifest for platform linux/riscv64 nor the host's linux/amd64; the index has: linux/s390x" in lines[0]
    assert not (tmp_path / "amd.wasm").exists()


def test_platform_is_chosen_from_an_index_in_a_layout(layout: Path, tmp_path: Path) -> None:
    multi = two_platform_layout(layout, tmp_path / "multi")
    r = c2w("--platform", "linux/riscv64", f"oci:{multi}:multi", str(tmp_path / "m.wasm"))
    assert r.returncode == 0, r.stderr
    assert inspect(tmp_path / "m.wasm")["architecture"] == "riscv64"
    r = c2w("--platform", "linux/amd64", "--emulation", "user", "--no-snapshot", f"oci:{multi}:multi",
            str(tmp_path / "a.wasm"))  # (the default for amd64 is the Bochs engine: `make test-x86`)
    assert r.returncode == 0, r.stderr
    assert inspect(tmp_path / "a.wasm")["architecture"] == "amd64"
    r = c2w("--platform", "linux/arm64", f"oci:{multi}:multi", str(tmp_path / "b.wasm"))
    assert r.returncode == 2 and "no manifest for platform linux/arm64" in r.stderr
    assert not (tmp_path / "b.wasm").exists()


@pytest.mark.parametrize("snapshot", [True, False])
def test_same_input_gives_the_same_bytes(layout: Path, tmp_path: Path, snapshot: bool) -> None:
    digests = []
    for name in ("one.wasm", "two.wasm"):
        time.sleep(1.1)  # timestamps taken from the clock would differ
        r = c2w(*([] if snapshot else ["--no-snapshot"]), f"oci:{layout}:latest", str(tmp_path / name))
        assert r.returncode == 0, r.stderr
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert digests[0] == digests[1]
