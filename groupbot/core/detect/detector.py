"""The Detector: folds text, gathers promotion and introduction signals, and scores them."""

from __future__ import annotations

import math
import operator
import re
from collections import OrderedDict
from collections.abc import KeysView, Sequence
from dataclasses import dataclass
from typing import Final

from .conversation import STRONG, WEAK, addressed, asks_last, conversational
from .domains import prepare_domains
from .families import (
    COMMENTARY,
    CONVERSATION_BLOCKERS,
    CUES,
    GET_IN_TOUCH,
    HARD_SALES,
    INTRO_DAMPED,
    KIND_ORDER,
    SALES,
    SELLING,
    TALK_LOGIT,
    TALK_SIGNALS,
    WEAK_BLOCKERS,
    WORDING_ONLY,
)
from .introduction import INTRO_BIAS, intro_signals, prepare_intro
from .language import language_of
from .lexicon import WEIGHTS as CUE_WEIGHTS
from .lexicon import cyrillic_fold, foreign_signals, has_cyrillic, prepare_lexicon
from .links import find_links
from .model import Terms, WordModel, features, load_model
from .normalize import fold, join_spaced, prepare_folding
from .promotion import (
    DETAILS,
    link_signals,
    phrase_signals,
    prepare_phrases,
    spaced,
    words_outside_links,
)
from .results import (
    NO_CONVERSATION,
    Analysis,
    Conversation,
    DetectorConfig,
    Link,
    Message,
    Signal,
    make_signal,
)
from .triggers import trigger_words

__all__ = ["RULE_BIAS", "Detector", "Evaluation", "model_features"]

RULE_BIAS: Final = -3.0
_INTRO_DAMPING: Final = 0.25
# With the model on, a genuine introduction or a link shared in conversation is judged by the
# model alone, damped by this many logits (the rules' conversation discount is not applied twice).
_GUARD_DAMPING: Final = 1.0
_CONVERSATION_WEIGHT: Final = -3.5
_NUDGES: Final = frozenset({"suggestion"})
# Phrases, introductions and the model read the head and tail of very long messages; links are
# looked for everywhere. This bounds the cost of a 40,000-character message.
_WINDOW: Final = 8000
_HEAD: Final = 6000
_TAIL: Final = 2000
_CACHE_SIZE: Final = 4096
_WEIGHT: Final = operator.attrgetter("weight")
# Evaluation's fields but its wordset: folded, words, links, signals, rule_logit,
# intro_reasons, intro_score, model_negative_only.
_Rules = tuple[
    str,
    list[str],
    tuple[Link, ...],
    tuple[Signal, ...],
    float,
    tuple[Signal, ...],
    float,
    bool,
    bool,
]
# What `_read` finds in a text alone: folded, window, plain, words, links, promotion and intro
# trigger words.
_Read = tuple[str, str, str, list[str], tuple[Link, ...], list[str], list[str]]
# Analysis's fields but its language.
_Verdict = tuple[
    bool,
    float,
    str | None,
    tuple[Signal, ...],
    bool,
    float,
    tuple[Signal, ...],
    tuple[Link, ...],
    str,
]
_EMPTY: Final = Analysis(False, 0.0, None, (), False, 0.0, (), (), "")


