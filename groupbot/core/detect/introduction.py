"""Introduction signals: a greeting, a self-description, or a post in an intro channel."""

from __future__ import annotations

import functools
import re
from typing import Final

from .results import Signal, make_signal

__all__ = ["INTRO_BIAS", "TRIGGERS", "intro_signals", "prepare_intro"]

INTRO_BIAS: Final = -2.0
_GREETINGS: Final = frozenset(
    w
    for w in [
        "hi",
        "hii",
        "hiii",
        "hello",
        "helloo",
        "hellooo",
        "hey",
        "heyy",
        "heya",
        "hiya",
        "howdy",
        "hallo",
        "hola",
        "bonjour",
        "salut",
        "ciao",
        "ola",
        "olá",
        "namaste",
        "greetings",
        "yo",
        "hej",
        "hei",
        "hallå",
        "merhaba",
        "salaam",
        "salam",
        "aloha",
        "g'day",
        "gday",
        "moin",
        "servus",
        "sup",
        "wassup",
        "hoi",
        "olà",
        "привет",
        "здравствуйте",
        "привіт",
        "γεια",
        "こんにちは",
        "你好",
        "안녕하세요",
        "bom",
        "buenos",
        "buenas",
        "morning",
        "evening",
        "afternoon",
        "gm",
        "hallo",
        "hej",
        "bonsoir",
        "oi",
        "hiyas",
        "👋",
        "здравствуй",
        "всем",
        "доброго",
        "добрый",
        "buongiorno",
        "guten",
        "grüß",
        "salve",
        "welcome",
    ]
)
_NAME_STOP: Final = (
    r"(?!(?:so|not|just|really|sure|glad|happy|also|still|very|the|going|trying|looking|here|"
    r"new|excited|thinking|getting|in|on|at|to|with|having|doing|working|currently|back|sorry|"
    r"afraid|curious|wondering|interested|done|fine|good|ok|okay|a|an|from|based|kind|pretty|"
    r"quite|totally|always|never|lost|stuck|confused|tired|late|about|loving|using|building|"
    r"making|planning|hoping|struggling|bored|no|sick|all|gonna|like|over|out|off|down|up|"
    r"learning|running|selling|offering|launching|and|but|or|your|my|this|that|it|what|guessing|"
    r"assuming|seeing|reading|having|well|fairly|mostly|only|even|available|open|ready|free|"
    r"proud|thrilled|delighted|pleased|stoked|honoured|honored|grateful|thankful|late)\b)"
)
_ROLES: Final = (
    r"(?:founder|co-?founder|ceo|cto|coo|owner|head|lead|director|manager|student|developer|dev|"
    r"designer|writer|engineer|consultant|teacher|freelancer|marketer|coach|photographer|artist|"
    r"researcher|nurse|doctor|lawyer|accountant|baker|chef|editor|journalist|illustrator|"
    r"programmer|analyst|scientist|mom|mum|dad|parent|retiree|hobbyist|maker|musician|architect|"
    r"pm|vp|cmo|cfo|journalist|translator|trader|investor|miner|fan|enthusiast|advocate|"
    r"ambassador|moderator|contributor|maintainer|creator|builder|entrepreneur|product manager|"
    r"intern|professor|lecturer|phd|postdoc|hacker|tinkerer|newbie|newcomer|member|user|holder)"
)
_STRONG: Final[tuple[tuple[str, str], ...]] = (
    ("my", r" name(?:'s| is)\b"),
    (
        "i'm im",
        rf" (?:a |an |the )?(?:[\w-]+ ){{0,2}}{_ROLES}\b|"
        r" (?:new here|new to)\b",
    ),
    (
        "i",
        rf" am (?:a |an |the )?(?:[\w-]+ ){{0,2}}{_ROLES}\b|"
        r" am (?:new here|new to)\b|"
        r" (?:work|worked|teach|study|run|manage|lead|write|freelance) (?:as|at|in|for|on)\b|"
        r" (?:lead|run|manage|head|founded|co-?founded|started|build|am building)"
        r" (?:a|an|the|our)\b|"
        r" (?:live|lived|grew up) in\b|'ve been (?:lurking|a member|reading)|"
        r" (?:just |recently )?joined(?! (?:the|a|an|this|that|my|our|in|your)\b)|"
        r"(?:'ve| have) just joined(?! (?:the|a|an|this|that|my|our|in|your)\b)",
    ),
    (
        "new",
        r" (?:here|member|to (?:this|the) (?:group|community|server|workspace|channel|slack|"
        r"discord))\b",
    ),
    ("just recently", r" joined(?! (?:the|a|an|this|that|my|our|in|your)\b)"),
    (
        "glad happy excited thrilled delighted pleased stoked honoured honored",
        r" to (?:be here|join|be part|have joined|be a part|finally join|be joining|meet)",
    ),
    ("nice great lovely", r" to (?:meet|e-?meet|be here|join)\b"),
    ("little", r" (?:bit )?about (?:me|myself)"),
    ("introduce introducing", r" myself"),
    ("first", r" (?:post|time posting|message) here"),
    ("long", r"[- ]?time lurker"),
    ("lurker", r""),
    ("newbie newcomer", r" (?:here|from)\b"),
    ("me", r" llamo\b"),
    ("je", r" (?:m'appelle|suis)\b"),
    ("ich", r" (?:bin|heiße|heisse|arbeite)\b"),
    ("mein", r" name ist"),
    ("me", r" llamo\b"),
    ("mi", r" (?:chiamo|nombre es)\b"),
    ("soy sono", r" [^\W\d_]++"),
    ("я", r" (?:работаю|занимаюсь|из|разработчик|дизайнер|студент)"),
    ("eu", r" sou\b"),
    ("meu", r" nome (?:é|e)\b"),
    ("меня", r" зовут"),
    ("ik", r" ben\b"),
    ("jag", r" (?:heter|är)\b"),
)
_WEAK: Final[tuple[tuple[str, str], ...]] = (
    ("i'm im", r" (?:from|based in|based out of|living in|located in|originally from)\b"),
    ("i", r" am (?:from|based in|living in|located in|originally from)\b"),
    ("based", r" (?:in|out of)\b"),
    (
        "looking",
        r" forward to (?:meeting|connecting|chatting|learning|getting to know|being|"
        r"contributing|talking)",
    ),
    ("i", r" (?:love|enjoy|do|make) (?:\w+ )?(?:in my spare time|on the side|for fun)"),
    ("hoping hope", r" to (?:learn|connect|meet|be (?:a )?part|contribute|help|get involved)"),
    ("looking", r" forward to [\w-]+"),
    ("new", r" to (?:the|this|crypto|programming|coding)\b"),
    ("i'm im", r"'? new\b|'? (?:a|an) [\w-]+\b"),
    ("i", r" am (?:a|an) [\w-]+\b"),
    ("i've ive", r" been (?:following|using|mining|holding|hodling|lurking|watching|reading)\b"),
    ("part", r" of (?:this|the) (?:community|team|server|group|project)\b"),
    ("excited", r" to (?:be|join|learn|help|contribute|see)\b"),
)


