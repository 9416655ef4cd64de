"""The guided first run on Slack: after an OAuth install, or at start-up in a new workspace."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from slack_bolt.oauth.async_callback_options import AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from groupbot.adapters.slack.clients import Clients
from groupbot.adapters.slack.directory import Directory
from groupbot.core.events import Installed
from groupbot.core.ports import DeliveryError
from groupbot.service.communities import Communities
from groupbot.service.first_run import FirstRun

__all__ = ["FirstRunSlack"]

log = logging.getLogger(__name__)

# How long start-up waits for Slack before giving the first run up (until the next start).
STARTUP_SECONDS = 10.0
SLACK_TROUBLE = (SlackApiError, DeliveryError, TimeoutError, OSError)


class FirstRunSlack:
    """Finds what the workspace has (channels, installer) and hands the install to the core."""

    def __init__(
        self, first_run: FirstRun, communities: Communities, directory: Directory, clients: Clients
    ) -> None:
        self.first_run = first_run
        self.communities = communities
        self.directory = directory
        self.clients = clients

    async def installed(self, team: str, installer: str | None, name: str = "") -> None:
        """The first run of a team if the bot never saw it; Slack's trouble is only logged."""
        try:
            await self.first_run.installed(await self._describe(team, installer, name))
        except SLACK_TROUBLE as exc:
            log.warning("first run in %s not started: %s", team, exc)
        except Exception:  # never the reason an install or a start-up fails
            log.exception("first run in %s failed", team)

    async def _describe(self, team: str, installer: str | None, name: str) -> Installed:
        """The install as the core sees it, with the channels found by the bot's own lookup."""
        rulebook = self.communities.rulebook_of(team)
        intro = tuple(
            [n for n in rulebook.channels.intro if await self.directory.channel_id(team, n)]
        )
        wanted = rulebook.channels.moderators
        found = bool(wanted) and await self.directory.channel_id(team, wanted) is not None
        who = installer or await self._primary_owner(team)
        return Installed(
            team,
            who,
            datetime.now(UTC),
            intro=intro,
            moderators=wanted if found else None,
            name=name or await self.directory.team_name(team),
        )

    async def _primary_owner(self, team: str) -> str:
        """Who installed a single-token app is not known: the workspace's primary owner."""
        client = await self.clients.bot(team)
        page = await client.users_list(limit=200)
        for member in page["members"]:
            if member.get("is_primary_owner") and not member.get("deleted"):
                return str(member["id"])
        owners = await self.directory.owners(team)
        if not owners:
            raise DeliveryError(f"no owner to tell in team {team}", retry=False)
        return owners[0]

    async def at_startup(self) -> None:
        """Single-token mode: the first run of the token's workspace, if it is a new one."""
        try:
            async with asyncio.timeout(STARTUP_SECONDS):
                client = await self.clients.bot("")  # the single token, whatever the team
                answer = await client.auth_test()
                team = str(answer.get("team_id") or "")
                if team and await self.first_run.unseen([team]):
                    await self.installed(team, None, str(answer.get("team") or ""))
        except SLACK_TROUBLE as exc:
            log.warning("first run at start-up not started: %s", exc)

    def hook(self, flow: AsyncOAuthFlow, then: Callable[[str], None]) -> None:
        """After each "Add to Slack": the first run, `then` (which must not wait), the answer."""
        answer: Callable[[AsyncSuccessArgs], Awaitable[BoltResponse]] = flow.success_handler

        async def success(args: AsyncSuccessArgs) -> BoltResponse:
            found = args.installation
            if found.team_id:
                await self.installed(found.team_id, found.user_id, found.team_name or "")
                then(found.team_id)
            return await answer(args)

        flow.success_handler = success