def _sigmoid(x: float) -> float:
    """Logistic function, safe for large magnitudes."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(slots=True)
class Evaluation:
    """Everything the rules found, before the model is added (training uses it too)."""

    folded: str
    words: list[str]
    wordset: set[str]
    links: tuple[Link, ...]
    signals: tuple[Signal, ...]
    rule_logit: float
    intro_reasons: tuple[Signal, ...]
    intro_score: float
    model_negative_only: bool
    talk: bool = False
    cyrillic: bool = False


class Detector:
    """Promotion and introduction detector for one community's configuration."""

    def __init__(self, config: DetectorConfig | None = None, *, cache: bool = True) -> None:
        """Prepare allow-lists, extra phrases and (optionally) the learned model.

        With cache off, every call analyses its text afresh (for measuring the detectors).
        """
        self._config = config = config or DetectorConfig()
        self._threshold = config.threshold
        self._intro_threshold = config.intro_threshold
        self._allow_domains = frozenset(d.lower().strip() for d in config.allow_domains)
        invites: set[str] = set()
        for item in config.allow_invites:
            item = item.lower().strip()
            invites.update((item, item.split("://", 1)[-1], item.rstrip("/").rsplit("/", 1)[-1]))
        self._allow_invites = frozenset(invites)
        phrases = [re.escape(fold(p).strip()) for p in config.extra_cta_phrases if p.strip()]
        self._extra = re.compile(r"\b(?:" + "|".join(phrases) + r")\b") if phrases else None
        self._model: WordModel | None = load_model() if config.use_model else None
        # Verdicts are immutable and depend only on these inputs: repeated posts (cross-posts,
        # "thanks!", copy-paste spam) are analysed once. Oldest entries are dropped first.
        # (An OrderedDict: dropping the oldest entry of a plain dict gets slow as holes pile up.)
        self._cache: OrderedDict[tuple[str, bool, frozenset[str], Conversation], Analysis] = (
            OrderedDict()
        )
        self._cache_size = _CACHE_SIZE if cache else 0

    def prepare(self) -> None:
        """Load and compile now what is otherwise done on first use (~0.1 s, once a process).

        A live bot calls this before it connects, so its first messages wait for nothing; a
        one-off run (classify) skips it and pays only for what its input needs.
        """
        prepare_folding()
        prepare_domains()
        prepare_phrases()
        prepare_intro()
        prepare_lexicon()

    @property
    def config(self) -> DetectorConfig:
        """The configuration this detector was built with."""
        return self._config

    def evaluate(
        self,
        text: str,
        intro_channel: bool,
        own_domains: frozenset[str],
        conversation: Conversation = NO_CONVERSATION,
    ) -> Evaluation:
        """Run the rules on one message."""
        return _evaluation(self._rules(text, intro_channel, own_domains, conversation))

    def _rules(
        self,
        text: str,
        intro_channel: bool,
        own_domains: frozenset[str],
        conversation: Conversation = NO_CONVERSATION,
    ) -> _Rules:
        """The fields of `evaluate`'s Evaluation, as a tuple."""
        return self._judge(self._read(text), text, intro_channel, own_domains, conversation)

    def _read(self, text: str) -> _Read:
        """A message's folded text and reading window, its words, links and trigger words."""
        folded = fold(text)
        window = folded if len(folded) <= _WINDOW else folded[:_HEAD] + "\n" + folded[-_TAIL:]
        plain = spaced(window)
        words = plain.split()
        if len(words) >= 5 and _single_letters(words) >= 5:
            joined = join_spaced(window)
            if joined != window:
                window = joined
                plain = spaced(window)
                words = plain.split()
            folded = window
        links = find_links(folded, self._allow_domains, self._allow_invites)
        return folded, window, plain, words, links, *trigger_words(words)

    def _judge(
        self,
        read: _Read,
        text: str,
        intro_channel: bool,
        own_domains: frozenset[str],
        conversation: Conversation,
    ) -> _Rules:
        """What the rules find in a message read by `_read`."""
        folded, window, plain, words, links, promotion_hits, intro_hits = read
        found = phrase_signals(window, plain, promotion_hits, self._extra)
        for name, evidence in foreign_signals(text[:_HEAD], window).items():
            found.setdefault(name, make_signal(name, evidence, DETAILS[name], CUE_WEIGHTS[name]))
        if links:
            count = words_outside_links(window, words, True)
            extra = link_signals(links, own_domains, count, "own_offering" in found)
            for name, sig in extra.items():
                found.setdefault(name, sig)
        named = addressed(text)
        reply = conversation.reply or named
        intro = intro_signals(plain, words, intro_hits, intro_channel, text[:_HEAD], window, reply)
        if not window.isascii() and has_cyrillic(window):
            # The model reads Cyrillic words as a Russian reader does (look-alikes undone).
            words = spaced(cyrillic_fold(window)).split()
        if intro:
            intro_score = _sigmoid(INTRO_BIAS + sum([s.weight for s in intro]))
            intro_context = intro_score >= self._intro_threshold and (
                len(intro) > 1 or intro[0].signal != "greeting"
            )
        else:
            intro_score, intro_context = 0.1192, False
        talk = guarded = False
        if not links and found and found.keys() <= _NUDGES and asks_last(folded):
            # "Could you check it for me?": a nudge inside a question asks for help; the
            # model's wording alone may still decide ("Want more? Check out ..." is not this).
            found.clear()
        if HARD_SALES.isdisjoint(found):
            place = conversational(
                text, folded, links, conversation, bool(links) or "contact_me" in found, named
            )
            if place == STRONG:
                talk = "call_to_action" not in found or "own_offering" not in found
            elif (
                place == WEAK
                and not links
                and found.keys() == {"contact_me"}
                and found["contact_me"].evidence.isascii()
            ):
                del found["contact_me"]  # "can you PM me?": a request, not an offer
                guarded = True
            elif place == WEAK and links and WEAK_BLOCKERS.isdisjoint(found):
                guarded = True
                for name in TALK_SIGNALS:
                    found.pop(name, None)
        if talk:
            # An answer, a reply or a reference: its links, nudges and "PM me" are conversation.
            for name in TALK_SIGNALS:
                found.pop(name, None)
        signals = tuple(found.values())
        selling: set[str] | KeysView[str] = found.keys()
        cta = found.get("call_to_action")
        if cta is not None and not links and cta.evidence.split()[0] in GET_IN_TOUCH:
            # "If anyone needs 3D graphics, hit me up": in a hello, an invitation to get in
            # touch; a link, a price or a deal beside it still makes the hello a pitch.
            selling = selling - {"call_to_action"}
        sales = not SALES.isdisjoint(selling)
        guarded = guarded or (intro_context and not sales)
        # A hello that names the member's own work, and links it, is an introduction: only
        # selling (a call to action, a price, a deal) makes it a pitch.
        talk = talk or (
            intro_context
            and not sales
            and HARD_SALES.isdisjoint(found)
            and not ("own_offering" in found and "suggestion" in found)
        )
        if guarded and signals:
            signals = tuple(
                [
                    make_signal(s.signal, s.evidence, s.detail, round(s.weight * _INTRO_DAMPING, 3))
                    if s.signal in INTRO_DAMPED
                    else s
                    for s in signals
                ]
            )
        logit = RULE_BIAS + sum([s.weight for s in signals])
        if (
            links
            and count >= 8
            and CONVERSATION_BLOCKERS.isdisjoint(found)
            and (not COMMENTARY.isdisjoint(words) or "?" in folded)
        ):
            logit += _CONVERSATION_WEIGHT
            guarded = True
        if talk:
            logit, guarded = min(logit, TALK_LOGIT), True
        return (
            folded,
            words,
            links,
            signals,
            logit,
            tuple(intro),
            intro_score,
            guarded,
            talk,
        )

    def analyze(
        self,
        text: str,
        *,
        intro_channel: bool = False,
        own_domains: frozenset[str] = frozenset(),
        conversation: Conversation = NO_CONVERSATION,
    ) -> Analysis:
        """Analyse one message: is it promotional, is it an introduction, and why."""
        if not text or text.isspace():
            return _EMPTY
        if not self._cache_size:
            return self._analyze(text, intro_channel, own_domains, conversation)
        key = (text, intro_channel, own_domains, conversation)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        analysis = self._analyze(text, intro_channel, own_domains, conversation)
        if len(self._cache) >= self._cache_size:
            self._cache.popitem(last=False)
        self._cache[key] = analysis
        return analysis

    def analyze_many(self, messages: Sequence[Message]) -> list[Analysis]:
        """`analyze` for each message, uncached; faster than one at a time.

        Each stage (reading the text, the rules, the model, the language) runs over every
        message in turn, so its code and tables stay in the CPU's caches: about a quarter less
        time per message.
        """
        read = [None if not m.text or m.text.isspace() else self._read(m.text) for m in messages]
        rules = [
            None if r is None else self._judge(r, *m) for m, r in zip(messages, read, strict=True)
        ]
        weighed = [
            None if r is None else self._weigh(m.text, r)
            for m, r in zip(messages, rules, strict=True)
        ]
        return [_EMPTY if w is None else Analysis(*w[0], language_of(w[1])) for w in weighed]

    def _analyze(
        self,
        text: str,
        intro_channel: bool,
        own_domains: frozenset[str],
        conversation: Conversation = NO_CONVERSATION,
    ) -> Analysis:
        """Analyse one message (uncached)."""
        fields, language_text = self._weigh(
            text, self._rules(text, intro_channel, own_domains, conversation)
        )
        return Analysis(*fields, language_of(language_text))

    def _weigh(self, text: str, rules: _Rules) -> tuple[_Verdict, str]:
        """The verdict's fields but its language, and the text its language is read from."""
        folded, words, links, signals, logit, intro, intro_score, guarded, talk = rules
        cyrillic = not folded.isascii() and has_cyrillic(folded)
        model = self._model
        present: Terms = []
        if model is not None:
            learned, present = model.score(
                words,
                [s.signal for s in signals],
                link=bool(links),
                intro=intro_score >= 0.5,
                guarded=guarded,
                cyrillic=cyrillic,
            )
            if talk:
                logit = min(learned - _GUARD_DAMPING, TALK_LOGIT)
            else:
                logit = learned - _GUARD_DAMPING if guarded else max(learned, logit)
        score = _sigmoid(logit)
        reasons = [s for s in signals if s.weight > 0]
        promotional = score >= self._threshold
        if promotional and score < WORDING_ONLY and CUES.isdisjoint([s.signal for s in reasons]):
            # Wording alone, with nothing that sells, makes a verdict only when the model is
            # sure: a message of chat is not an ad because it shares words with ads.
            promotional, score = False, min(score, 0.49)
        if promotional:
            if model is not None:
                floor = 0.5 if reasons else 0.0
                top = model.top(present, floor=floor)
                if floor <= 0.0 and (len(top) < 2 or top[-1][1] <= 0.0):
                    # Words the model has no weight for may fill the list: all keys decide.
                    top = model.strongest(model_features(_evaluation(rules)), floor=floor)
                detail = DETAILS["learned_phrase"]
                for word, weight in top:
                    reasons.append(make_signal("learned_phrase", word, detail, weight))
            if not reasons:
                promotional, score = False, min(score, 0.49)
            elif len(reasons) > 1:
                reasons.sort(key=_WEIGHT, reverse=True)  # stable: as sorting by -weight
        elif len(reasons) > 1:
            reasons.sort(key=_WEIGHT, reverse=True)
        verdict = (
            promotional,
            round(score, 4),
            _kind(reasons) if promotional else None,
            tuple(reasons),
            intro_score >= self._intro_threshold and not promotional,
            round(intro_score, 4),
            intro,
            links,
            folded,
        )
        # CLD2 reads Cyrillic with its look-alikes undone, as a reader would.
        return verdict, cyrillic_fold(text[:_HEAD]) if cyrillic else text