def _index(entries: tuple[tuple[str, str], ...]) -> dict[str, tuple[str, ...]]:
    """One pattern per trigger word (matched after a space), indexed by that word."""
    index: dict[str, list[str]] = {}
    for triggers, rest in entries:
        for word in triggers.split():
            tail = f"(?:{rest})" if rest else r"\b"
            index.setdefault(word, []).append(" " + re.escape(word) + tail)
    return {k: tuple(v) for k, v in index.items()}


# Each pattern starts with a plain character class (the boundary is checked behind it), so the
# regex engine skips straight to the I/i/M/m that can begin a match instead of trying the
# whole pattern at every position.
_NAME_CAPITAL: Final = (
    r"[IiMm](?<!\w[IiMm])(?:(?<=[Ii])'?m|(?<=I) am|(?<=[Mm])y name(?:'s| is)) "
    r"([A-Z][^\W\d_]++)"
)
_NAME_LOWER: Final = (
    rf"[im](?<![\w'][im])(?:(?<=i)'?m|(?<=i) am|(?<=m)y name(?:'s| is)) {_NAME_STOP}"
    r"([a-z][a-z-]++)"
    r"(?=,| -| from\b| and i\b| here\b| based\b| a\b| an\b| the\b|\s*\.|!|\s*$)"
)
# The channel says what a post may be, not what it is: with a greeting or a word about
# themselves it is an introduction; alone (a question, a reply, chit-chat) it is not.
_INTRO_CHANNEL: Final = Signal(
    "intro_channel", "intro channel", "posted in the introductions channel", 1.5
)
_REPLY: Final = Signal("reply", "reply", "answers another member", -2.5)
_NAME_REACH: Final = 2000
_OPENING: Final = (
    r"(?:(?:hi|hii|hey|heya|hello|hiya|howdy|hola|gm|greetings|good morning|good evening|"
    r"good afternoon|bonjour|salut|ola|olá|hallo|moin|servus|ciao|yo)"
    r"(?: (?:all|everyone|everybody|guys|folks|team|there|friends|people|fam|y'all))? )?"
)
# Words that open "X here" without naming anyone ("Admin here", "Same here", "Anyone here?").
_NOT_NAMES: Final = (
    r"(?!(?:admin|admins|mod|mods|moderator|owner|staff|team|support|bot|anyone|anybody|"
    r"everyone|everybody|someone|somebody|nobody|noone|same|who|what|where|is|are|me|not|"
    r"new|back|also|still|just|always|nothing|all|guys|people|thanks|thank|sorry|here|there|"
    r"it|this|that|link|info|details|more|help|read|click)\b)"
)
# After a greeting: one to three words then "here" ("hi all, lambchop here"), or "this is
# Fatima" (on promotion.spaced text, where punctuation is spaces).
_NAME_HERE: Final = re.compile(
    rf" {_OPENING.replace(' ', ' +')} +(?:{_NOT_NAMES}(?:[^\W\d_][\w'-]*+ +){{1,3}}here\b|"
    rf"this +is +{_NAME_STOP}[^\W\d_][\w-]++(?= *$| +(?:from|here|and|i)\b|  ))"
)
_GREETED: Final = (
    r"(?:(?:[Hh]i|[Hh]ey|[Hh]ello|[Hh]ola|[Gg]reetings|[Hh]iya|[Gg]m|[Gg]ood \w+)\b"
    r"[^\n.!,]{0,20}?[,!.]++\s*+)?"
)
# "Ivan Martinez from Prysmatic Labs", "Laurens here!" (as written, capitals and all).
_NAME_FROM: Final = re.compile(
    rf"\W*+{_GREETED}(?i:{_NOT_NAMES})[A-Z][a-z]++(?: [A-Z][a-z]++)?"
    r"(?: (?:from|at|of|with) [A-Z@]| here\b| from [A-Z]\w*+(?: [A-Z]\w*+)? here\b)"
)
_NAME_SLACK: Final = 64  # how far past the reach the search may run to end at a space
_NAME_KEYS: Final = frozenset({"i'm", "im", "am", "name", "name's"})
_STRONG_SOURCES: Final = _index(_STRONG)
_WEAK_SOURCES: Final = _index(_WEAK)
_STRONG_KEYS: Final = frozenset(_STRONG_SOURCES)
_WEAK_KEYS: Final = frozenset(_WEAK_SOURCES)
TRIGGERS: Final = _STRONG_KEYS | _WEAK_KEYS | _NAME_KEYS  # the words that can start a phrase
# Patterns are compiled when their trigger word first occurs (start-up stays short).
_STRONG_INDEX: Final[dict[str, tuple[re.Pattern[str], ...]]] = {}
_WEAK_INDEX: Final[dict[str, tuple[re.Pattern[str], ...]]] = {}


