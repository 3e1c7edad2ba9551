"""Make the helpers beside these tests importable (pytest runs with --import-mode=importlib,
which does not put test directories on sys.path): engine_helpers here, isa_support in isa/."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for d in (str(HERE), str(HERE / "isa")):
    if d not in sys.path:
        sys.path.insert(0, d)
