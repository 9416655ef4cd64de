"""Building blocks of the schema: limits, strict base model, name and domain fields."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_LIST_ITEMS = 1000
MAX_NAME_CHARS = 200


def normalize_channel(name: str) -> str:
    """Normalize a channel name or id for comparison: trimmed, no leading '#', casefolded."""
    return name.strip().removeprefix("#").strip().casefold()


def non_blank(value: str) -> str:
    """Reject empty or whitespace-only strings and overly long ones."""
    if not value.strip():
        raise ValueError("must not be empty")
    if len(value) > MAX_NAME_CHARS:
        raise ValueError(f"is longer than {MAX_NAME_CHARS} characters")
    return value


def unique(values: tuple[str, ...]) -> tuple[str, ...]:
    """Reject duplicate entries in a list setting."""
    seen: set[str] = set()
    for value in values:
        key = value.strip().casefold()
        if key in seen:
            raise ValueError(f"lists {value!r} more than once")
        seen.add(key)
    return values


_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*"
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


def bare_domain(value: str) -> str:
    """Accept a bare domain such as example.com (optionally *.example.com)."""
    if "://" in value or "/" in value:
        raise ValueError(f"{value!r} is a URL; write the bare domain, like example.com")
    if not _DOMAIN_RE.match(value.strip().lower().rstrip(".")):
        raise ValueError(f"{value!r} is not a domain name like example.com")
    return value


Name = Annotated[str, AfterValidator(non_blank)]
Domain = Annotated[str, AfterValidator(bare_domain)]


def names_field(description: str, default: tuple[str, ...] = ()) -> Any:
    """A list-of-names field: TOML array of non-empty strings, stored as a tuple."""
    return Field(default=default, description=description, strict=False, max_length=MAX_LIST_ITEMS)


class StrictModel(BaseModel):
    """Base for every rulebook table: strict types, unknown keys rejected, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