def prepare_intro() -> None:
    """Compile every introduction pattern now rather than on first use (live bots, at start)."""
    for index, sources in ((_STRONG_INDEX, _STRONG_SOURCES), (_WEAK_INDEX, _WEAK_SOURCES)):
        for key in sources:
            _patterns(index, sources, key)
    _name_patterns()


def _patterns(
    index: dict[str, tuple[re.Pattern[str], ...]], sources: dict[str, tuple[str, ...]], key: str
) -> tuple[re.Pattern[str], ...]:
    """One trigger word's compiled patterns (compiled on first use)."""
    patterns = index.get(key)
    if patterns is None:
        patterns = index[key] = tuple(map(re.compile, sources[key]))
    return patterns


def _first(
    index: dict[str, tuple[re.Pattern[str], ...]],
    sources: dict[str, tuple[str, ...]],
    keys: frozenset[str],
    hits: list[str],
    text: str,
) -> str | None:
    """The first self-description phrase found (hits: the message's trigger words, sorted)."""
    for key in hits:
        if key not in keys:
            continue
        for pattern in _patterns(index, sources, key):
            if (m := pattern.search(text)) is not None:
                return m.group().strip()
    return None


@functools.cache
def _name_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The name patterns, compiled on first use."""
    return re.compile(_NAME_CAPITAL), re.compile(_NAME_LOWER)


def _reach(text: str) -> int:
    """Where the name search stops: a space just past _NAME_REACH, else _NAME_REACH itself."""
    if len(text) <= _NAME_REACH:
        return len(text)
    space = text.find(" ", _NAME_REACH, _NAME_REACH + _NAME_SLACK)
    return _NAME_REACH if space < 0 else space


def _find_name(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The pattern's first match before the reach, confirmed against the whole text."""
    end = _reach(text)
    m = pattern.search(text, 0, end)
    if m is None or end == len(text):
        return m
    # At the cut, "$" and the lookaheads saw an end that is not there ("i'm lucky| to be...").
    return pattern.match(text, m.start())


