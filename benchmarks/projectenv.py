"""Benchmarks run on the project's .venv Python, whichever `python` started them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["use_project_python"]

VENV = Path(__file__).resolve().parent.parent / ".venv"


REEXEC_ENV = "GROUPBOT_BENCH_REEXEC"


def use_project_python() -> None:
    """Re-run this script under .venv/bin/python when another interpreter started it."""
    python = VENV / "bin" / "python"
    if not python.exists() or Path(sys.prefix).resolve() == VENV.resolve():
        return  # no .venv (make venv creates it), or already in it
    if os.environ.get(REEXEC_ENV):
        return  # re-run once already: that Python is what there is (an odd venv), go on
    os.environ[REEXEC_ENV] = "1"
    sys.stdout.flush()
    # orig_argv keeps the interpreter's own options (-X, -W, -O) along with the script's.
    os.execv(python, [str(python), *sys.orig_argv[1:]])
