"""systemd units: `systemd-analyze verify` clean; migrations a oneshot the bot units wait for."""

from __future__ import annotations

import configparser
import stat
import subprocess
from pathlib import Path

import pytest
from deployfiles import SYSTEMD, tool

INSTALLED = "/opt/groupbot/bin/groupbot"
UNITS = ["groupbot-migrate.service", "groupbot-slack.service", "groupbot-discord@.service"]


def unit(name: str) -> configparser.ConfigParser:
    """A unit file's sections (repeated keys keep their last value)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(SYSTEMD / name, encoding="utf-8")
    return parser


def verify(directory: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify` on unit files in a directory."""
    analyze = tool("systemd-analyze", "apt-get install systemd")
    return subprocess.run(
        [analyze, "verify", "--man=no", *(str(directory / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=directory,
    )


def installed_copy(tmp_path: Path) -> tuple[Path, list[str]]:
    """The units as installed: groupbot at a path that exists here, the template instantiated."""
    binary = tmp_path / "bin" / "groupbot"
    binary.parent.mkdir()
    binary.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    units = tmp_path / "units"
    units.mkdir()
    names = []
    for name in UNITS:
        text = (SYSTEMD / name).read_text(encoding="utf-8").replace(INSTALLED, str(binary))
        installed = name.replace("@.", "@0.")
        (units / installed).write_text(text, encoding="utf-8")
        names.append(installed)
    return units, names


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    units, names = installed_copy(tmp_path)
    done = verify(units, names)
    assert done.returncode == 0, done.stderr
    # verify only warns about unknown keys and bad values: treat any word about our files as a fault
    ours = [line for line in done.stderr.splitlines() if "groupbot" in line]
    assert ours == [], "\n".join(ours)


def test_verify_reports_a_broken_unit(tmp_path: Path) -> None:
    units, names = installed_copy(tmp_path)
    broken = units / names[1]
    broken.write_text(broken.read_text().replace("Type=exec", "Type=bogus\nFrobnicate=1"))
    done = verify(units, [names[1]])
    assert "Unknown key" in done.stderr and "Frobnicate" in done.stderr


def test_migrations_are_a_oneshot_the_bot_units_require() -> None:
    migrate = unit("groupbot-migrate.service")["Service"]
    assert migrate["Type"] == "oneshot"
    assert migrate["ExecStart"] == f"{INSTALLED} db upgrade"
    for name in UNITS[1:]:
        parsed = unit(name)
        assert "groupbot-migrate.service" in parsed["Unit"]["Requires"].split()
        assert "groupbot-migrate.service" in parsed["Unit"]["After"].split()
        assert "upgrade" not in parsed["Service"]["ExecStart"]
        assert "ExecStartPre" not in parsed["Service"]


@pytest.mark.parametrize("name", UNITS)
def test_every_unit_runs_unprivileged_with_secrets_from_a_file(name: str) -> None:
    service = unit(name)["Service"]
    assert service["User"] == "groupbot"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["EnvironmentFile"].startswith("/etc/groupbot/")
    assert "Environment" not in service, "secrets live in /etc/groupbot/env, not in the unit"
