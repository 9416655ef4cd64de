"""deploy/compose.yaml: valid, PostgreSQL with a volume, one migration, Slack replicas, HTTPS."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from deployfiles import DEPLOY, ROOT, compose

SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD")
PINNED = re.compile(r"^[a-z0-9./-]+:\d+\.\d+(\.\d+)?[a-z0-9.-]*(@sha256:[0-9a-f]{64})?$")


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema against the Compose specification it bundles (no network)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_file_matches_the_compose_specification() -> None:
    done = check_jsonschema(DEPLOY / "compose.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_refuses_a_broken_compose_file(tmp_path: Path) -> None:
    broken = compose()
    broken["services"]["slack"]["depends_on"] = {"migrate": {"condition": "whenever"}}
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert check_jsonschema(path).returncode != 0


def test_postgres_keeps_its_data_in_a_volume_and_is_health_checked() -> None:
    data = compose()
    postgres = data["services"]["postgres"]
    assert "pgdata:/var/lib/postgresql/data" in postgres["volumes"]
    assert "pgdata" in data["volumes"]
    assert "pg_isready" in postgres["healthcheck"]["test"]


def test_one_migration_runs_before_the_replicas_and_the_replicas_never_migrate() -> None:
    services = compose()["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("slack", "discord"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "upgrade" not in service["command"]


def test_slack_runs_replicated_over_http_behind_the_https_proxy() -> None:
    services = compose()["services"]
    slack = services["slack"]
    assert slack["command"][:3] == ["run", "slack", "--http"]
    assert str(slack["deploy"]["replicas"]).startswith("${SLACK_REPLICAS:-")
    assert "ports" not in slack, "only the proxy is published"
    caddy = services["caddy"]
    assert "443:443" in caddy["ports"]
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert "name slack" in caddyfile and "port 3000" in caddyfile
    assert "handle /slack/*" in caddyfile


def test_secrets_come_only_from_the_env_file() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key) or "://" in str(value):
                assert "${" in str(value), f"{name}: {key} is written into compose.yaml"
    for name in ("migrate", "slack", "discord"):
        assert services[name]["env_file"] == [".env"]
    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.MULTILINE)
    assert not re.search(r"^(SLACK_(?!REPLICAS)|DISCORD_)\w+=\S", example, re.MULTILINE), (
        "no sample tokens"
    )


@pytest.mark.parametrize("name", ["migrate", "slack", "discord"])
def test_the_bot_containers_are_locked_down(name: str) -> None:
    service = compose()["services"][name]
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]


def test_every_image_is_pinned_to_a_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for name, service in compose()["services"].items():
        assert PINNED.match(service["image"]), f"{name}: {service['image']}"
        if "build" in service:
            assert service["image"] == f"groupbot:{version['version']}", name
