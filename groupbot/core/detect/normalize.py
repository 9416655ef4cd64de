"""Text folding: Unicode normalisation, homoglyphs, invisible characters and de-obfuscation."""

from __future__ import annotations

import html
import importlib.util
import os
import re
import unicodedata
from functools import lru_cache
from typing import Final

import orjson

__all__ = ["confusable_table", "fingerprint", "fold", "join_spaced", "prepare_folding"]

_INVISIBLE: Final = dict.fromkeys(
    [
        173,
        847,
        1564,
        4447,
        4448,
        6068,
        6069,
        6158,
        12644,
        65279,
        65440,
        *list(range(8203, 8208)),
        *list(range(8234, 8239)),
        *list(range(8288, 8304)),
        *list(range(65024, 65040)),
    ]
)
_COMMON_TLDS: Final = "com|net|org|io|co|gg|me|ly|uk|info|biz|xyz|app|dev|shop|store|online|site|tv"
_BR: Final = re.compile(r"<br\s*+/?>")
_HXXP: Final = re.compile(r"\bh(?:xx|\*\*|tt)p(s?)(?:\[:\]|\(:\)|:)//")
_BRACKET_DOT: Final = re.compile(r"\s?+[\[({<]\s?+(?:\.|dot)\s?+[\])}>]\s?+")
_WORD_DOT: Final = re.compile(rf"(?<=[a-z0-9])\s++(?:dot|\(dot\))\s++(?=(?:{_COMMON_TLDS})\b)")
_SPACED_DOT: Final = re.compile(
    rf"(?<=[a-z0-9])(?:\s++\.\s*+|\.\s++)(?=(?:{_COMMON_TLDS})(?:/|\s|$|[,!?)]))"
)
# What _SPACED_DOT needs, led by the dot itself, so the engine skips from dot to dot (a pattern
# led by [.\s] would be tried at every space of the text).
_DOT_BEFORE_TLD: Final = re.compile(rf"\.(?:\s++(?:{_COMMON_TLDS})|(?<=\s\.)(?:{_COMMON_TLDS}))")
# Five or more single letters (digits, dots, slashes) with a space between each. Each one must
# stand alone, so a run followed by a word ("s u b s c r i b e to") ends before it.
_SPACED_LETTERS: Final = re.compile(
    r"(?<![a-z0-9])[a-z0-9./](?![a-z0-9])(?: [a-z0-9./](?![a-z0-9])){4,}+"
)
# What every run of spaced letters holds (" h e c "), led by a plain space the engine can skip to:
# _SPACED_LETTERS, led by a lookbehind, is tried at every position.
_SPACED_HINT: Final = re.compile(r" [a-z0-9./] [a-z0-9./] [a-z0-9./] ")
_ASCII_BYTES: Final = bytes(range(128))
_TOKEN: Final = re.compile(r"\S++")
_ASCII_LETTER: Final = re.compile(r"[a-z]")
# The entities HTML-escaped text mostly holds (TubeSpam's comments, exported chats). "&amp;" goes
# last, so an escaped entity ("&amp;lt;") comes out as written ("&lt;"), as html.unescape has it.
_COMMON_ENTITIES: Final[tuple[tuple[str, str], ...]] = (
    ("&#39;", "'"),
    ("&quot;", '"'),
    ("&lt;", "<"),
    ("&gt;", ">"),
)
_BOM: Final = "\ufeff"


@lru_cache(maxsize=1)
def _confusables() -> dict[str, list[dict[str, str]]]:
    """confusable_homoglyphs' data: each character's look-alikes (read once; never change it)."""
    # Its data file read with orjson: importing the module also reads its script categories with
    # the standard json module and imports urllib, three times the cost (~0.08 s at start).
    spec = importlib.util.find_spec("confusable_homoglyphs")
    if spec is not None and spec.submodule_search_locations:
        path = os.path.join(next(iter(spec.submodule_search_locations)), "confusables.json")
        if os.path.exists(path):
            with open(path, "rb") as fh:
                data: dict[str, list[dict[str, str]]] = orjson.loads(fh.read())
            return data
    from confusable_homoglyphs import confusables

    return dict(confusables.confusables_data)


@lru_cache(maxsize=1)
def confusable_table() -> dict[str, list[str]]:
    """Each character of Unicode's confusables data and the characters it can pass for."""
    return {char: [g["c"] for g in glyphs] for char, glyphs in _confusables().items()}


@lru_cache(maxsize=1)
def _homoglyph_table() -> dict[int, str]:
    """Map each confusable character to the ASCII letter or digit it imitates."""
    table: dict[int, str] = {}
    for char, glyphs in _confusables().items():
        if len(char) != 1 or char.isascii():
            continue
        candidates = [g["c"].strip("\u200e") for g in glyphs]
        ascii_ = [c for c in candidates if len(c) == 1 and c.isascii() and c.isalnum()]
        letters = [c for c in ascii_ if c.isalpha()]
        if letters or ascii_:
            table[ord(char)] = (letters or ascii_)[0].lower()
    return table


