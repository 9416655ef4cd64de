"""A strict fake of the Slack Web API over loopback, and a signed client for the app under test.

Unknown methods, unknown tokens, channels, users or messages are recorded as failures: the
tests' fixtures assert there are none, so any unexpected call fails the test.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web

TEAM = "T0TEAM1"
BOT_TOKEN = "xoxb-team-1"
BOT_USER = "UBOTBOT01"
BOT_ID = "BBOTBOT01"
ADMIN_TOKEN = "xoxp-admin-1"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class Call:
    """One Web API call the fake received."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.perf_counter)


async def serve_loopback(app: web.Application, **options: Any) -> tuple[web.AppRunner, int]:
    """Serve an aiohttp app on 127.0.0.1 at a free port; return its runner and the port."""
    runner = web.AppRunner(app, access_log=None, **options)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, int(runner.addresses[0][1])


def event_callback(
    event: dict[str, Any], event_id: str, team: str = TEAM, app_id: str = "A0APP"
) -> dict[str, Any]:
    """The event_callback payload Slack wraps an event in (over HTTP or Socket Mode)."""
    return {
        "token": "legacy",
        "team_id": team,
        "api_app_id": app_id,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": event,
        "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
    }


_VIEWS = itertools.count(1)


def _interaction(uid: str, trigger: str) -> dict[str, Any]:
    """The fields every interaction payload carries: who, where, and the trigger."""
    return {
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": uid, "username": uid.lower(), "team_id": TEAM},
        "api_app_id": "A0APP",
        "token": "legacy",
        "trigger_id": trigger,
    }


def block_action(
    uid: str, action_id: str, value: str, channel: str | None, *, trigger: str
) -> dict[str, Any]:
    """A block_actions payload for a button click, in a channel or (channel None) App Home."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        **_interaction(uid, trigger),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": f"request_{value}",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if channel:
        stamp = f"{time.time():.6f}"
        payload["channel"] = {"id": channel, "name": "x"}
        payload["container"] = {"type": "message", "channel_id": channel, "message_ts": stamp}
        payload["message"] = {"ts": stamp, "text": "notification"}
    else:
        payload["container"] = {"type": "view", "view_id": "VHOME"}
        payload["view"] = {"id": "VHOME", "type": "home"}
    return payload


def view_submission(
    uid: str, callback_id: str, values: dict[str, Any], metadata: str = "", *, trigger: str
) -> dict[str, Any]:
    """A view_submission payload."""
    return {
        "type": "view_submission",
        **_interaction(uid, trigger),
        "view": {
            "id": f"V{next(_VIEWS)}",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": values},
        },
    }


HISTORY_PAGE = 5  # conversations.history answers at most this many per page: tests page


def message_event(uid: str, channel: str, text: str, stamp: str, **extra: Any) -> dict[str, Any]:
    """A member's channel message as the Events API sends it."""
    return {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": uid,
        "text": text,
        "ts": stamp,
        "event_ts": stamp,
        "team": TEAM,
        **extra,
    }


def user(uid: str, name: str, **flags: Any) -> dict[str, Any]:
    """A users.info-shaped user object."""
    return {
        "id": uid,
        "team_id": TEAM,
        "name": name.lower(),
        "real_name": name,
        "deleted": False,
        "is_bot": False,
        "profile": {"display_name": name, "real_name": name},
        **flags,
    }


