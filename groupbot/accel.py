"""The detectors compiled by mypyc (scripts/build_accel.py), used only if built from these sources.

The compiled copy lives in `groupbot._accel.detect`. It is loaded when `groupbot._accel` records
the digest of the very `groupbot/core/detect/*.py` files installed beside it, so an edited source
tree never runs a stale build; otherwise, or with GROUPBOT_PURE_PYTHON=1, callers keep the pure
Python detectors, which give the same verdicts more slowly.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
from types import ModuleType

__all__ = ["DISABLE_ENV", "compiled_detect", "source_digest"]

DISABLE_ENV = "GROUPBOT_PURE_PYTHON"
# A path, not importlib.resources: importing the pure package to find it would cost the start-up
# time the compiled one saves.
SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "core", "detect")
COMPILED_PACKAGE = "groupbot._accel.detect"


def source_digest() -> str:
    """SHA-256 over the names and bytes of the detector package's Python files."""
    digest = hashlib.sha256()
    for name in sorted(n for n in os.listdir(SOURCE_DIR) if n.endswith(".py")):
        with open(os.path.join(SOURCE_DIR, name), "rb") as source:
            digest.update(name.encode() + b"\0" + source.read() + b"\0")
    return digest.hexdigest()


@functools.cache
def compiled_detect() -> ModuleType | None:
    """The compiled detector package, or None (not built, stale, or turned off)."""
    if os.environ.get(DISABLE_ENV, "").strip() not in ("", "0"):
        return None
    try:
        marker = importlib.import_module("groupbot._accel")
    except ImportError:
        return None
    if getattr(marker, "SOURCE_DIGEST", None) != source_digest():
        return None
    try:
        return importlib.import_module(COMPILED_PACKAGE)
    except ImportError:  # built for another Python, or half copied
        return None
