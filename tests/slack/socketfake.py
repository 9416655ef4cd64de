"""A loopback fake of Slack's Socket Mode WebSocket endpoint: hello, envelopes, acks, reconnects.

The Web API half of Socket Mode (`apps.connections.open`) stays in the strict Web API fake:
`offer(fake)` scripts one answer there with a fresh single-use ticket URL for this server, so a
client that connects again without asking again, or asks more often than the test expects, is
caught. Anything unexpected on the socket (an ack for an unknown envelope, a second ack, a
message that is not an ack) is recorded in `failures`, which the tests' fixtures assert empty.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import WSCloseCode, WSMsgType, web
from slackfake import TEAM, FakeSlack, event_callback, serve_loopback

T = TypeVar("T")

APP_ID = "A0APP"
APP_TOKEN = "xapp-1-A0APP-1-socketsecret"


@dataclass
class Envelope:
    """One envelope the fake pushed to the client."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    connection: int


@dataclass
class Ack:
    """One acknowledgement the client sent back."""

    envelope_id: str
    payload: dict[str, Any] | None
    connection: int
    at: float = field(default_factory=time.perf_counter)


class SocketModeFake:
    """Slack's Socket Mode endpoint on 127.0.0.1: tickets, hello, envelopes out, acks in."""

    def __init__(self) -> None:
        self.base = ""
        self.sockets: list[web.WebSocketResponse] = []
        self.envelopes: dict[str, Envelope] = {}
        self.acks: list[Ack] = []
        self.failures: list[str] = []
        self._tickets: set[str] = set()
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> str:
        """Serve on 127.0.0.1:0; return the ws:// base URL."""
        app = web.Application()
        app.router.add_get("/link/", self._socket)
        self._runner, port = await serve_loopback(app, shutdown_timeout=1.0)
        self.base = f"ws://127.0.0.1:{port}/link/"
        return self.base

    async def stop(self) -> None:
        """Close every open socket, then stop serving."""
        for ws in self.sockets:
            if not ws.closed:
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake stopping")
        if self._runner is not None:
            await self._runner.cleanup()

    # -- apps.connections.open -------------------------------------------------------------

    def issue(self) -> str:
        """A fresh single-use connection URL, as apps.connections.open hands out."""
        ticket = f"ticket-{next(self._ids)}"
        self._tickets.add(ticket)
        return f"{self.base}?ticket={ticket}&app_id={APP_ID}"

    def offer(self, slack: FakeSlack) -> str:
        """Script the Web API fake to answer the next apps.connections.open with a new URL."""
        url = self.issue()
        slack.script("apps.connections.open", 200, {"ok": True, "url": url})
        return url

    @staticmethod
    def refuse(slack: FakeSlack, error: str = "invalid_auth") -> None:
        """Script the Web API fake to refuse the next apps.connections.open."""
        slack.script("apps.connections.open", 200, {"ok": False, "error": error})

    # -- the socket ------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            self.failures.append(f"connection with an unknown or used ticket {ticket!r}")
            return web.Response(status=401, text="invalid ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        number = len(self.sockets)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                "connection_info": {"app_id": APP_ID},
            }
        )
        self._notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._received(str(message.data), number)
                else:
                    self.failures.append(f"unexpected {message.type.name} frame on #{number}")
        finally:
            self._notify()
        return ws

    def _received(self, data: str, number: int) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            self.failures.append(f"non-JSON message on #{number}: {data[:200]!r}")
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        if not isinstance(envelope_id, str):
            self.failures.append(f"message that is not an ack on #{number}: {data[:200]!r}")
            return
        sent = self.envelopes.get(envelope_id)
        if sent is None:
            self.failures.append(f"ack for unknown envelope {envelope_id}")
            return
        if any(a.envelope_id == envelope_id for a in self.acks):
            self.failures.append(f"envelope {envelope_id} acked twice")
            return
        payload = message.get("payload")
        if payload is not None and not sent.accepts_response_payload:
            self.failures.append(f"ack of {sent.type} {envelope_id} carries a payload {payload}")
        self.acks.append(Ack(envelope_id, payload, number))
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def current(self) -> tuple[int, web.WebSocketResponse]:
        """The newest socket (its 1-based number); fails if it is not open."""
        if not self.sockets or self.sockets[-1].closed:
            raise AssertionError(f"no open socket; {len(self.sockets)} so far")
        return len(self.sockets), self.sockets[-1]

    # -- pushing envelopes -----------------------------------------------------------------

    async def push(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> str:
        """Send one envelope over the newest socket; return its envelope_id."""
        number, ws = self.current()
        envelope_id = f"env-{next(self._ids):04d}-{kind}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        self.envelopes[envelope_id] = Envelope(
            envelope_id, kind, payload, accepts_response_payload, number
        )
        await ws.send_str(json.dumps(envelope))
        return envelope_id

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        team: str = TEAM,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> str:
        """An events_api envelope around an event_callback payload."""
        payload = event_callback(event, event_id or f"Ev{next(self._ids):08d}", team, APP_ID)
        payload["is_ext_shared_channel"] = False
        return await self.push(
            "events_api", payload, retry_attempt=retry_attempt, retry_reason=retry_reason
        )

    async def command(
        self, command: str, text: str, user: str, channel: str = "C0GENERAL", team: str = TEAM
    ) -> str:
        """A slash_commands envelope (Slack sends the form fields as a JSON object)."""
        payload = {
            "token": "legacy",
            "team_id": team,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": "https://hooks.slack.invalid/commands/1",
            "trigger_id": self.trigger(),
        }
        return await self.push("slash_commands", payload, accepts_response_payload=True)

    async def interactive(self, payload: dict[str, Any]) -> str:
        """An interactive envelope (block_actions, view_submission, ...)."""
        answers = payload.get("type") in ("view_submission", "block_suggestion")
        return await self.push("interactive", payload, accepts_response_payload=answers)

    def trigger(self) -> str:
        """A fresh trigger id."""
        return f"trig.{next(self._ids)}"

    # -- closing ---------------------------------------------------------------------------

    async def drop(self, code: int = WSCloseCode.GOING_AWAY) -> int:
        """Close the newest socket from the server's side; return its number."""
        number, ws = self.current()
        await ws.close(code=code, message=b"fake closed the socket")
        return number

    async def refresh(self, reason: str = "refresh_requested") -> int:
        """Slack's `disconnect` message: the client should fetch a new URL and move over."""
        number, ws = self.current()
        await ws.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        )
        return number

    # -- waiting ---------------------------------------------------------------------------

    async def until(self, check: Callable[[], T], limit: float = 5.0, what: str = "it") -> T:
        """Wait (bounded) until `check()` is truthy; return its value."""
        try:
            async with asyncio.timeout(limit):
                while True:
                    changed = self._changed
                    value = check()
                    if value:
                        return value
                    await changed.wait()
        except TimeoutError:
            raise AssertionError(
                f"timed out waiting for {what}; sockets: {len(self.sockets)}, "
                f"acks: {[a.envelope_id for a in self.acks]}, failures: {self.failures}"
            ) from None

    async def ack(self, envelope_id: str, limit: float = 5.0) -> Ack:
        """The client's ack of one envelope (waits for it)."""
        found = await self.until(
            lambda: [a for a in self.acks if a.envelope_id == envelope_id],
            limit,
            f"the ack of {envelope_id}",
        )
        return found[0]

    async def connected(self, count: int, limit: float = 5.0) -> int:
        """Wait until the client holds its `count`-th socket open."""

        def held() -> bool:
            return len(self.sockets) >= count and not self.sockets[count - 1].closed

        await self.until(held, limit, f"connection #{count}")
        return count
