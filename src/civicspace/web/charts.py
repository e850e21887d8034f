"""A stacked bar chart of incidents per month as SVG geometry (no JavaScript, no CSS)."""

from __future__ import annotations

from dataclasses import dataclass

from civicspace.store.aggregates import MonthCount

COLOURS = {"assembly": "#1f77b4", "expression": "#d62728", "association": "#2ca02c"}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]
    maximum: int
    legend: list[tuple[str, str]]


def month_chart(months: list[MonthCount], freedoms: list[str], height: int = 160) -> Chart:
    step = 34.0
    width = max(int(step * len(months)) + 20, 200)
    top = max((m.total for m in months), default=0) or 1
    bars: list[Bar] = []
    labels: list[tuple[float, str]] = []
    for i, month in enumerate(months):
        x = 10 + i * step
        y = float(height)
        for freedom in freedoms:
            n = month.by_freedom.get(freedom, 0)
            if not n:
                continue
            h = (height - 10) * n / top
            y -= h
            bars.append(
                Bar(
                    x, y, step - 8, h, COLOURS.get(freedom, "#777"), f"{month.month} {freedom}: {n}"
                )
            )
        labels.append((x, month.month[2:]))
    return Chart(width, height, bars, labels, top, [(f, COLOURS.get(f, "#777")) for f in freedoms])
