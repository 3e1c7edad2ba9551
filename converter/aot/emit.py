"""C for one guest page: a function that runs the page's instructions the way the engine's
interpreter does (converter/engine/aot_rt.h has the conventions).

Code is found by a linear sweep from the seeds (and in-page branch targets); each offset is
decoded as the interpreter would decode it, so a wrong seed only costs space. The code is cut
into runs (straight-line code from a leader: an entry, a branch target or the instruction after
a control transfer, up to the next control transfer or leader). A run is paid for at its start
from the batch budget (the interpreter's counter), so the budget, the retired count and the pc
are exact wherever the function stops; it keeps the guest registers it uses in locals and
writes the changed ones back wherever it is left. The dispatcher enters only at entries (the
seeds and return points after calls); elsewhere the function declines and the interpreter
runs. Left to the interpreter (the
function returns before them): SYSTEM (CSRs, ecall, xRET, wfi, sfence.vma), FENCE.I, AMOs,
illegal encodings and a 32-bit instruction across the page end.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .rvdecode import Insn, decode_at

PAGE = 4096
MAX_RUN = 255       # budget table entries are bytes: longer runs are split
HARD = {"SYSTEM", "FENCE_I", "AMO", "ILLEGAL"}
BRANCHES = {"BEQ": "==", "BNE": "!=", "BLT": "<", "BGE": ">=", "BLTU": "<", "BGEU": ">="}
SIGNED_BRANCHES = {"BLT", "BGE"}
TERMINATORS = set(BRANCHES) | {"JAL", "JALR"}
# OP-FP instructions whose destination is an integer register (funct5): compare, fcvt to int,
# fmv.x / fclass
FP_INT_DEST = {0x14, 0x18, 0x1C}


@dataclass
class PageCode:
    name: str
    c_source: str       # the function and its budget table
    instructions: int   # instructions translated


def _u64(v: int) -> str:
    return f"0x{v & 0xFFFFFFFFFFFFFFFF:x}ULL"


def _x(r: int) -> str:
    return f"x{r}" if r else "0ULL"


def reach(page: bytes, seeds: Iterable[int]) -> dict[int, Insn | None]:
    """Decode from each seed to the page end (linear sweep, stopping at illegal encodings)
    plus in-page branch targets. None marks an instruction across the page end."""
    found: dict[int, Insn | None] = {}
    work = sorted({s for s in seeds if 0 <= s < PAGE and s % 2 == 0}, reverse=True)
    while work:
        off = work.pop()
        while 0 <= off < PAGE and off not in found:
            ins = decode_at(page, off)
            found[off] = ins
            if ins is None or ins.op == "ILLEGAL":
                break
            if ins.op in BRANCHES or ins.op == "JAL":
                t = off + ins.imm
                if 0 <= t < PAGE and t not in found:
                    work.append(t)
            off += ins.length
    return found


def _chains(found: dict[int, Insn | None], leaders: set[int]) -> dict[int, list[int]]:
    """The run of each leader: its instruction offsets (leaders added for long runs)."""
    while True:
        runs: dict[int, list[int]] = {}
        added = False
        for lead in sorted(leaders):
            ins = found.get(lead)
            if ins is None or ins.op in HARD:
                continue
            run, off = [], lead
            while True:
                run.append(off)
                ins = found[off]
                nxt = off + ins.length
                if ins.op in TERMINATORS or nxt >= PAGE or nxt in leaders:
                    break
                nins = found.get(nxt)
                if nins is None or nins.op in HARD:
                    break
                if len(run) >= MAX_RUN:
                    leaders.add(nxt)
                    added = True
                    break
                off = nxt
            runs[lead] = run
        if not added:
            return runs


class _Run:
    """Guest registers held in locals while one run is emitted."""

    def __init__(self) -> None:
        self.cached: set[int] = set()
        self.dirty: set[int] = set()
        self.lines: list[str] = []
        self.depth = 0  # nested blocks opened to forget the locals (after calls that change c->x)

    def read(self, r: int) -> str:
        if r == 0:
            return "0ULL"
        if r not in self.cached:
            self.lines.append(f"uint64_t a{r} = c->x[{r}];")
            self.cached.add(r)
        return f"a{r}"

    def write(self, r: int) -> str:
        if r == 0:
            return "xz"
        if r not in self.cached:
            self.lines.append(f"uint64_t a{r};")
            self.cached.add(r)
        self.dirty.add(r)
        return f"a{r}"

    def wb(self) -> str:
        return " ".join(f"c->x[{r}] = a{r};" for r in sorted(self.dirty))


class _Emitter:
    def __init__(self, page: bytes, found: dict[int, Insn | None], entries: set[int], name: str):
        self.page, self.found, self.name = page, found, name
        self.entries = {e for e in entries if e in found}
        for off, ins in found.items():
            if ins is not None and ins.op in ("JAL", "JALR") and ins.rd and off + ins.length in found:
                self.entries.add(off + ins.length)  # return points
        leaders = set(self.entries)
        for off, ins in found.items():
            if ins is None or ins.op in HARD:
                continue
            if ins.op in BRANCHES or ins.op == "JAL":
                t = off + ins.imm
                if t in found:
                    leaders.add(t)
            if ins.op in BRANCHES and off + ins.length in found:
                leaders.add(off + ins.length)
        self.runs = _chains(found, leaders)
        self.stubs: set[int] = set()

    def length(self, off: int) -> int:
        run = self.runs.get(off)
        return len(run) if run else 0

    def goto(self, target: int, wb: str = "") -> str:
        """Continue at page offset target (a leader, with a budget check), or leave at it."""
        if target in self.runs or (0 <= target < PAGE and target in self.found):
            self.stubs.add(target)
            return f"{{ {wb} goto E{target:x}; }}" if wb else f"goto E{target:x};"
        return f"{{ {wb} RT_LEAVE(base + {_u64(target)}, left); }}"

    def emit_insn(self, run: _Run, off: int, ins: Insn, k: int) -> None:
        op = ins.op
        nxt = off + ins.length
        enc = ins.insn if ins.length == 4 else ins.raw16
        out = run.lines
        imm = _u64(ins.imm)
        unary = {
            "ADDI": "{a} + {imm}", "SLTI": "(int64_t){a} < (int64_t){imm}",
            "SLTIU": "{a} < {imm}", "XORI": "{a} ^ {imm}", "ORI": "{a} | {imm}",
            "ANDI": "{a} & {imm}", "SLLI": "{a} << {sh}", "SRLI": "{a} >> {sh}",
            "SRAI": "(uint64_t)((int64_t){a} >> {sh})",
            "ADDIW": "SX32((uint32_t){a} + (uint32_t){imm})",
            "SLLIW": "SX32((uint32_t){a} << {sh})", "SRLIW": "SX32((uint32_t){a} >> {sh})",
            "SRAIW": "SX32((int32_t)(uint32_t){a} >> {sh})",
        }
        binary = {
            "ADD": "{a} + {b}", "SUB": "{a} - {b}", "SLL": "{a} << ({b} & 63)",
            "SLT": "(int64_t){a} < (int64_t){b}", "SLTU": "{a} < {b}", "XOR": "{a} ^ {b}",
            "SRL": "{a} >> ({b} & 63)", "SRA": "(uint64_t)((int64_t){a} >> ({b} & 63))",
            "OR": "{a} | {b}", "AND": "{a} & {b}",
            "ADDW": "SX32((uint32_t){a} + (uint32_t){b})", "SUBW": "SX32((uint32_t){a} - (uint32_t){b})",
            "SLLW": "SX32((uint32_t){a} << ({b} & 31))", "SRLW": "SX32((uint32_t){a} >> ({b} & 31))",
            "SRAW": "SX32((int32_t)(uint32_t){a} >> ({b} & 31))",
            "MUL": "{a} * {b}", "MULH": "rt_mulh((int64_t){a}, (int64_t){b})",
            "MULHSU": "rt_mulhsu((int64_t){a}, {b})", "MULHU": "rt_mulhu({a}, {b})",
            "DIV": "rt_div((int64_t){a}, (int64_t){b})", "DIVU": "rt_divu({a}, {b})",
            "REM": "rt_rem((int64_t){a}, (int64_t){b})", "REMU": "rt_remu({a}, {b})",
            "MULW": "SX32((uint32_t){a} * (uint32_t){b})",
            "DIVW": "rt_divw((int32_t){a}, (int32_t){b})", "DIVUW": "rt_divuw((uint32_t){a}, (uint32_t){b})",
            "REMW": "rt_remw((int32_t){a}, (int32_t){b})", "REMUW": "rt_remuw((uint32_t){a}, (uint32_t){b})",
        }
        if op in ("LUI", "AUIPC"):
            if ins.rd:
                v = imm if op == "LUI" else f"base + {_u64(off + ins.imm)}"
                out.append(f"{run.write(ins.rd)} = {v};")
            return
        if op in unary or op in binary:
            if ins.rd == 0:
                return  # no effect (the division helpers have no side effects)
            a = run.read(ins.rs1)
            b = run.read(ins.rs2) if op in binary else ""
            expr = (unary.get(op) or binary[op]).format(a=a, b=b, imm=imm, sh=ins.imm)
            out.append(f"{run.write(ins.rd)} = {expr};")
            return
        loads = {"LB": ("int8_t", 1), "LH": ("int16_t", 2), "LW": ("int32_t", 4), "LD": ("uint64_t", 8),
                 "LBU": ("uint8_t", 1), "LHU": ("uint16_t", 2), "LWU": ("uint32_t", 4)}
        if op in loads:
            t, sz = loads[op]
            a = run.read(ins.rs1)
            wbt = run.wb()
            dst = run.write(ins.rd)
            out.append(f"RT_LOAD({t}, {sz}, {dst}, {a} + {imm}, {off}, {ins.length}, {k}, {wbt}, {run.wb()});")
            return
        stores = {"SB": 1, "SH": 2, "SW": 4, "SD": 8}
        if op in stores:
            a, b = run.read(ins.rs1), run.read(ins.rs2)
            out.append(f"RT_STORE({stores[op]}, {b}, {a} + {imm}, {off}, {ins.length}, {k}, {run.wb()});")
            return
        if op == "FENCE":
            return
        if op in ("FLW", "FLD"):
            t, sz, box = ("uint32_t", 4, " | 0xffffffff00000000ULL") if op == "FLW" else ("uint64_t", 8, "")
            a = run.read(ins.rs1)
            wb = run.wb()
            out.append(f"RT_FS({off}, {k}, {enc}, {wb});")
            out.append(f"{{ uint64_t v; RT_LOAD({t}, {sz}, v, {a} + {imm}, {off}, {ins.length}, {k}, {wb}, {wb}); "
                       f"c->f[{ins.rd}] = v{box}; c->mstatus |= MSTATUS_FS; }}")
            return
        if op in ("FSW", "FSD"):
            a = run.read(ins.rs1)
            wb = run.wb()
            out.append(f"RT_FS({off}, {k}, {enc}, {wb});")
            out.append(f"RT_STORE({4 if op == 'FSW' else 8}, c->f[{ins.rs2}], {a} + {imm}, {off}, {ins.length}, "
                       f"{k}, {wb});")
            return
        if op == "FP":  # fpu_exec reads and writes c->x: everything goes back, nothing is kept
            wb = run.wb()
            out.append(f"RT_FS({off}, {k}, {enc}, {wb});")
            if wb:
                out.append(wb)
            out.append(f"if (unlikely(!fpu_exec(c, {ins.insn}u))) RT_TRAP({off}, {k}, CAUSE_ILLEGAL_INSN, {enc});")
            run.cached.clear()
            run.dirty.clear()
            run.lines.append("{")
            run.depth += 1
            return
        if op in BRANCHES:
            cast = "(int64_t)" if op in SIGNED_BRANCHES else ""
            a, b = run.read(ins.rs1), run.read(ins.rs2)
            wb = run.wb()
            out.append(f"{{ int t_ = {cast}{a} {BRANCHES[op]} {cast}{b}; {wb}")
            out.append(f"  if (t_) {self.goto(off + ins.imm)}")
            out.append(f"  {self.goto(nxt)} }}")
            return
        if op == "JAL":
            if ins.rd:
                out.append(f"{run.write(ins.rd)} = base + {_u64(nxt)};")
            out.append(self.goto(off + ins.imm, run.wb()))
            return
        if op == "JALR":
            a = run.read(ins.rs1)
            out.append(f"{{ uint64_t t = ({a} + {imm}) & ~1ULL;")
            if ins.rd:
                out.append(f"{run.write(ins.rd)} = base + {_u64(nxt)};")
            out.append(run.wb())
            out.append("if (((t ^ base) >> 12) == 0) { off = (uint32_t)(t & 0xfff); goto dispatch; }")
            out.append("RT_LEAVE(t, left); }")
            return
        raise AssertionError(f"no translation for {op}")

    def emit(self) -> PageCode:
        n = self.name
        body: list[str] = []
        count = 0
        for lead in sorted(self.runs):
            offs = self.runs[lead]
            run = _Run()
            for i, off in enumerate(offs):
                ins = self.found[off]
                self.emit_insn(run, off, ins, len(offs) - 1 - i)
                count += 1
            last = self.found[offs[-1]]
            if last.op not in TERMINATORS:
                run.lines.append(self.goto(offs[-1] + last.length, run.wb()))
            body.append(f"I{lead:x}: {{")
            body.extend("    " + ln for ln in run.lines if ln)
            body.append("}" * (run.depth + 1))
        stubs: list[str] = []
        for t in sorted(self.stubs):
            r = self.length(t)
            if r == 0:
                stubs.append(f"E{t:x}: RT_LEAVE(base + {t}, left);")
            else:
                stubs.append(f"E{t:x}: if (left < {r}) RT_LEAVE(base + {t}, left); "
                             f"left -= {r}; goto I{t:x};")
        table = [0] * (PAGE // 2)
        cases = []
        for off in sorted(self.entries):
            if self.length(off):
                table[off // 2] = self.length(off)
                cases.append(f"case {off // 2}: goto I{off:x};")
        refs = set(re.findall(r"goto (I[0-9a-f]+);", "\n".join(stubs + cases)))
        body = [ln.split(" ", 1)[1] if ln.startswith("I") and ln.split(":")[0] not in refs else ln
                for ln in body]
        src = [f"static const uint8_t R_{n}[2048] = {{{','.join(map(str, table))}}};",
               f"static void tp_{n}(CPU *c, uint64_t base, uint32_t off)", "{",
               "    int64_t left = c->batch_left;",
               "    uint64_t ptag = c->tlb_ptag, xz;",
               "    (void)ptag; (void)xz;",
               "dispatch: __attribute__((unused)); {",
               "    unsigned r_ = R_" + n + "[off >> 1];",
               "    if (r_ == 0 || left < (int64_t)r_ || (off & 1)) RT_LEAVE(base + off, left);",
               "    left -= r_;",
               "    switch (off >> 1) {",
               *("    " + cs for cs in cases),
               "    default: __builtin_unreachable();",
               "    }", "}"]
        src += body + stubs
        src += ["}"]
        return PageCode(n, "\n".join(src) + "\n", count)


def translate_page(page: bytes, seeds: Iterable[int], name: str) -> PageCode:
    """The C function tp_<name> (and its budget table R_<name>) for this page."""
    if len(page) != PAGE:
        raise ValueError(f"a page is {PAGE} bytes, got {len(page)}")
    seeds = set(seeds)
    return _Emitter(page, reach(page, seeds), seeds, name).emit()
