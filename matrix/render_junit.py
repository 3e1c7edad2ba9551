"""The results as JUnit XML: one testsuite per runtime, one testcase per case.

pass -> testcase; fail and xpass -> <failure>; error -> <error>; skip and xfail -> <skipped>
(an expected failure is not a CI failure; its message says so)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(s: str) -> str:
    """Text XML 1.0 can hold: control characters become \\xHH."""
    return _INVALID_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", s)


def render(doc: dict) -> str:
    root = ET.Element("testsuites", name="c2w-matrix", timestamp=doc["created"])
    versions = {rt["name"]: rt.get("version") or "" for rt in doc["runtimes"]}
    by_rt: dict[str, list[dict]] = {}
    for r in doc["results"]:
        by_rt.setdefault(r["runtime"], []).append(r)
    for rt, results in by_rt.items():
        suite = ET.SubElement(root, "testsuite", name=rt, tests=str(len(results)),
                              failures=str(sum(r["outcome"] in ("fail", "xpass") for r in results)),
                              errors=str(sum(r["outcome"] == "error" for r in results)),
                              skipped=str(sum(r["outcome"] in ("skip", "xfail") for r in results)),
                              time=f"{sum(r['duration'] for r in results):.3f}", timestamp=doc["created"])
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="runtime.version", value=versions.get(rt, ""))
        for r in results:
            tc = ET.SubElement(suite, "testcase", classname=f"{rt}.{r['feature']}", name=r["case"],
                               time=f"{r['duration']:.3f}")
            problems = "; ".join(r.get("problems") or [])
            if r["outcome"] == "fail":
                ET.SubElement(tc, "failure", message=_x(problems[:500]), type="fail").text = _x(problems)
            elif r["outcome"] == "xpass":
                ET.SubElement(tc, "failure", message=f"unexpected pass (expected to fail: {r.get('reason', '')})",
                              type="xpass")
            elif r["outcome"] == "error":
                ET.SubElement(tc, "error", message=_x(problems[:500]), type="error").text = _x(problems)
            elif r["outcome"] == "skip":
                ET.SubElement(tc, "skipped", message=r.get("reason", ""))
            elif r["outcome"] == "xfail":
                ET.SubElement(tc, "skipped", message=f"expected failure: {r.get('reason', '')}"[:500])
            if r.get("stdout"):
                ET.SubElement(tc, "system-out").text = _x(r["stdout"])
            if r.get("stderr"):
                ET.SubElement(tc, "system-err").text = _x(r["stderr"])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
