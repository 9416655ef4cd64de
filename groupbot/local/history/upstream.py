"""The one place this package and the backtest reach into the runtime, replay and storage code.

Those modules are being reorganised; re-point these imports when they move.
"""

from __future__ import annotations

from groupbot.adapters.memory import MemoryPlatform
from groupbot.replay import read_events
from groupbot.replay_run import run_replay
from groupbot.runtime import MEMORY_URL, open_bot
from groupbot.service import Bot
from groupbot.storage.outbox import OutboxWorker

__all__ = [
    "MEMORY_URL",
    "Bot",
    "MemoryPlatform",
    "OutboxWorker",
    "open_bot",
    "read_events",
    "run_replay",
]
