"""App Home: owners see the queue and the community's health; members see their own standing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.adapters.slack.clients import Clients
from groupbot.adapters.slack.directory import Directory
from groupbot.adapters.slack.settings_view import settings_button
from groupbot.adapters.slack.views import SHARE_OPEN, Blocks, escape, request_buttons
from groupbot.core.owners import is_owner
from groupbot.core.rulebook import Rulebook
from groupbot.core.texts import quote, stats_text
from groupbot.service.queries import MemberOverview, OwnerOverview, member_overview, owner_overview

__all__ = ["Home", "home_view"]

MAX_QUEUE = 20  # 4 blocks each, well inside the 100-block limit of a view


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def _member_blocks(rulebook: Rulebook, mine: MemberOverview) -> Blocks:
    intro = "#" + (rulebook.channels.intro[0] if rulebook.channels.intro else "introductions")
    if mine.introduced:
        standing = ":white_check_mark: You've introduced yourself. Thank you!"
    elif mine.newcomer:
        standing = (
            f":wave: You haven't introduced yourself yet: say hello in {intro} "
            "before sharing anything promotional."
        )
    else:
        standing = ":white_check_mark: You were here before groupbot: no introduction needed."
    b = mine.budget
    budget = (
        f"*Promotion budget (90/10):* {b.promotional} of your last {b.posts} posts in "
        f"{b.window_days} days promoted something; {b.remaining} more fit the budget "
        f"(about {rulebook.rules.self_promo_ratio.max_share:.0%} of your posts)."
    )
    blocks: Blocks = [_header("Your standing"), _section(standing), _section(budget)]
    pending = [r for r in mine.requests if r.status == "pending"]
    if pending:
        lines = [
            f"• #{r.id} for #{escape(r.channel, 80)}: {escape(quote(r.text, 80))}" for r in pending
        ]
        blocks.append(_section("*Your pending requests:*\n" + "\n".join(lines)))
    else:
        blocks.append(_section("You have no pending requests."))
    blocks.append(
        {
            "type": "actions",
            "block_id": "share",
            "elements": [
                {
                    "type": "button",
                    "action_id": SHARE_OPEN,
                    "text": {"type": "plain_text", "text": "Request to share"},
                    "value": "share",
                }
            ],
        }
    )
    return blocks


def _owner_blocks(queue: OwnerOverview) -> Blocks:
    blocks: Blocks = [_header(f"Pending requests ({len(queue.pending)})")]
    if not queue.pending:
        blocks.append(_section("The queue is empty. :tada:"))
    for row in queue.pending[:MAX_QUEUE]:
        how = f"held by *{row.rule}*" if row.rule else "asked first"
        blocks.append(
            _section(
                f"*#{row.id}* <@{row.member}> → *#{escape(row.channel, 80)}* ({how})\n"
                + escape(quote(row.text, 300))
            )
        )
        blocks.append(request_buttons(row.id))
    blocks += [_header("Community health"), _section(escape(stats_text(queue.stats)))]
    blocks += [
        _header("Settings"),
        _section("Intro and moderators' channels, welcomes, shadow mode, limits."),
        settings_button(),
    ]
    return blocks


def home_view(
    rulebook: Rulebook, mine: MemberOverview, queue: OwnerOverview | None
) -> dict[str, Any]:
    """The Home tab for one user: the owners' part first when they may decide."""
    blocks: Blocks = []
    if queue is not None:
        blocks += _owner_blocks(queue)
        blocks.append({"type": "divider"})
    blocks += _member_blocks(rulebook, mine)
    return {"type": "home", "blocks": blocks[:100]}


class Home:
    """Publishes a user's Home tab from the database."""

    def __init__(
        self,
        db: AsyncEngine,
        rulebook: Rulebook,
        directory: Directory,
        clients: Clients,
        settings_of: Callable[[str], Rulebook] | None = None,
    ) -> None:
        self.db = db
        self.rulebook = rulebook
        self.directory = directory
        self.clients = clients
        self.settings_of = settings_of or (lambda team: rulebook)  # a workspace's settings

    async def publish(self, team: str, user: str) -> None:
        """Build and publish the Home tab of one user."""
        info = await self.directory.user(team, user)
        rulebook = self.settings_of(team)
        owner = is_owner(rulebook, user, info.roles)
        mine = await member_overview(self.db, rulebook, team, user, datetime.now(UTC))
        queue = await owner_overview(self.db, team, MAX_QUEUE) if owner else None
        client = await self.clients.bot(team)
        await client.views_publish(user_id=user, view=home_view(rulebook, mine, queue))
