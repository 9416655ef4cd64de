"""The language a message is written in, by CLD2 (compiled in, offline: nothing downloaded)."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import pycld2

__all__ = ["language_of"]

# CLD2's older codes for languages whose ISO 639-1 code has changed since.
_RENAMED: Final = {"iw": "he", "in": "id", "jw": "jv", "ji": "yi", "mo": "ro"}


def language_of(text: str) -> str | None:
    """The ISO 639-1 code of text's language, or None when CLD2 cannot tell reliably."""
    try:
        # The first 1,000 characters tell the language as well as the whole; they cost less.
        reliable, _, details = pycld2.detect(text[:1000].encode("utf-8", "replace"))
    except pycld2.error:
        return None
    if not reliable or not details:
        return None
    return _iso(details[0][1])


@lru_cache(maxsize=256)
def _iso(cld_code: object) -> str | None:
    """The ISO 639-1 code for one of CLD2's language codes, or None (unknown, or no such code)."""
    code = str(cld_code).split("-", 1)[0].lower()
    code = _RENAMED.get(code, code)
    return code if len(code) == 2 and code.isalpha() and code != "un" else None