def _name(original: str, folded: str) -> str | None:
    """ "I'm Priya" / "my name is Priya": a self-introduction by name."""
    capital, lower = _name_patterns()
    # People give their name near the start; looking further only costs time on long posts.
    m = _find_name(capital, original) or _find_name(lower, folded)
    return m.group().strip() if m is not None else None


def _names_self(original: str, plain: str) -> str | None:
    """ "Laurens here", "this is Fatima", "Ivan Martinez from Prysmatic Labs": a name given."""
    m = _NAME_HERE.match(plain) or _NAME_FROM.match(original)
    return m.group().strip() if m is not None else None


def intro_signals(
    text: str,
    words: list[str],
    hits: list[str],
    intro_channel: bool,
    original: str,
    folded: str,
    reply: bool = False,
) -> list[Signal]:
    """The introduction signals of a message.

    text is promotion.spaced() of folded, words its split, hits its TRIGGERS words, sorted
    (triggers.trigger_words).
    """
    found: list[Signal] = []
    greeting = next((w for w in words[:3] if w in _GREETINGS), None)
    if greeting is not None:
        found.append(make_signal("greeting", greeting, "opens with a greeting", 1.2))
    strong = _first(_STRONG_INDEX, _STRONG_SOURCES, _STRONG_KEYS, hits, text)
    if strong is None and not _NAME_KEYS.isdisjoint(hits):
        strong = _name(original, folded)
    if strong is None:
        strong = _names_self(original[:_NAME_REACH], text[:_NAME_REACH])
    if strong is not None:
        found.append(make_signal("self_description", strong, "says who they are", 2.2))
    elif (weak := _first(_WEAK_INDEX, _WEAK_SOURCES, _WEAK_KEYS, hits, text)) is not None:
        found.append(make_signal("self_description", weak, "says a little about themselves", 1.0))
    if intro_channel:
        found.append(_INTRO_CHANNEL)
    if reply and found:
        found.append(_REPLY)
    return found
