"""Platform text made safe for every database: NUL and lone surrogates replaced at the edge."""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Callable
from typing import TypeVar

from groupbot.core.events import CommandIssued, Event

__all__ = ["REPLACEMENT", "clean_event", "clean_text"]

REPLACEMENT = "\ufffd"
# PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded as UTF-8 at all.
_UNSAFE = re.compile("[\x00\ud800-\udfff]")

E = TypeVar("E", bound=Event)


def clean_text(text: str) -> str:
    """The text with every NUL and lone surrogate replaced by U+FFFD."""
    return _UNSAFE.sub(REPLACEMENT, text)


def clean_event(event: E) -> E:
    """The event with every text it carries cleaned (itself when there was nothing to clean)."""
    if _UNSAFE.search(_all_text(event)) is None:  # the usual case: one search, no copy
        return event
    changes: dict[str, object] = {}
    search = _UNSAFE.search
    for name in _field_names(type(event)):
        value = getattr(event, name)
        if isinstance(value, str):
            if search(value) is None:  # the usual case: nothing to replace
                continue
            cleaned: object = clean_text(value)
        elif isinstance(event, CommandIssued) and name == "args":
            if type(value) is tuple and not any(search(a) for a in value):
                continue
            cleaned = tuple(clean_text(a) for a in value)
        elif name == "roles" and value is not None:
            if type(value) is frozenset and not any(search(r) for r in value):
                continue
            cleaned = frozenset(clean_text(r) for r in value)
        else:
            continue
        if cleaned != value:
            changes[name] = cleaned
    return dataclasses.replace(event, **changes) if changes else event  # type: ignore[arg-type]


def _all_text(event: Event) -> str:
    """Every text `clean_event` cleans, joined by newlines (which are safe)."""
    texts = [value for value in _values(type(event))(event) if isinstance(value, str)]
    roles = getattr(event, "roles", None)
    if roles:
        texts.extend(roles)
    if isinstance(event, CommandIssued):
        texts.extend(event.args)
    return "\n".join(texts)


_NAMES: dict[type, tuple[str, ...]] = {}
_VALUES: dict[type, Callable[[Event], tuple[object, ...]]] = {}


def _values(cls: type) -> Callable[[Event], tuple[object, ...]]:
    """A function giving an event's field values as a tuple (made once per class)."""
    values = _VALUES.get(cls)
    if values is None:
        values = _VALUES[cls] = operator.attrgetter(*_field_names(cls))
    return values


def _field_names(cls: type) -> tuple[str, ...]:
    """An event class's field names (looked up once per class)."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names
