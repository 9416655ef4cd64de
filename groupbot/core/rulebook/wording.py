"""The wording of rulebook errors: key paths, TOML types, friendly validation messages."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .errors import RulebookError, RulebookIssue
from .locate import BARE_KEY, KeyPath
from .schema import Rulebook
from .writer import escape

_TOML_TYPES: dict[type, str] = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    list: "array",
    dict: "table",
}


def _toml_type(value: object) -> str:
    """The TOML name of a parsed value's type, with its article ('an integer')."""
    for kind, name in _TOML_TYPES.items():
        if type(value) is kind:
            return ("an " if name[0] in "aeiou" else "a ") + name
    return "a date/time" if value is not None else "nothing"


def format_path(path: KeyPath) -> str:
    """Dotted TOML key path, with [i] for array items and quotes where needed."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if BARE_KEY.fullmatch(part) else '"' + escape(part) + '"'
            out += f".{key}" if out else key
    return out


def _allowed_keys(path: KeyPath) -> list[str]:
    """The keys allowed in the table at path, for 'did you mean' hints."""
    model: type[BaseModel] = Rulebook
    for part in path:
        if isinstance(part, int):
            return []
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def describe(error: Mapping[str, Any], path: KeyPath) -> str:
    """A short, friendly description of one pydantic error."""
    kind = str(error.get("type", ""))
    value = error.get("input")
    ctx = error.get("ctx") or {}
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1])
        hint = ""
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
        if close:
            hint = f"; did you mean {close[0]!r}?"
        elif allowed:
            hint = f"; allowed here: {', '.join(allowed)}"
        return f"unknown setting{hint}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        limit = next(iter(ctx.values()), "?")
        return f"must be {bound} {limit}, not {shown}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '?')}, not {shown}"
    if kind == "model_type":
        return f"must be a table, not {_toml_type(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"must be an array, not {_toml_type(value)}"
    if kind == "too_long":
        return f"has too many entries (at most {ctx.get('max_length', '?')})"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length', '?')} characters)"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        expected = {
            "bool_type": "a boolean (true or false)",
            "int_type": "an integer",
            "float_type": "a number",
            "string_type": "a string",
        }.get(kind)
        if expected:
            return f"must be {expected}, not {_toml_type(value)} ({shown})"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "invalid value")))
    return str(error.get("msg", "invalid value"))


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = re.compile(r"\s*\(at end of document\)$")


def syntax_error(exc: tomllib.TOMLDecodeError, text: str, source: str) -> RulebookError:
    """Turn a tomllib error into '<source>:<line>:<col>: invalid TOML: ...'."""
    message = str(exc)
    line: int | None = None
    column: int | None = None
    position = _TOML_POSITION.search(message)
    if position:
        line, column = int(position.group(1)), int(position.group(2))
        message = message[: position.start()]
    elif end := _TOML_END.search(message):
        message = message[: end.start()]
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    return RulebookError(RulebookIssue(source, line, "", f"invalid TOML: {message}", column))
