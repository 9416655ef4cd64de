"""Who and where, asked of Slack and cached: users and their roles, channel names, DMs, owners."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from groupbot.adapters.slack.cache import TtlCache
from groupbot.adapters.slack.clients import Clients
from groupbot.core.rulebook import Rulebook, normalize_channel

__all__ = ["Directory", "UserInfo", "looks_like_channel_id", "roles_of"]

TTL = 300.0
# A demotion must be honoured within a minute: rights are never older than this.
USER_TTL = 60.0
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
GROUP_ID = re.compile(r"^S[A-Z0-9]{6,}$")


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A Slack user as groupbot needs them."""

    id: str
    name: str
    roles: frozenset[str]
    is_bot: bool = False
    deleted: bool = False
    invited: bool = False


def looks_like_channel_id(value: str) -> bool:
    """True for Slack conversation ids (C…, G…, D…)."""
    return bool(CHANNEL_ID.match(value))


def roles_of(user: dict[str, Any]) -> set[str]:
    """The platform roles a users.info object grants: owner, admin."""
    roles: set[str] = set()
    if user.get("is_owner") or user.get("is_primary_owner"):
        roles.add("owner")
    if user.get("is_admin"):
        roles.add("admin")
    return roles


def _user_info(user: dict[str, Any], extra: set[str], team: str | None = None) -> UserInfo:
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user["id"]
    )
    home = user.get("team_id")
    # A Slack Connect member (another organisation's) holds no rights in this workspace.
    foreign = team is not None and isinstance(home, str) and bool(home) and home != team
    return UserInfo(
        id=user["id"],
        name=str(name),
        roles=frozenset() if foreign else frozenset(roles_of(user) | extra),
        is_bot=bool(user.get("is_bot") or user.get("is_app_user")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        invited=bool(user.get("is_invited_user")),
    )


class Directory:
    """Cached answers from users.info, conversations.*, usergroups.* for every team."""

    def __init__(self, clients: Clients, rulebook: Rulebook, ttl: float = TTL) -> None:
        self.clients = clients
        self.rulebook = rulebook
        self._users: TtlCache[tuple[str, str], UserInfo] = TtlCache(min(ttl, USER_TTL))
        self._names: TtlCache[tuple[str, str], str] = TtlCache(ttl * 12)
        self._ids: dict[tuple[str, str], str] = {}
        self._dms: TtlCache[tuple[str, str], str] = TtlCache(ttl * 12)
        self._groups: TtlCache[str, dict[str, frozenset[str]]] = TtlCache(ttl)
        self._owners: TtlCache[str, tuple[str, ...]] = TtlCache(ttl)
        self._teams: TtlCache[str, str] = TtlCache(ttl * 12)

    async def team_name(self, team: str) -> str:
        """The workspace's name (auth.test tells the bot where it is), for texts."""
        return await self._teams.get(team, lambda: self._load_team(team))

    async def _load_team(self, team: str) -> str:
        client = await self.clients.bot(team)
        return str((await client.auth_test()).get("team") or team)

    # -- users -----------------------------------------------------------------------------

    async def user(self, team: str, user: str) -> UserInfo:
        """A user's name and roles (owner/admin from users.info, owner from named user groups)."""
        return await self._users.get((team, user), lambda: self._load_user(team, user))

    async def _load_user(self, team: str, user: str) -> UserInfo:
        client = await self.clients.bot(team)
        found = (await client.users_info(user=user))["user"]
        return _user_info(found, await self._group_roles(team, user), team)

    async def seed_user(self, team: str, user: dict[str, Any]) -> UserInfo:
        """Cache a user object Slack sent in a signed event (team_join), adding group roles."""
        info = _user_info(user, await self._group_roles(team, user["id"]), team)
        self._users.put((team, info.id), info)
        return info

    def forget_user(self, team: str, user: str) -> None:
        """Drop a cached user (Slack said they changed: a promotion, a demotion)."""
        self._users.drop((team, user))
        self._owners.drop(team)

    async def _group_roles(self, team: str, user: str) -> set[str]:
        groups = await self.owner_groups(team)
        return {"owner"} if any(user in members for members in groups.values()) else set()

    async def owner_groups(self, team: str) -> dict[str, frozenset[str]]:
        """Members of the user groups the rulebook names as owners (by id, handle or name)."""
        if not self.rulebook.owners.roles:
            return {}
        return await self._groups.get(team, lambda: self._load_groups(team))

    async def _load_groups(self, team: str) -> dict[str, frozenset[str]]:
        client = await self.clients.bot(team)
        wanted = {r.strip().lstrip("@").casefold() for r in self.rulebook.owners.roles}
        ids = {r.strip() for r in self.rulebook.owners.roles if GROUP_ID.match(r.strip())}
        if len(ids) < len(wanted):
            listed = (await client.usergroups_list())["usergroups"]
            for group in listed:
                names = {str(group.get(k, "")).casefold() for k in ("handle", "name")}
                if names & wanted:
                    ids.add(group["id"])
        found: dict[str, frozenset[str]] = {}
        for group_id in sorted(ids):
            users = (await client.usergroups_users_list(usergroup=group_id))["users"]
            found[group_id] = frozenset(users)
        return found

    async def owners(self, team: str) -> tuple[str, ...]:
        """Everyone who decides requests: owners and admins, named members, named groups."""
        return await self._owners.get(team, lambda: self._load_owners(team))

    async def _load_owners(self, team: str) -> tuple[str, ...]:
        client = await self.clients.bot(team)
        found: set[str] = set(self.rulebook.owners.members) | set(self.rulebook.owners.moderators)
        cursor = None
        for _ in range(100):  # at most 100 pages of 200
            page = await client.users_list(limit=200, cursor=cursor)
            for user in page["members"]:
                info = _user_info(user, set(), team)
                if info.roles and not (info.is_bot or info.deleted or info.invited):
                    found.add(info.id)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        for members in (await self.owner_groups(team)).values():
            found |= members
        return tuple(sorted(found))

    # -- channels --------------------------------------------------------------------------

    async def channel_name(self, team: str, channel: str) -> str:
        """A channel's name as the rulebook uses it; DMs and unknown channels keep their id."""
        return await self._names.get((team, channel), lambda: self._load_name(team, channel))

    async def _load_name(self, team: str, channel: str) -> str:
        client = await self.clients.bot(team)
        try:
            info = (await client.conversations_info(channel=channel))["channel"]
        except SlackApiError as exc:
            if exc.response.get("error") in ("channel_not_found", "not_in_channel"):
                return channel
            raise
        name = info.get("name")
        if not name or info.get("is_im"):
            return channel
        normal = normalize_channel(str(name))
        self._ids[(team, normal)] = channel
        return normal

    async def channel_id(self, team: str, name: str) -> str | None:
        """The id of a channel named by the rulebook or a request (None if there is none)."""
        if looks_like_channel_id(name.strip()):
            return name.strip()
        normal = normalize_channel(name)
        found = self._ids.get((team, normal))
        if found is None:
            await self._list_channels(team)
            found = self._ids.get((team, normal))
        return found

    async def _list_channels(self, team: str) -> None:
        client = await self.clients.bot(team)
        cursor = None
        for _ in range(100):  # at most 100 pages of 1000
            page = await client.conversations_list(
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=1000,
                cursor=cursor,
            )
            for channel in page["channels"]:
                normal = normalize_channel(str(channel["name"]))
                self._ids[(team, normal)] = channel["id"]
                self._names.put((team, channel["id"]), normal)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    async def dm_channel(self, team: str, user: str) -> str:
        """The bot's DM channel with a user (conversations.open, remembered)."""
        return await self._dms.get((team, user), lambda: self._open_dm(team, user))

    async def _open_dm(self, team: str, user: str) -> str:
        client = await self.clients.bot(team)
        return str((await client.conversations_open(users=user))["channel"]["id"])
