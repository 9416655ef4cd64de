"""Adversarial input: nothing raises, and huge messages stay fast (linear-time patterns)."""

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groupbot.core.detect import (
    Conversation,
    Detector,
    DetectorConfig,
    Message,
    introduction,
    links,
    promotion,
)
from groupbot.core.detect.detector import model_features
from groupbot.core.detect.model import WordModel, load_model
from groupbot.core.detect.normalize import fold
from groupbot.core.detect.triggers import trigger_words

# Words outside links, as regexes: dotted words and <...> go, runs of letters and digits count.
LINKISH = re.compile(r"(?<!\S)[^\s.]*+\.\S*+|<[^>\s]++>")
WORD = re.compile(r"[^\W_]++")
DETECTOR = Detector()
RULES = Detector(DetectorConfig(use_model=False))
PIECES = st.sampled_from(
    [
        "http://",
        "www.",
        ".",
        "a",
        "1",
        " ",
        "dot ",
        "[.]",
        "<",
        ">",
        "|",
        "](",
        "[",
        "(",
        ")",
        "discord.gg/",
        "t.me/",
        "?ref=",
        "\u200b",
        "\u0441",
        "🔥",
        "$",
        "%",
        "i'm ",
        "hi ",
        "\n",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_unicode_text_is_analysed(text: str) -> None:
    a = DETECTOR.analyze(text, intro_channel=True, own_domains=frozenset({"example.com"}))
    assert 0 <= a.score <= 1 and 0 <= a.intro_score <= 1
    assert not a.promotional or a.reasons


MESSAGES = st.builds(
    Message,
    st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=80).map("".join)),
    st.booleans(),
    st.sampled_from([frozenset(), frozenset({"example.com"})]),
    st.builds(Conversation, st.booleans(), st.booleans(), st.integers(0, 3), st.booleans()),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(MESSAGES, max_size=12))
def test_many_messages_at_once_get_the_verdicts_they_get_one_by_one(
    messages: list[Message],
) -> None:
    one_by_one = [
        DETECTOR.analyze(
            m.text,
            intro_channel=m.intro_channel,
            own_domains=m.own_domains,
            conversation=m.conversation,
        )
        for m in messages
    ]
    assert DETECTOR.analyze_many(messages) == one_by_one


@settings(max_examples=100, deadline=None)
@given(st.lists(PIECES, max_size=400).map("".join))
def test_link_like_soup_is_analysed(text: str) -> None:
    a = RULES.analyze(text)
    assert not a.promotional or a.reasons


