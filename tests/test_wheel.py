"""A regular wheel is plain pure Python, carries the migrations, and runs from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    "Hi all, I'm Priya, a designer from Leeds. Glad to be here!",
    "Check out my channel and subscribe: youtube.com/@priya",
    "Join our server discord.gg/abc123 for free robux!!",
    "Has anyone read this piece by Dan on pricing? https://blog.example.com/pricing",
]
PROBE = """
import sys
from groupbot.entry import main
sys.argv = ["groupbot", "classify"]
main()
"""


def build_wheel(out: Path) -> Path:
    """`pip wheel .` without build isolation (no network: the dev environment has the backend)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-w", out, "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("groupbot-*.whl")
    return wheel


def test_the_wheel_is_pure_python_and_runs_classify(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    assert "groupbot/_migrations/env.py" in names
    for language in ("es", "pt", "de", "fr", "ru"):
        assert f"groupbot/core/i18n/locales/{language}/LC_MESSAGES/groupbot.po" in names
    assert not [n for n in names if n.endswith((".so", ".pyd", ".c"))]
    stdin = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(TEXTS))
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path / "site",
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert [v["id"] for v in verdicts] == list(range(len(TEXTS)))
    assert verdicts[1]["promotional"] and not verdicts[0]["promotional"]
