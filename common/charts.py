"""Server-rendered SVG charts for the client portal: bars or a line over months, with the
month's minimum (or target) drawn as a dashed line.

Pure Python, no Django and no JavaScript: each function takes ready-made labels and
``Decimal`` figures and returns one ``<svg>`` string. Every text that goes into the SVG is
escaped here, so the caller may mark the result safe. The chart carries a ``<title>``
and ``<desc>`` (named by ``aria-labelledby``) and every bar or point its own ``<title>``,
which browsers show as a tooltip and screen readers read. Scaling is done in ``Decimal``;
coordinates are written with one decimal place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from html import escape

WIDTH = 400
HEIGHT = 220
MARGIN_LEFT = 56
MARGIN_RIGHT = 10
MARGIN_TOP = 14
MARGIN_BOTTOM = 26
TICKS = 4

MET_COLOUR = "#1a7f64"  # teal: reached the minimum (or no minimum applies)
MISSED_COLOUR = "#c2410c"  # burnt orange: below the minimum
PLAIN_COLOUR = "#2f6fb0"  # blue: no minimum for this figure
TARGET_COLOUR = "#374151"
GRID_COLOUR = "#e5e7eb"
TEXT_COLOUR = "#4b5563"

_ID_PATTERN = re.compile(r"[^A-Za-z0-9_-]")
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Point:
    """One month of a chart.

    ``value`` None means nothing was recorded (no bar, a gap in the line). ``target``
    None means no minimum applies that month (no dashed segment, neutral colour).
    ``tooltip`` is the full sentence shown for the bar or point.
    """

    label: str
    value: Decimal | None
    target: Decimal | None = None
    tooltip: str = ""

    @property
    def met(self) -> bool | None:
        """True/False against the target; None when there is no value or no target."""
        if self.value is None or self.target is None:
            return None
        return self.value >= self.target


def _coordinate(value: Decimal) -> str:
    """A coordinate with one decimal place, without a trailing ".0"."""
    text = str(value.quantize(_TENTH, rounding=ROUND_HALF_UP))
    return text[:-2] if text.endswith(".0") else text


def _nice_step(raw: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ that is at least ``raw`` (``raw`` > 0)."""
    base = Decimal(10) ** raw.adjusted()
    for step in _NICE_STEPS:
        if raw <= base * step:
            return base * step
    return base * 10  # pragma: no cover - 10 × base always covers raw


