"""What every action is: a frozen value with a time, a community and one JSON form."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

__all__ = ["Action", "Evidence", "Reason", "format_time"]


def format_time(at: datetime) -> str:
    """ISO 8601 in UTC with a trailing Z, as the replay input writes it."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    text = at.isoformat(timespec="microseconds" if at.microsecond else "seconds")
    return text.replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why one rule fired: its evidence, the friendly detail and the threshold crossed."""

    rule: str
    evidence: str
    detail: str
    threshold: str


@dataclass(frozen=True, slots=True)
class Reason:
    """One signal the detector saw in a post."""

    signal: str
    evidence: str
    detail: str


_NESTED: dict[str, type[Evidence] | type[Reason]] = {"findings": Evidence, "reasons": Reason}


_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A kind's JSON fields in their documented order (after at, community and action)."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(
            f.name for f in dataclasses.fields(cls) if f.name not in ("at", "community")
        )
    return names


_PLAIN: dict[type, tuple[str, ...]] = {}


def _plain(item: Evidence | Reason) -> dict[str, str]:
    """`dataclasses.asdict` of a finding or reason, whose fields are all text, without its
    recursive copy (several per note, twice: the audit log and the sink)."""
    names = _PLAIN.get(type(item))
    if names is None:
        names = _PLAIN[type(item)] = tuple(f.name for f in dataclasses.fields(item))
    return {name: getattr(item, name) for name in names}


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """One thing the bot did; subclasses declare their fields in the contract's order."""

    KIND: ClassVar[str] = ""
    DELIVERED: ClassVar[bool] = False  # reaches someone, so it goes through the outbox
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset()  # fields left out when empty

    at: datetime
    community: str

    @property
    def kind(self) -> str:
        """The action's name in the replay output and the audit log."""
        return self.KIND

    def fields(self) -> dict[str, Any]:
        """The JSON fields after at, community and action, in the contract's order."""
        out: dict[str, Any] = {}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if value is None and name in self.OMIT_IF_NONE:
                continue
            if name in _NESTED and value is not None:
                value = [_plain(item) for item in value]
            out[name] = value
        return out

    def to_json(self) -> dict[str, Any]:
        """The contract's flat JSON object for this action."""
        return {
            "at": format_time(self.at),
            "community": self.community,
            "action": self.KIND,
            **self.fields(),
        }

    @classmethod
    def from_fields(cls, at: datetime, community: str, fields: Mapping[str, Any]) -> Self:
        """Rebuild an action from its JSON fields (the outbox stores them)."""
        values: dict[str, Any] = {}
        for name in _field_names(cls):
            if name not in fields:
                continue
            value = fields[name]
            nested = _NESTED.get(name)
            if nested is not None and value is not None:
                value = tuple(nested(**item) for item in value)
            elif isinstance(value, list):
                value = tuple(value)
            values[name] = value
        return cls(at=at, community=community, **values)
