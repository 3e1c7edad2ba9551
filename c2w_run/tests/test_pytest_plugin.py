"""The pytest plugin (c2w_run.pytest_plugin, entry point pytest11) as a user meets it: the example
project (examples/pytest-project) runs one test per runtime; expectations in the conformance
format turn a runtime's known failure into a strict xfail or a skip; the runtimes default to the
installed ones; tests that parametrize or define `runtime` themselves are left alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from c2w_run import registry
from c2w_run.locate import cache_dir

pytest_plugins = ["pytester"]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pytest-project"
TWO = ("--c2w-runtime", "wasmtime", "--c2w-runtime", "wazero")
CACHE = cache_dir()  # before pytester moves HOME: the inner runs find the same runtimes and builds


@pytest.fixture(autouse=True)
def two_runtimes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2W_CACHE", str(CACHE))
    for name in ("wasmtime", "wazero"):
        if not registry.locate(registry.resolve_name(name)):
            pytest.skip(f"{name} is not installed (make runtimes)")


def test_example_project_runs_each_test_once_per_runtime(pytester: pytest.Pytester) -> None:
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True)
    result = pytester.runpytest_subprocess(*TWO, "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=14)
    result.stdout.fnmatch_lines(["*test_image.py::test_hello[[]wasmtime[]] PASSED*",
                                 "*test_image.py::test_hello[[]wazero[]] PASSED*"])


def test_expectations_make_strict_xfails_and_skips_per_runtime(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_uname="""
        def test_machine_is_x86_64(c2w_run):
            assert c2w_run("uname", "-m").stdout == b"x86_64\\n"

        def test_machine_is_riscv64(c2w_run):
            assert c2w_run("uname", "-m").stdout == b"riscv64\\n"
    """)
    exp = pytester.mkdir("exp")
    (exp / "wasmtime.toml").write_text('[skip."test_machine_is_x86*"]\nreason = "not on wasmtime"\n')
    (exp / "wazero.toml").write_text(
        '[xfail."test_machine_is_x86_64"]\nreason = "the image is riscv64"\nlink = "https://example.org/1"\n'
        '[xfail."test_uname.py::test_machine_is_riscv64"]\nreason = "listed, but it passes"\n')
    result = pytester.runpytest_subprocess(*TWO, "--c2w-expectations", "exp", "-rsxX", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1, xfailed=1, failed=1)
    result.stdout.fnmatch_lines(["*_ test_machine_is_riscv64[[]wazero[]] _*", "[[]XPASS(strict)[]] wazero: listed, but it passes",
                                 "*SKIPPED*wasmtime: not on wasmtime*",
                                 "*XFAIL*test_machine_is_x86_64[[]wazero[]]*wazero: the image is riscv64 (https://example.org/1)*"])


def test_an_expectation_without_reason_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(runtime):\n    pass\n")
    exp = pytester.mkdir("exp")
    (exp / "wasmtime.toml").write_text('[xfail."test_x"]\nlink = "x"\n')
    result = pytester.runpytest_subprocess(*TWO, "--c2w-expectations", "exp", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*c2w expectations: wasmtime.toml: [[]xfail.\"test_x\"[]] needs a reason*"])


def test_runtimes_default_to_the_installed_ones_and_unknown_names_are_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(runtime):\n    assert runtime\n")
    installed = [n for n, info in registry.runtimes().items() if registry.locate(info)]
    result = pytester.runpytest_subprocess("--co", "-q", "-p", "no:cacheprovider")
    assert [ln.split("[", 1)[1].rstrip("]") for ln in result.outlines if "::test_x[" in ln] == installed
    bad = pytester.runpytest_subprocess("--c2w-runtime", "no-such-runtime", "-p", "no:cacheprovider")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*unknown runtime 'no-such-runtime'; known runtimes:*"])


def test_tests_that_parametrize_or_define_runtime_themselves_are_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import pytest\n\n@pytest.fixture(params=['mine'])\ndef runtime(request):\n"
                          "    return request.param\n")
    pytester.makepyfile("import pytest\n\n@pytest.mark.parametrize('runtime', ['a', 'b'])\n"
                        "def test_param(runtime):\n    assert runtime in 'ab'\n\n"
                        "def test_fixture(runtime):\n    assert runtime == 'mine'\n")
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*test_fixture[[]mine[]] PASSED*"])
