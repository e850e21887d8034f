"""Lay a :class:`Report` out as Markdown, HTML or PDF with Jinja2 templates.

Templates are ``report.md``, ``report.html`` and ``report.css`` in this package's
``templates/``; a directory given as ``template_dir`` is searched first, so a user can
override one file and keep the others.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from civicspace.reports.model import Report

FORMATS = ("md", "html", "pdf")


def environment(template_dir: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        if not Path(template_dir).is_dir():
            raise ValueError(f"template directory {template_dir} does not exist")
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.PackageLoader("civicspace.reports", "templates"))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_markdown(
    report: Report, template_dir: Path | None = None, chart_dir: str = "charts"
) -> str:
    """Markdown text; charts are referenced as ``chart_dir/<name>.svg`` files."""
    template = environment(template_dir).get_template("report.md")
    return template.render(report=report, L=report.labels, chart_dir=chart_dir)


def render_html(report: Report, template_dir: Path | None = None) -> str:
    """One self-contained HTML file: styles and SVG charts inline."""
    template = environment(template_dir).get_template("report.html")
    return template.render(report=report, L=report.labels)


def render_pdf(report: Report, template_dir: Path | None = None) -> bytes:
    """The HTML edition printed to PDF by WeasyPrint (A4, numbered pages)."""
    from weasyprint import HTML  # imported here: it loads pango, which only PDFs need

    pdf = HTML(string=render_html(report, template_dir)).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf returns bytes without a target
        raise RuntimeError("WeasyPrint produced no PDF")
    return bytes(pdf)


def write_report(
    report: Report, fmt: str, out: Path, template_dir: Path | None = None
) -> list[Path]:
    """Write ``report`` to ``out`` in ``fmt``; Markdown also writes its chart files."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        out.write_bytes(render_pdf(report, template_dir))
        return [out]
    if fmt == "html":
        out.write_text(render_html(report, template_dir), encoding="utf-8")
        return [out]
    chart_dir = f"{out.stem}-charts"
    (out.parent / chart_dir).mkdir(exist_ok=True)
    written = [out]
    for chart in report.charts:
        path = out.parent / chart_dir / chart.filename
        path.write_text(chart.svg, encoding="utf-8")
        written.append(path)
    out.write_text(render_markdown(report, template_dir, chart_dir), encoding="utf-8")
    return written
