"""The invite URL asks for the smallest permission set the enabled features need."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import discord

from groupbot.adapters.discord.permissions import invite_url
from groupbot.core.rulebook import Rulebook, parse_rulebook

NO_HOLDS = """
[rules.promote_before_introduce]
hold = false
[rules.link_flood]
hold = false
[rules.cross_post]
hold = false
[rules.invite_link]
hold_watched = false
"""


def granted(url: str) -> tuple[discord.Permissions, list[str]]:
    """The permissions and scopes an invite URL asks for."""
    query = parse_qs(urlparse(url).query)
    return discord.Permissions(int(query["permissions"][0])), query["scope"][0].split()


def test_default_rulebook_asks_for_manage_messages_to_hold_posts() -> None:
    perms, scopes = granted(invite_url(42, Rulebook()))
    assert scopes == ["bot", "applications.commands"]
    assert perms.manage_messages and perms.embed_links and perms.send_messages
    assert perms.view_channel and perms.read_message_history and perms.send_messages_in_threads
    assert not (perms.administrator or perms.ban_members or perms.manage_guild)


def test_without_holds_manage_messages_is_not_asked_for() -> None:
    perms, _ = granted(invite_url(42, parse_rulebook(NO_HOLDS, source="t.toml")))
    assert not perms.manage_messages
    assert perms.send_messages and perms.embed_links
