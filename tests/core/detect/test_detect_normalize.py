"""Folding defeats the usual evasions: homoglyphs, invisibles, width, spelled-out dots."""

import pytest

from groupbot.core.detect.normalize import fingerprint, fold, join_spaced


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Check OUT my Channel", "check out my channel"),
        ("Subscribe to my \u0441h\u0430nn\u0435l", "subscribe to my channel"),  # Cyrillic letters
        ("\uff43\uff48\uff45\uff43\uff4b \uff4f\uff55\uff54", "check out"),  # full-width
        ("t\u200b.me/\u200dfoo", "t.me/foo"),  # zero-width space and joiner
        ("abc\u202edef\u202c", "abcdef"),  # bidi override and pop
        ("example dot com", "example.com"),
        ("example[.]com", "example.com"),
        ("example(.)com and more", "example.com and more"),
        ("hxxps://bad[.]site/x", "https://bad.site/x"),
        ("www.youtube. com/watch?v=1", "www.youtube.com/watch?v=1"),
        ("it&#39;s<br />fine", "it's\nfine"),
        ("I\u2019m Sam", "i'm sam"),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "connect the dots",
        "I like it. Co-founders agree.",
        "Привет всем, меня зовут Оля",  # a genuinely Cyrillic message stays Cyrillic
        "café crème",
    ],
)
def test_fold_leaves_ordinary_text_alone(raw: str) -> None:
    assert fold(raw) == raw.lower()


def test_mixed_script_word_is_folded_inside_cyrillic_message() -> None:
    assert fold("Привет! \u0441hannel") == "привет! channel"


def test_join_spaced() -> None:
    assert join_spaced("d i s c o r d . g g / x y z") == "discord.gg/xyz"
    assert join_spaced("a b c") == "a b c"  # too short to be an evasion


def test_fingerprint_collapses_whitespace() -> None:
    assert fingerprint(fold("  Buy   NOW\n\tplease ")) == "buy now please"
