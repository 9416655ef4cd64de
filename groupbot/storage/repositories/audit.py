"""The audit log of one community, and the outbox rows written with it."""

from __future__ import annotations

from datetime import datetime

import orjson
from sqlalchemy import update

from groupbot.core.actions import Action
from groupbot.storage.models import AuditEntry, OutboxMessage, table
from groupbot.storage.unit import UnitOfWork

__all__ = ["MESSAGE_TEXT_FIELDS", "AuditLog"]

# Action fields that carry (or quote) message text: kept apart so retention can drop them.
MESSAGE_TEXT_FIELDS = frozenset({"text", "reasons", "findings", "reason", "note", "evidence"})


class AuditLog:
    """Every action one community's bot took, with its reasons; owed ones also go out."""

    def __init__(self, uow: UnitOfWork, community: str) -> None:
        self.uow = uow
        self.community = community
        self._c = uow.connection

    def record(self, action: Action, *, shadow: bool = False, deliver: bool = True) -> None:
        """Write an action to the audit log and, when it is owed to someone, to the outbox."""
        f = action.fields()
        detail = {k: v for k, v in f.items() if k not in MESSAGE_TEXT_FIELDS}
        evidence = {k: v for k, v in f.items() if k in MESSAGE_TEXT_FIELDS}
        self.uow.buffer(
            table(AuditEntry),
            {
                "community": self.community,
                "at": action.at,
                "action": action.kind,
                "member": f.get("member"),
                "message": f.get("message"),
                "request": f.get("request"),
                "rule": f.get("rule"),
                "shadow": shadow,
                "detail": orjson.dumps(detail).decode(),
                "evidence": orjson.dumps(evidence).decode() if evidence else None,
            },
        )
        if deliver:
            self.uow.outbox_written += 1
            self.uow.buffer(
                table(OutboxMessage),
                {
                    "community": self.community,
                    "audit_id": None,
                    "action": action.kind,
                    "payload": orjson.dumps(f).decode(),
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": action.at,
                },
            )

    async def drop_evidence_before(self, horizon: datetime) -> None:
        """Retention: the audit keeps the decisions, not the text, past the horizon."""
        await self._c.execute(
            update(AuditEntry)
            .where(
                AuditEntry.community == self.community,
                AuditEntry.at < horizon,
                AuditEntry.evidence.is_not(None),
            )
            .values(evidence=None)
        )
