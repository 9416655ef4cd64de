"""A regular wheel carries the compiled detectors, and classify from it runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ON_CI = os.environ.get("CI") == "true"
TEXTS = [
    "Hi all, I'm Priya, a designer from Leeds. Glad to be here!",
    "Check out my channel and subscribe: youtube.com/@priya",
    "Join our server discord.gg/abc123 for free robux!!",
    "Has anyone read this piece by Dan on pricing? https://blog.example.com/pricing",
]
PROBE = """
import sys
from groupbot import accel
from groupbot.entry import main
sys.stderr.write(f"compiled={accel.compiled_detect() is not None}\\n")
sys.argv = ["groupbot", "classify"]
main()
"""


def build_wheel(out: Path, **env: str) -> Path:
    """`pip wheel .` without build isolation (no network: the dev environment has the backend)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-w", out, "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("groupbot-*.whl")
    return wheel


def classify_from(site: Path, pure: bool) -> tuple[str, str]:
    """Run classify with the unpacked wheel first on the path; (stdout, stderr)."""
    stdin = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(TEXTS))
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=site,
        env={**os.environ, "PYTHONPATH": str(site), "GROUPBOT_PURE_PYTHON": "1" if pure else "0"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, done.stderr


def test_a_regular_wheel_runs_classify_compiled(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    compiled = [n for n in names if n.startswith("groupbot/_accel/") and n.endswith(".so")]
    if not compiled:
        if ON_CI:
            pytest.fail(f"the wheel has no compiled detectors: {wheel.name}")
        pytest.skip("no C compiler here: the wheel is pure Python")
    assert "-py3-none-any" not in wheel.name  # a platform wheel, since it holds extensions
    assert "groupbot/_accel/__init__.py" in names
    assert "groupbot/_migrations/env.py" in names
    fast, fast_log = classify_from(tmp_path / "site", pure=False)
    slow, slow_log = classify_from(tmp_path / "site", pure=True)
    assert "compiled=True" in fast_log and "compiled=False" in slow_log
    assert fast == slow and len(fast.splitlines()) == len(TEXTS)


def test_the_pure_wheel_is_still_a_working_wheel(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist", GROUPBOT_BUILD_PURE="1")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert not [n for n in archive.namelist() if n.startswith("groupbot/_accel/")]
        archive.extractall(tmp_path / "site")
    out, log = classify_from(tmp_path / "site", pure=False)
    assert "compiled=False" in log and len(out.splitlines()) == len(TEXTS)
