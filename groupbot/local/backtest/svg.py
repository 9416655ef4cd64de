"""Small inline SVG charts by week: bars (stacked) on the left axis, lines on the right."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["PALETTE", "Series", "chart"]

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 56, 16, 44
PALETTE = ("#3b6fb6", "#e08a2c", "#4f9d69", "#c2455b", "#7d5fb2", "#7a7a7a")


@dataclass(frozen=True, slots=True)
class Series:
    """One named series of values, one per label (None: no value that week)."""

    name: str
    values: Sequence[float | None]
    color: str


def _nice(top: float) -> float:
    """A round axis maximum at or above `top`."""
    if top <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= top:
            return float(step * power)
    return float(10 * power)


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value * 100:.0f}%"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def chart(
    name: str,
    title: str,
    labels: Sequence[str],
    bars: Sequence[Series] = (),
    lines: Sequence[Series] = (),
    *,
    bar_unit: str = "",
    line_unit: str = "%",
) -> str:
    """A figure holding one SVG chart, with a legend; `name` identifies it in the page."""
    n = max(len(labels), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    stack_top = [sum(s.values[i] or 0 for s in bars) for i in range(len(labels))]
    bar_max = _nice(max(stack_top, default=0))
    line_vals = [v for s in lines for v in s.values if v is not None]
    line_max = 1.0 if line_unit == "%" else _nice(max(line_vals, default=0))
    for k in range(5):  # grid and left axis
        y = TOP + plot_h - plot_h * k / 4
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" class="grid"/>'
        )
        if bars:
            out.append(
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                f"{_fmt(bar_max * k / 4, bar_unit)}</text>"
            )
        if lines:
            out.append(
                f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}">'
                f"{_fmt(line_max * k / 4, line_unit)}</text>"
            )
    every = max(1, math.ceil(len(labels) / 12))
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            out.append(
                f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    width = max(slot * 0.7, 1.0)
    for i, label in enumerate(labels):
        base = 0.0
        for s in bars:
            value = float(s.values[i] or 0)
            if not value:
                continue
            h = plot_h * value / bar_max
            y = TOP + plot_h - plot_h * base / bar_max - h
            x = LEFT + slot * i + (slot - width) / 2
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{s.color}"><title>{escape(label)}: {escape(s.name)} '
                f"{_fmt(value, bar_unit)}</title></rect>"
            )
            base += value
    for s in lines:
        points = []
        for i, point in enumerate(s.values):
            if point is None:
                continue
            x = LEFT + slot * (i + 0.5)
            y = TOP + plot_h - plot_h * min(point, line_max) / line_max
            points.append(f"{x:.1f},{y:.1f}")
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{s.color}"><title>'
                f"{escape(labels[i])}: {escape(s.name)} {_fmt(point, line_unit)}</title></circle>"
            )
        if len(points) > 1:
            out.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{s.color}" '
                'stroke-width="2"/>'
            )
    if not labels:
        out.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">nothing to show</text>'
        )
    out.append("</svg>")
    legend = "".join(
        f'<span class="key"><i style="background:{s.color}"></i>{escape(s.name)}'
        f"{' (right axis)' if s in lines and bars else ''}</span>"
        for s in (*bars, *lines)
    )
    return (
        f'<figure class="chart" data-chart="{escape(name)}"><h3>{escape(title)}</h3>'
        f"{''.join(out)}<figcaption>{legend}</figcaption></figure>"
    )
