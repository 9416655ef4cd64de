"""Notes kept on disk while the history streams, so memory does not grow with their number."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import orjson

__all__ = ["NoteSpool"]


class NoteSpool:
    """An append-only list of notes in a temporary file, read back in order."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the spool)
        self.count = 0
        self.deleted: set[tuple[str, str]] = set()  # (channel, message) deleted after a note

    def append(self, note: dict[str, Any]) -> None:
        """Keep one note."""
        self._file.write(orjson.dumps(note) + b"\n")
        self.count += 1

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Every note in the order kept, marked if its post was deleted later."""
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            note: dict[str, Any] = orjson.loads(line)
            note["deleted_later"] = (note["channel"], note["message"]) in self.deleted
            yield note
        self._file.seek(0, 2)

    def close(self) -> None:
        """Drop the file."""
        self._file.close()
