"""`groupbot classify`: JSON Lines of messages in, one verdict per line out (see CONTRACTS.md)."""

from __future__ import annotations

import typing

import orjson

from groupbot.core.detect import Analysis, Detector, DetectorConfig

__all__ = ["INTRO_CHANNELS", "run_classify", "verdict"]

INTRO_CHANNELS = frozenset({"introductions", "intros", "introduce-yourself", "say-hello"})
_BATCH = 2048
_CACHE_SIZE = 65536


def verdict(ident: object, analysis: Analysis) -> dict[str, object]:
    """The output object for one analysed message."""
    return {
        "id": ident,
        "promotional": analysis.promotional,
        "introduction": analysis.introduction,
        "score": analysis.score,
        "kind": analysis.kind,
        "reasons": [
            {"signal": s.signal, "evidence": s.evidence, "detail": s.detail, "weight": s.weight}
            for s in analysis.reasons
        ],
        "intro_score": analysis.intro_score,
        "intro_reasons": [
            {"signal": s.signal, "evidence": s.evidence, "detail": s.detail}
            for s in analysis.intro_reasons
        ],
    }


def _classify_line(
    detector: Detector, cache: dict[tuple[str, bool], bytes], number: int, line: bytes
) -> tuple[bytes, bool]:
    """Classify one input line; returns (output line, ok)."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return orjson.dumps({"id": number, "error": f"not valid JSON: {exc}"}), False
    if not isinstance(obj, dict):
        return orjson.dumps({"id": number, "error": "line is not a JSON object"}), False
    text = obj.get("text")
    if not isinstance(text, str):
        return orjson.dumps({"id": number, "error": "missing string field 'text'"}), False
    ident = obj.get("id", number)
    channel = obj.get("channel")
    intro = isinstance(channel, str) and channel.lower().lstrip("#") in INTRO_CHANNELS
    key = (text, intro)
    body = cache.get(key)
    if body is None:
        body = orjson.dumps(verdict(0, detector.analyze(text, intro_channel=intro)))[7:]
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = body
    return b'{"id":' + orjson.dumps(ident) + body, True


def run_classify(
    infile: typing.BinaryIO, outfile: typing.BinaryIO, config: DetectorConfig | None = None
) -> int:
    """Classify every line of infile into outfile; exit status 1 if any line was malformed."""
    detector = Detector(config)
    cache: dict[tuple[str, bool], bytes] = {}  # repeated texts (cross-posts, "thanks!") once
    status = 0
    out: list[bytes] = []
    for number, line in enumerate(infile, 1):
        if not line.strip():
            result, ok = orjson.dumps({"id": number, "error": "empty line"}), False
        else:
            result, ok = _classify_line(detector, cache, number, line)
        if not ok:
            status = 1
        out.append(result)
        if len(out) >= _BATCH:
            out.append(b"")
            outfile.write(b"\n".join(out))
            out.clear()
    if out:
        out.append(b"")
        outfile.write(b"\n".join(out))
    outfile.flush()
    return status
