"""A `docker save` archive: `docker-archive:FILE[:REF]` or a `.tar` path.

Also reads OCI layouts packed in a tar (what `docker save` writes since Docker 25).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

from ..errors import ConvertError
from ..image import Image, Layer, check_config, parse_json




def _read(tf: tarfile.TarFile, name: str, what: str) -> bytes:
    try:
        member = tf.getmember(name)
    except KeyError:
        raise ConvertError(f"{tf.name}: missing {name} ({what})") from None
    f = tf.extractfile(member)
    if f is None:
        raise ConvertError(f"{tf.name}: {name} is not a regular file ({what})")
    return f.read()


def load(path: Path, ref: str | None = None, platform: str | None = None) -> Image:
    try:
        tf = tarfile.open(path)
    except (tarfile.TarError, OSError) as e:
        raise ConvertError(f"{path}: not a readable tar archive ({e})") from None
    with tf:
        try:
            manifest = json.loads(_read(tf, "manifest.json", "docker save manifest"))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ConvertError(f"{path}: manifest.json is not valid JSON ({getattr(e, 'msg', e)})") from None
        if not isinstance(manifest, list) or not manifest:
            raise ConvertError(f"{path}: manifest.json lists no image")
        if not all(isinstance(m, dict) and isinstance(m.get("Config", ""), str)
                   and isinstance(m.get("Layers") or [], list) and isinstance(m.get("RepoTags") or [], list)
                   and all(isinstance(x, str) for x in (m.get("Layers") or []) + (m.get("RepoTags") or []))
                   for m in manifest):
            raise ConvertError(f"{path}: manifest.json: an entry is not an object with a string Config "
                               "and lists of strings Layers and RepoTags")
        entry = manifest[0]
        if ref:
            matches = [m for m in manifest if ref in (m.get("RepoTags") or [])]
            if not matches:
                raise ConvertError(f"{path}: no image tagged {ref!r}")
            entry = matches[0]
        cfg_name = entry.get("Config", "")
        cfg_bytes = _read(tf, cfg_name, "image config")
        config = check_config(parse_json(cfg_bytes, f"{path}: image config"), f"{path}: image config")
        cfg_digest = "sha256:" + hashlib.sha256(cfg_bytes).hexdigest()
        if cfg_name.startswith("blobs/sha256/") and cfg_name.split("/")[-1] != cfg_digest[7:]:
            raise ConvertError(f"{path}: image config does not match its digest {cfg_name}")
        if len(cfg_name.removesuffix(".json")) == 64 and cfg_name.removesuffix(".json") != cfg_digest[7:]:
            raise ConvertError(f"{path}: image config does not match its digest {cfg_name}")
        diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
        layer_names = entry.get("Layers") or []
        if len(diff_ids) != len(layer_names):
            raise ConvertError(f"{path}: {len(layer_names)} layers but {len(diff_ids)} diff_ids in the config")
        layers = []
        for name, diff_id in zip(layer_names, diff_ids):
            data = _read(tf, name, "layer")
            layers.append(Layer(diff_id, "docker-archive", len(data), (lambda d=data: io.BytesIO(d))))
    image = Image(f"docker-archive:{path}" + (f":{ref}" if ref else ""), config, cfg_digest, layers,
                  source="docker-archive")
    image.extra["diff_ids_only"] = True  # layer digests are uncompressed diff_ids
    return image