@pytest.mark.slow
@settings(max_examples=5, deadline=None)
@given(st.text(min_size=1, max_size=300).map(lambda s: (s * (40_000 // len(s) + 1))[:40_000]))
def test_huge_unicode_text(text: str) -> None:
    analysis = DETECTOR.analyze(text)
    assert 0.0 <= analysis.score <= 1.0 and 0.0 <= analysis.intro_score <= 1.0
    assert not analysis.promotional or analysis.reasons


ADVERSARIAL = [
    "a" * 40_000,
    "a." * 20_000,
    "1." * 20_000,
    "a-" * 20_000,
    "http://" * 5_700,
    "www." * 10_000,
    ("x " * 20_000),
    "[" * 40_000,
    "<" * 40_000,
    "[a](" * 10_000,
    "<http://a|" * 4_000,
    "\u0441" * 40_000,
    "🔥." * 20_000,
    "a\u200b" * 20_000,
    "subscribe " * 4_000,
    "i'm " * 10_000,
    ("check out my channel example.com " * 1_250),
    ". " * 20_000,
    "a . " * 10_000,
    " .c" * 13_333,
    "a " * 19_999 + "ab",
    "1 " * 19_999 + "1x",
    "a b c d ef " * 4_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_forty_thousand_character_inputs_are_analysed(text: str) -> None:
    # Their speed (< 5 ms each) is measured by benchmarks/detection.py, not asserted here.
    a = Detector().analyze(text)
    assert 0 <= a.score <= 1 and (not a.promotional or a.reasons)


# The fast paths must agree exactly with the straightforward code they stand in for.
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.one_of(PIECES, st.sampled_from(["é", "ß", "—", "٣", "\u0301", "Ж", "_", "x.y"]))
    ).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_word_count_outside_links_matches_the_regexes(text: str) -> None:
    folded = fold(text)
    expected = len(WORD.findall(LINKISH.sub(" ", folded)))
    assert promotion.words_outside_links(folded, [], True) == expected


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_whole_text_link_scan_matches_the_word_by_word_scan(text: str) -> None:
    folded = fold(text)
    assert links._candidates(folded) == links._candidates_by_word(folded)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_model_score_matches_the_feature_keys(text: str) -> None:
    model = load_model()
    ev = RULES.evaluate(text, False, frozenset())
    keys = model_features(ev)
    logit, present = model.score(
        ev.words,
        [s.signal for s in ev.signals],
        link=bool(ev.links),
        intro=ev.intro_score >= 0.5,
        guarded=ev.model_negative_only,
        cyrillic=ev.cyrillic,
    )
    assert logit == pytest.approx(model.logit(keys), abs=1e-9)
    for floor in (0.5, 1.0):
        assert model.top(present, floor=floor) == model.strongest(keys, floor=floor)


def ordered_logit(model: WordModel, words: list[str], signals: list[str]) -> float:
    """The model's logit summed in its documented order: words (each with its prefix) in text
    order, then pairs in text order, each key once, then signals (no flags set)."""
    get = model.weights.get
    total, seen = model.bias, set()
    for w in words:
        for key in (w, "P:" + w[:5] if len(w) > 5 else ""):
            if key and key not in seen and (weight := get(key)) is not None:
                seen.add(key)
                total += weight
    for pair in map(" ".join, itertools.pairwise(words)):
        if pair not in seen and (weight := get(pair)) is not None:
            seen.add(pair)
            total += weight
    for name in dict.fromkeys(signals):
        total += get("S:" + name, 0.0)
    return total


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_model_sums_in_a_fixed_order_to_the_last_bit(text: str) -> None:
    # Verdicts must not depend on the process: the sum's order fixes its last bits.
    model = load_model()
    ev = RULES.evaluate(text, False, frozenset())
    signals = [s.signal for s in ev.signals]
    logit, _ = model.score(ev.words, signals, link=False, intro=False, guarded=False)
    assert logit == ordered_logit(model, ev.words, signals)


SPACED_LINKS = st.lists(
    st.sampled_from(
        [" ", "\n", "\t", "\xa0", ".", "a", "x.com", "b.co.uk", "https://", "/p", "-", "@", "é"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(SPACED_LINKS)
def test_link_scan_windows_miss_nothing_between_kinds_of_space(text: str) -> None:
    assert links._candidates(text) == links._candidates_by_word(text)


WEIGHTS = st.dictionaries(
    st.sampled_from(["buy", "now", "sub", "my", "channel", "buy now", "my channel", "now buy"]),
    st.sampled_from([-1.0, 0.0, 0.5, 0.75, 0.75, 1.5, 1.5, 2.0]),
)


@settings(max_examples=300, deadline=None)
@given(WEIGHTS, st.lists(st.sampled_from(["buy", "now", "sub", "my", "channel"]), max_size=12))
def test_top_terms_rank_as_strongest_sorts_them_ties_included(
    weights: dict[str, float], words: list[str]
) -> None:
    model = WordModel(0.0, weights)
    _, terms = model.score(words, [], link=False, intro=False, guarded=False)
    keys = set(words) | set(map(" ".join, itertools.pairwise(words)))
    for limit in (1, 2, 3):
        for floor in (0.25, 0.5, 1.5):  # at 0, top cannot know unweighted words
            expected = model.strongest(keys, limit=limit, floor=floor)
            assert model.top(terms, limit=limit, floor=floor) == expected


ANGLED_WORDS = st.lists(
    st.sampled_from([" ", "\n", "<", ">", "<a>", "<b c>", ".", "x.com", "w", "é", "_", "<<", "a>"]),
    max_size=30,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(ANGLED_WORDS)
def test_word_count_around_angle_brackets_matches_the_regexes(text: str) -> None:
    expected = len(WORD.findall(LINKISH.sub(" ", text)))
    assert promotion.words_outside_links(text, [], True) == expected


PROMOTION, INTRODUCTION = promotion.TRIGGERS, introduction.TRIGGERS
TRIGGER_SOUP = st.lists(
    st.one_of(
        st.sampled_from(sorted(PROMOTION | INTRODUCTION)),
        st.sampled_from(["zebra", "the", "a", "channel", "x"]),
    ),
    max_size=30,
)


@settings(max_examples=500, deadline=None)
@given(TRIGGER_SOUP)
def test_trigger_words_are_each_detectors_words_once_and_sorted(words: list[str]) -> None:
    # The order decides which evidence a reason quotes; it must not depend on the process.
    expected = tuple(sorted({w for w in words if w in keys}) for keys in (PROMOTION, INTRODUCTION))
    assert trigger_words(words) == expected


DOTTED_SOUP = st.lists(
    st.sampled_from([" ", "\n", ".", "a", "-", ",", ")", "'", '"', "*", "!", "é", "🔥", "x.y"]),
    max_size=30,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(DOTTED_SOUP)
def test_dotted_words_are_those_not_ended_by_their_only_dots(text: str) -> None:
    # The word-by-word link scan looks only at words whose dots are not all trailing punctuation.
    every = re.compile(r"(?<!\S)[^\s.]*+\.\S*+")
    expected = [
        (m.start(), m.group())
        for m in every.finditer(text)
        if "." in m.group().rstrip(".,;:!?)'\"*")
    ]
    assert [(m.start(), m.group()) for m in links._DOTTED.finditer(text)] == expected
