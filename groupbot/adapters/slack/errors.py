"""Slack Web API failures translated into the outbox's DeliveryError (retry or give up)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from groupbot.core.ports import DeliveryError

__all__ = ["as_delivery_error", "error_code", "slack_errors"]

RETRYABLE = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
DEFAULT_RETRY_AFTER = 30.0


def error_code(exc: BaseException) -> str:
    """The Web API error code ("not_in_channel", ...) of an exception, or ""."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or "")
    return ""


def _retry_after(headers: Any) -> float:
    for key, value in dict(headers or {}).items():
        if str(key).lower() == "retry-after":
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER


def as_delivery_error(exc: BaseException) -> DeliveryError:
    """Rate limits and server trouble are retried; anything else is given up on."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, SlackApiError):
        response = exc.response
        code = error_code(exc)
        if response.status_code == 429 or code == "ratelimited":
            return DeliveryError(
                "slack: ratelimited", retry=True, retry_after=_retry_after(response.headers)
            )
        retry = response.status_code >= 500 or code in RETRYABLE
        return DeliveryError(f"slack: {code or response.status_code}", retry=retry)
    return DeliveryError(f"slack unreachable: {type(exc).__name__}: {exc}", retry=True)


@asynccontextmanager
async def slack_errors() -> AsyncIterator[None]:
    """Re-raise Web API and network failures as DeliveryError."""
    try:
        yield
    except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise as_delivery_error(exc) from exc
