"""Puts the repository on sys.path for every test (pytest runs with --import-mode=importlib),
so that tests import the shared test support package `testsupport`, which is not installed."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
