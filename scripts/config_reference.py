#!/usr/bin/env python3
"""Write docs/configuration.md from the code: every environment variable and every rulebook key.

.venv/bin/python scripts/config_reference.py           # rewrite docs/configuration.md
.venv/bin/python scripts/config_reference.py --check   # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "configuration.md"
sys.path.insert(0, str(ROOT))

from groupbot.core.rulebook import Rulebook  # noqa: E402
from groupbot.service.settings import Settings  # noqa: E402

# What each Settings field means, for fields that carry no description of their own.
MEANINGS = {
    "GROUPBOT_DATABASE_URL": (
        "SQLAlchemy URL of the database. Plain `sqlite:///…` and `postgresql://…` URLs are mapped "
        "to the async drivers; explicit driver URLs are used as given. Several processes need "
        "PostgreSQL."
    ),
    "GROUPBOT_RULEBOOK": (
        "Path of the deployment's rulebook (TOML, keys below); unset means the built-in defaults."
    ),
    "SLACK_BOT_TOKEN": "Bot token (`xoxb-…`) of a single-workspace Slack install.",
    "SLACK_SIGNING_SECRET": "Verifies that HTTP requests come from Slack; needed over HTTP.",
    "SLACK_APP_TOKEN": "App-level token (`xapp-…`, `connections:write`) for Socket Mode.",
    "SLACK_CLIENT_ID": 'Client id of the Slack app: turns on "Add to Slack" OAuth installs.',
    "SLACK_CLIENT_SECRET": "Client secret of the Slack app, with `SLACK_CLIENT_ID`.",
    "SLACK_ADMIN_USER_TOKEN": "Optional admin user token: lets holds delete posts on Slack.",
    "SLACK_API_URL": "Slack Web API base URL (a proxy, GovSlack, a test fake); ends with `/`.",
    "DISCORD_TOKEN": "Discord bot token.",
    "DISCORD_API_URL": "Discord REST base URL, version included (a REST proxy, a test fake).",
    "DISCORD_GATEWAY_URL": "Discord gateway URL (a gateway proxy, a test fake).",
}

# Variables the deployment files in deploy/ read; groupbot itself does not.
DEPLOYMENT = [
    ("POSTGRES_PASSWORD", "compose", "PostgreSQL's password; compose builds the URL from it."),
    ("GROUPBOT_DOMAIN", "compose", "Public host name Caddy serves HTTPS for."),
    ("SLACK_REPLICAS", "compose", "How many Slack HTTP replicas compose starts (default 2)."),
    ("GROUPBOT_HEALTH_PORT", "image", "Port the image's HEALTHCHECK probes (default 9100)."),
    ("POD_NAME", "Kubernetes", "The Discord pod's name; its ordinal picks the shards."),
    ("SHARD_COUNT", "Kubernetes, systemd", "Total Discord shards over every process."),
    ("SHARD_PROCESSES", "Kubernetes", "Discord processes (the StatefulSet's replicas)."),
    ("SHARD_IDS", "systemd", "The shards one Discord unit instance runs, e.g. `0,2`."),
    ("METRICS_PORT", "systemd", "The metrics port of one Discord unit instance."),
]

# Variables only the test suite reads.
DEVELOPMENT = [
    ("GROUPBOT_TEST_POSTGRES_URL", "PostgreSQL server the tests create their databases on."),
    ("GROUPBOT_HYPOTHESIS_EXPLORE", "`1`: property tests draw fresh examples instead of fixed."),
    ("CI", "`true`: tests that need PostgreSQL or a system tool fail instead of skipping."),
]


def is_secret(annotation: Any) -> bool:
    """Whether a Settings field holds a secret."""
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def env_name(name: str, field: FieldInfo) -> str:
    """The environment variable a Settings field is read from."""
    alias = field.validation_alias or field.alias
    return (alias if isinstance(alias, str) else name).upper()


def code(value: str) -> str:
    """Inline code, safe inside a Markdown table."""
    return "`" + value.replace("|", "\\|") + "`"


def environment() -> Iterator[str]:
    """The environment variables table, from Settings."""
    yield "| variable | secret | default | meaning |"
    yield "| --- | --- | --- | --- |"
    missing = []
    for name, field in Settings.model_fields.items():
        variable = env_name(name, field)
        meaning = field.description or MEANINGS.get(variable)
        if meaning is None:
            missing.append(variable)
            continue
        default = "unset" if field.default is None else code(str(field.default))
        secret = "yes" if is_secret(field.annotation) else ""
        yield f"| {code(variable)} | {secret} | {default} | {meaning} |"
    if missing:
        raise SystemExit(f"describe {', '.join(missing)} in scripts/config_reference.py MEANINGS")
    stale = set(MEANINGS) - {env_name(n, f) for n, f in Settings.model_fields.items()}
    if stale:
        raise SystemExit(f"MEANINGS describes variables Settings no longer has: {sorted(stale)}")


def type_name(annotation: Any) -> str:
    """A rulebook setting's TOML type, in words."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return type_name(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return "one of " + ", ".join(code(json.dumps(a)) for a in typing.get_args(annotation))
    if origin in (tuple, list):
        return "array of " + type_name(typing.get_args(annotation)[0]) + "s"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in typing.get_args(annotation))
    return {bool: "boolean", int: "integer", float: "number", str: "string"}.get(
        annotation, str(annotation)
    )


