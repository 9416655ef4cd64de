"""Interactions still open for followups, by event id, so answers land where commands came from."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

import discord

__all__ = ["FOLLOWUP_SECONDS", "OpenInteractions"]

FOLLOWUP_SECONDS = 14 * 60.0  # an interaction token is good for 15 minutes
MAX_OPEN = 10_000


class OpenInteractions:
    """A bounded map of interaction id -> interaction while its token is valid."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._open: OrderedDict[str, tuple[discord.Interaction, float]] = OrderedDict()

    def add(self, interaction: discord.Interaction) -> None:
        """Remember an interaction we deferred and will answer by followup."""
        self._open[str(interaction.id)] = (interaction, self.clock())
        while len(self._open) > MAX_OPEN:
            self._open.popitem(last=False)

    def get(self, event: object) -> discord.Interaction | None:
        """The interaction for an event id, if it can still take a followup."""
        found = self._open.get(str(event)) if event is not None else None
        if found is None:
            return None
        interaction, at = found
        if self.clock() - at > FOLLOWUP_SECONDS:
            self._open.pop(str(event), None)
            return None
        return interaction
