"""The results document (schema, versions) and its four renderings, from a real run."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from c2w_run import registry
from matrix import schema
from matrix.aggregate import cells

from .conftest import matrix

ADAPTERS = set(registry.runtimes())  # every adapter c2w-run knows gets a row


def test_results_document_is_valid_against_the_schema_file(doc):
    schema.validate(doc)
    assert doc["schema"] == "c2w-matrix-results" and doc["version"] == 1
    assert {r["name"] for r in doc["runtimes"]} >= ADAPTERS
    assert {r["runtime"] for r in doc["results"]} == {"wasmtime", "wazero"}
    wasmedge = next(r for r in doc["runtimes"] if r["name"] == "wasmedge")
    assert wasmedge["installed"] is False
    for r in doc["results"]:
        assert r["outcome"] in ("pass", "xfail", "fail") and r["duration"] > 0 and r["command"]
        assert next(x for x in doc["runtimes"] if x["name"] == r["runtime"])["version"]


def test_schema_rejects_wrong_outcome_missing_keys_and_other_versions(doc):
    bad = copy.deepcopy(doc)
    bad["results"][0]["outcome"] = "maybe"
    with pytest.raises(schema.ResultsError, match=r"\$\.results\[0\]\.outcome: 'maybe' is not one of"):
        schema.validate(bad)
    bad = copy.deepcopy(doc)
    del bad["runtimes"][0]["installed"]
    with pytest.raises(schema.ResultsError, match="missing 'installed'"):
        schema.validate(bad)
    bad = copy.deepcopy(doc)
    bad["version"] = 2
    with pytest.raises(schema.ResultsError, match="version 2 is not supported"):
        schema.validate(bad)


def test_cells_aggregate_cases_and_name_the_probe_behind_a_failing_image_feature(doc):
    grid = cells(doc)
    assert grid["wazero", "args"].status == "pass" and grid["wazero", "args"].text == "✓ 1/1"
    assert grid["wasmtime", "exit_code"].status == "partial"  # 42 passes, 137 is a known failure
    assert grid["wasmtime", "stdin_nonblock"].status == "xfail"
    assert grid["wasmedge", "args"].status == "not installed"
    assert grid["wamr", "args"].status == "not run"
    img = grid["wasmtime", "stdin_wait"]
    assert img.status == "fail" and img.explained_by == ["probe.stdin_nonblock.idle"]
    assert grid["wazero", "stdin_wait"].status == "pass" and not grid["wazero", "stdin_wait"].explained_by


def test_rich_table_shows_every_adapter_and_the_explaining_probe(results_file):
    out = matrix("show", str(results_file), "--format", "rich").stdout
    for name in ADAPTERS:
        assert name in out
    assert "not installed" in out and "stdin_nonblock" in out
    assert "← stdin_nonblock.idle" in out
    assert "wasmtime 4" in out or "wasmtime 5" in out  # the runtime's version


def test_markdown_table_has_a_row_per_adapter_and_the_known_failures(results_file):
    md = matrix("show", str(results_file), "--format", "md").stdout
    rows = [ln for ln in md.splitlines() if ln.startswith("| **")]
    assert {re.match(r"\| \*\*([^*]+)\*\*", r).group(1) for r in rows} == ADAPTERS
    wasmedge = next(r for r in rows if "**wasmedge**" in r)
    assert "| not installed | · | · |" in wasmedge
    assert "| wasmtime | `probe.stdin_nonblock.idle` | xfail |" in md
    assert "EBADF" in md and "← `probe.stdin_nonblock.idle`" in md


def test_junit_xml_has_a_suite_per_runtime_with_failures_and_skips(doc, results_file):
    xml = matrix("show", str(results_file), "--format", "junit").stdout
    root = ET.fromstring(xml)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"wasmtime", "wazero"}
    wt = suites["wasmtime"]
    n = sum(1 for r in doc["results"] if r["runtime"] == "wasmtime")
    assert int(wt.get("tests")) == n == len(wt.findall("testcase"))
    failed = {tc.get("name") for tc in wt.findall("testcase") if tc.find("failure") is not None}
    assert failed == {"image.stdin_wait.nonblock"}
    ctl = next(tc for tc in wt.findall("testcase") if tc.get("name") == "probe.ctl.echo")
    assert ctl.find("system-out").text == "a\\x01b\\x1bc\n"  # XML 1.0 cannot hold \x01 itself
    skipped = {tc.get("name") for tc in wt.findall("testcase") if tc.find("skipped") is not None}
    assert "probe.stdin_nonblock.idle" in skipped and "probe.exit.137" in skipped


def test_html_page_is_self_contained_and_headless_chromium_renders_the_table(results_file, tmp_path: Path):
    page = tmp_path / "matrix.html"
    matrix("show", str(results_file), "--format", "html", "-o", str(page))
    html = page.read_text()
    assert "<table id=\"matrix\">" in html and "wasmedge" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html.split("<h2>")[0])  # nothing fetched
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is not installed (Debian package chromium: add it to scripts/setup-system.sh)")
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "<td class=\"rt\">wazero</td>" in dom.stdout and "<td class=\"pass\"" in dom.stdout
    shot = tmp_path / "matrix.png"
    r = subprocess.run([*base, f"--screenshot={shot}", "--window-size=1400,700", page.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-500:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    print(f"screenshot: {shot}")


def test_show_json_round_trips(results_file):
    out = matrix("show", str(results_file), "--format", "json").stdout
    assert json.loads(out) == json.loads(results_file.read_text())
