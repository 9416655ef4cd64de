"""round(x, digits) in floats where floats decide it: a verdict's scores and weights, fast."""

from __future__ import annotations

from typing import Final

__all__ = ["round_to"]

# Past this, the product's own rounding error could reach the margin below.
_EXACT_BELOW: Final = 1e9
# How far from a tie the scaled value must be for its float error not to matter (the error is
# under 1e9 * 2**-53, about 1.1e-7).
_MARGIN: Final = 1e-6
# The type is spelled out: mypyc leaves a Final tuple of floats with an inferred type unset.
_SCALES: Final[tuple[float, ...]] = (1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0)


def round_to(x: float, digits: int) -> float:
    """The same float as round(x, digits), for 0 <= digits <= 6.

    round() finds the decimal digits and parses them back: thousands of instructions. Scaled
    by 10**digits, a value clearly off a tie rounds the same as its exact decimal, and the
    division back is correctly rounded as the parse is. Near a tie, and for huge, infinite or
    NaN values, round() itself decides.
    """
    scale = _SCALES[digits]
    scaled = abs(x) * scale
    if scaled == 0.0:
        return x  # 0.0 or -0.0, as round() keeps them
    if scaled < _EXACT_BELOW:
        whole = float(int(scaled))
        rest = scaled - whole
        if rest - 0.5 > _MARGIN:
            return _signed((whole + 1.0) / scale, x)
        if 0.5 - rest > _MARGIN:
            return _signed(whole / scale, x)
    return round(x, digits)


def _signed(magnitude: float, x: float) -> float:
    """magnitude with the sign of x (round() gives -0.0 for a small negative x)."""
    return -magnitude if x < 0.0 else magnitude
