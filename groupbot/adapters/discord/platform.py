"""The Platform port on Discord: DMs, channel posts, removals, owner embeds, ephemeral answers."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
import discord
from sqlalchemy.ext.asyncio import AsyncEngine

from groupbot.core.actions import (
    EtiquetteNote,
    Hold,
    OwnerNotice,
    OwnersNotified,
    OwnersReminded,
    Published,
    RequestDecided,
    Welcome,
)
from groupbot.core.approvals import Status
from groupbot.core.ports import Capabilities, ChannelPost, DeliveryError, Direct, Whispered
from groupbot.core.rulebook import Rulebook, normalize_channel
from groupbot.service.queries import request_detail
from groupbot.service.settings_reader import SettingsOf
from groupbot.storage.repositories import PlatformMessages

from .embeds import clip, decided_embed, published_embed, request_embed
from .interactions import OpenInteractions
from .pacing import DmPacer
from .views import decision_view

__all__ = ["DiscordPlatform", "DmClosed"]

log = logging.getLogger(__name__)

T = TypeVar("T")
MISSING_ACCESS = (50001, 50013)
DM_CLOSED = 50007
UNKNOWN = (10003, 10008, 10013)  # channel, message, user
MESSAGE_MAP = 50_000
NO_PINGS = discord.AllowedMentions.none()
NO_ACCESS = (
    "groupbot cannot post in the moderators' channel (it needs View Channel, Send Messages and "
    "Embed Links there), so this request comes to you directly."
)


class DmClosed(DeliveryError):
    """The member does not accept DMs from the bot (error 50007)."""

    def __init__(self, member: str) -> None:
        super().__init__(f"{member} does not accept direct messages (50007)", retry=False)


async def guarded(call: Awaitable[T]) -> T:
    """Await a Discord call, turning its failures into DeliveryError the outbox understands."""
    try:
        return await call
    except discord.RateLimited as exc:
        raise DeliveryError(str(exc), retry_after=exc.retry_after) from exc
    except discord.Forbidden as exc:
        raise DeliveryError(f"forbidden ({exc.code}): {exc.text}", retry=False) from exc
    except discord.NotFound as exc:
        raise DeliveryError(f"not found ({exc.code}): {exc.text}", retry=False) from exc
    except discord.HTTPException as exc:
        if exc.status == 429:
            after = exc.response.headers.get("Retry-After") if exc.response else None
            raise DeliveryError(str(exc), retry_after=float(after or 5)) from exc
        raise DeliveryError(f"HTTP {exc.status} ({exc.code}): {exc.text}") from exc
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise DeliveryError(f"network: {exc!r}") from exc


class DiscordPlatform:
    """Delivers owed actions on Discord; one instance serves every guild of one client."""

    def __init__(
        self,
        client: discord.Client,
        db: AsyncEngine,
        rulebook: Rulebook,
        *,
        interactions: OpenInteractions | None = None,
        pacer: DmPacer | None = None,
        note_seconds: float = 120.0,
        settings: SettingsOf | None = None,
    ) -> None:
        self.client = client
        self.db = db
        self.rulebook = rulebook
        self.settings = settings  # each server's own settings; None: the rulebook
        self.interactions = interactions or OpenInteractions()
        self.pacer = pacer or DmPacer(rulebook.welcome.dm_per_minute)
        self.note_seconds = note_seconds
        self._told: set[tuple[str, str]] = set()
        self._messages: OrderedDict[str, int] = OrderedDict()

    # -- what the client tells us ----------------------------------------------------------

    def remember_message(self, message: str, channel: int) -> None:
        """Where a watched message lives (threads have their own channel id)."""
        self._messages[message] = channel
        if len(self._messages) > MESSAGE_MAP:
            self._messages.popitem(last=False)

    # -- lookups ---------------------------------------------------------------------------

    def guild(self, community: str) -> discord.Guild:
        """The cached guild, or a retryable failure (not ready yet, or not ours)."""
        guild = self.client.get_guild(int(community))
        if guild is None:
            raise DeliveryError(f"guild {community} is not available to this client")
        return guild

    def channel(self, guild: discord.Guild, name: str) -> discord.TextChannel | None:
        """A text channel by the name the rulebook uses (case-insensitive, '#' optional)."""
        wanted = normalize_channel(name)
        if wanted.isdigit():
            by_id = guild.get_channel(int(wanted))
            if isinstance(by_id, discord.TextChannel):
                return by_id
        for channel in guild.text_channels:
            if normalize_channel(channel.name) == wanted:
                return channel
        return None

    async def _settings(self, community: str) -> Rulebook:
        """The server's own settings in force (the rulebook when none are wired)."""
        return self.rulebook if self.settings is None else await self.settings(community)

    def humanize(self, guild: discord.Guild, text: str) -> str:
        """Texts name the community by its id when the rulebook has no name: use the guild's."""
        return text.replace(str(guild.id), guild.name)

    async def owners_place(
        self, guild: discord.Guild, name: str | None = None
    ) -> discord.abc.Messageable:
        """The moderators' channel, else the system channel, else the guild owner's DMs."""
        wanted = name or (await self._settings(str(guild.id))).channels.moderators
        channel = self.channel(guild, wanted) if wanted else None
        if channel is None:
            channel = guild.system_channel
        if channel is not None:
            return channel
        if guild.owner is not None:
            return guild.owner
        user: discord.User = await guarded(self.client.fetch_user(guild.owner_id or 0))
        return user

    async def tell_owners_once(self, guild: discord.Guild, key: str, text: str) -> None:
        """A notice owners need to see once per process (a missing permission or intent)."""
        if (str(guild.id), key) in self._told:
            return
        self._told.add((str(guild.id), key))
        place = await self.owners_place(guild)
        await guarded(place.send(clip(text), allowed_mentions=NO_PINGS))

    # -- the port ----------------------------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:
        """Answers go to the open interaction; a note whose DM is closed, to the channel."""
        return Capabilities(whisper=True)

    async def send_direct(self, message: Direct) -> None:
        """A DM, paced per guild (welcomes leave room for notes); closed DMs raise DmClosed."""
        priority = not isinstance(message, Welcome)
        await self._dm(message.community, message.member, message.text, priority=priority)

    async def whisper(self, message: Whispered) -> None:
        """A command's answer as the interaction's ephemeral followup; a note in its channel."""
        if isinstance(message, EtiquetteNote):
            await self._note_in_channel(message)
            return
        interaction = self.interactions.get(message.event)
        if interaction is None:
            raise DeliveryError("the interaction is no longer open", retry=False)
        text = clip(self.humanize(self.guild(message.community), message.text))
        try:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            raise DeliveryError(f"followup failed: {exc}", retry=False) from exc

    async def post(self, message: ChannelPost) -> None:
        """A welcome greeting its newcomers by mention, or an approved post as an embed."""
        if isinstance(message, Published):
            await self._publish(message)
        else:
            await self._welcome(message)

    async def remove(self, hold: Hold) -> None:
        """Delete a held post; without Manage Messages tell the owners once and carry on."""
        guild = self.guild(hold.community)
        channel_id = self._messages.get(hold.message)
        if channel_id is None:
            found = self.channel(guild, hold.channel)
            if found is None:
                raise DeliveryError(
                    f"no channel {hold.channel!r} to remove {hold.message} from", retry=False
                )
            channel_id = found.id
        try:
            await self.client.http.delete_message(
                channel_id, int(hold.message), reason="groupbot hold"
            )
        except discord.NotFound:
            return  # already gone
        except discord.Forbidden as exc:
            if exc.code not in MISSING_ACCESS:
                raise DeliveryError(f"forbidden ({exc.code})", retry=False) from exc
            await self.tell_owners_once(
                guild,
                "perm:manage_messages",
                "groupbot could not remove a held post: it is missing the **Manage Messages** "
                "permission. Held posts stay up; the members are still coached and their "
                "posts queued for you. Grant Manage Messages to let groupbot hold posts.",
            )
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            await guarded(_reraise(exc))

    async def notify_owners(self, notice: OwnerNotice) -> None:
        """Embeds with persistent buttons; decisions edit every copy."""
        guild = self.guild(notice.community)
        if isinstance(notice, RequestDecided):
            await self._decided(guild, notice)
            return
        mods = notice.moderators_channel if isinstance(notice, OwnersNotified) else None
        place = await self.owners_place(guild, mods)
        community = notice.community
        if isinstance(notice, OwnersNotified):
            request = notice.request
            row = await request_detail(self.db, community, request)
            embed = request_embed(notice, row)
            try:
                message = await guarded(place.send(embed=embed, view=decision_view(request)))
            except DeliveryError:
                if isinstance(place, discord.abc.User):
                    raise
                owner = await self.owners_place(guild, "")  # the guild owner's DMs at worst
                message = await guarded(
                    owner.send(NO_ACCESS, embed=embed, view=decision_view(request))
                )
            await self._remember(community, request, message)
            return
        text = clip(self.humanize(guild, notice.text))
        if isinstance(notice, OwnersReminded):
            row = await request_detail(self.db, community, notice.request)
            if row is not None and row.status == Status.PENDING:
                message = await guarded(
                    place.send(text, view=decision_view(notice.request), allowed_mentions=NO_PINGS)
                )
                await self._remember(community, notice.request, message)
                return
        await guarded(place.send(text, allowed_mentions=NO_PINGS))

    # -- internals -------------------------------------------------------------------------

    def _post_target(self, guild: discord.Guild, name: str) -> discord.TextChannel:
        channel = self.channel(guild, name) or guild.system_channel
        if channel is None:
            raise DeliveryError(f"no channel named {name!r} in {guild.name}", retry=False)
        return channel

    async def _dm(self, community: str, member: str, text: str, *, priority: bool) -> None:
        guild = self.guild(community)
        wait = self.pacer.take(community, priority=priority)
        if wait is not None:
            raise DeliveryError("DM pacing: at most a handful per minute", retry_after=wait)
        user = self.client.get_user(int(member))
        if user is None:
            user = await guarded(self.client.fetch_user(int(member)))
        try:
            await user.send(clip(self.humanize(guild, text)))
        except discord.Forbidden as exc:
            if exc.code == DM_CLOSED:
                raise DmClosed(member) from exc
            raise DeliveryError(f"forbidden ({exc.code}): {exc.text}", retry=False) from exc
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            await guarded(_reraise(exc))

    async def _welcome(self, welcome: Welcome) -> None:
        guild = self.guild(welcome.community)
        fallback = (await self._settings(welcome.community)).channels.welcome
        target = self._post_target(guild, welcome.channel or fallback)
        members = [str(m) for m in welcome.batch or (welcome.member,)]
        mentions = " ".join(f"<@{m}>" for m in members)
        text = clip(f"{mentions} {self.humanize(guild, welcome.text)}")
        users = [discord.Object(int(m)) for m in members]
        await guarded(target.send(text, allowed_mentions=discord.AllowedMentions(users=users)))

    async def _note_in_channel(self, note: EtiquetteNote) -> None:
        guild = self.guild(note.community)
        member = note.member
        channel_id = self._messages.get(note.message)
        place: Any = guild.get_channel_or_thread(channel_id) if channel_id else None
        if place is None:
            fallback = (await self._settings(note.community)).channels.welcome
            place = self._post_target(guild, note.channel or fallback)
        why = note.findings[0].detail if note.findings else ""
        text = (
            f"<@{member}> a friendly note from groupbot (your DMs are closed, so I'm saying it "
            f"here): {why} Introduce yourself first, and ask the owners with /share before "
            "promoting. This message will disappear shortly."
        )
        await guarded(
            place.send(
                clip(text),
                delete_after=self.note_seconds,
                allowed_mentions=discord.AllowedMentions(users=[discord.Object(int(member))]),
            )
        )

    async def _publish(self, published: Published) -> None:
        guild = self.guild(published.community)
        target = self._post_target(guild, published.channel)
        request = published.request
        row = await request_detail(self.db, published.community, request)
        name = (row.member_name or row.member) if row else published.member
        text = row.text if row else published.text
        embed = published_embed(published.member, name, text, request)
        await guarded(target.send(embed=embed, allowed_mentions=NO_PINGS))

    async def _decided(self, guild: discord.Guild, decided: RequestDecided) -> None:
        community = str(guild.id)
        request = decided.request
        row = await request_detail(self.db, community, request)
        embed = decided_embed(decided, row)
        for channel, ref in await PlatformMessages(self.db, community).of_request(request):
            message = self.client.get_partial_messageable(int(channel)).get_partial_message(
                int(ref)
            )
            try:
                await message.edit(content=None, embed=embed, view=None)
            except discord.NotFound:
                continue  # someone deleted the copy

    async def _remember(self, community: str, request: int, message: discord.Message) -> None:
        await PlatformMessages(self.db, community).remember(
            request,
            str(message.channel.id),
            str(message.id),
            discord.utils.utcnow(),
        )


async def _reraise(exc: BaseException) -> None:
    raise exc
