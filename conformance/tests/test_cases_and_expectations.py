"""The suite's data: every case file loads, ids are unique, regexes compile, expectations have
reasons and name cases that exist; bad data is one clear error."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

from conformance import cases
from conformance.expectations import EXPECTATIONS_DIR, ExpectationError, Expectations


def test_every_case_file_loads_with_unique_dotted_ids():
    loaded = cases.load()
    ids = [c.id for c in loaded]
    assert len(ids) == len(set(ids)) >= 25
    assert {c.level for c in loaded} <= {"probe", "image"}
    assert {"args", "env", "exit_code", "stdio", "stdin", "stdin_poll", "stdin_nonblock", "mapdir",
            "sock_accept", "memory"} <= {c.feature for c in loaded}


def test_case_glob_selects_a_subset():
    sel = cases.load(patterns=["probe.stdin_poll.*", "probe.exit.42"])
    assert {c.id for c in sel} == {"probe.exit.42", "probe.stdin_poll.data", "probe.stdin_poll.idle_pipe",
                                   "probe.stdin_poll.late_data", "probe.stdin_poll.idle_tty",
                                   "probe.stdin_poll.interactive", "probe.stdin_poll.many_rounds"}


def test_every_expectation_has_a_reason_and_matches_a_case():
    ids = [c.id for c in cases.load()]
    files = sorted(EXPECTATIONS_DIR.glob("*.toml"))
    assert {f.stem for f in files} >= {"wasmtime", "wasmtime46", "wasmtime-py", "wamr", "wazero", "node"}
    for f in files:
        exp = Expectations.load(f.stem)
        for pattern in exp.patterns():
            assert any(fnmatch.fnmatch(i, pattern) for i in ids), f"{f.name}: {pattern} matches no case"


def test_a_case_with_a_bad_level_is_one_clear_error(tmp_path: Path):
    (tmp_path / "bad.toml").write_text('[[case]]\nid = "probe.x.y"\nfeature = "x"\nlevel = "kernel"\nprogram = "p"\n')
    with pytest.raises(cases.CaseError, match=r"bad.toml: case probe.x.y: level must be one of probe, image"):
        cases.load(tmp_path)


def test_a_case_with_a_broken_regex_is_refused(tmp_path: Path):
    (tmp_path / "bad.toml").write_text('[[case]]\nid = "probe.x.y"\nfeature = "x"\nlevel = "probe"\n'
                                       'program = "p"\n[case.expect]\nstdout_regex = "(unclosed"\n')
    with pytest.raises(cases.CaseError, match="bad regex"):
        cases.load(tmp_path)


def test_an_image_case_must_explain_with_existing_probes(tmp_path: Path):
    (tmp_path / "img.toml").write_text('[[case]]\nid = "image.hello.run"\nfeature = "hello"\nlevel = "image"\n'
                                       'program = "hello"\nexplains = ["probe.nope"]\n')
    with pytest.raises(cases.CaseError, match="explains unknown case probe.nope"):
        cases.load(tmp_path)


def test_an_expectation_without_reason_is_refused(tmp_path: Path):
    (tmp_path / "rt.toml").write_text('[xfail."probe.*"]\nlink = "x"\n')
    with pytest.raises(ExpectationError, match="needs a reason"):
        Expectations.load("rt", tmp_path)
