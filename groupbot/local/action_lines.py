"""Actions out as JSON Lines, for `replay`: a reader gone away ends the run, not an event."""

from __future__ import annotations

from typing import BinaryIO

import orjson

from groupbot.core.actions import Action

__all__ = ["ActionLines"]


class ActionLines:
    """The bot's sink: one JSON line per action.

    A write to a reader that has gone (`| head`) is remembered rather than raised inside the
    bot, where it would read as the event's own failure; `raise_if_gone` ends the run between
    events, and the CLI exits quietly.
    """

    def __init__(self, out: BinaryIO) -> None:
        """Write to `out`."""
        self._write = out.write
        self.gone = False

    def __call__(self, action: Action) -> None:
        """Write one action (nothing once the reader is gone)."""
        if self.gone:
            return
        try:
            self._write(orjson.dumps(action.to_json()) + b"\n")
        except BrokenPipeError:
            self.gone = True

    def raise_if_gone(self) -> None:
        """Stop the run (BrokenPipeError) once the reader is gone."""
        if self.gone:
            raise BrokenPipeError("the reader of the actions has gone")