def bounds(field: FieldInfo) -> str:
    """The allowed range of a number setting, e.g. ' (1..1000)'."""
    low = high = None
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Le):
            high = item.le
    if low is None and high is None:
        return ""
    return f", {'' if low is None else low}..{'' if high is None else high}"


def default(value: Any) -> str:
    """A default as TOML; long texts are named, not repeated."""
    if isinstance(value, str) and ("\n" in value or len(value) > 60):
        return "built-in text (docs/rulebook.md)"
    if isinstance(value, tuple):
        value = list(value)
    return code(json.dumps(value, ensure_ascii=False))


def rulebook_rows(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str, str, str]]:
    """(key, type, default, meaning) for every setting in a rulebook table and its sub-tables."""
    instance = model()
    tables = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            tables.append((name, annotation))
            continue
        key = f"{prefix}{name}"
        kind = type_name(annotation) + bounds(field)
        yield key, kind, default(getattr(instance, name)), field.description or ""
    for name, table in tables:
        yield from rulebook_rows(table, f"{prefix}{name}.")


def rulebook() -> Iterator[str]:
    """The rulebook keys, one table per section."""
    section = None
    for key, kind, value, meaning in rulebook_rows(Rulebook, ""):
        here = key.rsplit(".", 1)[0] if "." in key else ""
        if here != section:
            section = here
            yield ""
            yield f"### `[{here}]`" if here else "### Top level"
            yield ""
            yield "| key | type | default | meaning |"
            yield "| --- | --- | --- | --- |"
        yield f"| {code(key)} | {kind} | {value} | {meaning} |"


def document() -> str:
    """The whole reference."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated by scripts/config_reference.py from groupbot/service/settings.py and",
        "     groupbot/core/rulebook.py; edit those, then run the script. -->",
        "",
        "groupbot is configured by environment variables (the deployment: database, tokens,",
        "endpoints) and by the rulebook (what the bot does in a community). Secrets are read",
        "only from the environment and never logged. Leave out the variables you do not use",
        "rather than set them empty. How the pieces fit in a deployment: [deploy/README.md]"
        "(../deploy/README.md).",
        "",
        "## Environment variables read by groupbot",
        "",
        *environment(),
        "",
        "## Environment variables of the deployment files",
        "",
        "Read by the files in `deploy/`, not by groupbot.",
        "",
        "| variable | used by | meaning |",
        "| --- | --- | --- |",
        *(f"| {code(n)} | {where} | {meaning} |" for n, where, meaning in DEPLOYMENT),
        "",
        "## Environment variables of the test suite",
        "",
        "| variable | meaning |",
        "| --- | --- |",
        *(f"| {code(n)} | {meaning} |" for n, meaning in DEVELOPMENT),
        "",
        "## Rulebook keys",
        "",
        "The rulebook is one TOML file (`GROUPBOT_RULEBOOK`); every key is optional. Each",
        "community's owners override keys for their own community (`config set KEY VALUE`, by",
        "the dotted keys below). How the rules behave, templates and their placeholders, and",
        "the error messages: [rulebook.md](rulebook.md). Ranges are inclusive.",
        *rulebook(),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write the reference, or with --check report whether it is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="file to write or check")
    args = parser.parse_args()
    text = document()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run scripts/config_reference.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
