"""Every groupbot command line in deploy/ names a command and options the CLI really has."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from typing import Any

import click
import pytest
import typer.main
from deployfiles import DEPLOY, ROOT, SYSTEMD, command_line, compose, pod_spec, rendered, workloads

from groupbot.cli.app import app

# Options and endpoints the manifests already use that the CLI is gaining on another branch.
# When one lands, its test below fails: take it off this list, so the check is exact again.
PENDING_OPTIONS: set[str] = set()
PENDING_PATHS: set[str] = set()


def command_lines() -> dict[str, list[str]]:
    """Every groupbot invocation in deploy/, by where it is written."""
    found: dict[str, list[str]] = {}
    for name, service in compose()["services"].items():
        if "command" in service:
            found[f"compose.yaml:{name}"] = service["command"]
    for workload in workloads(rendered("base")):
        for container in pod_spec(workload)["containers"]:
            found[f"k8s:{workload['metadata']['name']}"] = command_line(container)
    for unit in sorted(SYSTEMD.glob("*.service")):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(unit, encoding="utf-8")
        found[f"systemd:{unit.name}"] = shlex.split(parser["Service"]["ExecStart"])[1:]
    cmd = re.search(r"^CMD (.+)$", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE)
    assert cmd is not None
    found["Dockerfile:CMD"] = json.loads(cmd.group(1))
    return found


def resolve(args: list[str]) -> tuple[list[str], set[str]]:
    """The command path the arguments name and the options they use that it does not know."""
    command: Any = typer.main.get_command(app)
    ctx = click.Context(command)
    path: list[str] = []
    unknown: set[str] = set()
    for arg in args:
        known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        if arg.startswith("--"):
            if arg.split("=")[0] not in known:
                unknown.add(arg.split("=")[0])
        elif hasattr(command, "get_command") and (sub := command.get_command(ctx, arg)):
            command = sub
            path.append(arg)
    return path, unknown


@pytest.mark.parametrize(("where", "args"), list(command_lines().items()))
def test_every_command_line_is_one_the_cli_accepts(where: str, args: list[str]) -> None:
    path, unknown = resolve(args)
    assert path and path[0] in ("run", "db"), f"{where}: {args}"
    assert unknown <= PENDING_OPTIONS, f"{where}: the CLI has no {sorted(unknown)}"


def test_pending_options_are_still_pending() -> None:
    for option in sorted(PENDING_OPTIONS):
        missing = [cmd for cmd in ("slack", "discord") if resolve(["run", cmd, option])[1]]
        assert missing, f"{option} exists now: remove it from PENDING_OPTIONS"


def test_pending_endpoints_are_still_pending() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "groupbot").rglob("*.py"))
    assert '"/healthz"' in source
    for path in sorted(PENDING_PATHS):
        assert f'"{path}"' not in source, f"{path} is served now: remove it from PENDING_PATHS"


def test_an_unknown_option_is_caught() -> None:
    assert resolve(["run", "discord", "--shard-count", "2", "--shard-idz", "0"]) == (
        ["run", "discord"],
        {"--shard-idz"},
    )