def axis(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """The y axis for ``values``: (bottom, top, step), both ends multiples of a nice step.

    The axis always includes 0; an empty or all-zero series gets 0..4 in steps of 1.
    """
    high = max([Decimal(0), *values])
    low = min([Decimal(0), *values])
    span = high - low
    if span <= 0:
        return Decimal(0), Decimal(TICKS), Decimal(1)
    step = _nice_step(span / TICKS)
    top = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    bottom = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    if top == bottom:  # pragma: no cover - span > 0 rules it out
        top = bottom + step
    return bottom, top, step


@dataclass(frozen=True)
class _Frame:
    """The plot area and the scale from figures to pixels."""

    count: int
    bottom: Decimal
    top: Decimal

    @property
    def left(self) -> Decimal:
        return Decimal(MARGIN_LEFT)

    @property
    def right(self) -> Decimal:
        return Decimal(WIDTH - MARGIN_RIGHT)

    @property
    def upper(self) -> Decimal:
        return Decimal(MARGIN_TOP)

    @property
    def lower(self) -> Decimal:
        return Decimal(HEIGHT - MARGIN_BOTTOM)

    @property
    def slot(self) -> Decimal:
        return (self.right - self.left) / max(self.count, 1)

    def x(self, index: int) -> Decimal:
        """The centre of slot ``index``."""
        return self.left + self.slot * index + self.slot / 2

    def y(self, value: Decimal) -> Decimal:
        return self.lower - (value - self.bottom) / (self.top - self.bottom) * (
            self.lower - self.upper
        )


def _chart_id(chart_id: str) -> str:
    cleaned = _ID_PATTERN.sub("-", chart_id)
    return cleaned or "chart"


def _open(chart_id: str, title: str, description: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'preserveAspectRatio="xMidYMid meet" font-family="inherit" font-size="11">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _grid(
    frame: _Frame, step: Decimal, format_value: Callable[[Decimal], str], points: Sequence[Point]
) -> list[str]:
    parts = ['<g class="grid" aria-hidden="true">']
    tick = frame.bottom
    while tick <= frame.top:
        y = _coordinate(frame.y(tick))
        colour = TEXT_COLOUR if tick == 0 else GRID_COLOUR
        parts.append(
            f'<line x1="{_coordinate(frame.left)}" y1="{y}" x2="{_coordinate(frame.right)}" '
            f'y2="{y}" stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_coordinate(frame.left - 6)}" y="{y}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{TEXT_COLOUR}">{escape(format_value(tick))}</text>'
        )
        tick += step
    every = 1 if len(points) <= 13 else 2
    baseline = _coordinate(frame.lower + 17)
    for index, point in enumerate(points):
        if index % every:
            continue
        parts.append(
            f'<text x="{_coordinate(frame.x(index))}" y="{baseline}" text-anchor="middle" '
            f'fill="{TEXT_COLOUR}" font-size="10">{escape(point.label)}</text>'
        )
    parts.append("</g>")
    return parts


def _targets(frame: _Frame, points: Sequence[Point]) -> list[str]:
    """The minimum as dashed segments across each month's slot (it may be prorated)."""
    parts = ['<g class="target" aria-hidden="true">']
    for index, point in enumerate(points):
        if point.target is None:
            continue
        y = _coordinate(frame.y(point.target))
        half = frame.slot / 2
        parts.append(
            f'<line class="target-line" x1="{_coordinate(frame.x(index) - half)}" y1="{y}" '
            f'x2="{_coordinate(frame.x(index) + half)}" y2="{y}" stroke="{TARGET_COLOUR}" '
            f'stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
    parts.append("</g>")
    return parts


def _colour(point: Point) -> tuple[str, str]:
    met = point.met
    if met is None:
        return PLAIN_COLOUR, "plain"
    return (MET_COLOUR, "met") if met else (MISSED_COLOUR, "missed")


def _values(points: Sequence[Point]) -> list[Decimal]:
    figures = [p.value for p in points if p.value is not None]
    figures += [p.target for p in points if p.target is not None]
    return figures


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[Point],
    format_value: Callable[[Decimal], str] = str,
) -> str:
    """Bars of a monthly figure, coloured met/missed against a dashed minimum line.

    A month with no value has no bar; its label stays so the gap is visible.
    """
    chart_id = _chart_id(chart_id)
    bottom, top, step = axis(_values(points))
    frame = _Frame(count=len(points), bottom=bottom, top=top)
    parts = _open(chart_id, title, description, "chart-bars")
    parts += _grid(frame, step, format_value, points)
    parts.append('<g class="bars">')
    width = frame.slot * Decimal("0.62")
    zero = frame.y(Decimal(0))
    for index, point in enumerate(points):
        if point.value is None:
            continue
        colour, state = _colour(point)
        y = frame.y(point.value)
        upper, lower = min(y, zero), max(y, zero)
        height = max(lower - upper, Decimal(1))  # a zero month still shows a hairline
        parts.append(
            f'<rect class="bar bar-{state}" x="{_coordinate(frame.x(index) - width / 2)}" '
            f'y="{_coordinate(upper)}" width="{_coordinate(width)}" '
            f'height="{_coordinate(height)}" rx="2" fill="{colour}">'
            f"<title>{escape(point.tooltip or point.label)}</title></rect>"
        )
    parts.append("</g>")
    parts += _targets(frame, points)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[Point],
    format_value: Callable[[Decimal], str] = str,
) -> str:
    """A line through the months with a value (broken where one is missing), each month a
    dot coloured met/missed against its dashed target."""
    chart_id = _chart_id(chart_id)
    bottom, top, step = axis(_values(points))
    frame = _Frame(count=len(points), bottom=bottom, top=top)
    parts = _open(chart_id, title, description, "chart-line")
    parts += _grid(frame, step, format_value, points)
    parts += _targets(frame, points)
    runs: list[list[str]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            runs.append([])
            continue
        runs[-1].append(f"{_coordinate(frame.x(index))},{_coordinate(frame.y(point.value))}")
    for run in runs:
        if len(run) > 1:
            parts.append(
                f'<polyline class="series" points="{" ".join(run)}" fill="none" '
                f'stroke="{PLAIN_COLOUR}" stroke-width="2" stroke-linejoin="round"/>'
            )
    parts.append('<g class="points">')
    for index, point in enumerate(points):
        if point.value is None:
            continue
        colour, state = _colour(point)
        parts.append(
            f'<circle class="point point-{state}" cx="{_coordinate(frame.x(index))}" '
            f'cy="{_coordinate(frame.y(point.value))}" r="4.5" fill="{colour}" '
            f'stroke="#fff" stroke-width="1.5">'
            f"<title>{escape(point.tooltip or point.label)}</title></circle>"
        )
    parts.append("</g></svg>")
    return "".join(parts)
