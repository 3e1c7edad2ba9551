"""Every adapter turns the same LaunchSpec into its runtime's own syntax."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from c2w_run import registry
from c2w_run.runtimes import node, wasmedge
from c2w_run.spec import LaunchSpec, ListenSocket, MapDir, Unsupported

SPEC = LaunchSpec(
    module=Path("/m/probe.wasm"),
    args=["--flag", "two words", ""],
    env={"AAA": "hello", "EQ": "a=b"},
    mapdirs=[MapDir(Path("/host/data"), "/guest/data"), MapDir(Path("/host/ro"), "/ro", readonly=True)],
)
RW_SPEC = LaunchSpec(
    module=SPEC.module, args=SPEC.args, env=SPEC.env,
    mapdirs=[MapDir(Path("/host/data"), "/guest/data"), MapDir(Path("/host/rw"), "/rw")],
)


def argv_for(name: str, command: list[str], spec: LaunchSpec = SPEC) -> list[str]:
    located = registry.Located(registry.resolve_name(name), command)
    return registry.invocation(located, spec).argv


def test_wasmtime_uses_host_guest_dirs_env_and_separator() -> None:
    assert argv_for("wasmtime", ["wt"], RW_SPEC) == [
        "wt", "run", "--dir", "/host/data::/guest/data", "--dir", "/host/rw::/rw",
        "--env", "AAA=hello", "--env", "EQ=a=b", "--", "/m/probe.wasm", "--flag", "two words", "",
    ]


def test_wasmtime46_preopens_listening_socket_with_legacy_preview1() -> None:
    spec = LaunchSpec(module=Path("/m/x.wasm"), listen=ListenSocket("127.0.0.1", 8080))
    assert argv_for("wasmtime46", ["wt46"], RW_SPEC)[:2] == ["wt46", "run"]
    assert argv_for("wasmtime46", ["wt46"], spec) == [
        "wt46", "run", "-S", "preview2=n", "-S", "tcplisten=127.0.0.1:8080", "--", "/m/x.wasm",
    ]


def test_wamr_map_dir_is_guest_then_host() -> None:
    assert argv_for("wamr", ["iwasm"], RW_SPEC) == [
        "iwasm", "--map-dir=/guest/data::/host/data", "--map-dir=/rw::/host/rw",
        "--env=AAA=hello", "--env=EQ=a=b", "/m/probe.wasm", "--flag", "two words", "",
    ]


def test_wamr_is_also_known_as_iwasm() -> None:
    assert registry.resolve_name("iwasm").name == "wamr"


def test_wamr_allows_listening_address_through_addr_pool() -> None:
    spec = LaunchSpec(module=Path("/m/x.wasm"), listen=ListenSocket("127.0.0.1", 9000))
    assert argv_for("wamr", ["iwasm"], spec) == ["iwasm", "--addr-pool=127.0.0.1/32", "/m/x.wasm"]


def test_wazero_mounts_host_guest_with_ro_suffix() -> None:
    assert argv_for("wazero", ["wz"]) == [
        "wz", "run", "-mount=/host/data:/guest/data", "-mount=/host/ro:/ro:ro",
        "-env=AAA=hello", "-env=EQ=a=b", "/m/probe.wasm", "--", "--flag", "two words", "",
    ]


def test_wasmer_mapdir_is_guest_then_host() -> None:
    assert argv_for("wasmer", ["wr"], RW_SPEC) == [
        "wr", "run", "--volume=/host/data:/guest/data", "--volume=/host/rw:/rw",
        "--env=AAA=hello", "--env=EQ=a=b", "/m/probe.wasm", "--", "--flag", "two words", "",
    ]


def test_wasmedge_dir_is_guest_colon_host_and_falls_back_to_module_without_compiler(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2W_CACHE", str(tmp_path / "cache"))
    module = tmp_path / "probe.wasm"
    module.write_bytes(b"\0asm\1\0\0\0")
    spec = LaunchSpec(module=module, args=["a b"], env={"K": "v"}, mapdirs=SPEC.mapdirs)
    assert argv_for("wasmedge", ["/nonexistent/wasmedge"], spec) == [
        "/nonexistent/wasmedge", "--dir", "/guest/data:/host/data", "--dir", "/ro:/host/ro:readonly",
        "--env", "K=v", "--", str(module), "a b",
    ]


def test_wasmedge_runs_the_cached_aot_artifact_when_compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2W_CACHE", str(tmp_path / "cache"))
    module = tmp_path / "probe.wasm"
    module.write_bytes(b"\0asm\1\0\0\0")
    # a stand-in compiler with wasmedge's `compile IN OUT` syntax: a real program, not a mock of ours
    fake = tmp_path / "wasmedge"
    fake.write_text("#!/bin/sh\n[ \"$1\" = compile ] && cp \"$2\" \"$3\"\n")
    fake.chmod(0o755)
    argv = argv_for("wasmedge", [str(fake)], LaunchSpec(module=module))
    aot = wasmedge.aot_path(module)
    assert argv == [str(fake), "--", str(aot)]
    assert aot.read_bytes() == module.read_bytes()


def test_node_runs_the_shipped_runner_with_guest_equals_host() -> None:
    argv = argv_for("node", ["node"], RW_SPEC)
    assert argv[:4] == ["node", "--no-warnings", "--no-flush-bytecode", str(node.RUNNER)]
    assert node.RUNNER.is_file()
    assert argv[4:] == [
        "--dir=/guest/data=/host/data", "--dir=/rw=/host/rw", "--env=AAA=hello", "--env=EQ=a=b",
        "--", "/m/probe.wasm", "--flag", "two words", "",
    ]


def test_wasmtime_py_runs_its_runner_module() -> None:
    cmd = [sys.executable, "-m", "c2w_run.runtimes.wasmtime_py_runner"]
    assert argv_for("wasmtime-py", cmd) == [
        *cmd, "--dir=/host/data::/guest/data", "--dir=/host/ro::/ro::ro", "--env=AAA=hello",
        "--env=EQ=a=b", "--", "/m/probe.wasm", "--flag", "two words", "",
    ]


def test_runtime_flags_come_before_the_module() -> None:
    spec = LaunchSpec(module=Path("/m/x.wasm"), args=["a"], runtime_flags=["-W", "max-memory-size=1"])
    assert argv_for("wasmtime", ["wt"], spec) == ["wt", "run", "-W", "max-memory-size=1", "--", "/m/x.wasm", "a"]


def test_env_var_overrides_the_runtime_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C2W_WAZERO", "/opt/wazero --cachedir '/tmp/a b'")
    assert registry.locate(registry.resolve_name("wazero")) == ["/opt/wazero", "--cachedir", "/tmp/a b"]


def test_every_builtin_runtime_is_listed() -> None:
    assert set(registry.runtimes()) >= {
        "wasmtime", "wasmtime46", "wasmtime-py", "wamr", "wazero", "wasmer", "wasmedge", "node"
    }


@pytest.mark.parametrize("name", ["wasmtime", "wasmtime46", "wamr", "wasmer", "node"])
def test_runtimes_without_read_only_preopens_refuse_ro_instead_of_mapping_read_write(name: str) -> None:
    with pytest.raises(Unsupported, match=f"^{name} cannot map a directory read-only"):
        argv_for(name, ["rt"])


def test_wazero_passes_no_separator_without_arguments() -> None:
    assert argv_for("wazero", ["wz"], LaunchSpec(module=Path("/m/x.wasm"))) == ["wz", "run", "/m/x.wasm"]


def test_wasmer_refuses_an_empty_environment_value() -> None:
    with pytest.raises(Unsupported, match="wasmer cannot pass an empty environment value"):
        argv_for("wasmer", ["wr"], LaunchSpec(module=Path("/m/x.wasm"), env={"EMPTY": ""}))


@pytest.mark.parametrize("name", ["wasmtime", "wasmtime-py", "wasmer", "node", "wasmedge"])
def test_runtimes_without_preopened_sockets_refuse_a_listener(name: str) -> None:
    spec = LaunchSpec(module=Path("/m/x.wasm"), listen=ListenSocket("127.0.0.1", 8080))
    with pytest.raises(Unsupported, match=f"^{name} cannot give the module a pre-opened listening socket"):
        argv_for(name, ["rt"], spec)
