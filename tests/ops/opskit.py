"""Real `groupbot run slack --http` processes on a throwaway PostgreSQL, driven as Slack would.

Shared by tests/ops and benchmarks/soak.py: a cluster the caller stops and starts, replicas it
kills and restarts, a stream of signed events that Slack redelivers until a replica answers 200,
and the count of what the fake Web API received per member.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT / "tests" / "slack", ROOT / "benchmarks"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from loadkit import envelope, free_port, make_database, upgrade  # noqa: E402
from slackfake import BOT_ID, BOT_TOKEN, BOT_USER, SECRET, TEAM, FakeSlack, sign, user  # noqa: E402

__all__ = [
    "PITCH",
    "Cluster",
    "Replica",
    "Stream",
    "Tally",
    "fake_workspace",
    "find_bindir",
    "make_database",
    "replica_env",
    "until",
]

PITCH = "Check out my agency! 50% discount this week at https://{domain}.example.com - DM me"
NOTE_MARK = ".example.com"  # a note quotes the pitch: its domain tells a note from the rest
WELCOME_MARK = "[welcome]"
RULES = f'[welcome]\ndm_per_minute = 120\ntext = "Hi {{name}}, glad you are here. {WELCOME_MARK}"\n'


async def until(check: Callable[[], Awaitable[Any]], limit: float, what: str) -> Any:
    """Poll `check()` until it is truthy, within `limit` seconds; return its value."""
    deadline = time.monotonic() + limit
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


def find_bindir() -> Path | None:
    """The directory of PostgreSQL's server binaries (initdb, pg_ctl), if installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


class Cluster:
    """A throwaway PostgreSQL cluster on a free loopback port, stopped and started at will."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="groupbot-ops-pg-"))
        self.data = self.home / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        # PostgreSQL refuses to run as root: the server runs as the "postgres" user then.
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            os.chmod(self.home, 0o755)
            shutil.chown(self.home, "postgres")

    async def _run(self, *command: str) -> None:
        proc = await asyncio.create_subprocess_exec(
            *self._as,
            *command,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate()
        if proc.returncode:
            log = self.home / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed: {err.decode()}{tail}")

    async def create(self) -> None:
        """initdb and start."""
        await self._run(
            str(self.bindir / "initdb"),
            *("-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"),
        )
        await self.start()

    async def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.home} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        await self._run(
            str(self.bindir / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.home / "server.log"), "-w", "-t", "30"),
            *("-o", options, "start"),
        )

    async def stop(self, mode: str = "fast") -> None:
        """Stop the server (clients are disconnected) and wait until it is down."""
        await self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    async def destroy(self) -> None:
        """Stop whatever runs and remove the cluster's files."""
        with contextlib.suppress(RuntimeError):  # already stopped
            await self.stop("immediate")
        shutil.rmtree(self.home, ignore_errors=True)


def fake_workspace() -> FakeSlack:
    """The fake Web API with the bot and the channel events are posted in."""
    fake = FakeSlack()
    fake.add_bot(BOT_TOKEN, TEAM, BOT_USER, BOT_ID)
    fake.add_channel("C0GENERAL", "general")
    return fake


