"""build-default-image.sh makes a valid, reproducible riscv64 OCI layout with busybox + glibc hello."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

GUEST = Path(__file__).resolve().parent.parent


def blob(layout: Path, digest: str) -> bytes:
    data = (layout / "blobs" / "sha256" / digest.removeprefix("sha256:")).read_bytes()
    assert "sha256:" + hashlib.sha256(data).hexdigest() == digest
    return data


def test_default_image_config_is_riscv64_with_sh_cmd(default_image: Path) -> None:
    index = json.loads((default_image / "index.json").read_text())
    (desc,) = index["manifests"]
    manifest = json.loads(blob(default_image, desc["digest"]))
    config = json.loads(blob(default_image, manifest["config"]["digest"]))
    assert config["architecture"] == "riscv64" and config["os"] == "linux"
    assert config["config"]["Cmd"] == ["/bin/sh"]
    assert any(e.startswith("PATH=") and "/usr/bin" in e for e in config["config"]["Env"])
    layer = blob(default_image, manifest["layers"][0]["digest"])
    raw = gzip.decompress(layer)
    assert config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(raw).hexdigest()]
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert members["bin"].issym() and members["bin"].linkname == "usr/bin"
        assert members["usr/bin/sh"].linkname == "busybox"
        assert members["usr/bin/ls"].linkname == "busybox"
        assert members["usr/bin/busybox"].isfile()
        assert members["usr/bin/hello"].isfile()
        assert members["usr/lib/ld-linux-riscv64-lp64d.so.1"].issym()
        assert members["home/user"].uid == 1000
        passwd = tar.extractfile(members["etc/passwd"]).read().decode()  # type: ignore[union-attr]
        assert "user:x:1000:1000:" in passwd
        assert not any(n.startswith("usr/share/doc/") for n in members)


def test_default_image_rebuild_gives_identical_layout(default_image: Path, tmp_path: Path) -> None:
    userland = subprocess.run([str(GUEST / "fetch-userland.sh"), "busybox-static", "hello"],
                              capture_output=True, text=True, check=True).stdout.split()[-1]
    out = tmp_path / "again"
    subprocess.run(["python3", str(GUEST / "default_image.py"), userland + "/debs", str(out)], check=True)
    assert (out / "index.json").read_bytes() == (default_image / "index.json").read_bytes()


def test_skopeo_reads_default_image(default_image: Path) -> None:
    if shutil.which("skopeo") is None:
        pytest.skip("skopeo is not installed (scripts/setup-system.sh installs it)")
    proc = subprocess.run(["skopeo", "inspect", "--config", f"oci:{default_image}:latest"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["architecture"] == "riscv64"


def test_default_image_py_rejects_empty_debs_dir(tmp_path: Path) -> None:
    proc = subprocess.run(["python3", str(GUEST / "default_image.py"), str(tmp_path), str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"default_image.py: no .deb files in {tmp_path}"
