"""Country updates drafted from the database: Markdown, HTML and PDF, with charts."""

from civicspace.reports.model import Report
from civicspace.reports.render import (
    FORMATS,
    render_html,
    render_markdown,
    render_pdf,
    write_report,
)
from civicspace.reports.service import EDITIONS, ReportRequest, build_report, edition_viewer

__all__ = [
    "EDITIONS",
    "FORMATS",
    "Report",
    "ReportRequest",
    "build_report",
    "edition_viewer",
    "render_html",
    "render_markdown",
    "render_pdf",
    "write_report",
]