# Cyrillic letters that Russian does not use but disguised English does ("тһіѕ", "ѵіѕіт").
_DISGUISE: Final = re.compile("[\u04bb\u0455\u0475\u0458\u0501\u051b\u051d\u0461\u04cf]")


def _fold_mixed(match: re.Match[str]) -> str:
    """Fold the homoglyphs of one token that mixes Latin letters with look-alikes."""
    token = match.group()
    if _ASCII_LETTER.search(token) or _DISGUISE.search(token):
        return token.translate(_homoglyph_table())
    return token


def _non_ascii(text: str) -> set[str]:
    """The distinct non-ASCII characters of text."""
    # set(text) makes an object per character: slow on a long non-Latin text. Stripping ASCII in
    # bytes and peeling off characters while that halves the rest is much faster on the
    # repetitive texts that are long, and no slower on the others.
    rest = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
    chars: set[str] = set()
    left = rest.decode("utf-8", "surrogatepass")
    while left:
        first = left[0]
        chars.add(first)
        shorter = left.replace(first, "")
        if len(shorter) * 2 > len(left):
            chars.update(shorter)
            break
        left = shorter
    return chars


def _unescape(text: str) -> str:
    """html.unescape, by plain replacement when the text holds only the common entities."""
    quick = text
    for entity, char in _COMMON_ENTITIES:
        if entity in quick:
            quick = quick.replace(entity, char)
    if quick.count("&") != quick.count("&amp;"):
        return html.unescape(text)  # other entities: named, numeric, or without their ";"
    return quick.replace("&amp;", "&")


def _unicode(text: str) -> str:
    """Normalise non-ASCII text: NFKC, invisible characters removed, homoglyphs folded."""
    chars = _non_ascii(text)
    if all(ord(c) in _INVISIBLE for c in chars):
        # Only invisible characters (a byte-order mark, a zero-width space): without them the
        # text is ASCII, which NFKC leaves as it is. Common, and much cheaper.
        for c in chars:
            text = text.replace(c, "")
        return text.lower()
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    if "\u2019" in text or "\u2018" in text:
        text = text.replace("\u2019", "'").replace("\u2018", "'")
    chars = _non_ascii(text)
    invisible = [c for c in chars if ord(c) in _INVISIBLE]
    for c in invisible:
        text = text.replace(c, "")
        chars.discard(c)
    if not any(c.isalnum() for c in chars):
        return text
    table = _homoglyph_table()
    confusable = [c for c in chars if ord(c) in table]
    if not confusable:
        return text
    if any(c.isalpha() and ord(c) >= 0x370 and ord(c) not in table for c in chars):
        return _TOKEN.sub(_fold_mixed, text)
    for c in confusable:
        text = text.replace(c, table[ord(c)])
    return text


def prepare_folding() -> None:
    """Load the homoglyph table now rather than on the first non-Latin message."""
    _homoglyph_table()


def _spaced(match: re.Match[str]) -> str:
    """Join s p a c e d letters back into a word."""
    return match.group().replace(" ", "")


def fold(text: str) -> str:
    """Return the folded, lower-case, de-obfuscated text used for matching."""
    if "&" in text and ";" in text:
        text = _unescape(text)
    if text.isascii():
        text = text.lower()
    elif _BOM in text and (bare := text.replace(_BOM, "")).isascii():
        text = bare.lower()  # ASCII after a byte-order mark: most of TubeSpam's comments
    else:
        text = _unicode(text)
    # Each pattern's telltale substrings, behind a single character when one is rare enough:
    # looking for one character is a memchr, much faster than for a string.
    if "<" in text and "<br" in text:
        text = _BR.sub("\n", text)
    if (
        ("x" in text and "hxx" in text)
        or ("*" in text and "h**p" in text)
        or ("[" in text and "[:]" in text)
    ):
        text = _HXXP.sub(r"http\1://", text)
    dotted = "." in text
    if "dot" in text or (dotted and ("[.]" in text or "(.)" in text or "{.}" in text)):
        text = _BRACKET_DOT.sub(".", text)
        text = _WORD_DOT.sub(".", text)
        dotted = "." in text
    if dotted and (". " in text or " ." in text) and _spaced_dot_before_tld(text):
        text = _SPACED_DOT.sub(".", text)
    return text


def _spaced_dot_before_tld(text: str) -> bool:
    """Whether a dot is spaced off a common top-level domain ("site. com", "site .com")."""
    return _DOT_BEFORE_TLD.search(text) is not None


def join_spaced(text: str) -> str:
    """Join runs of s p a c e d letters ("c h e c k") back into words."""
    if _SPACED_HINT.search(text) is None:
        return text
    return _SPACED_LETTERS.sub(_spaced, text)


@lru_cache(maxsize=10_000)  # asked for twice a post (cross-post rule, recent copies); texts recur
def fingerprint(folded: str) -> str:
    """Return the near-duplicate fingerprint of folded text: whitespace collapsed."""
    return " ".join(folded.split())
