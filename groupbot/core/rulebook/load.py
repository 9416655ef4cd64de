"""Reading a rulebook: bounded input, TOML parsing, strict validation with lines."""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from .depth import check_depth
from .errors import RulebookError, RulebookIssue
from .locate import KeyPath, Locator
from .schema import Rulebook
from .wording import describe, format_path, syntax_error

MAX_RULEBOOK_BYTES = 1_000_000


def non_finite(data: object, path: KeyPath = ()) -> Iterator[KeyPath]:
    """Yield paths of non-finite floats (inf, nan), which no setting accepts."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from non_finite(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from non_finite(value, (*path, index))
    elif isinstance(data, float) and not math.isfinite(data):
        yield path


def parse_rulebook(text: str, source: str = "<rulebook>") -> Rulebook:
    """Parse and validate rulebook TOML; a RulebookError names the line and key at fault."""
    if len(text) > MAX_RULEBOOK_BYTES:
        raise RulebookError(
            RulebookIssue(
                source,
                None,
                "",
                f"rulebook is too large ({len(text)} characters; at most {MAX_RULEBOOK_BYTES})",
            )
        )
    text = text.removeprefix("\ufeff")
    check_depth(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise syntax_error(exc, text, source) from None
    locator = Locator(text)
    issues = [
        RulebookIssue(source, locator.find(p), format_path(p), "must be a finite number")
        for p in non_finite(data)
    ]
    if not issues:
        try:
            return Rulebook.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                path: KeyPath = tuple(error["loc"])
                issues.append(
                    RulebookIssue(
                        source, locator.find(path), format_path(path), describe(error, path)
                    )
                )
    issues.sort(key=lambda i: (i.line is None, i.line or 0))
    raise RulebookError(issues)


def load_rulebook(path: str | os.PathLike[str] | None) -> Rulebook:
    """Load a rulebook file; None gives the defaults; a missing or unreadable file is an error."""
    if path is None:
        return Rulebook()
    return parse_rulebook(read_rulebook_text(path), os.fspath(path))


def read_rulebook_text(path: str | os.PathLike[str]) -> str:
    """A rulebook file's text, read to the size limit; RulebookError if it cannot be used."""
    source = os.fspath(path)
    try:
        # Read one byte past the limit instead of trusting stat: devices and pipes say 0.
        with Path(source).open("rb") as handle:
            raw = handle.read(MAX_RULEBOOK_BYTES + 1)
        if len(raw) > MAX_RULEBOOK_BYTES:
            raise RulebookError(
                RulebookIssue(
                    source, None, "", f"rulebook is too large (at most {MAX_RULEBOOK_BYTES} bytes)"
                )
            )
    except FileNotFoundError:
        raise RulebookError(RulebookIssue(source, None, "", "rulebook file not found")) from None
    except IsADirectoryError:
        raise RulebookError(
            RulebookIssue(source, None, "", "is a directory, not a rulebook file")
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RulebookError(
            RulebookIssue(source, None, "", f"cannot read rulebook: {reason}")
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RulebookError(
            RulebookIssue(source, line, "", "invalid TOML: file is not UTF-8 text")
        ) from None
    return text
