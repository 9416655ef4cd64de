"""Promotion signals: phrases (calls to action, bait, prices, urgency) and link-based evidence."""

from __future__ import annotations

import re
from typing import Final

from .phrases import ENTRIES
from .results import Link, Signal, make_signal

__all__ = [
    "DETAILS",
    "TRIGGERS",
    "WEIGHTS",
    "drive_by",
    "link_signals",
    "phrase_signals",
    "prepare_phrases",
    "spaced",
    "words_outside_links",
]

DETAILS: Final[dict[str, str]] = {
    "engagement_bait": "asks people to like, share, follow or subscribe",
    "own_offering": "talks up the member's own channel, product or business",
    "call_to_action": "tells readers to go somewhere or do something",
    "contact_me": "asks readers to contact them privately",
    "job_offer": "offers work or income to readers",
    "pay_terms": "describes pay or working terms",
    "suggestion": "nudges readers to go and look at something",
    "price": "quotes a price",
    "discount": "offers a discount, deal or freebie",
    "urgency": "pressures readers to act quickly",
    "money_scheme": "promises money or freebies",
    "self_link": "links to a site the member promotes",
    "invite_link": "invites people to another community",
    "link_drop": "drops a link with little or no conversation around it",
    "link": "links to another site",
    "shortener": "hides the destination behind a link shortener",
    "affiliate": "carries an affiliate or tracking code",
    "masked_link": "shows one address but links to another",
    "learned_phrase": "wording common in promotional posts",
    "disguised_letters": "hides words behind look-alike letters of another alphabet",
}
WEIGHTS: Final[dict[str, float]] = {
    "engagement_bait": 4.5,
    "own_offering": 2.6,
    "call_to_action": 3.0,
    "contact_me": 1.5,
    "job_offer": 3.2,
    "pay_terms": 1.5,
    "suggestion": 1.2,
    "price": 1.8,
    "discount": 2.2,
    "urgency": 1.8,
    "money_scheme": 4.0,
    "self_link": 3.0,
    "invite_link": 6.5,
    "link_drop": 4.0,
    "link": 1.6,
    "shortener": 1.5,
    "affiliate": 2.5,
    "masked_link": 3.0,
}
_ANGLED: Final = re.compile(r"<[^>\s]++>")
_PUNCT: Final = bytes(
    c if (chr(c).isalnum() and c < 128) or c >= 128 or chr(c) in "'$%" else 32 for c in range(256)
)
# Led by a character class, so the engine jumps to currency signs and digits.
_PRICE: Final = re.compile(
    r"[$€£¥₹\d](?:(?<=[$€£¥₹]) ?\d[\d,.]*+(?:k\b)?|"
    r"(?<=\d)[\d,.]*+ ?(?:[€£¥₹]|usd\b|eur\b|gbp\b|dollars\b|euros\b))"
)
_CURRENCY_HINTS: Final[tuple[str, ...]] = ("$", "€", "£", "¥", "₹", "usd", "eur", "gbp", "dollars")
_PERCENT_OFF: Final = re.compile(r"\d(?<!\d\d)\d*(?:[.,]\d+)? ?% ?off\b")
# "Spread the word" opening a sentence asks readers to pass a message on; within one it is
# mostly told of the writer ("here to learn and spread the word").
_SPREAD: Final = re.compile(
    r"(?:^|[.!?] ++)(?:please |pls |so )?spread (?:the|this|my|our) (?:word|news|truth|message)\b"
)
_ASCII: Final = frozenset(map(chr, range(128)))
_ALNUM: Final = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


def _sources() -> dict[str, tuple[tuple[str, str], ...]]:
    """One (signal, pattern) per trigger word (matched after a space), indexed by that word."""
    index: dict[str, list[tuple[str, str]]] = {}
    for signal, entries in ENTRIES.items():
        for triggers, rest in entries:
            for word in triggers.split():
                tail = f"(?:{rest})" if rest else r"\b"
                index.setdefault(word, []).append((signal, " " + re.escape(word) + tail))
    return {key: tuple(value) for key, value in index.items()}


