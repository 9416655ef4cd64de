"""JSON input as RFC 8259 has it: orjson, plus what orjson refuses that the RFC allows."""

from __future__ import annotations

import json
import math
import re
from typing import Final

import orjson

__all__ = ["loads"]

_BOM: Final = b"\xef\xbb\xbf"
_LONE_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")  # re reads the escapes
_INT_RANGE: Final = range(-(2**63), 2**64)  # what orjson keeps as int; past it, a float


def loads(raw: bytes) -> object:
    """Parse one JSON document; a lone surrogate escape ("\\ud83d") becomes U+FFFD.

    One UTF-8 byte-order mark before it (files saved by Windows tools) is skipped, as RFC 8259
    lets a parser do.
    """
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson refuses "\ud83d" without its pair; the JSON grammar allows it, and exports of
        # cut-off emoji hold it. Such a line is read again by the standard library, held to
        # orjson's other rules (UTF-8 only, its number ranges, no NaN), and mended.
        if b"\\u" not in raw:
            raise
        try:
            value = json.loads(
                raw.decode("utf-8"),
                parse_constant=_refuse,
                parse_int=_integer,
                parse_float=_finite,
            )
            return _mended(value)
        except (ValueError, RecursionError):
            raise exc from None


def _refuse(name: str) -> object:
    """Refuse NaN and Infinity, which the standard library would otherwise accept."""
    raise ValueError(f"{name} is not JSON")


def _integer(digits: str) -> int | float:
    """An integer as orjson reads it: past 64 bits, a float."""
    number = int(digits)
    return number if number in _INT_RANGE else float(digits)


def _finite(digits: str) -> float:
    """A float as orjson reads it: one too large for a double is refused."""
    number = float(digits)
    if math.isinf(number):
        raise ValueError(f"{digits} is infinite as a double")
    return number


def _mended(value: object) -> object:
    """value with every lone surrogate in its strings replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_mended(v) for v in value]
    if isinstance(value, dict):
        return {_LONE_SURROGATE.sub("\ufffd", k): _mended(v) for k, v in value.items()}
    return value
