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
runs. Left to the interpreter (the function returns before them): SYSTEM (CSRs, ecall, xRET,
wfi, sfence.vma), FENCE.I, AMOs, illegal encodings and a 32-bit instruction across the page end.

Each entry gets a region function (the runs reached from it up to the cuts, a single-entry
CFG); the page function loops over a switch that calls them (README.md, "Regions").
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .rvdecode import Insn, decode_at

PAGE = 4096
MAX_RUN = 255       # longer runs are split (a run is paid for at its start)
# A rare entry (not a cut: say, where an interrupt returned into a loop) gets a region of at most
# about this many instructions (breadth first; beyond it the interpreter goes on), if it was
# entered at least MINOR_MIN times (else the interpreter runs from it).
MINOR_CAP = 32
MINOR_MIN = 2
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
    c_source: str       # the page function, its region functions and their table
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
    def __init__(self, page: bytes, found: dict[int, Insn | None], entries: set[int], cuts: set[int],
                 name: str):
        self.page, self.found, self.name = page, found, name
        self.entries = {e for e in entries if e in found}
        self.cuts = {e for e in cuts if e in found}  # entries that end other regions
        for off, ins in found.items():
            if ins is not None and ins.op in ("JAL", "JALR") and ins.rd and off + ins.length in found:
                self.entries.add(off + ins.length)  # return points
                self.cuts.add(off + ins.length)
            if ins is not None and ins.op == "JAL" and ins.rd and off + ins.imm in found:
                self.entries.add(off + ins.imm)  # in-page callees
                self.cuts.add(off + ins.imm)
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

    def goto(self, target: int, wb: str = "") -> str:
        """Continue at page offset target: a placeholder resolved per region (_resolve)."""
        return f"{{ {wb} @G{target:x}@ }}" if wb else f"@G{target:x}@"

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
            out.append("if (((t ^ base) >> 12) == 0) RT_NEXT((uint32_t)(t & 0xfff), left);")
            out.append("RT_LEAVE(t, left); }")
            return
        raise AssertionError(f"no translation for {op}")

    def _resolve(self, line: str, region: set[int]) -> str:
        """Gotos within the region; RT_NEXT to another entry of the page (the page function's
        loop runs its region); RT_LEAVE where the interpreter goes on."""
        def one(m: re.Match[str]) -> str:
            t = int(m.group(1), 16)
            if t in region:
                return f"goto E{t:x};"
            if t in self.runs:
                return f"RT_NEXT({t}, left);"
            return f"RT_LEAVE(base + {_u64(t)}, left);"
        return _GOTO.sub(one, line)

    def region(self, entry: int, bodies: dict[int, list[str]], cap: int = 1 << 30) -> set[int]:
        """The runs reached from entry by in-page branches and jumps, up to the cuts: return
        points, in-page callees and the frequent entries (rare entries, such as the resume
        points after interrupts, which can be any instruction of a loop, do not split it)."""
        seen = {entry}
        work = [entry]
        size = 0
        while work and size < cap:
            lead = work.pop(0)
            size += len(self.runs[lead])
            for ln in bodies[lead]:
                for m in _GOTO.finditer(ln):
                    t = int(m.group(1), 16)
                    if t in self.runs and t not in seen and t not in self.cuts:
                        seen.add(t)
                        work.append(t)
        return seen

    def emit(self) -> PageCode:
        n = self.name
        bodies: dict[int, list[str]] = {}
        depth: dict[int, int] = {}
        for lead in sorted(self.runs):
            offs = self.runs[lead]
            run = _Run()
            for i, off in enumerate(offs):
                self.emit_insn(run, off, self.found[off], len(offs) - 1 - i)
            last = self.found[offs[-1]]
            if last.op not in TERMINATORS:
                run.lines.append(self.goto(offs[-1] + last.length, run.wb()))
            bodies[lead] = [ln for ln in run.lines if ln]
            depth[lead] = run.depth
        src: list[str] = []
        cases: list[str] = []
        fns: list[str] = []
        count = 0
        for entry in sorted(e for e in self.entries if e in self.runs):
            region = self.region(entry, bodies, 1 << 30 if entry in self.cuts else MINOR_CAP)
            fn = f"r_{n}_{entry:x}"
            fns.append(fn)
            src += [f"static __attribute__((noinline)) uint32_t {fn}(CPU *c, uint64_t base)", "{",
                    "    int64_t left = c->batch_left;",
                    "    uint64_t ptag = c->tlb_ptag, xz;",
                    "    (void)ptag; (void)xz;",
                    f"    goto E{entry:x};"]
            for lead in sorted(region):
                count += len(self.runs[lead])
                src.append(f"I{lead:x}: {{")
                src.extend("    " + self._resolve(ln, region) for ln in bodies[lead])
                src.append("}" * (depth[lead] + 1))
            for t in sorted(region):
                src.append(f"E{t:x}: if (left < {len(self.runs[t])}) RT_LEAVE(base + {t}, left); "
                           f"left -= {len(self.runs[t])}; goto I{t:x};")
            src.append("}")
            cases.append(f"        case {entry // 2}: off = {fn}(c, base); break;")
        src.append(f"uint32_t (*const F_{n}[])(CPU *, uint64_t) = {{{', '.join(fns) or '0'}}};")
        src += [f"void tp_{n}(CPU *c, uint64_t base, uint32_t off)", "{",
                "    while (!(off & 1)) {",
                "        switch (off >> 1) {",
                *cases,
                "        default: return;",
                "        }",
                "        if (!off--) return;",
                "    }", "}"]
        return PageCode(n, "\n".join(src) + "\n", count)


_GOTO = re.compile(r"@G(-?[0-9a-f]+)@")


def cuts_of(seeds: dict[int, int]) -> set[int]:
    """The profiled entries frequent enough to start regions of their own that others stop at
    (at least 16 entries and 0.1% of the page's)."""
    total = sum(seeds.values())
    return {o for o, k in seeds.items() if k >= 16 and k * 1000 >= total}


def translate_page(page: bytes, seeds: dict[int, int], name: str) -> PageCode:
    """The C functions for this page: tp_<name>, its region functions r_<name>_<entry> (static)
    and their table F_<name> (tp_ and F_ are external: the table unit refers to them). seeds:
    the profiled entry offsets with their counts."""
    if len(page) != PAGE:
        raise ValueError(f"a page is {PAGE} bytes, got {len(page)}")
    cuts = cuts_of(seeds)
    entries = {o for o, k in seeds.items() if k >= MINOR_MIN or o in cuts or o == 0}
    return _Emitter(page, reach(page, seeds), entries, cuts, name).emit()
