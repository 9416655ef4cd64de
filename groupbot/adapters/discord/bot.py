"""The discord.py client: gateway events into the core, slash commands and buttons, delivery."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from groupbot.core.actions import (
    ANSWERS,
    Action,
)
from groupbot.core.events import Event
from groupbot.core.ports import DeliveryError
from groupbot.core.rulebook import Rulebook
from groupbot.service.bot import Bot
from groupbot.service.buffer import EventBuffer
from groupbot.service.metrics import ACTIONS, EVENT_SECONDS, EVENTS
from groupbot.service.runner import IdleWait, Runner
from groupbot.service.settings_reader import SettingsReader
from groupbot.service.warmup import Background, Warmup
from groupbot.storage.outbox import shard_scope

from .commands import register_commands
from .first_run import installation, installer
from .history import warm_up, warm_up_unread
from .interactions import OpenInteractions
from .platform import DiscordPlatform
from .settings import SettingsView
from .translate import command_event, edit_event, is_owner, join_event, message_event
from .views import ApproveButton, DenyButton

__all__ = ["CONTENT_MISSING", "GroupbotClient", "default_intents"]

log = logging.getLogger(__name__)

CONTENT_MISSING = (
    "groupbot cannot read messages here: the **Message Content** intent is not granted to the "
    "bot (Discord Developer Portal > Bot > Privileged Gateway Intents). It will keep welcoming "
    "newcomers and working the approval queue, but cannot coach posts until it is enabled."
)
EVENT_NAMES = {
    "MemberJoined": "join",
    "MessagePosted": "message",
    "MessageEdited": "edit",
    "CommandIssued": "command",
}


def default_intents(*, message_content: bool = True, members: bool = True) -> discord.Intents:
    """The default intents plus the privileged members and message content."""
    intents = discord.Intents.default()
    intents.members = members
    intents.message_content = message_content
    return intents


class GroupbotClient(discord.AutoShardedClient):
    """One process's shards of the groupbot Discord bot."""

    def __init__(
        self,
        core: Bot,
        rulebook: Rulebook,
        *,
        intents: discord.Intents | None = None,
        shard_count: int | None = None,
        shard_ids: list[int] | None = None,
        dev_guild: int | None = None,
        content_granted: bool = True,
        idle: IdleWait | None = None,
        guild_ready_timeout: float = 2.0,
        tick_seconds: float = 1.0,
        note_seconds: float = 120.0,
        read_history: bool = True,
    ) -> None:
        shards: dict[str, Any] = {"shard_ids": shard_ids} if shard_ids is not None else {}
        super().__init__(
            intents=intents or default_intents(),
            shard_count=shard_count,
            guild_ready_timeout=guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
            **shards,
        )
        self.core = core
        self.rulebook = rulebook
        self.dev_guild = dev_guild
        self.content_granted = content_granted
        self.tree: app_commands.CommandTree[GroupbotClient] = app_commands.CommandTree(self)
        register_commands(self.tree)
        self.interactions = OpenInteractions()
        self.platform = DiscordPlatform(
            self,
            core.db,
            rulebook,
            interactions=self.interactions,
            note_seconds=note_seconds,
            settings=SettingsReader(core.db, core.communities),
        )
        self.runner = Runner(
            core,
            self.platform,
            clock=discord.utils.utcnow,
            scope=shard_scope(core.db.dialect.name, shard_count, shard_ids),
            idle=idle,
            tick_seconds=tick_seconds,
        )
        self.buffer = EventBuffer(core, "discord")  # the gateway never redelivers an event
        self.stop = asyncio.Event()
        self._delivering: asyncio.Task[None] | None = None
        self.read_history = read_history  # the install-time history warm-up
        self.history = Background(Warmup(core))

    # -- lifecycle -------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        """Register the persistent buttons and sync the slash commands."""
        self.add_dynamic_items(ApproveButton, DenyButton)
        self.add_view(SettingsView())
        try:
            if self.dev_guild is not None:
                guild = discord.Object(self.dev_guild)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
            else:
                await self.tree.sync()
        except discord.HTTPException:
            log.exception("could not sync slash commands; they may be out of date")

    async def on_ready(self) -> None:
        """Start delivering once the guilds are known (once per process)."""
        if self._delivering is None:
            self._delivering = asyncio.create_task(self.runner.run(self.stop))
            await self.first_runs(self.guilds)
            if self.read_history:
                self.history.spawn(
                    warm_up_unread(self.history, self.history.warmup, self.guilds, self.rulebook)
                )
        log.info("groupbot ready on shards %s", self.shard_ids or "all")

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Added to a server: its guided first run, then its recent history read."""
        await self.first_runs([guild])
        self.history_on_join(guild)  # after the first run: it starts only for unseen servers

    async def first_runs(self, guilds: Sequence[discord.Guild]) -> None:
        """The first run of every one of these servers the database never saw (see FirstRun)."""
        first_run = self.runner.first_run
        try:
            new = set(await first_run.unseen([str(g.id) for g in guilds]))
        except Exception:  # the bot serves the servers all the same; the next start tries again
            log.exception("first runs not started")
            return
        for guild in (g for g in guilds if str(g.id) in new):
            rulebook = self.core.communities.rulebook_of(str(guild.id))
            try:
                # Claimed before the audit log is asked: the server's events go on meanwhile.
                if not await first_run.reserve(str(guild.id), discord.utils.utcnow()):
                    continue
                told = await installer(guild)
                if told is None:
                    log.warning("first run in %s: nobody to tell", guild.id)
                    continue
                install = installation(guild, rulebook, self.platform, told)
                await first_run.installed(install, reserved=True)
            except Exception:
                log.exception("first run in %s not started", guild.id)

    async def close(self) -> None:
        """Stop delivering, then disconnect."""
        self.stop.set()
        self.runner.wake()
        await self.history.close()
        if self._delivering is not None:
            await asyncio.gather(self._delivering, return_exceptions=True)
        await super().close()

    # -- gateway events --------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """A post: the first-post watch and the etiquette rules."""
        event = message_event(message, self.rulebook)
        if event is not None:
            self.platform.remember_message(event.message, message.channel.id)
            await self.handle(event)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """An edit re-evaluates the post (embed unfurls are not edits)."""
        cached = payload.cached_message
        message = payload.message
        if "content" not in payload.data or (cached and cached.content == message.content):
            return
        event = edit_event(message, self.rulebook)
        if event is not None:
            await self.handle(event)

    async def on_member_join(self, member: discord.Member) -> None:
        """A newcomer: the personal welcome."""
        event = join_event(member, self.rulebook)
        if event is not None:
            await self.handle(event)

    def history_on_join(self, guild: discord.Guild) -> None:
        """Added to a server: read its recent history, so its regulars are known."""
        if self.read_history:
            warm_up(self.history, guild, self.rulebook)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Tell the owners once if the bot cannot read messages."""
        if not self.content_granted:
            try:
                await self.platform.tell_owners_once(
                    guild, "intent:message_content", CONTENT_MISSING
                )
            except DeliveryError as exc:
                log.warning("could not tell %s about the missing intent: %s", guild.id, exc)

    async def handle(self, event: Event) -> list[Action] | None:
        """Hand one event to the core, with metrics; a failure (or an event held until the
        database is back) gives None."""
        started = time.perf_counter()
        EVENTS.labels("discord", EVENT_NAMES[type(event).__name__]).inc()
        try:
            actions = await self.buffer.handle(event)
        except Exception:
            log.exception("event %s in %s failed", event.event_id, event.community)
            return None
        if actions is None:
            return None
        EVENT_SECONDS.observe(time.perf_counter() - started)
        for action in actions:
            ACTIONS.labels(action.kind).inc()
        return actions

    # -- commands, buttons, modals ---------------------------------------------------------

    def owner(self, interaction: discord.Interaction) -> bool:
        """Owner rights as the platform sees them (the core checks again)."""
        return is_owner(interaction.user, self.rulebook)

    def settings_of(self, interaction: discord.Interaction) -> Rulebook:
        """The server's settings as the core last loaded them (the defaults before that)."""
        return self.core.communities.rulebook_of(str(interaction.guild_id))

    async def run_command(
        self, interaction: discord.Interaction, name: str, args: tuple[str, ...]
    ) -> None:
        """Defer (ephemeral), run the command in the core; its answer arrives as a followup."""
        event = command_event(interaction, name, args, self.rulebook)
        if event is None:
            await interaction.response.send_message(
                "groupbot's commands work inside a server.", ephemeral=True
            )
            return
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        self.interactions.add(interaction)
        actions = await self.handle(event)
        if actions is None:
            text = "Something went wrong on groupbot's side; please try again in a moment."
        elif any(isinstance(a, ANSWERS) and a.event == event.event_id for a in actions):
            return  # the core's own answer arrives through the outbox
        else:
            text = "Done." if actions else "Nothing to do: that was already handled."
        await interaction.followup.send(text, ephemeral=True)
