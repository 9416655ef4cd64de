"""Links in every form: plain, bare, masked, invites, shorteners, affiliate codes."""

import pytest

from groupbot.core.detect.links import find_links
from groupbot.core.detect.normalize import fold


def links(text: str, **kw: frozenset[str]) -> list[tuple[str, str | None, str | None]]:
    return [(x.domain, x.invite, x.invite_code) for x in find_links(fold(text), **kw)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://www.example.co.uk/a?b=1.", [("example.co.uk", None, None)]),
        ("bare example.com works", [("example.com", None, None)]),
        ("www.example.io", [("example.io", None, None)]),
        ("join discord.gg/AbC", [("discord.gg", "discord", "abc")]),
        ("https://discord.com/invite/xyz", [("discord.com", "discord", "xyz")]),
        ("discordapp.com/invite/q1", [("discordapp.com", "discord", "q1")]),
        (
            "https://join.slack.com/t/ws/shared_invite/zt-1abc",
            [("slack.com", "slack", "zt-1abc")],
        ),
        ("t.me/cryptochat", [("t.me", "telegram", "cryptochat")]),
        ("telegram.me/pros", [("telegram.me", "telegram", "pros")]),
        ("chat.whatsapp.com/HyT6", [("whatsapp.com", "whatsapp", "hyt6")]),
        ("facebook.com/groups/tips", [("facebook.com", "facebook", "tips")]),
        ("disc🔥ord.gg/spam", [("discord.gg", "discord", "spam")]),
        ("mail me@example.com", []),
        ("e.g. node.js i.e. 3.14 v1.2.3 ok.so main.py", []),
        ("a.b.c.d.e.f", []),
    ],
)
def test_find_links(text: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    assert links(text) == expected


def test_masked_links_judge_the_target_and_flag_a_foreign_label() -> None:
    (slack,) = find_links(fold("<https://evil.com/x|paypal.com>"))
    assert (slack.domain, slack.label_domain) == ("evil.com", "paypal.com")
    (md,) = find_links(fold("[docs.python.org](https://bit.ly/x)"))
    assert (md.domain, md.shortener, md.label_domain) == ("bit.ly", True, "python.org")
    (honest,) = find_links(fold("[our docs](https://docs.example.com/a)"))
    assert honest.label_domain is None


@pytest.mark.parametrize(
    ("text", "param"),
    [
        ("https://shop.example.com/p?ref=me", "ref"),
        ("example.com/?utm_source=x", "utm_source"),
        ("amazon.com/dp/1?tag=me-20", "tag"),
        ("example.com/page?aff_id=9", "aff_id"),
        ("example.com/page?id=9", None),
        ("www.swagbucks.com/refer/Nonturtle0", "refer/"),
        ("https://app.example.io/ref/k3y-9", "ref/"),
        ("discord.com/invite/abc", None),
        ("example.com/blog/referral/", None),
        ("https://docs.djangoproject.com/en/5.0/ref/models/querysets/", None),
        ("example.com/ref/", None),
        ("www.swagbucks.com/refer/bob?lang=en", "refer/"),
        ("https://go.dev/ref/spec#Map_types", None),
        ("https://shop.example.com/signup/ref/abc123", "ref/"),
        ("example.com/en/referral/k9", "referral/"),
    ],
)
def test_affiliate(text: str, param: str | None) -> None:
    (link,) = find_links(fold(text))
    assert link.affiliate == param


def test_allow_lists() -> None:
    (site,) = find_links(fold("docs.ours.org/x"), allow_domains=frozenset({"ours.org"}))
    assert site.allowed
    (inv,) = find_links(fold("discord.gg/Ours"), allow_invites=frozenset({"ours"}))
    assert inv.allowed
    (other,) = find_links(fold("discord.gg/theirs"), allow_invites=frozenset({"ours"}))
    assert not other.allowed


def test_urls_are_normalised_with_scheme() -> None:
    (link,) = find_links(fold("Example.COM/Path"))
    assert (link.url, link.host) == ("https://example.com/path", "example.com")


@pytest.mark.parametrize("text", ["_[.]AL", "-.io", "_._.com", "..uk"])
def test_a_host_that_trims_to_one_label_is_no_link(text: str) -> None:
    assert find_links(fold(text), frozenset(), frozenset()) == ()