def replica_env(database: str, api_url: str) -> dict[str, str]:
    """The environment a replica runs with: only the test's Slack and database settings."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GROUPBOT_", "DISCORD_"))
    }
    return env | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "GROUPBOT_DATABASE_URL": database,
    }


async def migrate(database: str, api_url: str) -> None:
    """`groupbot db upgrade`, once, before any replica starts (as an operator deploys)."""
    await upgrade(replica_env(database, api_url))


@dataclass
class Replica:
    """One `groupbot run slack --http` process; killed, terminated and started again at will."""

    env: dict[str, str]
    rules: Path
    port: int = field(default_factory=free_port)
    metrics: int = field(default_factory=free_port)
    proc: asyncio.subprocess.Process | None = None
    log: IO[bytes] = field(default_factory=lambda: tempfile.TemporaryFile())  # noqa: SIM115
    starts: int = 0

    @property
    def url(self) -> str:
        """Where Slack posts events."""
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def start(self, session: aiohttp.ClientSession) -> None:
        """Start the process and wait (bounded) until /healthz answers."""
        command = [
            *(sys.executable, "-c", "from groupbot.cli import main; main()", "run", "slack"),
            *("--http", "--host", "127.0.0.1", "--port", str(self.port)),
            *("--metrics-port", str(self.metrics), "--rules", str(self.rules)),
        ]
        self.proc = await asyncio.create_subprocess_exec(
            *command, env=self.env, cwd=ROOT, stdout=self.log, stderr=self.log
        )
        self.starts += 1

        async def healthy() -> bool:
            if self.proc is not None and self.proc.returncode is not None:
                raise AssertionError(
                    f"replica exited with {self.proc.returncode}:\n{self.output()}"
                )
            return await self.probe(session, "/healthz") == 200

        await until(healthy, 60, f"replica on {self.port} to be healthy")

    async def probe(self, session: aiohttp.ClientSession, path: str) -> int | None:
        """The status of GET path on the metrics port, None if nothing answers."""
        try:
            async with session.get(f"http://127.0.0.1:{self.metrics}{path}") as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, OSError, TimeoutError):
            return None

    def alive(self) -> bool:
        """Whether the process is running."""
        return self.proc is not None and self.proc.returncode is None

    async def kill(self) -> None:
        """SIGKILL: nothing is finished, nothing is flushed."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()

    async def terminate(self, limit: float = 15.0) -> int:
        """SIGTERM, and the exit status within `limit` seconds."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), limit)

    async def close(self) -> None:
        """Stop the process if it still runs (tests' cleanup)."""
        if self.alive():
            assert self.proc is not None
            self.proc.kill()
            await self.proc.wait()
        self.log.close()

    def output(self) -> str:
        """The tail of what the process logged."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]


@dataclass
class Sent:
    """One distinct event and what Slack did with it."""

    body: str
    first: float
    kind: str  # "join", "promo" or "chat"
    member: str
    acked: float | None = None
    attempts: int = 0


@dataclass
class Stream:
    """Signed events to replicas round-robin; Slack's redelivery of whatever was not a 200."""

    fake: FakeSlack
    replicas: list[Replica]
    session: aiohttp.ClientSession
    teams: int = 10
    duplicates: float = 0.2  # the share also delivered to another replica at once
    retry_seconds: float = 0.2  # Slack waits longer; the count of attempts is what matters
    sent: dict[str, Sent] = field(default_factory=dict)
    acks: list[float] = field(default_factory=list)
    refusals: list[int] = field(default_factory=list)  # statuses other than 200, by attempt
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _joined: list[tuple[str, str]] = field(default_factory=list)  # acked joins: (team, uid)
    _pitched: set[str] = field(default_factory=set)
    _noted: list[tuple[str, str]] = field(default_factory=list)  # acked first posts

    def _pick(self, avoid: Replica | None = None) -> Replica:
        for _ in range(2 * len(self.replicas)):
            replica = self.replicas[next(self._turn) % len(self.replicas)]
            if replica is not avoid or len(self.replicas) == 1:
                return replica
        return self.replicas[0]

    async def _post(self, replica: Replica, body: str, retry: int) -> int | None:
        headers = {"Content-Type": "application/json", **sign(body)}
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
        try:
            async with self.session.post(replica.url, data=body.encode(), headers=headers) as r:
                await r.read()
                return r.status
        except (aiohttp.ClientError, OSError, TimeoutError):
            return None  # refused, reset or timed out: Slack treats it as a failure

    async def _deliver(self, key: str, duplicate: bool) -> None:
        """Deliver until some replica answers 200, as Slack retries a failed delivery."""
        sent = self.sent[key]
        first = self._pick()
        if duplicate:  # a load balancer's second delivery to another replica, concurrently
            other = self._pick(avoid=first)
            task = asyncio.create_task(self._post(other, sent.body, 0))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        replica = first
        while True:
            started = time.perf_counter()
            status = await self._post(replica, sent.body, sent.attempts)
            sent.attempts += 1
            if status == 200:
                if sent.attempts == 1:
                    self.acks.append(time.perf_counter() - started)
                sent.acked = time.perf_counter()
                if sent.kind in ("join", "promo"):
                    into = self._joined if sent.kind == "join" else self._noted
                    into.append((key.split("/")[0], sent.member))
                return
            self.refusals.append(status or 0)
            await asyncio.sleep(self.retry_seconds)
            replica = self._pick()

    def _event(self, i: int, kind: str) -> tuple[str, str, str, dict[str, Any]] | None:
        """(kind, team, member, event) for the i-th event; posts need an acknowledged join."""
        if kind == "join":
            team = f"T{i % self.teams:08d}"
            uid = f"U{i:09d}"
            self.fake.users[uid] = user(uid, f"Member {i}", team_id=team)
            return kind, team, uid, {"type": "team_join", "user": self.fake.users[uid]}
        # A member posts only once Slack has had a 200 for their join, and chats (an
        # introduction) only after their promotional first post: the order the notes rely on.
        fresh = [j for j in self._joined if j[1] not in self._pitched]
        if kind == "promo" and fresh:
            team, uid = fresh[0]
            self._pitched.add(uid)
            text = PITCH.format(domain=f"shop{uid.lower()}")
        elif self._noted:
            team, uid = self._noted[i % len(self._noted)]
            kind = "chat"
            text = f"Hi everyone, I'm {uid}, a designer from Leeds. Glad to be here!"
        else:
            return None
        stamp = f"{time.time():.6f}"
        event = {
            "type": "message",
            "channel": "C0GENERAL",
            "channel_type": "channel",
            "user": uid,
            "text": text,
            "ts": stamp,
        }
        return kind, team, uid, event

    def send(self, i: int, kind: str) -> str | None:
        """Start delivering the i-th event (join, promo or chat); its key, or None if none fits."""
        made = self._event(i, kind)
        if made is None:
            return None
        kind, team, uid, event = made
        key = f"{team}/Ev{i:09d}"
        self.sent[key] = Sent(envelope(team, f"Ev{i:09d}", event), time.perf_counter(), kind, uid)
        duplicate = (i * 7919) % 100 < self.duplicates * 100  # a fixed 20%, the same every run
        task = asyncio.create_task(self._deliver(key, duplicate))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return key

    async def run(self, count: int, rate: float, at: Callable[[int], Awaitable[None]]) -> None:
        """Send `count` events at `rate` a second (joins, promotional first posts, chat in
        turn); `at(i)` runs before the i-th, for faults injected mid-stream."""
        kinds = ("join", "promo", "chat")
        start = time.perf_counter()
        for i in range(count):
            await at(i)
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # the sending rate, not a wait for an outcome
            self.send(i, kinds[i % 3])

    @property
    def pending(self) -> int:
        """Deliveries (and duplicates) not yet answered."""
        return len(self._tasks)

    async def settle(self, limit: float) -> None:
        """Wait (bounded) until every delivery and duplicate has been answered."""
        async with asyncio.timeout(limit):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)


