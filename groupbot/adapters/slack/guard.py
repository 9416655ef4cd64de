"""The door of /slack/events: a request is signed by Slack, fresh and readable, or refused."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aiohttp.http import HttpProcessingError
from aiohttp.web import RequestPayloadError

from groupbot.service.metrics import REFUSED

__all__ = [
    "FRESH_SECONDS",
    "Refusal",
    "RefusalLog",
    "UnparsableRequests",
    "check_request",
    "server_logger",
]

# Slack's own window: older (or later) timestamps are replays, whatever the signature.
FRESH_SECONDS = 5 * 60
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused, and the status it gets."""

    reason: str
    status: int


def check_request(
    secret: str, body: bytes, headers: Mapping[str, str], now: float | None = None
) -> tuple[str, None] | tuple[None, Refusal]:
    """The body as text when Slack signed it within the window; otherwise why not."""
    stamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if stamp is None or signature is None:
        return None, Refusal("unsigned", 401)
    if not TIMESTAMP.fullmatch(stamp):
        return None, Refusal("bad_timestamp", 401)
    if abs((time.time() if now is None else now) - int(stamp)) > FRESH_SECONDS:
        return None, Refusal("stale", 401)
    if not SIGNATURE.fullmatch(signature):
        return None, Refusal("bad_signature", 401)
    # The v0 scheme signs bytes; slack_sdk's verifier decodes first, which fails on non-UTF-8.
    base = b"v0:" + stamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return None, Refusal("bad_signature", 401)
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, Refusal("not_utf8", 400)


class RefusalLog:
    """Counts every refusal; logs the first, then at most one summary line per interval."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger
        self._interval = interval
        self._clock = clock
        self._next = 0.0
        self._held: Counter[str] = Counter()

    def refused(self, reason: str, status: int) -> None:
        """Record one refused request."""
        REFUSED.labels(reason=reason).inc()
        self._held[reason] += 1
        now = self._clock()
        if now < self._next:
            return
        self._next = now + self._interval
        summary = ", ".join(f"{n} {why}" for why, n in sorted(self._held.items()))
        self._held.clear()
        self._log.warning(
            "refused Slack requests (HTTP %d last): %s; at most one line per %gs",
            status,
            summary,
            self._interval,
        )


class UnparsableRequests(logging.Filter):
    """On the HTTP server's logger: requests aiohttp cannot parse are refusals, not crashes."""

    def __init__(self, refusals: RefusalLog) -> None:
        super().__init__()
        self._refusals = refusals

    def filter(self, record: logging.LogRecord) -> bool:
        """Count and summarise parse errors (no traceback); let anything else through."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError | RequestPayloadError):
            self._refusals.refused("unparsable", getattr(error, "code", 400) or 400)
            return False
        return True


def server_logger(name: str) -> logging.Logger:
    """A logger for aiohttp's request handler that keeps unparsable requests quiet."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, UnparsableRequests) for f in logger.filters):
        logger.addFilter(UnparsableRequests(RefusalLog(logger)))
    return logger


# Parts of a payload Bolt's middleware reads as objects without looking first: a signed request
# whose `event` is null or a list would otherwise be a 500 with a traceback.
OBJECTS = ("event", "team", "user", "channel", "enterprise", "view", "container", "message")


def payload_refusal(payload: object) -> str | None:
    """Why a parsed, signed payload is not one Slack sends (None if it may be)."""
    if not isinstance(payload, dict):
        return "not_an_object"
    if "event" in payload and not isinstance(payload["event"], dict):
        return "malformed"
    for key in OBJECTS[1:]:
        value = payload.get(key)
        if isinstance(value, list) or (key in payload and value is None and key != "channel"):
            return "malformed"
    authorizations = payload.get("authorizations", [])
    if not isinstance(authorizations, list) or not all(isinstance(a, dict) for a in authorizations):
        return "malformed"
    return None
