"""A community's own settings: the rulebook's dotted keys, their values, and overrides applied."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from groupbot.core.rulebook import Rulebook, parse_rulebook
from groupbot.core.rulebook.wording import describe, format_path
from groupbot.core.rulebook.writer import escape, toml_value

__all__ = [
    "KEYS",
    "SettingError",
    "apply_overrides",
    "check_key",
    "effective_value",
    "flatten",
    "overrides_from_toml",
    "overrides_to_toml",
    "parse_setting",
    "show_value",
]

_KINDS = {bool: "true or false", int: "a whole number", float: "a number"}


def _leaves(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every leaf setting's dotted key, in the schema's order."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        key = f"{prefix}{name}"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _leaves(annotation, key + ".")
        else:
            yield key


KEYS: tuple[str, ...] = tuple(_leaves(Rulebook))
_DEFAULTS = Rulebook()


@dataclass(frozen=True, slots=True)
class SettingError(ValueError):
    """A key or value that cannot be used, with the key at fault."""

    key: str
    problem: str

    def __str__(self) -> str:
        """'<key>: <problem>'."""
        return f"{self.key}: {self.problem}"


def check_key(key: str) -> str:
    """The key if it is a setting; else a SettingError with a did-you-mean."""
    key = key.strip()
    if key in KEYS:
        return key
    inside = [k for k in KEYS if k.startswith(key + ".")]
    if key and inside:
        shown = ", ".join(inside[:6]) + (", ..." if len(inside) > 6 else "")
        raise SettingError(key, f"is a table, not a setting; its settings: {shown}")
    close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]!r}?" if close else "; see `config show` for every key"
    raise SettingError(key or "(empty)", f"unknown setting{hint}")


def effective_value(rulebook: BaseModel, key: str) -> Any:
    """A setting's value in a rulebook, as JSON (lists for list settings)."""
    value: Any = rulebook
    for part in key.split("."):
        value = getattr(value, part)
    return list(value) if isinstance(value, tuple) else value


def _is_channel(key: str) -> bool:
    """Settings naming channels, where a leading '#' is dropped."""
    return key.startswith("channels.") or key.rsplit(".", 1)[-1].endswith("channels")


def parse_setting(key: str, text: str) -> Any:
    """A value typed by an owner: TOML, or plain text for a string or list-of-strings setting."""
    key = check_key(key)
    text = text.strip()
    default = effective_value(_DEFAULTS, key)
    try:
        value: Any = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = None
    if isinstance(default, list):
        if isinstance(value, str):
            value = [value]
        elif not isinstance(value, list):
            value = [item.strip() for item in text.split(",") if item.strip()]
        if _is_channel(key):
            value = [v.strip().removeprefix("#") if isinstance(v, str) else v for v in value]
    elif isinstance(default, str):
        if not isinstance(value, str):
            value = text
        if _is_channel(key):
            value = value.strip().removeprefix("#")
    elif value is None:
        kind = _KINDS.get(type(default), "a TOML value")
        raise SettingError(
            key, f"{text!r} is not a value; write {kind}, e.g. {toml_value(default)}"
        )
    return value


def _nest(overrides: Mapping[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    """Write dotted-key values into a nested dict."""
    for key, value in overrides.items():
        *tables, leaf = key.split(".")
        here = into
        for part in tables:
            here = here.setdefault(part, {})
        here[leaf] = value
    return into


def apply_overrides(defaults: Rulebook, overrides: Mapping[str, Any]) -> Rulebook:
    """The defaults with overrides applied, validated strictly; a SettingError names the key."""
    for key in overrides:
        check_key(key)
    data = _nest(overrides, defaults.model_dump(mode="json"))
    try:
        return Rulebook.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = tuple(error["loc"])
        raise SettingError(format_path(path), describe(error, path)) from None


def show_value(value: Any, limit: int | None = None) -> str:
    """A value as TOML on one line (long ones shortened when a limit is given)."""
    if isinstance(value, str):
        text = '"' + escape(value) + '"'
    elif isinstance(value, list):
        text = "[" + ", ".join(show_value(v) for v in value) + "]"
    else:
        text = toml_value(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A parsed rulebook's tables as dotted keys and leaf values."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            out.update(flatten(value, key + "."))
        else:
            out[key] = value
    return out


def overrides_to_toml(overrides: Mapping[str, Any]) -> str:
    """Overrides as a TOML rulebook: top-level keys first, then one table per section."""
    tables: dict[str, list[str]] = {}
    for key in KEYS:
        if key in overrides:
            table, _, leaf = key.rpartition(".")
            tables.setdefault(table, []).append(f"{leaf} = {toml_value(overrides[key])}")
    out: list[str] = []
    for table, lines in tables.items():
        if table:
            out.extend(["", f"[{table}]"] if out else [f"[{table}]"])
        out.extend(lines)
    return "\n".join(out) + "\n" if out else ""


def overrides_from_toml(text: str, source: str, defaults: Rulebook) -> dict[str, Any]:
    """A TOML rulebook file as overrides: checked alone (lines) and on the defaults (keys)."""
    parse_rulebook(text, source)
    overrides = flatten(tomllib.loads(text.removeprefix("\ufeff")))
    apply_overrides(defaults, overrides)
    return overrides