def _evaluation(rules: _Rules) -> Evaluation:
    """The Evaluation of a `_rules` result (its word set is made only here, for training)."""
    folded, words, links, signals, logit, intro, intro_score, guarded, talk = rules
    return Evaluation(
        folded,
        words,
        set(words),
        links,
        signals,
        logit,
        intro,
        intro_score,
        guarded,
        talk,
        not folded.isascii() and has_cyrillic(folded),
    )


def _single_letters(words: list[str]) -> int:
    """How many words are one character long (s p a c e d letters)."""
    return list(map(len, words)).count(1)


def model_features(ev: Evaluation) -> set[str]:
    """The learned model's feature keys for an evaluated message (training uses it too)."""
    return features(
        ev.words,
        ev.wordset,
        [s.signal for s in ev.signals],
        link=bool(ev.links),
        intro=ev.intro_score >= 0.5,
        guarded=ev.model_negative_only,
        cyrillic=ev.cyrillic,
    )


def _kind(reasons: list[Signal]) -> str:
    """Which kind of promotion the reasons describe."""
    names = {s.signal for s in reasons}
    for signal, kind in KIND_ORDER:
        if signal in names:
            return kind
    if "link_drop" in names and names.isdisjoint(SELLING):
        return "link_drop"
    return "self_promotion"
