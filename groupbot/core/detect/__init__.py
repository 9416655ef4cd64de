"""Promotion and introduction detectors: pure, fast, explainable and hard to evade."""

from __future__ import annotations

from .detector import Detector
from .results import (
    NO_CONVERSATION,
    Analysis,
    Conversation,
    DetectorConfig,
    Link,
    Message,
    Signal,
)

__all__ = [
    "NO_CONVERSATION",
    "Analysis",
    "Conversation",
    "Detector",
    "DetectorConfig",
    "Link",
    "Message",
    "Signal",
]
