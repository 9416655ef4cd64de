"""docs/configuration.md is current: every environment variable and every rulebook key."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from deployfiles import DEPLOY, ROOT, SYSTEMD, compose, pod_spec, rendered, workloads
from pydantic import BaseModel

from groupbot.core.rulebook import Rulebook
from groupbot.service.settings import Settings

SCRIPT = ROOT / "scripts" / "config_reference.py"
REFERENCE = ROOT / "docs" / "configuration.md"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The generator, as a developer runs it."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


def keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every dotted rulebook key."""
    found = []
    for name, field in model.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            found += keys(field.annotation, f"{prefix}{name}.")
        else:
            found.append(prefix + name)
    return found


def test_the_reference_is_current() -> None:
    done = run("--check")
    assert done.returncode == 0, done.stderr


def test_a_stale_reference_is_reported(tmp_path: Path) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text(REFERENCE.read_text(encoding="utf-8").replace("`DISCORD_TOKEN`", "`X`"))
    done = run("--check", "--output", str(stale))
    assert done.returncode == 1
    assert "out of date: run scripts/config_reference.py" in done.stderr
    assert run("--output", str(stale)).returncode == 0
    assert stale.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8")


def test_every_setting_and_rulebook_key_is_listed() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `{name.upper()}` |" in text
    listed = re.findall(r"^\| `([a-z_.]+)` \|", text, re.MULTILINE)
    assert [k for k in listed if k in keys(Rulebook)] == keys(Rulebook)
    assert "rules.cross_post.similarity" in listed


def test_every_variable_the_deployment_files_use_is_documented() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z_]+)", (DEPLOY / "compose.yaml").read_text()))
    used |= set(re.findall(r"^([A-Z_]+)=", (DEPLOY / "env.example").read_text(), re.MULTILINE))
    for unit in SYSTEMD.glob("*.service"):
        used |= set(re.findall(r"\$\{([A-Z_]+)\}", unit.read_text()))
    for workload in workloads(rendered("overlay")):
        for container in pod_spec(workload)["containers"]:
            used |= {env["name"] for env in container.get("env", [])}
    for name, service in compose()["services"].items():
        if name != "postgres":  # the postgres image's own variables
            used |= set(service.get("environment") or {})
    assert used, "nothing found: the search is broken"
    missing = sorted(v for v in used if f"| `{v}` |" not in text)
    assert missing == []
