"""Compile the detectors with mypyc into groupbot/_accel (classify's fast path; optional).

Usage: .venv/bin/python scripts/build_accel.py

Copies groupbot/core/detect/*.py into a scratch tree as the package groupbot._accel.detect,
compiles it with mypyc (needs mypy, setuptools and a C compiler), and installs the extension
modules into groupbot/_accel/ together with the digest of the sources they were built from
(groupbot/accel.py loads them only while that digest still matches). Exit status 1 if the build
fails; groupbot then runs the same detectors as pure Python.
"""

from __future__ import annotations

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
[mypy-tldextract.*,confusable_homoglyphs.*]
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
    sys.path.insert(0, str(ROOT))
    from groupbot.accel import source_digest

    return source_digest()


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
    env = {**os.environ, "PYTHONPATH": ""}
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


def install(scratch: Path, built: list[Path], source_digest: str) -> None:
    """Replace groupbot/_accel with the new build; the digest is written last."""
    if TARGET.exists():
        shutil.rmtree(TARGET)
    (TARGET / "detect").mkdir(parents=True)
    shutil.copy2(SOURCE / "__init__.py", TARGET / "detect" / "__init__.py")
    for path in built:
        relative = path.relative_to(scratch / "groupbot" / "_accel")
        (TARGET / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, TARGET / relative)
    (TARGET / "__init__.py").write_text(MARKER.format(digest=source_digest))


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
