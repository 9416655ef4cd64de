"""Every action the bot takes goes through here: into the audit log, the outbox and the sink."""

from __future__ import annotations

from collections.abc import Callable

from groupbot.core.actions import Action, ShadowDecision
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["Recorder", "Sink"]

Sink = Callable[[Action], None]


class Recorder:
    """Records actions (audit log + outbox, in the current transaction) and reports them."""

    def __init__(self, sink: Sink | None = None) -> None:
        self.sink = sink

    def emit(
        self,
        repo: CommunityRepositories,
        action: Action,
        out: list[Action],
        *,
        deliver: bool = True,
    ) -> None:
        """Record an action; owed ones (and only those) are queued for delivery."""
        shadow = isinstance(action, ShadowDecision)
        repo.audit.record(
            action, shadow=shadow, deliver=deliver and action.DELIVERED and not shadow
        )
        out.append(action)
        if self.sink is not None:
            self.sink(action)
