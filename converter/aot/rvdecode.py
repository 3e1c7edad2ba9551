"""RV64GC instruction decoding, the same way the engine's interpreter decodes (cpu.c: c_expand
and decode): compressed instructions expand to their 32-bit form, then one op per instruction
with its fields. Ops the translator leaves to the interpreter decode as they do there."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Insn:
    op: str      # the interpreter's op name without OP_ (ADDI, LD, BEQ, ..., ILLEGAL)
    rd: int      # 0..31 (x0 writes are dropped by the translator)
    rs1: int
    rs2: int
    imm: int     # signed, as the interpreter's d->imm
    length: int  # 2 or 4
    insn: int    # the 32-bit instruction (compressed ones expanded)
    raw16: int   # the compressed encoding (for mtval), 0 for 32-bit ones


def _sext(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _r(f7: int, rs2: int, rs1: int, f3: int, rd: int, op: int) -> int:
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def _i(imm: int, rs1: int, f3: int, rd: int, op: int) -> int:
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def _s(imm: int, rs2: int, rs1: int, f3: int, op: int) -> int:
    imm &= 0xFFFFFFFF
    return (((imm >> 5) & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op


def _b(imm: int, rs2: int, rs1: int, f3: int) -> int:
    u = imm & 0xFFFFFFFF
    return ((((u >> 12) & 1) << 31) | (((u >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) |
            (f3 << 12) | (((u >> 1) & 0xF) << 8) | (((u >> 11) & 1) << 7) | 0x63)


def _j(imm: int, rd: int) -> int:
    u = imm & 0xFFFFFFFF
    return ((((u >> 20) & 1) << 31) | (((u >> 1) & 0x3FF) << 21) | (((u >> 11) & 1) << 20) |
            (((u >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F)


def c_expand(c: int) -> int:
    """The 32-bit instruction a compressed one stands for, 0 if illegal/reserved."""
    op = ((c & 3) << 3) | ((c >> 13) & 7)
    rd, rs2 = (c >> 7) & 31, (c >> 2) & 31
    rdp, rs1p = 8 + ((c >> 2) & 7), 8 + ((c >> 7) & 7)
    imm6 = _sext(((c >> 7) & 0x20) | ((c >> 2) & 0x1F), 6)
    shamt = ((c >> 7) & 0x20) | ((c >> 2) & 0x1F)
    off_d = ((c >> 7) & 0x38) | ((c << 1) & 0xC0)
    off_w = ((c >> 7) & 0x38) | ((c >> 4) & 4) | ((c << 1) & 0x40)
    if op == 0o00:
        imm = ((c >> 7) & 0x30) | ((c >> 1) & 0x3C0) | ((c >> 4) & 4) | ((c >> 2) & 8)
        return _i(imm, 2, 0, rdp, 0x13) if imm else 0
    if op == 0o01: return _i(off_d, rs1p, 3, rdp, 0x07)
    if op == 0o02: return _i(off_w, rs1p, 2, rdp, 0x03)
    if op == 0o03: return _i(off_d, rs1p, 3, rdp, 0x03)
    if op == 0o05: return _s(off_d, rdp, rs1p, 3, 0x27)
    if op == 0o06: return _s(off_w, rdp, rs1p, 2, 0x23)
    if op == 0o07: return _s(off_d, rdp, rs1p, 3, 0x23)
    if op == 0o10: return _i(imm6, rd, 0, rd, 0x13)
    if op == 0o11: return _i(imm6, rd, 0, rd, 0x1B) if rd else 0
    if op == 0o12: return _i(imm6, 0, 0, rd, 0x13)
    if op == 0o13:
        if rd == 2:
            u = (((c >> 3) & 0x200) | ((c >> 2) & 0x10) | ((c << 1) & 0x40) | ((c << 4) & 0x180) |
                 ((c << 3) & 0x20))
            return _i(_sext(u, 10), 2, 0, 2, 0x13) if u else 0
        u = ((c << 5) & 0x20000) | ((c << 10) & 0x1F000)
        return ((_sext(u, 18) & 0xFFFFF000) | (rd << 7) | 0x37) if u else 0
    if op == 0o14:
        k = (c >> 10) & 3
        if k == 0: return _r(0, 0, rs1p, 5, rs1p, 0x13) | (shamt << 20)
        if k == 1: return _r(0x20, 0, rs1p, 5, rs1p, 0x13) | (shamt << 20)
        if k == 2: return _i(imm6, rs1p, 7, rs1p, 0x13)
        sub = ((c >> 10) & 4) | ((c >> 5) & 3)
        table = {0: (0x20, 0, 0x33), 1: (0, 4, 0x33), 2: (0, 6, 0x33), 3: (0, 7, 0x33),
                 4: (0x20, 0, 0x3B), 5: (0, 0, 0x3B)}
        if sub not in table:
            return 0
        f7, f3, opc = table[sub]
        return _r(f7, rdp, rs1p, f3, rs1p, opc)
    if op == 0o15:
        u = (((c >> 1) & 0x800) | ((c >> 7) & 0x10) | ((c >> 1) & 0x300) | ((c << 2) & 0x400) |
             ((c >> 1) & 0x40) | ((c << 1) & 0x80) | ((c >> 2) & 0xE) | ((c << 3) & 0x20))
        return _j(_sext(u, 12), 0)
    if op in (0o16, 0o17):
        u = (((c >> 4) & 0x100) | ((c >> 7) & 0x18) | ((c << 1) & 0xC0) | ((c >> 2) & 6) |
             ((c << 3) & 0x20))
        return _b(_sext(u, 9), 0, rs1p, 0 if op == 0o16 else 1)
    if op == 0o20: return _r(0, 0, rd, 1, rd, 0x13) | (shamt << 20)
    if op == 0o21:
        return _i(((c >> 7) & 0x20) | ((c >> 2) & 0x18) | ((c << 4) & 0x1C0), 2, 3, rd, 0x07)
    if op == 0o22:
        return _i(((c >> 7) & 0x20) | ((c >> 2) & 0x1C) | ((c << 4) & 0xC0), 2, 2, rd, 0x03) if rd else 0
    if op == 0o23:
        return _i(((c >> 7) & 0x20) | ((c >> 2) & 0x18) | ((c << 4) & 0x1C0), 2, 3, rd, 0x03) if rd else 0
    if op == 0o24:
        if not c & 0x1000:
            if not rs2:
                return _i(0, rd, 0, 0, 0x67) if rd else 0
            return _r(0, rs2, 0, 0, rd, 0x33)
        if not rs2:
            return 0x00100073 if not rd else _i(0, rd, 0, 1, 0x67)
        return _r(0, rs2, rd, 0, rd, 0x33)
    if op == 0o25: return _s(((c >> 7) & 0x38) | ((c >> 1) & 0x1C0), rs2, 2, 3, 0x27)
    if op == 0o26: return _s(((c >> 7) & 0x3C) | ((c >> 1) & 0xC0), rs2, 2, 2, 0x23)
    if op == 0o27: return _s(((c >> 7) & 0x38) | ((c >> 1) & 0x1C0), rs2, 2, 3, 0x23)
    return 0


_OPIMM = ["ADDI", "SLLI", "SLTI", "SLTIU", "XORI", "SRLI", "ORI", "ANDI"]
_OP = ["ADD", "SLL", "SLT", "SLTU", "XOR", "SRL", "OR", "AND"]
_MUL = ["MUL", "MULH", "MULHSU", "MULHU", "DIV", "DIVU", "REM", "REMU"]
_MULW = ["MULW", "ILLEGAL", "ILLEGAL", "ILLEGAL", "DIVW", "DIVUW", "REMW", "REMUW"]
_BR = ["BEQ", "BNE", "ILLEGAL", "ILLEGAL", "BLT", "BGE", "BLTU", "BGEU"]
_LD = ["LB", "LH", "LW", "LD", "LBU", "LHU", "LWU", "ILLEGAL"]
_ST = ["SB", "SH", "SW", "SD", "ILLEGAL", "ILLEGAL", "ILLEGAL", "ILLEGAL"]


def decode(raw: int) -> Insn:
    """Decode the instruction whose first 16 (or 32) bits are raw."""
    if raw & 3 == 3:
        insn, length, raw16 = raw & 0xFFFFFFFF, 4, 0
    else:
        raw16 = raw & 0xFFFF
        insn, length = c_expand(raw16), 2
    rd, rs1, rs2 = (insn >> 7) & 31, (insn >> 15) & 31, (insn >> 20) & 31
    f3, f7 = (insn >> 12) & 7, insn >> 25
    imm_i = _sext(insn >> 20, 12)
    imm_s = _sext(((insn >> 25) << 5) | ((insn >> 7) & 31), 12)
    op, imm = "ILLEGAL", 0
    opc = (insn >> 2) & 31
    if not insn:
        pass
    elif opc == 0x04:
        op, imm = _OPIMM[f3], imm_i
        if f3 in (1, 5):
            hi = insn >> 26
            imm = (insn >> 20) & 63
            if f3 == 5 and hi == 0x10:
                op = "SRAI"
            elif hi != 0:
                op = "ILLEGAL"
    elif opc == 0x06:
        imm = imm_i
        if f3 == 0:
            op = "ADDIW"
        elif f3 == 1 and f7 == 0:
            op, imm = "SLLIW", (insn >> 20) & 31
        elif f3 == 5 and f7 in (0, 0x20):
            op, imm = ("SRAIW" if f7 else "SRLIW"), (insn >> 20) & 31
    elif opc == 0x0D:
        op, imm = "LUI", _sext(insn & 0xFFFFF000, 32)
    elif opc == 0x05:
        op, imm = "AUIPC", _sext(insn & 0xFFFFF000, 32)
    elif opc == 0x0C:
        if f7 == 0:
            op = _OP[f3]
        elif f7 == 1:
            op = _MUL[f3]
        elif f7 == 0x20 and f3 == 0:
            op = "SUB"
        elif f7 == 0x20 and f3 == 5:
            op = "SRA"
    elif opc == 0x0E:
        if f7 == 0:
            op = {0: "ADDW", 1: "SLLW", 5: "SRLW"}.get(f3, "ILLEGAL")
        elif f7 == 0x20:
            op = {0: "SUBW", 5: "SRAW"}.get(f3, "ILLEGAL")
        elif f7 == 1:
            op = _MULW[f3]
    elif opc == 0x1B:
        u = ((insn >> 11) & 0x100000) | (insn & 0xFF000) | ((insn >> 9) & 0x800) | ((insn >> 20) & 0x7FE)
        op, imm = "JAL", _sext(u, 21)
    elif opc == 0x19:
        if f3 == 0:
            op, imm = "JALR", imm_i
    elif opc == 0x18:
        u = ((insn >> 19) & 0x1000) | ((insn << 4) & 0x800) | ((insn >> 20) & 0x7E0) | ((insn >> 7) & 0x1E)
        op, imm = _BR[f3], _sext(u, 13)
    elif opc == 0x00:
        op, imm = _LD[f3], imm_i
    elif opc == 0x08:
        op, imm = _ST[f3], imm_s
    elif opc == 0x03:
        op = {0: "FENCE", 1: "FENCE_I"}.get(f3, "ILLEGAL")
    elif opc == 0x1C:
        op = "SYSTEM"
    elif opc == 0x0B:
        if f3 in (2, 3):
            op = "AMO"
    elif opc == 0x01:
        imm = imm_i
        op = {2: "FLW", 3: "FLD"}.get(f3, "ILLEGAL")
    elif opc == 0x09:
        imm = imm_s
        op = {2: "FSW", 3: "FSD"}.get(f3, "ILLEGAL")
    elif opc in (0x10, 0x11, 0x12, 0x13, 0x14):
        op = "FP"
    return Insn(op, rd, rs1, rs2, imm, length, insn, raw16)


def decode_at(page: bytes, off: int) -> Insn | None:
    """The instruction at offset off of a page; None when a 32-bit one crosses the page end."""
    lo = int.from_bytes(page[off:off + 2], "little")
    if lo & 3 == 3:
        if off + 4 > len(page):
            return None
        return decode(int.from_bytes(page[off:off + 4], "little"))
    return decode(lo)
