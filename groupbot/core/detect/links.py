"""Find links in folded text: plain, bare, masked (Slack and Markdown), invites, shorteners."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from .domains import is_tld, registered_domain
from .results import Link

__all__ = ["MAX_LINKS", "MAX_URL", "find_links"]

MAX_LINKS: Final = 64  # a message with more links than this is a flood whatever they are
MAX_URL: Final = 2048  # longer "words" are cut: browsers and platforms do not keep longer links

_URL: Final = re.compile(
    r"(?<![\w@.\-/])(?:(?P<scheme>https?|ftp)://)?"
    r"(?P<host>(?:[\w-]++\.)+[\w-]++)(?P<port>:\d{1,5}+)?(?P<path>[/?#][^\s<>\"'`|\[\]]*+)?"
)
_SLACK: Final = re.compile(r"<(?P<target>(?:https?|ftp)://[^|>\s]++)(?:\|(?P<label>[^>]*+))?>")
_MARKDOWN: Final = re.compile(r"\[(?P<label>[^\]\n]{0,500}+)\]\(\s*+(?P<target>[^)\s]++)\s*+\)")
_AFFILIATE: Final = re.compile(
    r"[?&;/](?P<param>ref|ref_?id|ref_?code|referral|referrer|aff|affiliate|aff_?id|affid"
    r"|utm_[a-z]++|partner_?id|irclickid|clickid|coupon|promo_?code|via)="
)
_EMOJI_RUN: Final = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u2500-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\u200d]++"
)
_AMAZON_TAG: Final = re.compile(r"[?&]tag=")
# A referral code ends the path: /refer/CODE, /signup/ref/ABC123 (not docs such as
# /en/5.0/ref/models/). Plain "ref" is also short for reference (go.dev/ref/spec), so its code
# must hold a digit.
_REFERRAL_PATH: Final = re.compile(
    r"/(?P<param>refer|referral|referrals|aff|affiliate|ref(?=/[\w-]*\d))/[\w-]++/?(?:$|[?#])"
)
_DOT_WORD: Final = re.compile(r"\.(?<=[\w-]\.)(?=[\w-])")  # every link has one; "." first is fast
# A whitespace-delimited word with a dot that trailing punctuation does not end ("a.b", ".com",
# not "end." or "..."): only such a word can hold a link.
_DOTTED: Final = re.compile(r"(?<!\S)[^\s.]*+\.\S*?[^\s.,;:!?)'\"*]\S*+")
_TRAILING: Final = ".,;:!?)'\"*"
_SHORTENERS: Final = frozenset(
    [
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "tiny.cc",
        "rb.gy",
        "bl.ink",
        "lnkd.in",
        "s.id",
        "v.gd",
        "t.ly",
        "adf.ly",
        "shorte.st",
        "bc.vc",
        "ouo.io",
        "tr.im",
        "x.co",
        "qr.ae",
        "soo.gd",
        "clck.ru",
        "shrtco.de",
        "y2u.be",
        "fb.me",
        "amzn.to",
        "amzn.eu",
        "a.co",
        "dlvr.it",
        "ift.tt",
        "j.mp",
        "tiny.one",
        "short.gy",
        "shorturl.com",
        "gg.gg",
        "surl.li",
    ]
)
_BARE_OK: Final = frozenset(
    [
        "com",
        "net",
        "org",
        "io",
        "co",
        "gg",
        "me",
        "ly",
        "tv",
        "info",
        "biz",
        "xyz",
        "app",
        "dev",
        "uk",
        "us",
        "ca",
        "de",
        "fr",
        "es",
        "nl",
        "au",
        "nz",
        "ie",
        "in",
        "shop",
        "store",
        "online",
        "site",
        "tech",
        "blog",
        "news",
        "live",
        "link",
        "club",
        "fm",
        "ru",
        "br",
        "pt",
        "ai",
        "cc",
        "eu",
        "ch",
        "se",
        "dk",
        "fi",
        "pro",
        "top",
        "ink",
        "page",
        "space",
        "website",
        "media",
        "studio",
        "design",
        "agency",
    ]
)
_BARE_AMBIGUOUS: Final = frozenset(
    [
        "is",
        "it",
        "to",
        "at",
        "be",
        "no",
        "so",
        "am",
        "as",
        "an",
        "by",
        "do",
        "my",
        "py",
        "md",
        "sh",
        "pl",
        "rs",
        "zip",
        "mov",
    ]
)
_TARGETS: Final[dict[str, Link | None]] = {}
_TARGETS_MAX: Final = 1 << 14
_MISSING: Final = Link("", "", "", None, None, False, False, None)
# Every registered domain that _invite recognises.
_INVITE_DOMAINS: Final = frozenset(
    {
        "discord.gg",
        "dsc.gg",
        "discord.io",
        "discord.com",
        "discordapp.com",
        "slack.com",
        "t.me",
        "telegram.me",
        "telegram.dog",
        "whatsapp.com",
        "facebook.com",
        "fb.com",
    }
)
_SHORT_HOSTS: Final = frozenset({"t.me", "t.co", "g.co", "x.co", "a.co", "s.id", "t.ly", "j.mp"})


def _invite(domain: str, host: str, path: str) -> tuple[str | None, str | None]:
    """Return (platform, code) when a link invites people into another community."""
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if domain in ("discord.gg", "dsc.gg", "discord.io") and parts:
        return "discord", parts[0]
    if domain in ("discord.com", "discordapp.com") and len(parts) > 1 and parts[0] == "invite":
        return "discord", parts[1]
    if domain == "slack.com" and (host == "join.slack.com" or "shared_invite" in path):
        return "slack", parts[-1] if parts else host
    if domain in ("t.me", "telegram.me", "telegram.dog") and parts:
        return "telegram", parts[-1]
    if host == "chat.whatsapp.com" and parts:
        return "whatsapp", parts[0]
    if domain == "whatsapp.com" and len(parts) > 1 and parts[0] == "channel":
        return "whatsapp", parts[1]
    if domain in ("facebook.com", "fb.com") and len(parts) > 1 and parts[0] == "groups":
        return "facebook", parts[1]
    return None, None


@lru_cache(maxsize=16384)
def _target(scheme: str, host: str, port: str, path: str) -> Link | None:
    """Validate one candidate and describe it (not allowed, no label), or None if not a link."""
    host = host.strip(".-_")
    if "." not in host:  # "_.al": nothing left but a label once the edges are trimmed
        return None
    tld = host.rsplit(".", 1)[-1]
    labels = host.split(".")
    explicit = bool(scheme) or labels[0] == "www"
    if tld.isdigit():
        if not scheme or len(labels) != 4 or not all(x.isdigit() for x in labels):
            return None
        domain = host
    else:
        if not is_tld(tld) or "_" in labels[-2]:
            return None
        if not explicit:
            if len(labels[-2]) < 2 and host not in _SHORT_HOSTS:
                return None
            if not path and tld not in _BARE_OK and (len(tld) != 2 or tld in _BARE_AMBIGUOUS):
                return None
            if tld in _BARE_AMBIGUOUS and len(path) < 2:
                return None
        domain = registered_domain(host)
    invite, code = None, None
    if domain in _INVITE_DOMAINS or host == "chat.whatsapp.com":
        invite, code = _invite(domain, host, path)
    affiliate = None
    if "=" in path:  # every affiliate parameter ends with "="
        found = _AFFILIATE.search(path)
        if found:
            affiliate = found.group("param")
        elif ("amazon." in domain or domain.startswith("amzn.")) and _AMAZON_TAG.search(path):
            affiliate = "tag"
    if affiliate is None and "/" in path and (found := _REFERRAL_PATH.search(path)) is not None:
        affiliate = found.group("param") + "/"
    url = f"{scheme or 'https'}://{host}{port}{path}"
    return Link(url, host, domain, invite, code, domain in _SHORTENERS, False, None, affiliate)


def _from_match(m: re.Match[str]) -> Link | None:
    """The target of one _URL match (cached by the matched text, which fixes the groups)."""
    matched = m.group()
    target = _TARGETS.get(matched, _MISSING)
    if target is _MISSING:
        scheme, host, port, path = m.groups()
        if path:
            path = path.rstrip(_TRAILING)
        target = _target(scheme or "", host, port or "", path or "")
        if len(_TARGETS) >= _TARGETS_MAX:
            _TARGETS.clear()
        _TARGETS[matched] = target
    return target


def _candidates(text: str) -> list[tuple[int, Link]]:
    """Plain and bare links in text, with their positions (only dotted words are examined)."""
    found: list[tuple[int, Link]] = []
    if len(text) <= MAX_URL and (text.isascii() or _EMOJI_RUN.search(text) is None):
        # No word can be cut or carry emoji: scan only the words holding an "x.y" (every match
        # holds one, and none crosses whitespace), each from a space before it to a space or
        # line break after it. This finds what _candidates_by_word finds unless that would stop
        # at MAX_LINKS.
        scanned = 0
        while (dotted := _DOT_WORD.search(text, scanned)) is not None:
            dot = dotted.start()
            start = max(text.rfind(" ", 0, dot) + 1, scanned)
            end = _space_after(text, dot)
            for m in _URL.finditer(text, start, end):
                target = _from_match(m)
                if target is not None:
                    found.append((m.start(), target))
            scanned = end
        if len(found) < MAX_LINKS:
            return found
    return _candidates_by_word(text)


def _space_after(text: str, start: int) -> int:
    """The first space or line break at or after start (else the end): no link crosses it."""
    space = text.find(" ", start)
    newline = text.find("\n", start, space if space >= 0 else len(text))
    if newline >= 0:
        return newline
    return space if space >= 0 else len(text)


def _candidates_by_word(text: str) -> list[tuple[int, Link]]:
    """_candidates, one dotted word at a time (emoji removed, long words cut, MAX_LINKS)."""
    found: list[tuple[int, Link]] = []
    for w in _DOTTED.finditer(text):
        token = w.group()
        if len(found) >= MAX_LINKS:
            break
        start = w.start()
        token = token[:MAX_URL]
        if not token.isascii():
            token = _EMOJI_RUN.sub("", token)
        for m in _URL.finditer(token):
            target = _from_match(m)
            if target is not None:
                found.append((start + m.start(), target))
    return found


def _allowed(t: Link, allow_domains: frozenset[str], allow_invites: frozenset[str]) -> bool:
    """Whether a community's allow-lists cover this link."""
    if t.domain in allow_domains or t.host in allow_domains:
        return True
    if t.invite is not None and allow_invites:
        code = (t.invite_code or "").lower()
        return (
            code in allow_invites
            or t.url in allow_invites
            or t.url.split("://", 1)[1] in (allow_invites)
        )
    return False


