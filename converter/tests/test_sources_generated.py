"""Generated hostile image metadata (Hypothesis) through the image sources (converter/sources):
OCI layouts whose index.json, manifest and config are arbitrary JSON built around the real keys
(digests that point at the right blobs, at other blobs, at nothing, or are not strings), and
docker-save archives with generated manifest.json. The oracle: open_image either returns an
Image or raises one ConvertError of one line; never another exception."""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

import pytest

pytest.importorskip("hypothesis", reason="hypothesis not installed (make venv installs the test extras)")
from hypothesis import HealthCheck, event, given, settings, strategies as st  # noqa: E402

from converter import layers, sources  # noqa: E402
from converter.errors import ConvertError  # noqa: E402
from converter.image import check_architecture  # noqa: E402
from testsupport import oci as t  # noqa: E402

KEYS = ["manifests", "digest", "mediaType", "platform", "config", "layers", "size", "annotations",
        "rootfs", "diff_ids", "architecture", "os", "variant", "schemaVersion",
        "org.opencontainers.image.ref.name", "Config", "Layers", "RepoTags"]
TOKENS = ["@config", "@layer", "@manifest", "@missing", "sha256:zz", "sha512:" + "0" * 128,
          "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.oci.image.layer.v1.tar+gzip", "linux", "riscv64", "amd64", "latest"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 2**64), st.sampled_from(TOKENS),
                    st.text(max_size=4))
JSON = st.recursive(SCALARS, lambda c: st.one_of(st.lists(c, max_size=3),
                                                 st.dictionaries(st.sampled_from(KEYS), c, max_size=5)),
                    max_leaves=20)
SETTINGS = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "300")), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def resolve(doc: object, digests: dict[str, str]) -> object:
    if isinstance(doc, str):
        return digests.get(doc, doc)
    if isinstance(doc, list):
        return [resolve(x, digests) for x in doc]
    if isinstance(doc, dict):
        return {k: resolve(v, digests) for k, v in doc.items()}
    return doc


ACTIONS = ["keep"] * 12 + ["replace", "delete", "duplicate"]


def mutate(data: st.DataObject, doc: object) -> object:
    """The document with a few of its values replaced by generated JSON, deleted or duplicated."""
    if isinstance(doc, dict):
        out = {}
        for k, v in doc.items():
            act = data.draw(st.sampled_from(ACTIONS))
            if act == "replace":
                out[k] = data.draw(JSON)
            elif act != "delete":
                out[k] = mutate(data, v)
        return out
    if isinstance(doc, list):
        out_l = []
        for v in doc:
            act = data.draw(st.sampled_from(ACTIONS))
            if act == "replace":
                out_l.append(data.draw(JSON))
            elif act != "delete":
                out_l.extend([mutate(data, v)] * (2 if act == "duplicate" else 1))
        return out_l
    return doc


def good_index(digests: dict[str, str]) -> dict:
    return {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                               "digest": digests["@manifest"], "size": 10,
                                               "platform": {"os": "linux", "architecture": "riscv64"},
                                               "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}


def good_manifest(digests: dict[str, str]) -> dict:
    return {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digests["@config"]},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digests["@layer"]}]}


def opened(ref: str) -> None:
    try:
        image = sources.open_image(ref)
        check_architecture(image)
        layers.merge(image)
    except ConvertError as e:
        assert str(e) and "\n" not in str(e), repr(str(e))
        event(f"refused: {str(e).split(': ')[-1][:30]}")
    else:
        event("opened")


@SETTINGS
@given(data=st.data(), which=st.sampled_from(["index", "manifest", "config", "all", "nested"]))
def test_generated_oci_metadata_is_refused_in_one_line_or_opened(data: st.DataObject, which: str,
                                                                 tmp_path: Path) -> None:
    root = tmp_path / f"img{len(list(tmp_path.iterdir()))}"
    w = t.LayoutWriter(root)
    raw = t.layer_tar([t.file("hello", "hi")])
    digests = {"@layer": w.blob(__import__("gzip").compress(raw, mtime=0)), "@missing": "sha256:" + "1" * 64}
    cfg: object = t.default_config("riscv64", [t.digest(raw)])
    if which in ("config", "all"):
        cfg = resolve(mutate(data, cfg), digests)
    digests["@config"] = w.blob(json.dumps(cfg).encode())
    m: object = good_manifest(digests)
    if which in ("manifest", "all"):
        m = resolve(mutate(data, m), digests)
    digests["@manifest"] = w.blob(json.dumps(m).encode())
    if which == "nested":  # indexes of indexes, some levels mutated
        for _ in range(data.draw(st.integers(1, 7))):
            digests["@manifest"] = w.blob(json.dumps(resolve(mutate(data, {
                **good_index(digests), "mediaType": "application/vnd.oci.image.index.v1+json"}), digests)).encode())
    idx: object = good_index(digests)
    if which in ("index", "all", "nested"):
        idx = resolve(mutate(data, idx), digests)
    (root / "index.json").write_text(json.dumps(idx))
    opened(str(root))


@SETTINGS
@given(data=st.data())
def test_generated_docker_archive_metadata_is_refused_in_one_line_or_opened(data: st.DataObject,
                                                                            tmp_path: Path) -> None:
    path = tmp_path / f"img{len(list(tmp_path.iterdir()))}.tar"
    raw = t.layer_tar([t.file("hello", "hi")])
    cfg = json.dumps(mutate(data, t.default_config("riscv64", [t.digest(raw)]))).encode()
    digests = {"@config": t.digest(cfg)[7:] + ".json", "@layer": "l/layer.tar", "@manifest": "manifest.json"}
    manifest = mutate(data, [{"Config": "@config", "RepoTags": ["test:latest"], "Layers": ["@layer"]}])
    with tarfile.open(path, "w") as tf:
        for name, data in ((digests["@config"], cfg), ("l/layer.tar", raw),
                           ("manifest.json", json.dumps(resolve(manifest, digests)).encode())):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    opened(f"docker-archive:{path}")
