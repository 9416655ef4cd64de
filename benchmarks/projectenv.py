"""Benchmarks run on the project's .venv Python, whichever `python` started them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["use_project_python"]

VENV = Path(__file__).resolve().parent.parent / ".venv"


def use_project_python() -> None:
    """Re-run this script under .venv/bin/python when another interpreter started it."""
    python = VENV / "bin" / "python"
    if not python.exists() or Path(sys.prefix).resolve() == VENV.resolve():
        return  # no .venv (make venv creates it), or already in it
    sys.stdout.flush()
    os.execv(python, [str(python), *sys.argv])
