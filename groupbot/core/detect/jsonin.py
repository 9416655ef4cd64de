"""JSON input as RFC 8259 has it: orjson, plus what orjson refuses that the RFC allows."""

from __future__ import annotations

import json
import re
from typing import Final

import orjson

__all__ = ["loads"]

_BOM: Final = b"\xef\xbb\xbf"
_LONE_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")  # re reads the escapes


def loads(raw: bytes) -> object:
    """Parse one JSON document; a lone surrogate escape ("\\ud83d") becomes U+FFFD.

    A UTF-8 byte-order mark before it (files saved by Windows tools) is skipped, as RFC 8259
    lets a parser do.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if raw.startswith(_BOM):
            return loads(raw[len(_BOM) :])
        # orjson refuses "\ud83d" without its pair; the JSON grammar allows it, and exports of
        # cut-off emoji hold it. Nothing downstream can store or print a lone surrogate.
        if b"\\u" not in raw:
            raise
        try:
            value: object = json.loads(raw, parse_constant=_not_json)
        except ValueError:
            raise exc from None
        return _mended(value)


def _not_json(name: str) -> object:
    """Refuse NaN and Infinity, which the standard library would otherwise accept."""
    raise ValueError(f"{name} is not JSON")


def _mended(value: object) -> object:
    """value with every lone surrogate in its strings replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_mended(v) for v in value]
    if isinstance(value, dict):
        return {_LONE_SURROGATE.sub("\ufffd", k): _mended(v) for k, v in value.items()}
    return value
