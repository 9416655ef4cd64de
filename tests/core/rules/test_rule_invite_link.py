"""invite_link: an invite to another community that the rulebook does not allow."""

from __future__ import annotations

from rulekit import analysis, context, link

from groupbot.core.rulebook import Rulebook
from groupbot.core.rules.invite_link import match

INVITE = link("https://discord.gg/abc", "discord.gg", invite="discord", invite_code="abc")


def test_an_invite_is_found_and_names_the_platform() -> None:
    finding = match(
        context(analysis(links=(link("https://docs.example/", "docs.example"), INVITE)))
    )
    assert finding is not None
    assert finding.evidence == INVITE.url and "a Discord server" in finding.detail


def test_allow_listed_invites_and_ordinary_links_are_fine() -> None:
    assert match(context(analysis(links=(INVITE._replace(allowed=True),)))) is None
    assert match(context(analysis(links=(link("https://docs.example/", "docs.example"),)))) is None


def test_an_unknown_platform_is_another_group() -> None:
    odd = INVITE._replace(invite="matrix")
    finding = match(context(analysis(links=(odd,))))
    assert finding is not None and "another group" in finding.detail


def test_hold_depends_on_whether_the_member_is_watched() -> None:
    rb = Rulebook.model_validate({"rules": {"invite_link": {"hold": False, "hold_watched": True}}})
    watched = match(context(analysis(links=(INVITE,)), rulebook=rb, watched=True))
    regular = match(context(analysis(links=(INVITE,)), rulebook=rb, watched=False))
    assert watched is not None and watched.hold
    assert regular is not None and not regular.hold
