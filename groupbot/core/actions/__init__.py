"""What the bot does, as typed values: replay output, audit log and outbox all come from them."""

from __future__ import annotations

from groupbot.core.actions.base import Action, Evidence, Reason, format_time
from groupbot.core.actions.members import (
    EtiquetteNote,
    Hold,
    Introduced,
    ShadowDecision,
    Welcome,
)
from groupbot.core.actions.owners import (
    DeliveryGivenUp,
    FirstRunGuide,
    OwnerNotice,
    OwnersAlerted,
    OwnersNotified,
    OwnersReminded,
    RequestDecided,
)
from groupbot.core.actions.replies import (
    ANSWERS,
    CommandAnswer,
    CommandRejected,
    CommandReply,
    ConfigChanged,
    ConfigShown,
    MemberForgotten,
    QueueListed,
    ShadowModeChanged,
    StatsReported,
)
from groupbot.core.actions.requests import (
    ApprovalRequested,
    PassGranted,
    Published,
    RequestApproved,
    RequestDenied,
    RequestExpired,
    RequestWithdrawn,
)

__all__ = [
    "ANSWERS",
    "KINDS",
    "Action",
    "ApprovalRequested",
    "CommandAnswer",
    "CommandRejected",
    "CommandReply",
    "ConfigChanged",
    "ConfigShown",
    "DeliveryGivenUp",
    "EtiquetteNote",
    "Evidence",
    "FirstRunGuide",
    "Hold",
    "Introduced",
    "MemberForgotten",
    "OwnerNotice",
    "OwnersAlerted",
    "OwnersNotified",
    "OwnersReminded",
    "PassGranted",
    "Published",
    "QueueListed",
    "Reason",
    "RequestApproved",
    "RequestDecided",
    "RequestDenied",
    "RequestExpired",
    "RequestWithdrawn",
    "ShadowDecision",
    "ShadowModeChanged",
    "StatsReported",
    "Welcome",
    "format_time",
]

# Every kind by its name: the outbox turns stored rows back into typed actions with it.
_ALL: tuple[type[Action], ...] = (
    Welcome,
    Introduced,
    EtiquetteNote,
    Hold,
    ShadowDecision,
    ApprovalRequested,
    Published,
    PassGranted,
    RequestApproved,
    RequestDenied,
    RequestExpired,
    RequestWithdrawn,
    OwnersNotified,
    OwnersReminded,
    OwnersAlerted,
    RequestDecided,
    DeliveryGivenUp,
    FirstRunGuide,
    *ANSWERS,
)
KINDS: dict[str, type[Action]] = {kind.KIND: kind for kind in _ALL}
