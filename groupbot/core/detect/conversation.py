"""Conversation cues: a message addressed to someone, an answer, a link to reference material."""

from __future__ import annotations

import re
from typing import Final

from .promotion import drive_by
from .results import Conversation, Link

__all__ = [
    "NONE",
    "STRONG",
    "WEAK",
    "addressed",
    "asks",
    "asks_last",
    "conversational",
    "reference_link",
]

# "nick: ...", "nick, see ...", "@name ...", "<@U123> ...": the IRC and chat ways of answering
# one person. A scheme ("http:") or a greeting with a comma ("hi, ...") is not an address.
_ADDRESS: Final = re.compile(
    r"\s*+(?:<@[\w.-]++>|@(?!(?:everyone|here|channel|all)\b)[\w.\-#]++|"
    r"\[?(?P<nick>[\w`^{}|\\.-]{2,32}+)\]? ?(?:::?|,|>)(?=\s|h))"
)
_NOT_NICKS: Final = frozenset(
    [
        "greetings",
        "howdy",
        "hola",
        "morning",
        "evening",
        "afternoon",
        "dear",
        "bonjour",
        "salut",
        "hallo",
        "ola",
        "gm",
        "http",
        "https",
        "ftp",
        "hi",
        "hey",
        "hello",
        "hiya",
        "yo",
        "ok",
        "okay",
        "so",
        "well",
        "yes",
        "no",
        "yeah",
        "nope",
        "thanks",
        "edit",
        "update",
        "note",
        "ps",
        "tldr",
        "btw",
        "fyi",
        "also",
        "and",
        "but",
        "or",
        "then",
        "now",
        "haha",
        "lol",
        "lmao",
        "wow",
        "oh",
        "omg",
        "hmm",
        "ah",
        "guys",
        "everyone",
        "all",
        "folks",
        "people",
        "friends",
        "well",
        "sure",
        "right",
        "recommend",
        "recommended",
        "price",
        "tip",
        "tips",
        "warning",
        "question",
        "answer",
        "fact",
        "info",
        "update",
        "edit",
        "source",
    ]
)
# Hosts (by their first label or their registered domain) whose pages are reference material:
# documentation, wikis, manuals, pastebins, bug trackers, package indexes, Q&A, standards.
_REFERENCE_LABELS: Final = frozenset(
    [
        "wiki",
        "wikis",
        "docs",
        "doc",
        "documentation",
        "help",
        "manpages",
        "man",
        "manuals",
        "manual",
        "bugs",
        "bugzilla",
        "issues",
        "tracker",
        "paste",
        "pastebin",
        "packages",
        "pkg",
        "forum",
        "forums",
        "discourse",
        "answers",
        "kb",
        "support",
        "devdocs",
        "developer",
        "developers",
        "api",
        "reference",
        "learn",
        "tldp",
        "faq",
        "guide",
        "guides",
        "tutorial",
        "tutorials",
    ]
)
_REFERENCE_DOMAINS: Final = frozenset(
    [
        "wikipedia.org",
        "wikimedia.org",
        "wiktionary.org",
        "stackoverflow.com",
        "stackexchange.com",
        "askubuntu.com",
        "superuser.com",
        "serverfault.com",
        "mathoverflow.net",
        "launchpad.net",
        "readthedocs.io",
        "readthedocs.org",
        "rtfd.io",
        "pastebin.com",
        "paste.ubuntu.com",
        "pastebin.ubuntu.com",
        "dpaste.com",
        "dpaste.org",
        "hastebin.com",
        "paste.debian.net",
        "termbin.com",
        "ix.io",
        "sprunge.us",
        "gist.github.com",
        "pastie.org",
        "ghostbin.co",
        "privatebin.net",
        "bpa.st",
        "paste.rs",
        "imgur.com",
        "imagebin.org",
        "postimage.org",
        "postimg.cc",
        "ompldr.org",
        "pypi.org",
        "npmjs.com",
        "github.com",
        "gitlab.com",
        "bitbucket.org",
        "codeberg.org",
        "sourceforge.net",
        "sr.ht",
        "crates.io",
        "rubygems.org",
        "packagist.org",
        "metacpan.org",
        "cpan.org",
        "pkg.go.dev",
        "godoc.org",
        "docs.rs",
        "hackage.haskell.org",
        "nuget.org",
        "mvnrepository.com",
        "debian.org",
        "ubuntu.com",
        "archlinux.org",
        "gentoo.org",
        "fedoraproject.org",
        "kernel.org",
        "gnu.org",
        "man7.org",
        "die.net",
        "linux.die.net",
        "tldp.org",
        "w3.org",
        "whatwg.org",
        "ietf.org",
        "rfc-editor.org",
        "iso.org",
        "ecma-international.org",
        "python.org",
        "mozilla.org",
        "developer.mozilla.org",
        "freedesktop.org",
        "apache.org",
        "ubuntuforums.org",
        "linuxquestions.org",
        "unix.com",
        "cyberciti.biz",
        "howtogeek.com",
    ]
)
_REFERENCE_PATHS: Final = re.compile(
    r"/(?:wiki|wikis|docs?|documentation|manual|man|manpages|faq|help|howto|guide|issues?|"
    r"bugs?|pull|pulls|merge_requests|commit|blob|tree|releases|reference|api|spec|rfc|"
    r"questions|answers|kb|paste)(?:/|$|\?|#|\.)|\.(?:png|jpe?g|gif|txt|log|pdf|diff|patch)$"
)
# Words that show a link is given as part of an answer or an explanation.
_ANSWERING: Final = re.compile(
    r"(?:^|[^\w'])(?:according to|explained|described|documented|instructions|docs|"
    r"documentation|wiki|manual|bug|issue|pastebin|paste|output|error|log|fixed|solution|"
    r"workaround|answer|might help|should help|cf|e\.g|i\.e)(?:$|[^\w'])"
)


