"""Member mentions as both platforms write them: `<@U123>`, `<@U123|ann>`, `<@!42>`."""

from __future__ import annotations

import re

__all__ = ["mentioned_members"]

MAX_MENTIONS = 100  # a message naming more members is a ping blast, not a conversation
_MENTION = re.compile(r"<@!?([A-Za-z0-9]{1,32})(?:\|[^>]{0,100})?>")


def mentioned_members(text: str) -> tuple[str, ...]:
    """The distinct member ids a message mentions, in order of first mention."""
    seen: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        seen.setdefault(match.group(1), None)
        if len(seen) >= MAX_MENTIONS:
            break
    return tuple(seen)
