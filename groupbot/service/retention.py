"""The daily retention sweep: one replica at a time, over every community stored."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from groupbot.service.communities import Communities
from groupbot.service.metrics import RETENTION_SWEEPS
from groupbot.service.transactions import Transactions
from groupbot.storage.repositories import CommunityRepositories
from groupbot.storage.retention import all_communities, lead_sweep

__all__ = ["sweep"]

log = logging.getLogger(__name__)


async def sweep(
    transactions: Transactions,
    repository: Callable[[str], Awaitable[CommunityRepositories]],
    communities: Communities,
    now: datetime,
) -> bool:
    """Drop message text past each community's retention; False if another replica sweeps.

    The sweep's lock is held until the current transaction ends, so replicas sweeping at the
    same moment sweep once; the one that finds it taken skips this round.
    """
    await transactions.flush()
    conn = (await transactions.unit()).connection
    if not await lead_sweep(conn):
        RETENTION_SWEEPS.labels(result="skipped").inc()
        log.info("retention sweep skipped: another replica is sweeping")
        return False
    for community in await all_communities(conn):
        repo = await repository(community)  # its own retention.message_days
        days = communities.rulebook_of(community).retention.message_days
        await repo.purge_before(now - timedelta(days=days), now)
    RETENTION_SWEEPS.labels(result="swept").inc()
    return True
