"""Draft a country update from the store: ``build_report`` gives a :class:`Report`.

Structure follows the house style of the periodic updates: an introduction generated
from the data, General developments (laws, ratings, figures), then Peaceful Assembly,
Expression and Association with incidents in date order grouped by violation type and
the legal cases of the people concerned; tables, charts and numbered source notes.
Each incident is printed once, under its first freedom and its first violation type.
The steps read gather (:mod:`.gather`) -> model (the section modules) -> render.
"""

from __future__ import annotations

import datetime as dt

from civicspace.access.policy import Viewer
from civicspace.reports import charts
from civicspace.reports.drafting import FREEDOMS, Drafting
from civicspace.reports.freedoms import freedom_section
from civicspace.reports.gather import gather
from civicspace.reports.general import general_section
from civicspace.reports.introduction import introduction
from civicspace.reports.model import Report
from civicspace.reports.request import EDITIONS, ReportRequest
from civicspace.reports.tables import report_tables
from civicspace.store.repository import Store

__all__ = ["EDITIONS", "FREEDOMS", "ReportRequest", "build_report", "draft", "edition_viewer"]


def edition_viewer(edition: str, viewer: Viewer) -> Viewer:
    """Who the report reads as: anyone's public edition is what an anonymous reader sees."""
    if edition == "public":
        return Viewer.anonymous()
    if viewer.role == "anonymous":
        raise PermissionError("the internal edition needs a signed-in role, not anonymous")
    return viewer


def build_report(
    store: Store, request: ReportRequest, viewer: Viewer, today: dt.date | None = None
) -> Report:
    """The report model for ``request``; visibility is the store's, per the edition."""
    reader = edition_viewer(request.edition, viewer)
    data = gather(store, reader, request.country, request.date_from, request.date_to)
    return draft(Drafting(store, reader, data, request, today or dt.date.today()))


def draft(d: Drafting) -> Report:
    """The report's parts in reading order, so source notes are numbered as they are read."""
    data, w = d.data, d.w
    period = f"{w.day(data.date_from)} – {w.day(data.date_to)}"
    intro = introduction(d)
    sections = [general_section(d), *(freedom_section(d, f) for f in FREEDOMS)]
    tables = report_tables(d)
    chart_list = charts.report_charts(data, w)
    labels = dict(w.strings)
    labels["edition"] = w(f"edition_{d.request.edition}")
    return Report(
        country=data.country,
        country_name=data.country_name,
        date_from=data.date_from,
        date_to=data.date_to,
        edition=d.request.edition,
        lang=w.lang,
        title=w("title", country=data.country_name, period=period),
        period=period,
        generated_on=d.today,
        labels=labels,
        introduction=intro,
        sections=sections,
        tables=tables,
        charts=chart_list,
        notes=d.notes.notes(),
        counts=d.freedom_counts(),
        incident_total=len(data.incidents),
    )
