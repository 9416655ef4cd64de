"""Friendly texts the bot sends, rendered from the rulebook's templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from groupbot.core.i18n import MESSAGES, message, say
from groupbot.core.rulebook import Rulebook, render_template

__all__ = [
    "attribution",
    "batch_welcome_text",
    "denial_text",
    "expiry_text",
    "note_text",
    "quote",
    "stats_text",
    "welcome_text",
]

QUOTE_LIMIT = 280


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A short one-paragraph quote of a post."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_NORM_KEYS = ("norms.introduce", "norms.ratio", "norms.ask")


def _language(rulebook: Rulebook) -> str:
    return rulebook.community.language


def _own_words(rulebook: Rulebook, key: str, written: str) -> str:
    """The owners' text as written, or the bot's default in the community's language."""
    return message(_language(rulebook), key) if written == MESSAGES[key] else written


def _community(rulebook: Rulebook, community: str) -> str:
    return rulebook.community.name or community


def _intro_channel(rulebook: Rulebook) -> str:
    if rulebook.channels.intro:
        return "#" + rulebook.channels.intro[0]
    return message(_language(rulebook), "welcome.no_intro_channel")


def _norms(rulebook: Rulebook) -> str:
    norms = tuple(rulebook.community.norms)
    language = _language(rulebook)
    if language != "en":
        defaults = {MESSAGES[key]: message(language, key) for key in _NORM_KEYS}
        norms = tuple(defaults.get(norm, norm) for norm in norms)
    return _bullets(norms)


@lru_cache(maxsize=64)
def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(f"• {item}" for item in items)


def welcome_text(rulebook: Rulebook, community: str, name: str) -> str:
    """The personal welcome for one newcomer."""
    return render_template(
        _own_words(rulebook, "welcome.text", rulebook.welcome.text),
        {
            "name": name,
            "community": _community(rulebook, community),
            "intro_channel": _intro_channel(rulebook),
            "norms": _norms(rulebook),
        },
    )


def batch_welcome_text(rulebook: Rulebook, community: str, names: Sequence[str]) -> str:
    """One channel welcome greeting several newcomers by name."""
    language = _language(rulebook)
    joined = (
        names[0]
        if len(names) == 1
        else say(language, "welcome.names_and", names=", ".join(names[:-1]), last=names[-1])
    )
    return render_template(
        _own_words(rulebook, "welcome.batch_text", rulebook.welcome.batch_text),
        {
            "names": joined,
            "community": _community(rulebook, community),
            "intro_channel": _intro_channel(rulebook),
            "norms": _norms(rulebook),
        },
    )


def note_text(
    rulebook: Rulebook,
    community: str,
    name: str,
    text: str,
    whys: Sequence[str],
    request: int | None,
) -> str:
    """The gentle private etiquette note: the post quoted, why, and how to ask."""
    language = _language(rulebook)
    reasons = whys[0] if whys else ""
    for later in whys[1:]:
        reasons = say(language, "notes.why_and", earlier=reasons, later=later)
    why = say(language, "notes.why", reasons=reasons)
    if request is not None:
        how = say(language, "notes.how_held", request=request)
    else:
        how = message(language, "notes.how_to_ask")
    return render_template(
        _own_words(rulebook, "notes.text", rulebook.notes.text),
        {
            "name": name,
            "quote": quote(text),
            "why": why,
            "how_to_ask": how,
            "community": _community(rulebook, community),
        },
    )


def attribution(name: str, text: str, language: str = "en") -> str:
    """The published form of an approved post."""
    return say(language, "reply.attribution", name=name, text=text)


def denial_text(request: int, reason: str, asked_first: bool = True, language: str = "en") -> str:
    """What a member is told when the owners say no."""
    denial = say(language, "reply.denied", request=request, reason=reason.rstrip(". "))
    return say(language, "reply.denied_asked_first", denial=denial) if asked_first else denial


def expiry_text(request: int, language: str = "en") -> str:
    """What a member is told when nobody decided in time."""
    return say(language, "reply.expired", request=request)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "n/a"


def stats_text(stats: Mapping[str, Any]) -> str:
    """The community's health in a few plain lines."""
    requests = stats["requests"]
    queue = ", ".join(f"{n} {status}" for status, n in sorted(requests.items())) or "none yet"
    turnaround = stats["median_turnaround_hours"]
    shadow = stats.get("shadow_decisions", 0)
    watched = [f"Shadow mode: {shadow} decisions recorded, nothing sent"] if shadow else []
    return "\n".join(
        [
            f"Newcomers: {stats['newcomers']}, introduced: {stats['introduced']}"
            f" ({_share(stats['introduced'], stats['newcomers'])})",
            f"Posts: {stats['posts']}, promotional: {stats['promotional_posts']}"
            f" ({_share(stats['promotional_posts'], stats['posts'])})",
            f"Sent: {stats['welcomes_sent']} welcomes, {stats['notes_sent']} etiquette notes,"
            f" {stats['holds']} holds",
            f"Requests: {queue}; median turnaround "
            + (f"{turnaround:g} h" if turnaround is not None else "n/a"),
            *watched,
        ]
    )
