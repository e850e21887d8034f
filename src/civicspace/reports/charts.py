"""The report's charts as SVG text, drawn with matplotlib's Agg backend (no display).

SVG output is deterministic (fixed hash salt, no date metadata) and draws text as paths,
so a chart looks the same in a browser, in WeasyPrint's PDF and on any machine's fonts.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from civicspace.model.vocabulary import vocabulary  # noqa: E402
from civicspace.reports.gather import ReportData  # noqa: E402
from civicspace.reports.model import Chart  # noqa: E402
from civicspace.reports.words import Words  # noqa: E402

FREEDOM_COLOURS = {"assembly": "#1b6ca8", "expression": "#d1495b", "association": "#edae49"}
_RC: Any = {"svg.hashsalt": "civicspace", "svg.fonttype": "path", "font.size": 9}


def months(start: dt.date, stop: dt.date) -> list[tuple[int, int]]:
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (stop.year, stop.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_of(day: dt.date, start: dt.date) -> tuple[int, int]:
    """The month an event counts in: its earliest day, or the period's first day."""
    day = max(day, start)
    return day.year, day.month


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with plt.rc_context(_RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def incidents_per_month(data: ReportData, w: Words) -> Chart:
    span = months(data.date_from, data.date_to)
    counts: Counter[tuple[str, tuple[int, int]]] = Counter()
    for incident in data.incidents:
        month = _month_of(incident.date.earliest, data.date_from)
        for freedom in set(incident.freedoms):
            counts[(freedom, month)] += 1
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(6.4, 2.8))
        x = range(len(span))
        width = 0.8 / len(FREEDOM_COLOURS)
        for i, (freedom, colour) in enumerate(FREEDOM_COLOURS.items()):
            values = [counts[(freedom, m)] for m in span]
            ax.bar(
                [p + i * width for p in x],
                values,
                width,
                color=colour,
                label=w.term(vocabulary("freedom")[freedom]),
            )
        ax.set_xticks([p + width for p in x], [f"{y}-{m:02d}" for y, m in span])
        ax.legend(frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        return Chart("incidents", w("chart_incidents"), _svg(fig), "incidents-per-month.svg")


def charges_by_article(data: ReportData, w: Words) -> Chart:
    counts: Counter[str] = Counter()
    for case in data.cases:
        for charge in case.charges:
            people = 1 if charge.person_id else len(case.defendants)
            counts[f"{charge.code} {charge.article}"] += people
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:15][::-1]
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(6.4, 0.4 + 0.3 * max(len(items), 1)))
        ax.barh([k for k, _ in items], [v for _, v in items], color="#555555")
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        return Chart("charges", w("chart_charges"), _svg(fig), "charges-by-article.svg")


CUSTODY_STARTS = ("detained", "pretrial_detention_ordered", "house_arrest")


def detentions_by_month(data: ReportData) -> Counter[tuple[int, int]]:
    """People detained in the period: incidents' detained counts plus custody orders in cases."""
    counts: Counter[tuple[int, int]] = Counter()
    for incident in data.incidents:
        if incident.counts.detained:
            counts[_month_of(incident.date.earliest, data.date_from)] += incident.counts.detained
    for case in data.cases:
        for event in case.events:
            day = event.date.earliest
            if event.kind in CUSTODY_STARTS and data.date_from <= day <= data.date_to:
                people = 1 if event.person_id else len(case.defendants)
                counts[(day.year, day.month)] += people
    return counts


def detentions_per_month(data: ReportData, w: Words) -> Chart:
    span = months(data.date_from, data.date_to)
    counts = detentions_by_month(data)
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(6.4, 2.4))
        ax.bar([f"{y}-{m:02d}" for y, m in span], [counts[m] for m in span], color="#1b6ca8")
        ax.set_ylim(0, max([*counts.values(), 1]) * 1.1)
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        return Chart("detentions", w("chart_detentions"), _svg(fig), "detentions-per-month.svg")


def report_charts(data: ReportData, w: Words) -> list[Chart]:
    return [
        incidents_per_month(data, w),
        charges_by_article(data, w),
        detentions_per_month(data, w),
    ]
