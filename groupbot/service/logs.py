"""Logging for `groupbot run`: level, text or JSON lines, context fields, secrets redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

__all__ = ["LogFormat", "Redactor", "configure_logging", "log_context"]

LogFormat = Literal["text", "json"]
CONTEXT_FIELDS = ("community", "event_id")
CHATTY = ("alembic",)
_context: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("groupbot_log_context", default=())

# Shapes of credentials that may reach a message from a library (a debug line echoing a request,
# an error quoting the OAuth code it failed with), on top of the configured secrets themselves.
PATTERNS = (
    re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"),  # Slack bot, user, refresh tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),  # Slack app-level tokens
    re.compile(r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),  # Discord bots
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=-]+"),
)
# A value after a key that names a credential: `code: ...`, `'access_token': '...'`.
KEYED = re.compile(
    r"(?i)((?<![a-z_])(?:code|client_secret|access_token|refresh_token|token|signing_secret)"
    r"[\"']?\s*[:=][\s\[\"']*)([A-Za-z0-9._~+/-]{8,})"
)
REDACTED = "[redacted]"


class Redactor:
    """Replaces configured secrets and credential-shaped strings in finished log lines."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def __call__(self, line: str) -> str:
        """The line with every secret it holds replaced."""
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        for pattern in PATTERNS:
            line = pattern.sub(REDACTED, line)
        return KEYED.sub(lambda m: m.group(1) + REDACTED, line)


class _Context(logging.Filter):
    """Puts the current community and event id on each record that does not carry its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get():
            if not hasattr(record, key):
                setattr(record, key, value)
        fields = [f"{k}={getattr(record, k)}" for k in CONTEXT_FIELDS if hasattr(record, k)]
        record.context = f" [{' '.join(fields)}]" if fields else ""
        return True


class _Text(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s")
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class _Json(JsonFormatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, "taskName", "context"],
            timestamp="time",
        )
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


def configure_logging(
    level: str = "info",
    fmt: LogFormat = "text",
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """One handler on the root logger (discord.py's and Bolt's loggers included); returns it."""
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        raise ValueError(f"unknown log level {level!r}: use debug, info, warning or error")
    redact = Redactor(secrets)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(_Json(redact) if fmt == "json" else _Text(redact))
    handler.addFilter(_Context())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "groupbot", False)]:
        root.removeHandler(old)
    handler.groupbot = True  # type: ignore[attr-defined]  # ours to replace next time
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in CHATTY:  # their INFO lines narrate set-up steps: only when debugging
        logging.getLogger(name).setLevel(
            logging.NOTSET if numeric <= logging.DEBUG else max(numeric, logging.WARNING)
        )
    return handler


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Log lines inside the block (and tasks it starts) carry these fields."""
    token = _context.set((*_context.get(), *((k, v) for k, v in fields.items() if v)))
    try:
        yield
    finally:
        _context.reset(token)
