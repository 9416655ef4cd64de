"""Timers that fire as the clock passes them: batched welcomes, reminders, expiries."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection

from groupbot.core.actions import Action
from groupbot.core.approvals import Status
from groupbot.core.texts import expiry_text, quote
from groupbot.storage.repository import RequestRow, due_requests

if TYPE_CHECKING:
    from groupbot.service import Bot

__all__ = ["fire_due"]


async def fire_due(bot: Bot, connection: AsyncConnection, now: datetime) -> list[Action]:
    """Fire everything due by `now`, in the order it fell due, each at its own time."""
    work: list[tuple[datetime, int, str, RequestRow | None]] = []
    for community, due in bot._batch_due.items():
        if due <= now:
            work.append((due, 0, community, None))
    for due_row in await due_requests(connection, now):
        if due_row.remind_at is not None and due_row.remind_at <= now:
            work.append((due_row.remind_at, 1, due_row.community, due_row))
        if due_row.expire_at <= now:
            work.append((due_row.expire_at, 2, due_row.community, due_row))
    work.sort(key=lambda item: (item[0], item[1], item[3].id if item[3] else 0))
    out: list[Action] = []
    for due, kind, community, row in work:
        repo = await bot.repository(community)
        if row is None:
            out.extend(await bot.welcome_batch(repo, due))
        elif kind == 1:
            await repo.mark_reminded(row.id)
            fields = {
                "request": row.id,
                "member": row.member,
                "expires_at": row.expire_at.isoformat(),
                "text": (
                    f"Reminder: request #{row.id} from {row.member_name or row.member} is still "
                    f"waiting ({quote(row.text, 120)}). It lapses at "
                    f"{row.expire_at:%Y-%m-%d %H:%M} UTC."
                ),
            }
            bot.emit(repo, Action("owners_reminded", due, community, fields), out)
        elif await repo.decide(row.id, Status.EXPIRED, None, None, due):
            fields = {"request": row.id, "member": row.member, "text": expiry_text(row.id)}
            bot.emit(repo, Action("request_expired", due, community, fields), out)
    return out
