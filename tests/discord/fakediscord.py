"""A loopback fake of Discord's REST API and gateway, enough for the real discord.py client."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import WSMsgType, web

DISCORD_EPOCH = 1420070400000
APP_ID = 900_000_000_000_000_001
BOT_USER = {
    "id": str(APP_ID),
    "username": "groupbot",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
}
ALL_TEXT = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 14) | (1 << 38)  # view, send, history...
MANAGE_MESSAGES = 1 << 13
MANAGE_GUILD = 1 << 5
DEFAULT_FLAGS = (1 << 15) | (1 << 19)  # members + message content (limited, < 100 servers)

_counter = itertools.count(1)


def snowflake(at: float | None = None) -> int:
    """A snowflake for now (or `at`, seconds since the Unix epoch)."""
    ms = int((time.time() if at is None else at) * 1000)
    return ((ms - DISCORD_EPOCH) << 22) | (next(_counter) % 4096)


def guild_id_for(shard: int, shards: int, n: int = 0) -> int:
    """A guild id that lands on `shard` of `shards` ((id >> 22) % shards)."""
    return (1_000_000 + n * shards + shard) << 22


def user(uid: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A user object."""
    return {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "global_name": name.capitalize(),
        "avatar": None,
        "bot": bot,
    }


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with exactly `application/json` (discord.py ignores it with a charset)."""
    return web.Response(
        body=orjson.dumps(data), status=status, headers={"Content-Type": "application/json"}
    )


def error(status: int, code: int, message: str) -> web.Response:
    """A Discord error body."""
    return json_response({"code": code, "message": message}, status)


@dataclass
class Call:
    """One REST call the bot made."""

    method: str
    path: str
    body: Any
    at: float = field(default_factory=time.perf_counter)


@dataclass
class Guild:
    """A guild in the fake, with its channels and members."""

    id: int
    name: str
    channels: dict[str, int]
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    owner_role: int = 0
    no_manage_messages: bool = False
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # name -> messages
    hidden: set[str] = field(default_factory=set)  # channels the bot may not view

    def payload(self) -> dict[str, Any]:
        """GUILD_CREATE data."""
        everyone = {
            "id": str(self.id),
            "name": "@everyone",
            "permissions": str(ALL_TEXT),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        bot_perms = ALL_TEXT | (0 if self.no_manage_messages else MANAGE_MESSAGES)
        bot_role = everyone | {
            "id": str(self.id + 1),
            "name": "groupbot",
            "permissions": str(bot_perms),
            "position": 2,
            "managed": True,
        }
        owners = everyone | {
            "id": str(self.owner_role),
            "name": "Owners",
            "permissions": str(ALL_TEXT | MANAGE_GUILD),
            "position": 1,
        }
        bot_member = member_payload(BOT_USER, [self.id + 1])
        return {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(next(iter(self.members), APP_ID)),
            "unavailable": False,
            "member_count": len(self.members) + 1,
            "large": False,
            "joined_at": datetime.now(UTC).isoformat(),
            "roles": [everyone, bot_role, owners],
            "members": [bot_member, *self.members.values()],
            "channels": [
                {
                    "id": str(cid),
                    "type": 0,
                    "name": name,
                    "position": n,
                    "permission_overwrites": (
                        [{"id": str(self.id + 1), "type": 0, "allow": "0", "deny": str(1 << 10)}]
                        if name in self.hidden
                        else []
                    ),
                    "guild_id": str(self.id),
                }
                for n, (name, cid) in enumerate(self.channels.items())
            ],
            "threads": [],
            "emojis": [],
            "stickers": [],
            "features": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "system_channel_id": str(self.channels.get("general", 0)),
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
        }


def message_payload(
    guild: Guild, channel: str, author: dict[str, Any], content: str, at: datetime
) -> dict[str, Any]:
    """A plain text message of `author` in a channel of the guild, as Discord sends it."""
    return {
        "id": str(snowflake(at.timestamp())),
        "channel_id": str(guild.channels[channel]),
        "guild_id": str(guild.id),
        "author": author,
        "content": content,
        "timestamp": at.isoformat(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": [],
    }


def member_payload(u: dict[str, Any], roles: list[int]) -> dict[str, Any]:
    """A guild member object."""
    return {
        "user": u,
        "roles": [str(r) for r in roles],
        "joined_at": datetime.now(UTC).isoformat(),
        "nick": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
    }


@dataclass
class Session:
    """One gateway session (a shard's identify), resumable."""

    id: str
    shard: int
    ws: web.WebSocketResponse | None
    seq: int = 0
    sent: list[bytes] = field(default_factory=list)


class FakeDiscord:
    """REST under /api/v10 and a gateway at /gateway, on 127.0.0.1 with a free port."""

    def __init__(self, *, shards: int = 1, app_flags: int = DEFAULT_FLAGS) -> None:
        self.shards = shards
        self.app_flags = app_flags
        self.guilds: dict[int, Guild] = {}
        self.calls: list[Call] = []
        self.sessions: dict[int, Session] = {}
        self.identifies: list[dict[str, Any]] = []
        self.resumes = 0
        self.closed_dms: set[int] = set()
        self.dm_channels: dict[int, int] = {}
        self.commands: list[dict[str, Any]] = []
        self.changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.api_url = ""
        self.gateway_url = ""
        self.query: dict[str, str] = {}  # the query of the REST call being answered

    # -- setup -----------------------------------------------------------------------------

    def add_guild(self, shard: int = 0, n: int = 0, *, no_manage_messages: bool = False) -> Guild:
        """A guild on a shard with general, introductions, promotions and moderators."""
        gid = guild_id_for(shard, self.shards, n)
        names = ("general", "introductions", "promotions", "moderators")
        channels = {name: gid + 10 + i for i, name in enumerate(names)}
        guild = Guild(gid, f"Guild {n}/{shard}", channels, owner_role=gid + 2)
        guild.no_manage_messages = no_manage_messages
        owner = user(gid + 100, "olivia")
        guild.members[gid + 100] = member_payload(owner, [guild.owner_role])
        self.guilds[gid] = guild
        return guild

    async def start(self) -> None:
        """Serve on a free loopback port."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.api_url = f"http://127.0.0.1:{port}/api/v10"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"

    async def stop(self) -> None:
        """Close every socket and the server."""
        for session in self.sessions.values():
            if session.ws is not None:
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests do ---------------------------------------------------------------------

    def shard_of(self, guild: int) -> int:
        """Which shard serves a guild."""
        return (guild >> 22) % self.shards

    async def dispatch(self, guild: int, event: str, data: dict[str, Any]) -> None:
        """Send a dispatch to the shard serving the guild (buffered while it reconnects)."""
        session = next(s for s in self.sessions.values() if s.shard == self.shard_of(guild))
        await self._send(session, {"op": 0, "t": event, "d": data})

    async def post_message(
        self, guild: Guild, channel: str, author: dict[str, Any], content: str, **extra: Any
    ) -> dict[str, Any]:
        """A member posts: MESSAGE_CREATE with a fresh snowflake."""
        roles = guild.members.get(int(author["id"]), {}).get("roles", [])
        member = {k: v for k, v in member_payload(author, []).items() if k != "user"}
        message = (
            message_payload(guild, channel, author, content, datetime.now(UTC))
            | {"member": member | {"roles": roles}}
            | extra
        )
        await self.dispatch(guild.id, "MESSAGE_CREATE", message)
        return message

    async def join(self, guild: Guild, member: dict[str, Any]) -> None:
        """A member joins: GUILD_MEMBER_ADD."""
        payload = member_payload(member, [])
        guild.members[int(member["id"])] = payload
        await self.dispatch(guild.id, "GUILD_MEMBER_ADD", payload | {"guild_id": str(guild.id)})

    async def interact(
        self,
        guild: Guild,
        member: dict[str, Any],
        data: dict[str, Any],
        *,
        kind: int = 2,
        owner: bool = False,
        message: dict[str, Any] | None = None,
    ) -> str:
        """INTERACTION_CREATE for a command (kind 2) or a component (kind 3); returns its id."""
        iid = str(snowflake())
        roles = [str(guild.owner_role)] if owner else []
        perms = ALL_TEXT | (MANAGE_GUILD if owner else 0)
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": str(APP_ID),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "channel_id": str(guild.channels["general"]),
            "channel": {
                "id": str(guild.channels["general"]),
                "type": 0,
                "name": "general",
                "guild_id": str(guild.id),
                "position": 0,
                "permission_overwrites": [],
            },
            "member": member_payload(member, [int(r) for r in roles]) | {"permissions": str(perms)},
            "token": f"token-{iid}",
            "version": 1,
            "app_permissions": str(ALL_TEXT | MANAGE_MESSAGES),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        await self.dispatch(guild.id, "INTERACTION_CREATE", payload)
        return iid

    async def drop(self, shard: int, code: int = 4000) -> None:
        """Close a shard's socket the way Discord does before asking for a resume."""
        session = next(s for s in self.sessions.values() if s.shard == shard)
        ws, session.ws = session.ws, None
        if ws is not None:
            await ws.close(code=code)

    def posted(self, path_part: str = "/messages", method: str = "POST") -> list[Call]:
        """REST calls of one kind."""
        return [c for c in self.calls if c.method == method and path_part in c.path]

    async def until(self, check: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until the fake has seen what a test expects."""
        async with asyncio.timeout(within):
            while not check():
                self.changed.clear()
                if check():
                    return
                with contextlib.suppress(TimeoutError):  # the bot may change without calling us
                    async with asyncio.timeout(0.05):
                        await self.changed.wait()

    # -- gateway ---------------------------------------------------------------------------

    async def _send(self, session: Session, message: dict[str, Any]) -> None:
        if message.get("op") == 0:
            session.seq += 1
            message["s"] = session.seq
            raw = orjson.dumps(message)
            session.sent.append(raw)
        else:
            raw = orjson.dumps(message)
        if session.ws is not None and not session.ws.closed:
            await session.ws.send_str(raw.decode())

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(orjson.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}).decode())
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = orjson.loads(msg.data)
            op = data.get("op")
            if op == 1:
                await ws.send_str(orjson.dumps({"op": 11}).decode())
            elif op == 2:
                await self._identify(ws, data["d"])
            elif op == 6:
                await self._resume(ws, data["d"])
            self.changed.set()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> None:
        shard, count = d.get("shard", [0, 1])
        self.identifies.append(d)
        session = Session(id=f"s{len(self.identifies)}", shard=shard, ws=ws)
        for key, old in list(self.sessions.items()):
            if old.shard == shard:
                del self.sessions[key]
        self.sessions[id(session)] = session
        mine = [g for g in self.guilds.values() if self.shard_of(g.id) == shard]
        ready = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "shard": [shard, count],
            "application": {"id": str(APP_ID), "flags": self.app_flags},
        }
        await self._send(session, {"op": 0, "t": "READY", "d": ready})
        for guild in mine:
            await self._send(session, {"op": 0, "t": "GUILD_CREATE", "d": guild.payload()})

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> None:
        session = next((s for s in self.sessions.values() if s.id == d["session_id"]), None)
        if session is None:
            await ws.send_str(orjson.dumps({"op": 9, "d": False}).decode())
            return
        self.resumes += 1
        session.ws = ws
        for raw in session.sent[int(d.get("seq") or 0) :]:
            await ws.send_str(raw.decode())
        await self._send(session, {"op": 0, "t": "RESUMED", "d": {}})

    # -- REST ------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            body = orjson.loads(raw) if raw and request.content_type == "application/json" else raw
        self.calls.append(Call(request.method, path, body))
        self.query = dict(request.query)
        self.changed.set()
        parts = path.strip("/").split("/")
        try:
            return await self._route(request.method, parts, body)
        finally:
            self.changed.set()

    async def _route(self, method: str, parts: list[str], body: Any) -> web.StreamResponse:
        match method, parts:
            case "GET", ["gateway", "bot"]:
                return json_response(
                    {
                        "url": self.gateway_url,
                        "shards": self.shards,
                        "session_start_limit": {
                            "total": 1000,
                            "remaining": 1000,
                            "reset_after": 0,
                            "max_concurrency": 1,
                        },
                    }
                )
            case "GET", ["users", "@me"]:
                return json_response(BOT_USER)
            case "GET", ["oauth2", "applications", "@me"]:
                return json_response(
                    {
                        "id": str(APP_ID),
                        "name": "groupbot",
                        "icon": None,
                        "description": "",
                        "rpc_origins": [],
                        "bot_public": True,
                        "bot_require_code_grant": False,
                        "owner": user(APP_ID + 1, "dev"),
                        "verify_key": "k",
                        "flags": self.app_flags,
                        "team": None,
                        "summary": "",
                    }
                )
            case "GET", ["users", uid]:
                return json_response(user(int(uid), f"user{uid}"))
            case "PUT", ["applications", _, *rest]:
                self.commands = [
                    c | {"id": str(snowflake()), "application_id": str(APP_ID), "version": "1"}
                    for c in body
                ]
                if rest[:1] == ["guilds"]:
                    self.commands = [c | {"guild_id": rest[1]} for c in self.commands]
                return json_response(self.commands)
            case "POST", ["users", "@me", "channels"]:
                uid = int(body["recipient_id"])
                cid = self.dm_channels.setdefault(uid, snowflake())
                return json_response(
                    {"id": str(cid), "type": 1, "recipients": [user(uid, f"user{uid}")]}
                )
            case "GET", ["channels", cid, "messages"]:
                return self._history(int(cid))
            case "POST", ["channels", cid, "messages"]:
                if int(cid) in {self.dm_channels.get(u) for u in self.closed_dms}:
                    return error(403, 50007, "Cannot send messages to this user")
                return json_response(self._message(cid, body))
            case "PATCH", ["channels", cid, "messages", mid]:
                return json_response(self._message(cid, body, mid))
            case "DELETE", ["channels", cid, "messages", _]:
                guild = next(
                    (g for g in self.guilds.values() if int(cid) in g.channels.values()), None
                )
                if guild is not None and guild.no_manage_messages:
                    return error(403, 50013, "Missing Permissions")
                return web.Response(status=204)
            case "POST", ["interactions", iid, _, "callback"]:
                kind = int(body.get("type", 4)) if isinstance(body, dict) else 4
                return json_response(
                    {
                        "interaction": {
                            "id": iid,
                            "type": 2,
                            "response_message_loading": kind == 5,
                            "response_message_ephemeral": True,
                        },
                        "resource": {"type": kind},
                    }
                )
            case "POST", ["webhooks", _, _]:
                return json_response(self._message(str(snowflake()), body))
        return error(404, 0, f"fake Discord has no route {method} /{'/'.join(parts)}")

    def _history(self, cid: int) -> web.Response:
        """A page of a channel's past: the oldest `limit` after `after`, sent newest first."""
        guild = next((g for g in self.guilds.values() if cid in g.channels.values()), None)
        if guild is None:
            return error(404, 10003, "Unknown Channel")
        name = next(n for n, c in guild.channels.items() if c == cid)
        if name in guild.hidden:
            return error(403, 50001, "Missing Access")
        after, limit = int(self.query.get("after") or 0), int(self.query.get("limit") or 50)
        found = sorted(
            (m for m in guild.history.get(name, ()) if int(m["id"]) > after),
            key=lambda m: int(m["id"]),
        )
        return json_response(list(reversed(found[:limit])))

    def past_message(
        self, guild: Guild, channel: str, author: dict[str, Any], content: str, at: float
    ) -> dict[str, Any]:
        """A message posted before the bot came (at `at`, seconds since the epoch)."""
        message = message_payload(guild, channel, author, content, datetime.fromtimestamp(at, UTC))
        guild.history.setdefault(channel, []).append(message)
        return message

    def _message(self, cid: str, body: Any, mid: str | None = None) -> dict[str, Any]:
        body = body if isinstance(body, dict) else {}
        return {
            "id": mid or str(snowflake()),
            "channel_id": cid,
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
        }
