"""The bot's own words in each community's language, from gettext catalogs shipped as data."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files

from groupbot.core.rulebook import LANGUAGES, render_template

from .messages import MESSAGES

__all__ = ["LANGUAGES", "MESSAGES", "catalog", "message", "say"]

DOMAIN = "groupbot"


@cache
def catalog(language: str) -> Mapping[str, str]:
    """The translated messages of one language by key; read once, on first use."""
    if language == "en":
        return MESSAGES
    from babel.messages.pofile import read_po  # only communities in other languages need it

    source = files(__package__).joinpath("locales", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with source.open("rb") as fh:
        po = read_po(fh, locale=language, domain=DOMAIN)
    # An untranslated or fuzzy entry falls back to English, as gettext itself does.
    return {
        str(m.context): str(m.string) for m in po if m.id and m.context and m.string and not m.fuzzy
    }


def message(language: str, key: str) -> str:
    """One message's template in a language, English where the catalog lacks it."""
    english = MESSAGES[key]
    if language == "en":
        return english
    return catalog(language).get(key, english)


def say(language: str, key: str, **values: object) -> str:
    """One message rendered in a language with its placeholders filled."""
    return render_template(message(language, key), {k: str(v) for k, v in values.items()})