def _link(t: Link, label: str | None, config: tuple[frozenset[str], frozenset[str]]) -> Link:
    """The public Link for a target (the target itself when no allow-list or label applies)."""
    allowed = (config[0] or config[1]) and _allowed(t, *config)
    if not allowed and label is None:
        return t
    return Link(
        t.url,
        t.host,
        t.domain,
        t.invite,
        t.invite_code,
        t.shortener,
        bool(allowed),
        label,
        t.affiliate,
    )


def _masked(text: str) -> tuple[list[tuple[int, Link, str | None]], str]:
    """Slack <url|label> and Markdown [label](url) links, and the text with them blanked."""
    found: list[tuple[int, Link, str | None]] = []
    spans: list[tuple[int, int]] = []
    for pattern in (_SLACK, _MARKDOWN):
        if pattern is _SLACK and "<" not in text:
            continue
        if pattern is _MARKDOWN and "](" not in text:
            continue
        for m in pattern.finditer(text):
            inner = _candidates(m.group("target"))
            if not inner:
                continue
            target = inner[0][1]
            label_text = m.group("label") or ""
            shown = _candidates(label_text) if "." in label_text else []
            label_domain = None
            if shown and shown[0][1].domain != target.domain:
                label_domain = shown[0][1].domain
            found.append((m.start(), target, label_domain))
            spans.append(m.span())
    if spans:
        chars = list(text)
        for start, end in spans:
            chars[start:end] = " " * (end - start)
        text = "".join(chars)
    return found, text


def find_links(
    text: str,
    allow_domains: frozenset[str] = frozenset(),
    allow_invites: frozenset[str] = frozenset(),
) -> tuple[Link, ...]:
    """Every link in folded text, in order of appearance."""
    if "." not in text:
        return ()
    config = (allow_domains, allow_invites)
    masked: list[tuple[int, Link, str | None]] = []
    if "<" in text or "](" in text:
        masked, text = _masked(text)
    plain = _candidates(text)
    if not masked:
        if not (allow_domains or allow_invites):
            return tuple([t for _, t in plain])
        return tuple([_link(t, None, config) for _, t in plain])
    merged = sorted(
        [(p, t, lbl) for p, t, lbl in masked] + [(p, t, None) for p, t in plain],
        key=lambda item: item[0],
    )
    return tuple(_link(t, lbl, config) for _, t, lbl in merged)