_SOURCES: Final = _sources()
TRIGGERS: Final = frozenset(_SOURCES)  # the words that can start a phrase
# A trigger's patterns are compiled when the word first occurs: most never do in a run, and
# compiling them all would be a good part of start-up.
_INDEX: Final[dict[str, tuple[tuple[str, re.Pattern[str]], ...]]] = {}


def _compiled(key: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The compiled patterns of one trigger word."""
    found = _INDEX[key] = tuple((name, re.compile(source)) for name, source in _SOURCES[key])
    return found


def prepare_phrases() -> None:
    """Compile every trigger's patterns now rather than on first use (live bots, at start)."""
    for key in _SOURCES:
        if key not in _INDEX:
            _compiled(key)


def spaced(folded: str) -> str:
    """Folded text with punctuation turned into spaces, led by a space (for word patterns)."""
    raw = folded.encode("utf-8", "surrogatepass").translate(_PUNCT)
    return " " + raw.decode("utf-8", "surrogatepass")


def _signal(name: str, evidence: str) -> Signal:
    """A phrase signal with its standard detail and weight."""
    return make_signal(name, evidence.strip(), DETAILS[name], WEIGHTS[name])


def _may_price(folded: str) -> bool:
    """Whether _PRICE could match: it needs a currency sign or a currency word."""
    return any(c in folded for c in _CURRENCY_HINTS)


# Signals that are imperatives: "I'll check it out", "let me type in", "where do I check my..."
# tell of the writer, not readers.
_IMPERATIVE: Final = frozenset({"call_to_action", "suggestion", "contact_me"})
_SELF_BEFORE: Final = frozenset(
    [
        "i",
        "i'll",
        "ill",
        "will",
        "i'd",
        "id",
        "me",
        "i'm",
        "im",
        "gonna",
        "we'll",
        "shall",
        "manually",
    ]
)


# "I can watch my ...", "I want to check out ...": a modal between the writer and the verb.
_MODALS: Final = frozenset(
    ["can", "could", "should", "would", "might", "may", "must", "to", "just", "also", "cant"]
)
_WRITER: Final = frozenset(["i", "i'll", "ill", "i'd", "id", "i'm", "im"])


def _told_of_self(text: str, start: int) -> bool:
    """Whether the words before a match make it a statement rather than an imperative."""
    before = text[max(0, start - 20) : start].split()
    if not before:
        return False
    if before[-1] in _SELF_BEFORE:
        return True
    return len(before) >= 2 and before[-1] in _MODALS and before[-2] in _WRITER


def phrase_signals(
    folded: str, text: str, hits: list[str], extra: re.Pattern[str] | None = None
) -> dict[str, Signal]:
    """The first piece of evidence for each phrase-based signal.

    text is spaced() of folded; hits are its TRIGGERS words, sorted (triggers.trigger_words).
    """
    found: dict[str, Signal] = {}
    for key in hits:
        for name, pattern in _INDEX.get(key) or _compiled(key):
            if name in found:
                continue
            m = pattern.search(text)
            if m is not None and name in _IMPERATIVE and _told_of_self(text, m.start()):
                m = next(
                    (n for n in pattern.finditer(text) if not _told_of_self(text, n.start())), None
                )
            if m is not None:
                found[name] = _signal(name, m.group())
    if (
        "price" not in found
        and ("$" in folded or (not folded.isascii() and _may_price(folded)))
        and (m := _PRICE.search(folded)) is not None
    ):
        found["price"] = _signal("price", m.group())
    if "discount" not in found and "%" in folded and (m := _PERCENT_OFF.search(folded)):
        found["discount"] = _signal("discount", m.group())
    if "engagement_bait" not in found and text.startswith((" subscribe", " suscribe")):
        found["engagement_bait"] = _signal("engagement_bait", text.split()[0])
    if "call_to_action" not in found and "spread" in folded and (m := _SPREAD.search(folded)):
        found["call_to_action"] = _signal("call_to_action", m.group().lstrip(".!? "))
    if extra is not None and "call_to_action" not in found and (m := extra.search(folded)):
        found["call_to_action"] = _signal("call_to_action", m.group())
    return found


def words_outside_links(folded: str, words: list[str], has_links: bool) -> int:
    """Count the words a message says besides its links."""
    if not has_links:
        return len(words)
    # Words with a dot go, then <...> groups, then runs of letters and digits count: what the
    # regexes the property tests hold this to find, without trying them at every position.
    kept = " ".join([w for w in folded.split() if "." not in w])
    if "<" in kept:
        kept = _ANGLED.sub(" ", kept)
    if not kept.isascii():
        for c in set(kept).difference(_ASCII):
            kept = kept.replace(c, "a" if c.isalnum() else " ")
    return len(kept.encode().translate(_ALNUM).split())


# Sites where people keep the pages they promote: channels, profiles, shops, app listings.
_SHOP_WINDOWS: Final = frozenset(
    [
        "youtube.com",
        "youtu.be",
        "facebook.com",
        "fb.com",
        "fb.me",
        "instagram.com",
        "twitter.com",
        "x.com",
        "tiktok.com",
        "twitch.tv",
        "soundcloud.com",
        "spotify.com",
        "bandcamp.com",
        "patreon.com",
        "ko-fi.com",
        "buymeacoffee.com",
        "onlyfans.com",
        "linktr.ee",
        "etsy.com",
        "ebay.com",
        "amazon.com",
        "amzn.to",
        "aliexpress.com",
        "gumroad.com",
        "blogspot.com",
        "wordpress.com",
        "wixsite.com",
        "tumblr.com",
        "medium.com",
        "substack.com",
        "t.me",
        "telegram.me",
        "vk.com",
        "ok.ru",
        "tsu.co",
        "vimeo.com",
        "dailymotion.com",
        "pinterest.com",
        "reddit.com",
        "linkedin.com",
        "snapchat.com",
        "kickstarter.com",
        "indiegogo.com",
        "gofundme.com",
    ]
)
_APP_STORES: Final = frozenset({"play.google.com", "apps.apple.com", "itunes.apple.com"})


# Paths of pages that present a person, their work or their wares.
_PROFILE_PATH: Final = re.compile(
    r"/(?:user|users|u|profile|profiles|channel|c|member|members|people|artist|artists|story|"
    r"stories|songs|music|album|albums|shop|store|stores|product|products|item|itm|listing|"
    r"listings|app|apps|details|portfolio|gallery)/"
)


def drive_by(link: Link) -> bool:
    """Whether a link on its own reads as a drive-by: a home page, a profile, a shop window.

    A bare deep link elsewhere (an article, a forum thread, a download) is a page shared; it
    is judged by the words and the model, not as a drive-by.
    """
    if link.shortener or link.invite is not None or link.affiliate is not None:
        return True
    if link.domain in _SHOP_WINDOWS or link.host in _APP_STORES:
        return True
    if link.domain.startswith(("amazon.", "ebay.")):
        return True
    path = link.url.split(link.host, 1)[-1].split("?", 1)[0].split("#", 1)[0].strip("/")
    if path.count("/") == 0 and "." not in path:
        return True  # a home page, or a one-word page of a site ("site.com/kyle")
    return path.startswith("@") or _PROFILE_PATH.search("/" + path + "/") is not None


def link_signals(
    links: tuple[Link, ...], own_domains: frozenset[str], words: int, self_ref: bool
) -> dict[str, Signal]:
    """Signals carried by the links themselves."""
    found: dict[str, Signal] = {}

    def add(name: str, evidence: str) -> None:
        if name not in found:
            found[name] = make_signal(name, evidence, DETAILS[name], WEIGHTS[name])

    open_links = [link for link in links if not link.allowed]
    for link in open_links:
        if link.invite is not None:
            add("invite_link", link.url.split("://", 1)[1])
        if link.domain in own_domains:
            add("self_link", link.domain)
        if link.label_domain is not None:
            add("masked_link", f"{link.label_domain} -> {link.domain}")
        if link.shortener:
            add("shortener", link.domain)
        if link.affiliate is not None:
            code = link.affiliate
            add("affiliate", f"{code if code.endswith('/') else code + '='} on {link.domain}")
    if open_links:
        first = open_links[0]
        if self_ref:
            add("self_link", first.domain)
        if words <= 4 and drive_by(first):
            add("link_drop", first.domain)
        add("link", first.domain)
    return found