@dataclass
class Tally:
    """What the fake Web API received for each member: welcomes and notes, counted."""

    welcomes: dict[str, int]
    notes: dict[str, int]
    owed_welcomes: set[str]
    owed_notes: set[str]
    to_message: list[float]  # from the event's first delivery to its message at the fake

    @classmethod
    def of(cls, stream: Stream) -> Tally:
        """Count chat.postMessage calls per member's DM channel."""
        fake = stream.fake
        first: dict[tuple[str, str], float] = {}
        welcomes: dict[str, int] = {}
        notes: dict[str, int] = {}
        for call in fake.of("chat.postMessage"):
            channel = str(call.params.get("channel"))
            if not channel.startswith("D"):
                continue
            uid = "U" + channel[1:]
            text = str(call.params.get("text"))
            if NOTE_MARK in text:
                kind = "note"
            elif WELCOME_MARK in text:
                kind = "welcome"
            else:
                continue  # e.g. the request to delete a held post
            into = notes if kind == "note" else welcomes
            into[uid] = into.get(uid, 0) + 1
            first.setdefault((uid, kind), call.at)
        owed_w = {s.member for s in stream.sent.values() if s.kind == "join"}
        owed_n = {s.member for s in stream.sent.values() if s.kind == "promo"}
        lag = [
            first[(s.member, "welcome" if s.kind == "join" else "note")] - s.first
            for s in stream.sent.values()
            if s.kind in ("join", "promo")
            and (s.member, "welcome" if s.kind == "join" else "note") in first
        ]
        return cls(welcomes, notes, owed_w, owed_n, lag)

    @property
    def lost(self) -> int:
        """Owed messages never delivered."""
        return len(self.owed_welcomes - self.welcomes.keys()) + len(
            self.owed_notes - self.notes.keys()
        )

    @property
    def doubled(self) -> int:
        """Messages delivered more than once (each extra copy counts)."""
        return sum(n - 1 for n in self.welcomes.values() if n > 1) + sum(
            n - 1 for n in self.notes.values() if n > 1
        )

    def complete(self) -> bool:
        """Every owed message has arrived."""
        return self.owed_welcomes <= self.welcomes.keys() and self.owed_notes <= self.notes.keys()


async def stored(database: str) -> dict[str, int]:
    """Rows that tell whether each event was handled once: processed events, members."""
    conn = await asyncpg.connect(database.replace("+asyncpg", ""), timeout=10)
    try:
        events = int(await conn.fetchval("SELECT count(*) FROM processed_events"))
        members = int(await conn.fetchval("SELECT count(*) FROM members"))
        owed = int(await conn.fetchval("SELECT count(*) FROM outbox"))
        # Rows a replica leased and has not settled: a killed one's wait out the lease.
        leased = int(
            await conn.fetchval("SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL")
        )
    finally:
        await conn.close()
    return {"processed_events": events, "members": members, "outbox": owed, "leased": leased}


def rules_file(directory: Path) -> Path:
    """A rulebook whose welcome pace holds for the streams here."""
    path = directory / "rules.toml"
    path.write_text(RULES)
    return path
