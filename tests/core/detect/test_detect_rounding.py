"""round_to gives exactly the float round() gives: ties, near-ties, signs and extremes."""

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from groupbot.core.detect.rounding import round_to

DIGITS = st.integers(min_value=-2, max_value=8)
# Exact binary ties at some digit (k/32 = 0.03125...), values a hair either side of a decimal
# half, and arbitrary floats.
TIES = st.integers(min_value=-(10**6), max_value=10**6).map(lambda k: k / 32.0)
NEAR = st.tuples(st.integers(-(10**7), 10**7), st.integers(-3, 3)).map(
    lambda p: math.nextafter(p[0] / 10**5 + 0.000005, math.inf if p[1] > 0 else -math.inf)
)
# Where the scaled value nears 2**52, the edge of the exact range.
EDGE = st.floats(min_value=2**52 / 10**6, max_value=2.0**54)
VALUES = st.one_of(
    st.floats(allow_nan=False), TIES, NEAR, EDGE, st.floats(min_value=-2, max_value=2)
)


def same_float(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@settings(max_examples=5000, deadline=None)
@given(VALUES, DIGITS)
@example(0.03125, 4)
@example(-0.00001, 4)
@example(-0.0, 3)
@example(0.0, 3)
@example(2.675, 2)
@example(1e300, 4)
@example(0.49995, 4)
@example(1108559413112930.9, 1)
def test_round_to_is_round(x: float, digits: int) -> None:
    assert same_float(round_to(x, digits), round(x, digits))


@pytest.mark.parametrize("x", [math.inf, -math.inf, math.nan])
def test_round_to_passes_the_extremes_through(x: float) -> None:
    assert same_float(round_to(x, 4), round(x, 4))
