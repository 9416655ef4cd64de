"""Promotion signals: phrases (calls to action, bait, prices, urgency) and link-based evidence."""

from __future__ import annotations

import re
from typing import Final

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

_OFFERING: Final = (
    r"(?:new |own |latest |first |youtube |yt |music |official |online |small |little |"
    r"personal |free |debut )?"
    r"(?:channel|page|website|web site|site|blog|shop|store|business|company|agency|startup|app|"
    r"product|course|book|ebook|e-book|podcast|newsletter|server|discord|services?|"
    r"brand|instagram|insta|ig|twitter|tiktok|soundcloud|etsy|videos?|vids?|songs?|mixtape|track|"
    r"album|playlist|cover|remix|beats?|mix|rap|ep|studio|consultancy|workshop|webinar|"
    r"masterclass|coaching|portfolio|merch|saas|platform|fanpage|vlog|stream|twitch|"
    r"patreon|kickstarter|indiegogo|gofundme|fundraiser|campaign|petition|offer|deals?|"
    r"program|programme|community|group|link|profile|account|music video|upload)"
)
_SUB: Final = r"(?:subscribe|suscribe|subcribe|subscibe|sub to|sub)"
_ENTRIES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "engagement_bait": (
        ("sub subs", r" ?(?:4|for|2) ?subs?\b"),
        ("sub4sub sub2sub", r""),
        ("like&subscribe subscribirse suscribirse inscreva subscribete suscribete", r""),
        ("first", r" (?:subscriber|follower)s?\b"),
        ("sucscribe subscibe subscrib", r"\w*+ (?:to )?(?:me|my)\b"),
        (
            "please pls plz plzz pleas kindly",
            rf" (?:{_SUB}\b|like\b|share\b|follow\b|comment (?:and|&)|watch (?:my|this|it)|"
            r"listen (?:to )?(?:my|this|it)|view my|add me\b)",
        ),
        ("and go guys also now come", rf" {_SUB}\b"),
        ("sub", r" (?:me|my)\b"),
        ("follow like", r" ?(?:4|for) ?(?:follow|like)\b"),
        ("add", r" me (?:on|here|up)\b"),
        (
            "subscribe suscribe subcribe subscibe",
            r" (?:to )?(?:my|me|us|our|him|her|them|for|if|and|now|pls|please|plz|this|"
            r"the channel)\b",
        ),
        (
            "help",
            r" me (?:to )?(?:reach|get|getting|hit|make it to|get to) [\d,. k]++ ?"
            r"(?:subs|subscribers|followers|likes|views|members)",
        ),
        (
            "like",
            r" (?:this|my|if|and share|and subscribe)(?: comment| post| video)?"
            r"(?: if| so| to| for| and| pls| please)\b|(?: this)? comment\b|"
            r"(?: and| &) (?:share|sub)",
        ),
        ("give", r" (?:it|this|me|us|my \w+) an? (?:like|thumbs up|thumb up|follow|share|sub)"),
        ("thumb", r" (?:this|it) up\b"),
        (
            "share",
            r" (?:and|&) (?:subscribe|follow|like)|(?: this)? (?:with|to) (?:everyone|your)"
            r"|(?: this)? if\b|(?: this| my)? (?:video|song|post|channel|page)\b|"
            r"(?: it)? on (?:facebook|fb|twitter|instagram|whatsapp)",
        ),
        ("follow", rf" (?:me|us)\b| (?:my|our) {_OFFERING}"),
        ("turn", r" on (?:post )?notifications"),
        ("smash hit", r" (?:that|the) (?:like|bell|sub)"),
        ("tag", r" (?:a friend|your friends|someone)"),
        ("upvote retweet", r" (?:this|my|if)\b"),
    ),
    "own_offering": (
        ("my our mah mi", rf" {_OFFERING}s?\b"),
        (
            "i",
            r" (?:just )?(?:made|created|built|launched|started|run|recorded|produced|uploaded|"
            r"released|sell|offer|am selling|am launching) (?:a|an|my|our|this|the)\b|"
            r"'?m (?:a |an )?(?:\d+ year old |young |new |upcoming |up and coming |aspiring )?"
            r"(?:rapper|youtuber|singer|producer|beatmaker|vlogger|streamer)\b",
        ),
        (
            "we",
            r" (?:offer|sell|provide|are offering|are selling|just launched|launched|deliver)\b",
        ),
        (
            "im i'm",
            r" (?:a |an )?(?:\d+ year old |young |new |upcoming |aspiring )?"
            r"(?:rapper|youtuber|singer|producer|beatmaker|vlogger|streamer)\b",
        ),
    ),
    "call_to_action": (
        (
            "check",
            rf" out (?:my|our|me|us)\b| (?:me|us) out\b| (?:my|our) {_OFFERING}s?\b|"
            r" (?:out )?(?:the link|(?:this|the|these) (?:video|vid|playlist|song|"
            r"track|channel|page|site|website|app|trailer|clip|link|cover))\b",
        ),
        ("visit", r" (?:my|our|us|the link|the website|this|here|now)\b"),
        ("click", r" (?:the |on |this |my )?(?:link|here|below|above|now)"),
        ("link", r" (?:is )?in (?:my |the )?(?:bio|profile|description|comments)"),
        (
            "dm pm message inbox contact email e-mail text whatsapp ping",
            r" (?:me|us) (?:for|to (?:find out|learn|get|order|buy|join|know)|if you(?:'re| are)? "
            r"(?:interested|want)|now|today)\b",
        ),
        ("hit", r" me up"),
        ("sign signup", r" ?up (?:here|now|at|today|for|using|with)|(?: up)? (?:here|now|today)"),
        ("register enrol enroll apply", r" (?:now|here|today|at)\b"),
        ("buy", r" (?:now|it now|my|our|here|today|from me)\b"),
        ("order", r" (?:now|yours|today|here)\b"),
        ("shop", r" (?:now|at|our|my)\b"),
        ("get", r" (?:yours|your copy)\b"),
        ("grab", r" (?:your|yours|a copy|it)\b"),
        ("book", r" (?:a|your) (?:free )?(?:call|demo|session|consultation|spot|slot)"),
        ("use", r" (?:my|our) (?:code|coupon|link|referral)|(?: the)? (?:code|coupon) \w++"),
        ("download", r" (?:my|our|the app|now|it now)\b"),
        ("join", r" (?:my|our|us)\b"),
        ("come", r" (?:join|check) (?:me|us|my|our)\b"),
        ("go", r" (?:to|check) (?:my|our)\b"),
        ("type", r" in (?:my|our|\"|youtube|google)"),
        ("search", r" (?:for )?(?:my|me)\b"),
        ("listen watch read try support", r"(?: to)? (?:my|our)\b"),
        ("donate", r" (?:to (?:my|our|us|me)|here|now|at)\b"),
        ("fiverr upwork", r""),
        ("vote", r" for\b"),
        ("learn", r" more (?:at|here)\b"),
        ("info", r" (?:at|here)\b"),
    ),
    "contact_me": (
        ("dm pm inbox message whatsapp", r" (?:me|us)\b"),
        ("write", r" (?:me|us) (?:in|on|a) (?:dm|pm|private)"),
    ),
    "suggestion": (
        ("check", r" (?:it |this |these |him |her |them )?out\b|(?: this| these| him| her| it)\b"),
        ("come", r" (?:join|check)\b"),
        ("take", r" a look (?:at )?(?:this|my|our)\b"),
        ("look", r" (?:at|and) (?:this|my|share)\b"),
        ("you u y'all guys", r" (?:should|need to|must|gotta) (?:check|watch|listen|see)\b"),
    ),
    "price": (
        ("usd eur gbp dollars euros bucks quid", r""),
        ("per a", r" ?(?:month|mo|year|yr|hour|hr|session|lesson)\b"),
    ),
    "discount": (
        ("percent", r" off\b"),
        (
            "discount discounts discounted coupon coupons voucher vouchers giveaway sale earlybird "
            "bogo",
            r"",
        ),
        ("promo", r" ?codes?"),
        ("early", r" ?bird"),
        ("special", r" offer"),
        ("half", r" price"),
        (
            "free",
            r" (?:trial|shipping|gift ?cards?|iphone|robux|v-?bucks|followers|subscribers|"
            r"money|cs ?go|skins|audit|consultation|ebook|e-book|webinar|download|sample|quote)\b",
        ),
    ),
    "urgency": (
        ("today this", r" (?:only|week only)\b"),
        ("limited", r" (?:time|offer|spots|seats|stock|places)"),
        ("hurry", r""),
        ("last", r" chance"),
        ("only just", r" \d+ (?:spots|seats|left|places|copies)"),
        ("ends", r" (?:today|tonight|soon|at midnight|this)\b"),
        ("act", r" (?:now|fast)\b"),
        ("while", r" (?:stocks|supplies) last"),
        ("don't dont", r" miss (?:out|this)"),
        ("before", r" (?:it'?s|they'?re) gone"),
        ("first", r" \d+ (?:people|buyers|customers|signups)"),
    ),
    "money_scheme": (
        # Money talk is ordinary chat ("I make money teaching piano", "I earn extra on weekends",
        # "a quick cash flow question"); only a pitch's promise of how fast, how much, how easily
        # or from where counts.
        (
            "make making earn earning",
            r" (?:(?:a lot of|lots of|some|extra|easy|quick|fast|real|serious|big) )?"
            r"(?:money|cash) ++(?:fast|quick|quickly|online|today|now|guaranteed|every ?day|"
            r"while you sleep|from (?:home|your phone)|with (?:this|my|our|your phone))\b",
        ),
        (
            "make making earn earning",
            r" (?:up to |over |at least )?"
            r"(?:\$ ?\d[\d,.]*+k?|\d[\d,.]*+k? ?(?:\$|dollars|bucks|usd|euros))"
            r" ?(?:a|an|per|every|/) ?(?:day|week|month|hour|night)\b",
        ),
        ("make earn", r" (?:money|cash|\$\d+|\d+) (?:from|at) home"),
        (
            "easy quick fast",
            r" (?:money|cash) ++(?:guaranteed|for everyone|zero effort|no effort|fast|now|today|"
            r"online|from home|every ?day|while you sleep)\b",
        ),
        ("passive", r" income"),
        ("get", r" (?:rich|paid)\b"),
        ("financial", r" freedom"),
        ("crypto", r" (?:signals|trading|profits)"),
        ("forex bitcoin", r""),
        ("investment", r" opportunit"),
        ("paid", r" (?:to|for) (?:watch|surveys?)"),
        ("hack hacked", r" (?:facebook|fb|instagram|accounts?)"),
        ("free", r" (?:gift ?cards?|iphone)\b"),
    ),
}
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
_ASCII: Final = frozenset(map(chr, range(128)))
_ALNUM: Final = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


def _sources() -> dict[str, tuple[tuple[str, str], ...]]:
    """One (signal, pattern) per trigger word (matched after a space), indexed by that word."""
    index: dict[str, list[tuple[str, str]]] = {}
    for signal, entries in _ENTRIES.items():
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


def _told_of_self(text: str, start: int) -> bool:
    """Whether the word before a match makes it a statement rather than an imperative."""
    before = text[max(0, start - 12) : start].split()
    return bool(before) and before[-1] in _SELF_BEFORE


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
