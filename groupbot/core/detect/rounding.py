"""round(x, digits) in floats where floats decide it: a verdict's scores and weights, fast."""

from __future__ import annotations

from typing import Final

__all__ = ["round_to"]

# Below this a scaled value's whole part and remainder are exact in a float.
_EXACT_BELOW: Final = 2.0**52
# The type is spelled out: mypyc leaves a Final tuple of floats with an inferred type unset.
_SCALES: Final[tuple[float, ...]] = (1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0)


def round_to(x: float, digits: int) -> float:
    """The same float as round(x, digits).

    round() finds the decimal digits and parses them back: thousands of instructions. Here x is
    scaled by 10**digits in one rounded multiplication, which is monotonic and leaves a half
    (k + 0.5) as it is: a product above or below a half lies on the same side of it as the
    exact one, so it rounds as the exact decimal does, and the division back is correctly
    rounded as the parse is. A product on a half, and huge, infinite or NaN values (or digits
    outside 0-6), go to round() itself.
    """
    if not 0 <= digits < len(_SCALES):
        return round(x, digits)
    scale = _SCALES[digits]
    scaled = abs(x) * scale
    if scaled == 0.0:
        return x  # 0.0 or -0.0, as round() keeps them
    if scaled < _EXACT_BELOW:
        whole = float(int(scaled))
        rest = scaled - whole
        if rest > 0.5:
            return _signed((whole + 1.0) / scale, x)
        if rest < 0.5:
            return _signed(whole / scale, x)
    return round(x, digits)


def _signed(magnitude: float, x: float) -> float:
    """magnitude with the sign of x (round() gives -0.0 for a small negative x)."""
    return -magnitude if x < 0.0 else magnitude
