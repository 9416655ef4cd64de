"""Promotion and introduction detectors: pure, fast, explainable and hard to evade."""

from __future__ import annotations

from .detector import Detector
from .results import Analysis, DetectorConfig, Link, Signal

__all__ = ["Analysis", "Detector", "DetectorConfig", "Link", "Signal"]
