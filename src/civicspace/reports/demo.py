"""The demo country update: Kazakhstan, 1 June – 31 August 2022, public edition."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from civicspace.access.policy import Viewer
from civicspace.reports.render import write_report
from civicspace.reports.service import ReportRequest, build_report
from civicspace.store.repository import Store

DEMO_REQUEST = ReportRequest("KZ", dt.date(2022, 6, 1), dt.date(2022, 8, 31), "public", "en")


def write_demo_report(store: Store, out_dir: Path) -> list[Path]:
    """Write the public HTML and PDF of the demo period to ``out_dir``; return their paths.

    The store must hold the demo dataset (``civicspace demo`` loads it).
    """
    report = build_report(store, DEMO_REQUEST, Viewer.anonymous(), today=dt.date.today())
    out_dir = Path(out_dir)
    stem = "kz-2022-06-08-public"
    return [
        *write_report(report, "html", out_dir / f"{stem}.html"),
        *write_report(report, "pdf", out_dir / f"{stem}.pdf"),
    ]
