"""Owner and member commands: share, queue, approve, deny, withdraw, stats, shadow, forget."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from groupbot.core.actions import Action
from groupbot.core.approvals import Status, may_decide, parse_request_id, refusal_for_decided
from groupbot.core.events import CommandIssued
from groupbot.core.texts import attribution, denial_text, quote, stats_text
from groupbot.storage.repository import CommunityRepository

if TYPE_CHECKING:
    from groupbot.service import Bot

__all__ = ["COMMANDS", "CommandHandler"]

OWNERS_ONLY = "Only owners and moderators can {what}."

COMMANDS = {
    "help": "help — what groupbot can do for you",
    "share": "share CHANNEL TEXT — ask the owners before sharing a promotion",
    "withdraw": "withdraw ID — withdraw your own pending request",
    "queue": "queue — list pending requests (owners)",
    "approve": "approve ID [NOTE] — approve a request (owners)",
    "deny": "deny ID REASON — deny a request with a kind reason (owners)",
    "stats": "stats — the community's health (owners)",
    "shadow": "shadow on|off — record decisions without sending anything (owners)",
    "forget": "forget MEMBER — delete everything stored about a member (owners)",
}

Handler = Callable[[CommunityRepository, CommandIssued, datetime, list[Action]], Awaitable[None]]


def _origin(ev: CommandIssued) -> dict[str, Any]:
    """Where a command came from, so the platform can answer in place (ephemeral, followup)."""
    return {"channel": ev.channel, "event": ev.event_id}


class CommandHandler:
    """Runs one command on behalf of a member, checking their rights on the server side."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._handlers: dict[str, Handler] = {
            "help": self._help,
            "share": self._share,
            "withdraw": self._withdraw,
            "queue": self._queue,
            "approve": self._approve,
            "deny": self._deny,
            "stats": self._stats,
            "shadow": self._shadow,
            "forget": self._forget,
        }

    async def run(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime
    ) -> list[Action]:
        """Dispatch one command; refusals become command_rejected actions."""
        out: list[Action] = []
        name = ev.name.strip().lower().removeprefix("/")
        handler = self._handlers.get(name)
        if handler is None:
            self._reject(
                repo,
                ev,
                now,
                out,
                f"Unknown command {ev.name!r}. Try: " + ", ".join(COMMANDS) + ".",
            )
            return out
        await handler(repo, ev, now, out)
        return out

    def _reject(
        self,
        repo: CommunityRepository,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        reason: str,
    ) -> None:
        fields = {"member": ev.member, "name": ev.name, "reason": reason, "text": reason}
        fields |= _origin(ev)
        self.bot.emit(repo, Action("command_rejected", now, ev.community, fields), out)

    def _reply(
        self,
        repo: CommunityRepository,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        text: str,
        kind: str = "command_reply",
        **extra: Any,
    ) -> None:
        fields = {"member": ev.member, "name": ev.name, "text": text, **extra} | _origin(ev)
        self.bot.emit(repo, Action(kind, now, ev.community, fields), out)

    async def _is_owner(self, repo: CommunityRepository, ev: CommandIssued, now: datetime) -> bool:
        state = await self.bot.member(repo, ev.member, now)
        roles = ev.roles or state.roles
        return may_decide(self.bot.rulebook, ev.member, frozenset(r.lower() for r in roles))

    async def _help(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        self._reply(repo, ev, now, out, "groupbot commands:\n" + "\n".join(COMMANDS.values()))

    async def _share(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        if len(ev.args) < 2 or not ev.args[0].strip() or not " ".join(ev.args[1:]).strip():
            self._reject(repo, ev, now, out, "Usage: share CHANNEL TEXT — say where and what.")
            return
        channel = ev.args[0].strip().lstrip("#")
        text = " ".join(ev.args[1:]).strip()
        state = await self.bot.member(repo, ev.member, now, ev.display_name)
        request = await self.bot.open_request(
            repo,
            member=state,
            origin="share",
            channel=channel,
            message=None,
            text=text,
            rule=None,
            evidence="",
            now=now,
        )
        await self.bot.announce_request(repo, request, state, None, channel, text, None, now, out)
        self._reply(
            repo,
            ev,
            now,
            out,
            f"Thanks for asking first! Request #{request} is with the owners; I'll let you know.",
            request=request,
        )

    async def _decision_target(
        self,
        repo: CommunityRepository,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        what: str,
        usage: str,
        min_args: int,
    ) -> int | None:
        if not await self._is_owner(repo, ev, now):
            self._reject(repo, ev, now, out, OWNERS_ONLY.format(what=what))
            return None
        request = parse_request_id(ev.args[0]) if ev.args else None
        if request is None or len(ev.args) < min_args:
            self._reject(repo, ev, now, out, f"Usage: {usage}")
            return None
        row = await repo.get_request(request)
        if row is None:
            self._reject(repo, ev, now, out, f"There is no request #{request}.")
            return None
        if row.status != Status.PENDING:
            self._reject(
                repo, ev, now, out, refusal_for_decided(request, row.status, row.decided_by)
            )
            return None
        return request

    async def _lost_race(
        self,
        repo: CommunityRepository,
        ev: CommandIssued,
        now: datetime,
        out: list[Action],
        request: int,
    ) -> None:
        """Someone decided the request between our check and our update: say who."""
        row = await repo.get_request(request)
        status, by = (row.status, row.decided_by) if row else ("decided", None)
        self._reject(repo, ev, now, out, refusal_for_decided(request, status, by))

    async def _approve(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        request = await self._decision_target(
            repo, ev, now, out, "approve requests", "approve ID [NOTE], e.g. approve 3", 1
        )
        if request is None:
            return
        note = " ".join(ev.args[1:]).strip() or None
        if not await self.bot.decide(repo, request, Status.APPROVED, ev.member, note, now):
            await self._lost_race(repo, ev, now, out, request)
            return
        row = await repo.get_request(request)
        assert row is not None
        name = row.member_name or row.member
        c = ev.community
        if self.bot.rulebook.approvals.on_approve == "pass":
            text = (
                f"Good news: the owners approved request #{request}. You're welcome to post "
                f"it in #{row.channel} yourself."
                + (f" Note from the owners: {note}" if note else "")
            )
            self.bot.emit(
                repo,
                Action(
                    "pass_granted",
                    now,
                    c,
                    {
                        "request": request,
                        "member": row.member,
                        "channel": row.channel,
                        "text": text,
                    },
                ),
                out,
                deliver=False,
            )
        else:
            self.bot.emit(
                repo,
                Action(
                    "published",
                    now,
                    c,
                    {
                        "request": request,
                        "member": row.member,
                        "channel": row.channel,
                        "text": attribution(name, row.text),
                        "by": ev.member,
                    },
                ),
                out,
            )
            text = (
                f"Good news: the owners approved request #{request} and I've shared it in "
                f"#{row.channel} for you." + (f" Note from the owners: {note}" if note else "")
            )
        self.bot.emit(
            repo,
            Action(
                "request_approved",
                now,
                c,
                {
                    "request": request,
                    "member": row.member,
                    "by": ev.member,
                    "note": note,
                    "text": text,
                },
            ),
            out,
        )
        self.bot.decided(repo, request, Status.APPROVED, row.member, ev.member, note, now, out)

    async def _deny(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        request = await self._decision_target(
            repo,
            ev,
            now,
            out,
            "deny requests",
            "deny ID REASON, e.g. deny 3 please introduce yourself first",
            2,
        )
        if request is None:
            return
        reason = " ".join(ev.args[1:]).strip()
        if not reason:
            self._reject(repo, ev, now, out, "Usage: deny ID REASON — members deserve a reason.")
            return
        if not await self.bot.decide(repo, request, Status.DENIED, ev.member, reason, now):
            await self._lost_race(repo, ev, now, out, request)
            return
        row = await repo.get_request(request)
        assert row is not None
        self.bot.emit(
            repo,
            Action(
                "request_denied",
                now,
                ev.community,
                {
                    "request": request,
                    "member": row.member,
                    "reason": reason,
                    "by": ev.member,
                    "text": denial_text(request, reason, asked_first=row.origin == "share"),
                },
            ),
            out,
        )
        self.bot.decided(repo, request, Status.DENIED, row.member, ev.member, reason, now, out)

    async def _withdraw(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        request = parse_request_id(ev.args[0]) if ev.args else None
        if request is None:
            self._reject(repo, ev, now, out, "Usage: withdraw ID, e.g. withdraw 3")
            return
        row = await repo.get_request(request)
        if row is None or row.member != ev.member:
            self._reject(repo, ev, now, out, f"You have no request #{request}.")
            return
        if row.status != Status.PENDING or not await self.bot.decide(
            repo, request, Status.WITHDRAWN, ev.member, None, now
        ):
            self._reject(
                repo, ev, now, out, refusal_for_decided(request, row.status, row.decided_by)
            )
            return
        self.bot.emit(
            repo,
            Action(
                "request_withdrawn", now, ev.community, {"request": request, "member": ev.member}
            ),
            out,
            deliver=False,
        )
        self.bot.decided(repo, request, Status.WITHDRAWN, ev.member, ev.member, None, now, out)

    async def _queue(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        if not await self._is_owner(repo, ev, now):
            self._reject(repo, ev, now, out, OWNERS_ONLY.format(what="see the queue"))
            return
        rows = await repo.queue_lines()
        lines = [
            f"#{request} {who} → #{channel}"
            + (f" ({rule})" if rule else " (asked first)")
            + f": {quote(text, 100)}"
            for request, who, channel, rule, text in rows
        ]
        text = "Pending requests:\n" + "\n".join(lines) if lines else "The queue is empty."
        self._reply(repo, ev, now, out, text, kind="queue_listed", requests=[r[0] for r in rows])

    async def _stats(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        if not await self._is_owner(repo, ev, now):
            self._reject(repo, ev, now, out, OWNERS_ONLY.format(what="see the statistics"))
            return
        await (await self.bot._unit()).flush()
        stats = await repo.stats()
        self._reply(repo, ev, now, out, stats_text(stats), kind="stats_reported", stats=stats)

    async def _shadow(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        if not await self._is_owner(repo, ev, now):
            self._reject(repo, ev, now, out, OWNERS_ONLY.format(what="change the configuration"))
            return
        arg = ev.args[0].strip().lower() if ev.args else ""
        if arg not in ("on", "off"):
            self._reject(repo, ev, now, out, "Usage: shadow on|off")
            return
        on = arg == "on"
        await repo.set_shadow_mode(on)
        self.bot.set_shadow(ev.community, on)
        self._reply(
            repo,
            ev,
            now,
            out,
            "Shadow mode is on: I'll record decisions and send nothing to members."
            if on
            else "Shadow mode is off: I'll coach members again.",
            kind="shadow_mode_changed",
            shadow=on,
        )

    async def _forget(
        self, repo: CommunityRepository, ev: CommandIssued, now: datetime, out: list[Action]
    ) -> None:
        if not await self._is_owner(repo, ev, now):
            self._reject(repo, ev, now, out, OWNERS_ONLY.format(what="forget members"))
            return
        if len(ev.args) != 1 or not ev.args[0].strip():
            self._reject(repo, ev, now, out, "Usage: forget MEMBER")
            return
        member = ev.args[0].strip().lstrip("@")
        await (await self.bot._unit()).flush()
        requests = [r.id for r in await repo.member_requests(member, limit=100_000)]
        removed = await repo.forget(member)
        self.bot.forget_cached(ev.community, member, requests)
        self._reply(
            repo,
            ev,
            now,
            out,
            f"Forgot {member}: {removed} records deleted.",
            kind="member_forgotten",
            forgotten=member,
            records=removed,
        )
