"""The bare-metal ISA programs' reference: their build, QEMU's run of them, QEMU 7.2's known
deviations from the spec, and the checks every engine run is held to (passes; prints QEMU's
signature). Used by test_isa.py (interpreter) and converter/aot's exactness tests (translated
pages)."""
from __future__ import annotations

import difflib
import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAMS = sorted(p.stem for p in HERE.glob("*.S") if p.stem != "crt")

PTW_NO_MEMORY = ("QEMU 7.2 raises a page fault (delegated to S) when the page-table walk reads no "
                 "memory; priv spec 4.3.2 step 2: an access fault of the original access type, in M")

# Checks where QEMU 7.2 (Debian 12) deviates from the ISA spec. The program still asserts
# the spec answer, so these lines may fail on QEMU only; they are left out of the signature
# comparison. The engine must pass them.
QEMU_DEVIATIONS: dict[str, dict[str, str]] = {
    "rv64a": {
        "amo_misaligned_traps": "QEMU 7.2 raises load-misaligned (4) for a misaligned AMO; "
                                "spec: store/AMO misaligned (6) or access fault (7)",
    },
    "traps": {
        "amo_access_cause": "QEMU 7.2 reports a load access fault (5) for an AMO to an unmapped "
                            "address; spec: store/AMO access fault (7)",
        "mret_to_u_clears_mprv": "QEMU 7.2 keeps mstatus.MPRV on mret to U; priv spec 1.12: "
                                 "xRET to a mode below M clears MPRV",
    },
    "csr": {
        "csrrs_zero_reg_mhartid_cause": "QEMU 7.2 treats csrrs with a zero-valued rs1 (not x0) "
                                        "as a read; spec: it writes, so a read-only CSR traps",
        "mpp_reserved_2_not_kept": "QEMU 7.2 keeps the reserved value 2 in mstatus.MPP (WARL)",
        "mepc_bit0_clear": "QEMU 7.2 returns mepc[0] as written; spec: mepc[0] is always zero",
        "sepc_bit0_clear": "QEMU 7.2 returns sepc[0] as written; spec: sepc[0] is always zero",
    },
    "sv39": {  # not spec deviations: QEMU implements more modes than the Sv39-only engine
        "satp_mode9_ignored": "QEMU 7.2 implements Sv48, so it keeps satp.MODE=9; the engine "
                              "is Sv39-only and must ignore the whole write (satp WARL)",
        "satp_mode10_ignored": "QEMU 7.2 implements Sv57, so it keeps satp.MODE=10; the engine "
                               "is Sv39-only and must ignore the whole write (satp WARL)",
        "amoswap_invalid_cause": "QEMU 7.2 reports a load page fault (13) for an AMO to an invalid "
                                 "page; spec: store/AMO page fault (15)",
        "ptw_noram_not_page_fault": PTW_NO_MEMORY,
        "ptw_noram_load_cause": PTW_NO_MEMORY,
        "ptw_noram_load_tval": PTW_NO_MEMORY,
        "ptw_noram_store_cause": PTW_NO_MEMORY,
        "ptw_noram_store_tval": PTW_NO_MEMORY,
    },
}

LINE = re.compile(r"^([A-Za-z0-9_.]+)=([0-9a-f]{16})( FAIL expected=[0-9a-f]{16})?$")


@dataclass
class Run:
    rc: int
    out: str

    @property
    def failures(self) -> list[str]:
        return [ln for ln in self.out.splitlines() if " FAIL expected=" in ln]

    def signature(self, program: str) -> list[str]:
        skip = QEMU_DEVIATIONS.get(program, {})
        sig = []
        for ln in self.out.splitlines():
            m = LINE.match(ln)
            if ln.startswith("# "):
                sig.append(ln)
            elif m and m.group(1) not in skip:
                sig.append(f"{m.group(1)}={m.group(2)}")
        return sig


def run_argv(argv: list[str], timeout: float) -> Run:
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        pytest.fail(f"timeout after {timeout}s: {' '.join(argv)}\n--- output so far:\n{out[-3000:]}")
    out = p.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    return Run(p.returncode, out)


@functools.cache
def build_dir() -> Path:
    p = subprocess.run([str(HERE / "build.sh")], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"isa build.sh failed:\n{p.stderr}"
    return Path(p.stdout.strip().splitlines()[-1])


@functools.cache
def qemu_run(program: str) -> Run:
    qemu = shutil.which("qemu-system-riscv64")
    if qemu is None:
        pytest.skip("qemu-system-riscv64 not installed (Debian package qemu-system-misc)")
    elf = build_dir() / f"{program}.elf"
    # h=false: QEMU 7.2's default rv64 CPU has the hypervisor extension; the engine does not.
    return run_argv([qemu, "-M", "virt", "-cpu", "rv64,h=false", "-bios", "none", "-kernel", str(elf), "-nographic",
                 "-monitor", "none", "-serial", "stdio"], timeout=30)


def _report(run: Run) -> str:
    fails = run.failures
    head = "\n".join(fails) if fails else "(no failing check lines)"
    return f"exit status {run.rc}; failing checks:\n{head}\n--- output tail:\n{run.out[-1500:]}"


def assert_passes(program: str, run: Run, allowed: dict[str, str]) -> None:
    bad = [f for f in run.failures if f.split("=", 1)[0] not in allowed]
    assert not bad and "UNEXPECTED" not in run.out and "ABORT" not in run.out, _report(run)
    if run.failures:   # only known deviations failed
        assert run.rc != 0, _report(run)
    else:
        assert run.rc == 0 and run.out.rstrip().endswith("PASS"), _report(run)


def assert_same_signature(program: str, got: Run) -> None:
    want = qemu_run(program).signature(program)
    have = got.signature(program)
    if want != have:
        diff = "\n".join(difflib.unified_diff(want, have, "qemu", "engine", lineterm="", n=1))
        pytest.fail(f"{program}: signature differs from QEMU\n{diff[:6000]}")