_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")


# "nick http://...": a name and nothing but a link, the IRC way of handing someone a page.
_NICK_LINK: Final = re.compile(
    r"\s*+(?P<nick>[\w`^{}|\\\[\]-]{2,32}+)\s++(?:https?://|www\.)\S++\s*+$"
)
_NOT_LINK_NICKS: Final = _NOT_NICKS | frozenset(
    [
        "see",
        "try",
        "check",
        "visit",
        "click",
        "go",
        "join",
        "watch",
        "subscribe",
        "sub",
        "follow",
        "download",
        "buy",
        "read",
        "look",
        "here",
        "this",
        "link",
        "site",
        "website",
        "channel",
        "page",
        "my",
        "our",
        "new",
        "free",
    ]
)
# "nick - ...": a name, a dash, then the answer.
_NICK_DASH: Final = re.compile(r"\s*+(?P<nick>[\w`^{}|\\\[\]-]{2,32}+) - ")


def addressed(text: str) -> bool:
    """Whether a message opens by naming the member it speaks to ("ace: see ...", "@ana")."""
    m = _ADDRESS.match(text) or _NICK_DASH.match(text)
    if (
        m is not None
        and m.group("nick") is not None
        and not m.group().rstrip().endswith(":")
        and _CYRILLIC.search(text[:200])
    ):
        # "Привет, ...", "Ребят, ...", "Каменщик - ...": in Russian a word and a comma or a dash
        # opens most sentences (greetings, interjections, headings); "ник: ..." and mentions
        # still address someone.
        return False
    if m is None:
        m = _NICK_LINK.match(text)
        return m is not None and m.group("nick").lower() not in _NOT_LINK_NICKS
    nick = m.group("nick")
    return nick is None or (nick.lower() not in _NOT_NICKS and "//" not in text[m.end() - 2 :][:3])


def reference_link(link: Link) -> bool:
    """Whether a link points at reference material rather than at someone's shop window."""
    if link.allowed:
        return True  # the community's own domains and invites
    if link.invite is not None or link.shortener or link.affiliate is not None:
        return False
    host = link.host
    if link.domain in _REFERENCE_DOMAINS or host in _REFERENCE_DOMAINS:
        return True
    labels = host.split(".")
    if any(label in _REFERENCE_LABELS for label in labels[:-2]):
        return True
    path = link.url.split(host, 1)[-1]
    return bool(path) and _REFERENCE_PATHS.search(path) is not None


# A question mark that ends a sentence (not one inside a link's query string).
_QUESTION: Final = re.compile(r"\?(?=\s|$|[!?)\"'])")
_ENDS_ASKING: Final = re.compile(r"\?[^\w.!?]*+$")


def asks(folded: str) -> bool:
    """Whether the message asks a question (a sentence that ends with a question mark)."""
    return "?" in folded and _QUESTION.search(folded) is not None


def asks_last(folded: str) -> bool:
    """Whether the message ends with its question (trailing emoji and brackets aside)."""
    return "?" in folded and _ENDS_ASKING.search(folded) is not None


NONE: Final = 0
WEAK: Final = 1  # a question, or words of an answer ("the docs", "the error", "workaround")
STRONG: Final = 2  # a reply, a thread, a mention, an address ("ace: ..."), reference links only


def conversational(
    original: str,
    folded: str,
    links: tuple[Link, ...],
    conversation: Conversation,
    weak: bool = True,
    is_addressed: bool | None = None,
) -> int:
    """How surely the message sits in a conversation: NONE, WEAK or STRONG.

    weak: whether WEAK matters to the caller (it only reads it for messages with links or
    "DM me"); when not, NONE stands in for it and the text is not searched for it.
    is_addressed: addressed(original), when the caller already knows it.
    """
    if is_addressed is None:
        is_addressed = addressed(original)
    if conversation.reply or conversation.thread or conversation.mentions or is_addressed:
        return STRONG
    if links and all(reference_link(link) for link in links):
        return STRONG
    if not weak:
        return NONE
    if links and not any(drive_by(link) for link in links):
        return WEAK  # pages shared (an article, a thread, a download), not a shop window
    if conversation.after_question or asks(folded):
        return WEAK
    return WEAK if _ANSWERING.search(folded) is not None else NONE
