"""`groupbot classify`: JSON Lines of messages in, one verdict per line out (docs/contracts.md)."""

from __future__ import annotations

import dataclasses
import importlib
import typing
from types import ModuleType

from groupbot.accel import compiled_detect

if typing.TYPE_CHECKING:  # at run time the pure package is imported only when it is used
    from groupbot.core.detect import Detector, DetectorConfig

__all__ = ["INTRO_CHANNELS", "fastest_detector", "run_classify"]

INTRO_CHANNELS = frozenset({"introductions", "intros", "introduce-yourself", "say-hello"})


def _detect_package() -> ModuleType:
    """The compiled detector package when groupbot/_accel holds a current build, else the pure."""
    return compiled_detect() or importlib.import_module("groupbot.core.detect")


def fastest_detector(config: DetectorConfig | None = None) -> Detector:
    """The compiled detector when groupbot/_accel holds a current build, else the pure one."""
    return _detector(_detect_package(), config, True)


def _detector(package: ModuleType, config: DetectorConfig | None, cache: bool) -> Detector:
    """The given detector package's Detector for config."""
    if config is not None and package.__name__ != "groupbot.core.detect":
        # The compiled Detector takes only its own (compiled) DetectorConfig.
        values = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
        config = package.DetectorConfig(**values)
    return typing.cast("Detector", package.Detector(config, cache=cache))


def run_classify(
    infile: typing.BinaryIO,
    outfile: typing.BinaryIO,
    config: DetectorConfig | None = None,
    intro_channels: frozenset[str] = INTRO_CHANNELS,
    *,
    cache: bool = True,
) -> int:
    """Classify every line of infile into outfile; exit status 1 if any line was malformed.

    With cache off, repeated texts are analysed again (to measure the detectors themselves).
    """
    package = _detect_package()
    # The loop is compiled with the detectors it calls, and takes only their own Detector.
    lines = importlib.import_module(package.__name__ + ".verdicts")
    # classify_lines keeps its own cache of repeated texts, so the detector's would be a second.
    detector = _detector(package, config, False)
    status: int = lines.classify_lines(infile, outfile, detector, intro_channels, cache)
    return status
