"""Folding defeats the usual evasions: homoglyphs, invisibles, width, spelled-out dots."""

import html
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from groupbot.core.detect import normalize
from groupbot.core.detect.normalize import _unescape, fingerprint, fold, join_spaced


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
        ("http[:]//bad.site/x", "http://bad.site/x"),
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
    assert join_spaced("s u b s c r i b e to my channel") == "subscribe to my channel"
    assert join_spaced("options a b c d e or f") == "options abcde or f"


def test_fingerprint_collapses_whitespace() -> None:
    assert fingerprint(fold("  Buy   NOW\n\tplease ")) == "buy now please"


ENTITY_PIECES = [
    *("&amp;", "&#39;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#039;", "&nbsp;", "&AMP;"),
    *("&", ";", "amp", "lt", "#39", "&lt", "&amp", "a", " ", "\ufeff", "\u0441", "é"),
]
ENTITY_SOUP = st.lists(st.sampled_from(ENTITY_PIECES), max_size=12).map("".join)


@settings(max_examples=500, deadline=None)
@given(ENTITY_SOUP)
@example("&amp;lt;")  # an escaped entity comes out as written, not unescaped twice
@example("&amp;#39;")
@example("&amp;quot;")
def test_html_entities_fold_as_html_unescape_has_them(text: str) -> None:
    # The common entities are replaced without html.unescape; the result must not differ.
    assert _unescape(text) == html.unescape(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufeffCheck OUT my channel", "check out my channel"),
        ("\ufeffSubscribe to my \u0441hannel\ufeff", "subscribe to my channel"),
        ("\ufeffCafé", "café"),
    ],
)
def test_byte_order_marks_are_dropped(raw: str, expected: str) -> None:
    assert fold(raw) == expected


def test_confusables_read_from_the_file_are_the_librarys() -> None:
    from confusable_homoglyphs import confusables

    assert normalize._confusables() == confusables.confusables_data


TLDS = "com|net|org|io|co|gg|me|ly|uk|info|biz|xyz|app|dev|shop|store|online|site|tv"
SPACED_DOT_REFERENCE = re.compile(rf"[.\s](?:(?<=\.)\s++(?:{TLDS})|(?<=\s)\.(?:{TLDS}))")
DOT_SOUP = st.lists(
    st.sampled_from([".", " ", "\n", "\xa0", "com", "co", "c", "m", "tv", "x", "info", "é", "-"]),
    max_size=14,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(DOT_SOUP)
def test_spaced_dot_scan_finds_what_the_regex_finds(text: str) -> None:
    expected = SPACED_DOT_REFERENCE.search(text) is not None
    assert normalize._spaced_dot_before_tld(text) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("visit mysite. com today", "visit mysite.com today"),
        ("visit mysite .com today", "visit mysite.com today"),
        ("visit mysite. \ncom/x", "visit mysite.com/x"),
        ("I like it. Comments welcome.", "i like it. comments welcome."),
    ],
)
def test_spaced_dots_before_a_domain_are_closed(raw: str, expected: str) -> None:
    assert fold(raw) == expected


SPACED_SOUP = st.lists(
    st.sampled_from([" ", "a", "b", "1", ".", "/", "é", "\n", "ab"]), max_size=30
)


@settings(max_examples=1000, deadline=None)
@given(SPACED_SOUP.map("".join))
@example("c h e c k")
@example("see: a b c d e")
@example("d i s c o r d . g g / x")
@example(". . . . .")
@example("ab c d e f g")
def test_spaced_letters_are_joined_as_the_pattern_alone_joins_them(text: str) -> None:
    expected = normalize._SPACED_LETTERS.sub(lambda m: m.group().replace(" ", ""), text)
    assert join_spaced(text) == expected


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.characters(max_codepoint=127, exclude_characters="&"), max_size=40),
    st.data(),
)
def test_byte_order_marks_anywhere_fold_away(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=1, max_size=3)))
    pieces = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    assert fold("\ufeff".join(pieces)) == fold(text)