@dataclass
class FakeSlack:
    """State of the fake workspace(s) and every call made to it."""

    calls: list[Call] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    usergroups: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    oauth_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> messages
    scripted: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(
        default_factory=dict
    )
    # Calls the test answers when it chooses: method -> (arrived, release).
    holds: dict[str, tuple[asyncio.Event, asyncio.Event]] = field(default_factory=dict)
    no_dm: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)  # users Slack no longer shows (user_not_found)
    history_reads: list[str] = field(default_factory=list)  # channels of answered history calls
    url: str = ""
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    # -- setup -----------------------------------------------------------------------------

    def add_bot(self, token: str, team: str, bot_user: str, bot_id: str) -> None:
        """A bot token the fake accepts, with its auth.test answer."""
        self.tokens[token] = {"team_id": team, "user_id": bot_user, "bot_id": bot_id}
        self.users[bot_user] = user(bot_user, "groupbot", is_bot=True, team_id=team)

    def add_channel(self, cid: str, name: str, team: str = TEAM, *, member: bool = True) -> None:
        """A public channel (the bot a member of it unless `member` is false)."""
        self.channels[cid] = {
            "id": cid,
            "name": name,
            "is_channel": True,
            "team": team,
            "is_member": member,
        }

    def hold(self, method: str) -> tuple[asyncio.Event, asyncio.Event]:
        """Keep the next call of `method` waiting: (set when it arrives, set it to answer)."""
        held = self.holds[method] = (asyncio.Event(), asyncio.Event())
        return held

    def script(self, method: str, status: int, body: dict[str, Any], **headers: str) -> None:
        """Answer the next call of `method` this way (e.g. a 429), then behave normally."""
        self.scripted.setdefault(method, []).append((status, body, headers))

    async def start(self) -> str:
        """Serve on 127.0.0.1:0; return the base URL (with its trailing slash)."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner, port = await serve_loopback(app)
        self.url = f"http://127.0.0.1:{port}/api/"
        return self.url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    # -- queries for tests -------------------------------------------------------------------

    def of(self, method: str, **match: Any) -> list[Call]:
        """Calls of one method whose params include every `match` item."""
        return [
            c
            for c in self.calls
            if c.method == method and all(c.params.get(k) == v for k, v in match.items())
        ]

    async def wait_for(
        self, check: Callable[[], Any], limit: float = 10.0, what: str = "condition"
    ) -> Any:
        """Poll until `check()` is truthy (bounded); return its value."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            await asyncio.sleep(0.01)
        raise AssertionError(
            f"timed out waiting for {what}; calls: {[c.method for c in self.calls]}; "
            f"failures: {self.failures}"
        )

    def dms(self, uid: str) -> list[Call]:
        """Messages the bot posted in its DM with a user."""
        return self.of("chat.postMessage", channel=self.dm_channel(uid))

    def dm_channel(self, uid: str) -> str:
        """The DM channel id the fake hands out for a user."""
        return "D" + uid[1:]

    # -- the Web API -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update({k: v for k, v in (await request.post()).items()})
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        self.calls.append(Call(method, params, token))
        held = self.holds.pop(method, None)
        if held is not None:  # the test decides when this call is answered
            arrived, release = held
            arrived.set()
            await release.wait()
        if self.scripted.get(method):
            status, body, headers = self.scripted[method].pop(0)
            return web.json_response(body, status=status, headers=headers)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return self._fail(f"unknown method {method}")
        if method != "oauth.v2.access" and token not in self.tokens:
            return self._fail(f"{method} with unknown token {token!r}", "invalid_auth")
        result: web.Response = handler(params, self.tokens.get(token or "", {}))
        return result

    def _fail(self, why: str, error: str = "unexpected_call") -> web.Response:
        self.failures.append(why)
        return web.json_response({"ok": False, "error": error})

    @staticmethod
    def _ok(**body: Any) -> web.Response:
        return web.json_response({"ok": True, **body})

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _known_channel(self, cid: str) -> bool:
        return cid in self.channels or (cid.startswith("D") and "U" + cid[1:] in self.users)

    def _auth_test(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        return self._ok(url="https://fake.slack.com/", team="Fake", user="groupbot", **who)

    def _users_info(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        if str(p.get("user")) in self.gone:
            return web.json_response({"ok": False, "error": "user_not_found"})
        found = self.users.get(str(p.get("user")))
        if found is None:
            return self._fail(f"users.info for unknown user {p.get('user')}", "user_not_found")
        return self._ok(user=found)

    def _users_list(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        team = who["team_id"]
        members = [u for u in self.users.values() if u.get("team_id", TEAM) == team]
        return self._ok(members=members, response_metadata={"next_cursor": ""})

    def _conversations_info(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        cid = str(p.get("channel"))
        if cid.startswith("D") and self._known_channel(cid):
            return self._ok(channel={"id": cid, "is_im": True, "user": "U" + cid[1:]})
        found = self.channels.get(cid)
        if found is None:
            return self._fail(f"conversations.info for unknown {cid}", "channel_not_found")
        return self._ok(channel=found)

    def _conversations_list(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        mine = [c for c in self.channels.values() if c.get("team", TEAM) == who["team_id"]]
        return self._ok(channels=mine, response_metadata={"next_cursor": ""})

    def _conversations_history(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        cid = str(p.get("channel"))
        found = self.channels.get(cid)
        if found is None or found.get("team", TEAM) != who["team_id"]:
            return self._fail(f"conversations.history of unknown {cid}", "channel_not_found")
        if not found.get("is_member"):
            return self._fail(f"conversations.history of {cid} the bot is not in", "not_in_channel")
        self.history_reads.append(cid)
        oldest, latest = float(p.get("oldest") or 0), float(p.get("latest") or 1e12)
        within = [m for m in self.history.get(cid, ()) if oldest < float(m["ts"]) < latest]
        within.sort(key=lambda m: float(m["ts"]), reverse=True)  # Slack sends newest first
        start = int(p.get("cursor") or 0)
        end = start + min(int(p.get("limit") or 100), HISTORY_PAGE)
        more = end < len(within)
        return self._ok(
            messages=within[start:end],
            has_more=more,
            response_metadata={"next_cursor": str(end) if more else ""},
        )

    def _conversations_open(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        uid = str(p.get("users"))
        if uid in self.no_dm:
            return web.json_response({"ok": False, "error": "cannot_dm_bot"})
        if uid not in self.users:
            return self._fail(f"conversations.open with unknown user {uid}", "user_not_found")
        return self._ok(channel={"id": self.dm_channel(uid)})

    def _chat_postMessage(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        cid = str(p.get("channel"))
        if not self._known_channel(cid):
            return self._fail(f"chat.postMessage to unknown channel {cid}", "channel_not_found")
        if not p.get("text") and not p.get("blocks"):
            return self._fail("chat.postMessage without text", "no_text")
        ts = self._next_ts()
        self.messages[(cid, ts)] = dict(p)
        return self._ok(channel=cid, ts=ts, message={"text": p.get("text"), "ts": ts})

    def _chat_postEphemeral(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        cid, uid = str(p.get("channel")), str(p.get("user"))
        if not self._known_channel(cid) or uid not in self.users:
            return self._fail(f"chat.postEphemeral to {cid}/{uid}", "channel_not_found")
        return self._ok(message_ts=self._next_ts())

    def _chat_update(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        key = (str(p.get("channel")), str(p.get("ts")))
        if key not in self.messages:
            return self._fail(f"chat.update of unknown message {key}", "message_not_found")
        self.messages[key] = dict(p)
        return self._ok(channel=key[0], ts=key[1])

    def _chat_delete(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        if not who.get("admin"):
            return self._fail("chat.delete without the admin token", "cant_delete_message")
        if not self._known_channel(str(p.get("channel"))):
            return self._fail(f"chat.delete in unknown channel {p.get('channel')}")
        return self._ok(channel=p.get("channel"), ts=p.get("ts"))

    def _views_open(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        if not p.get("trigger_id") or not isinstance(p.get("view"), dict):
            return self._fail("views.open without trigger_id or view")
        return self._ok(view={"id": "V" + str(next(self._ts)), **p["view"]})

    def _views_publish(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        if str(p.get("user_id")) not in self.users or not isinstance(p.get("view"), dict):
            return self._fail(f"views.publish for {p.get('user_id')}")
        return self._ok(view={"id": "VHOME", **p["view"]})

    def _usergroups_list(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        groups = [{k: v for k, v in g.items() if k != "users"} for g in self.usergroups.values()]
        return self._ok(usergroups=groups)

    def _usergroups_users_list(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        group = self.usergroups.get(str(p.get("usergroup")))
        if group is None:
            return self._fail(f"usergroups.users.list for unknown {p.get('usergroup')}")
        return self._ok(users=group["users"])

    def _oauth_v2_access(self, p: dict[str, Any], who: dict[str, Any]) -> web.Response:
        answer = self.oauth_codes.pop(str(p.get("code")), None)
        if answer is None:
            return self._fail(f"oauth.v2.access with unknown code {p.get('code')}", "invalid_code")
        return self._ok(**answer)


def sign(body: str, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers for a body."""
    stamp = str(int(time.time()) if at is None else at)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


class Sender:
    """Sends signed Events API payloads, slash commands and interactions to the app."""

    def __init__(self, session: ClientSession, url: str, secret: str = SECRET) -> None:
        self.session = session
        self.url = url
        self.secret = secret
        self._ids = itertools.count(1)

    async def raw(
        self, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """POST a body as given (signed unless headers say otherwise)."""
        sent = {"Content-Type": content_type, **(headers if headers is not None else sign(body))}
        async with self.session.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        team: str = TEAM,
        retry: int | None = None,
    ) -> tuple[int, str]:
        """An Events API callback."""
        envelope = event_callback(event, event_id or f"Ev{next(self._ids):08d}", team)
        body = json.dumps(envelope)
        headers = sign(body, self.secret)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.raw(body, "application/json", headers)

    async def command(
        self, command: str, text: str, user: str, channel: str = "C0GENERAL", team: str = TEAM
    ) -> tuple[int, str]:
        """A slash command, form-encoded as Slack sends it."""
        form = {
            "token": "legacy",
            "team_id": team,
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "response_url": "https://hooks.slack.invalid/commands/1",
            "trigger_id": f"trig.{next(self._ids)}",
        }
        return await self.raw(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    async def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        """block_actions or view_submission: payload=<json>, form-encoded."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.raw(body, "application/x-www-form-urlencoded")

    def trigger(self) -> str:
        """A fresh trigger id."""
        return f"trig.{next(self._ids)}"
