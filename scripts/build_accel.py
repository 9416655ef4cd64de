"""Compile the detectors with mypyc into groupbot/_accel (classify's fast path; optional).

Usage: .venv/bin/python scripts/build_accel.py

(Wheels get the same build from hatch_build.py, which calls build() and install() below.)

Copies groupbot/core/detect/*.py into a scratch tree as the package groupbot._accel.detect,
compiles it with mypyc (needs mypy, setuptools and a C compiler), and installs the extension
modules into groupbot/_accel/ together with the digest of the sources they were built from
(groupbot/accel.py loads them only while that digest still matches). Exit status 1 if the build
fails; groupbot then runs the same detectors as pure Python.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "groupbot" / "core" / "detect"
TARGET = ROOT / "groupbot" / "_accel"
MYPY_CONFIG = """\
[mypy]
strict = True
python_version = 3.11
[mypy-tldextract.*,confusable_homoglyphs.*,orjson.*]
ignore_missing_imports = True
"""
SETUP = """\
import sys
from mypyc.build import mypycify
from setuptools import setup

setup(
    name="groupbot-accel",
    ext_modules=mypycify(
        ["--config-file", "mypy.ini", *sys.argv[1:]],
        opt_level="3",
        group_name="groupbot._accel.detect",
    ),
    script_args=["build_ext", "--inplace"],
)
"""
MARKER = '''"""Detectors compiled by scripts/build_accel.py (generated; not in version control)."""

SOURCE_DIGEST = "{digest}"
'''


def digest() -> str:
    """The digest groupbot.accel will compare against (from this source tree)."""
    # Loaded by path: a wheel build's environment has none of groupbot's dependencies.
    spec = importlib.util.spec_from_file_location("_groupbot_accel", ROOT / "groupbot" / "accel.py")
    if spec is None or spec.loader is None:
        raise SystemExit("build_accel: groupbot/accel.py is missing")
    accel = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(accel)
    return str(accel.source_digest())


def build(scratch: Path) -> list[Path]:
    """Compile the copied package in scratch; return the extension files built."""
    package = scratch / "groupbot" / "_accel" / "detect"
    package.mkdir(parents=True)
    (scratch / "groupbot" / "__init__.py").write_text("")
    (scratch / "groupbot" / "_accel" / "__init__.py").write_text("")
    modules = []
    for source in sorted(SOURCE.glob("*.py")):
        shutil.copy2(source, package / source.name)
        if source.name != "__init__.py":
            modules.append(f"groupbot/_accel/detect/{source.name}")
    (scratch / "mypy.ini").write_text(MYPY_CONFIG)
    (scratch / "setup.py").write_text(SETUP)
    # Keep what makes mypy importable (a wheel build's isolated environment lives on PYTHONPATH)
    # but never this source tree: the scratch copy is the package being compiled.
    kept = [
        entry
        for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if entry and Path(entry).resolve() != ROOT
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(kept)}
    result = subprocess.run(
        [sys.executable, "setup.py", *modules],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit("build_accel: mypyc failed; classify stays pure Python")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    return sorted((scratch / "groupbot" / "_accel").rglob(f"*{suffix}"))


def install(scratch: Path, built: list[Path], source_digest: str, target: Path = TARGET) -> None:
    """Replace target (groupbot/_accel) with the new build; the digest is written last."""
    if target.exists():
        shutil.rmtree(target)
    (target / "detect").mkdir(parents=True)
    shutil.copy2(SOURCE / "__init__.py", target / "detect" / "__init__.py")
    for path in built:
        relative = path.relative_to(scratch / "groupbot" / "_accel")
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)
    (target / "__init__.py").write_text(MARKER.format(digest=source_digest))


def main() -> None:
    """Build and install the compiled detectors."""
    started = time.perf_counter()
    source_digest = digest()
    with tempfile.TemporaryDirectory(prefix="groupbot-accel-") as tmp:
        scratch = Path(tmp)
        built = build(scratch)
        if not built:
            raise SystemExit("build_accel: mypyc produced no extension modules")
        install(scratch, built, source_digest)
    took = time.perf_counter() - started
    print(
        f"build_accel: {len(built)} compiled modules in {TARGET.relative_to(ROOT)} ({took:.0f} s)"
    )


if __name__ == "__main__":
    main()
