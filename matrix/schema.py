"""The results document: its JSON Schema (results.schema.json), a small validator for the subset of
JSON Schema that file uses, and loading with one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("results.schema.json")
SCHEMA_NAME = "c2w-matrix-results"
VERSION = 1

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
    "integer": (int,), "number": (int, float), "null": (type(None),),
}


class ResultsError(ValueError):
    """A results document that cannot be used (one line, names the problem)."""


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def _is(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def errors(value: Any, sch: dict, path: str = "$") -> list[str]:
    """Every way value violates sch (type, const, enum, required, properties,
    additionalProperties, items, minimum, pattern)."""
    out: list[str] = []
    if "type" in sch:
        names = sch["type"] if isinstance(sch["type"], list) else [sch["type"]]
        if not any(_is(value, n) for n in names):
            return [f"{path}: expected {'/'.join(names)}, got {type(value).__name__}"]
    if "const" in sch and value != sch["const"]:
        out.append(f"{path}: expected {sch['const']!r}, got {value!r}")
    if "enum" in sch and value not in sch["enum"]:
        out.append(f"{path}: {value!r} is not one of {sch['enum']}")
    if "minimum" in sch and _is(value, "number") and value < sch["minimum"]:
        out.append(f"{path}: {value} < {sch['minimum']}")
    if "pattern" in sch and isinstance(value, str) and not re.search(sch["pattern"], value):
        out.append(f"{path}: {value!r} does not match {sch['pattern']}")
    if isinstance(value, dict):
        props = sch.get("properties", {})
        for key in sch.get("required", []):
            if key not in value:
                out.append(f"{path}: missing {key!r}")
        for key, item in value.items():
            if key in props:
                out += errors(item, props[key], f"{path}.{key}")
            elif sch.get("additionalProperties") is False:
                out.append(f"{path}: unexpected property {key!r}")
    if isinstance(value, list) and "items" in sch:
        for i, item in enumerate(value):
            out += errors(item, sch["items"], f"{path}[{i}]")
    return out


def validate(doc: Any) -> None:
    """Raise ResultsError (one line) unless doc is a valid version-1 results document."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_NAME:
        raise ResultsError(f"not a {SCHEMA_NAME} document")
    if doc.get("version") != VERSION:
        raise ResultsError(f"results schema version {doc.get('version')!r} is not supported (expected {VERSION})")
    problems = errors(doc, schema())
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ResultsError(f"invalid results document: {problems[0]}{more}")


def load(path: Path | str) -> dict:
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise ResultsError(f"cannot read results file {p}: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{p} is not JSON: {exc.msg} at line {exc.lineno}") from None
    try:
        validate(doc)
    except ResultsError as exc:
        raise ResultsError(f"{p}: {exc}") from None
    return doc


def dump(doc: dict, path: Path | str) -> None:
    """Validate, then write atomically."""
    validate(doc)
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    tmp.replace(p)
