"""A plain SVG chart of a member's own feeling intensities over time, drawn on the server.

It shows what the member recorded and nothing else: no averages, trends,
totals or interpretation. The page also gives the same values as a table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from hearth.between_sessions.selectors import ChartPoint
from hearth.between_sessions.vocabulary import FEELINGS, INTENSITY_MAX
from hearth.core.templatetags.local_formats import short_date

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 628, 16, 244


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Series:
    core: str
    label: str
    polyline: str
    dots: list[Dot]


@dataclass(frozen=True)
class IntensityChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    gridlines: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    series: list[Series]


def draw_intensity_chart(
    points: list[ChartPoint], *, since: datetime.datetime, until: datetime.datetime
) -> IntensityChart:
    """Lay out one line per core feeling; x is time, y is intensity 0-10."""
    span = max((until - since).total_seconds(), 1.0)

    def x_of(moment: datetime.datetime) -> float:
        return round(LEFT + (RIGHT - LEFT) * (moment - since).total_seconds() / span, 1)

    def y_of(intensity: int) -> float:
        return round(BOTTOM - (BOTTOM - TOP) * intensity / INTENSITY_MAX, 1)

    series = []
    for core in FEELINGS:
        own = [point for point in points if point.core == core.code]
        if not own:
            continue
        dots = [
            Dot(
                x_of(point.when),
                y_of(point.intensity),
                f"{_short_date(point.when)}: {point.feeling}, {point.intensity}",
            )
            for point in own
        ]
        polyline = " ".join(f"{dot.x},{dot.y}" for dot in dots)
        series.append(Series(core.code, str(core.label), polyline, dots))
    gridlines = [(y_of(value), str(value)) for value in (0, 5, 10)]
    middle = since + (until - since) / 2
    x_labels = [(x_of(moment), _short_date(moment)) for moment in (since, middle, until)]
    return IntensityChart(WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, gridlines, x_labels, series)


def _short_date(moment: datetime.datetime) -> str:
    return short_date(moment)
