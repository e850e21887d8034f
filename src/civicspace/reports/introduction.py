"""The report's introduction, generated from the data: rating, counts and key figures."""

from __future__ import annotations

from civicspace.model.records import Record, Statistic
from civicspace.reports import charts
from civicspace.reports.drafting import Drafting
from civicspace.reports.model import Paragraph

__all__ = ["KEY_FIGURES", "case_counts", "introduction", "key_figures"]

KEY_FIGURES = 5


def introduction(d: Drafting) -> list[Paragraph]:
    """Scope and rating, then counts, then key figures, then the editors' own paragraphs."""
    out = [_scope_and_rating(d), _counts(d)]
    figures = key_figures(d)
    if figures:
        lines = [d.w("intro_figures")]
        for s in figures:
            key = "intro_figure" if s.reported_by else "intro_figure_unattributed"
            line = d.w(key, figure=s.display(), as_of=d.w.date(s.as_of), by=s.reported_by)
            lines.append(line[:1].upper() + line[1:])
        out.append(d.paragraph(" ".join(lines), figures))
    return out + d.editor_paragraphs("introduction")


def _scope_and_rating(d: Drafting) -> Paragraph:
    data, w = d.data, d.w
    scope = w(
        "intro_scope",
        country=data.country_name,
        date_from=w.day(data.date_from),
        date_to=w.day(data.date_to),
    )
    current, in_period = d.current_rating()
    rating_records: list[Record] = []
    sentences = [scope]
    changes = [r for r in in_period if r.previous_band]
    for r in changes:
        sentences.append(
            w(
                "intro_rating_change",
                country=data.country_name,
                previous=d.band(r.previous_band or ""),
                band=d.band(r.band),
                rated_by=r.rated_by,
                date=w.date(r.date),
            )
        )
        rating_records.append(r)
    if current is not None and current not in changes:
        sentences.append(
            w(
                "intro_rating_current",
                country=data.country_name,
                band=d.band(current.band),
                rated_by=current.rated_by,
                date=w.date(current.date),
            )
        )
        rating_records.append(current)
    if d.internal and current is not None and current.score is not None:
        sentences.append(w("intro_score", score=current.score))
    return d.paragraph(" ".join(sentences), rating_records)


def _counts(d: Drafting) -> Paragraph:
    data, w = d.data, d.w
    facts: list[str] = []
    if data.incidents:
        by_freedom = ", ".join(
            w("intro_by_freedom", count=n, freedom=d.freedom(f).lower())
            for f, n in d.freedom_counts().items()
        )
        facts.append(w("intro_counts", total=len(data.incidents), by_freedom=by_freedom))
    else:
        facts.append(w("intro_counts_none"))
    new, ongoing = case_counts(d)
    facts.append(w("intro_cases", new=new, ongoing=ongoing))
    detained = sum(charts.detentions_by_month(data).values())
    if detained:
        facts.append(w("intro_detentions", count=detained))
    return d.paragraph(" ".join(facts), [*data.incidents, *data.cases])


def case_counts(d: Drafting) -> tuple[int, int]:
    """Cases opened within the period, and cases carried over from before it."""
    new = ongoing = 0
    for case in d.data.cases:
        first = min((e.date.earliest for e in case.events), default=None)
        if first is not None and first >= d.data.date_from:
            new += 1
        else:
            ongoing += 1
    return new, ongoing


def key_figures(d: Drafting) -> list[Statistic]:
    """The largest figure of each topic (percentages aside), largest first."""
    best: dict[str, Statistic] = {}
    for s in d.data.statistics:
        if s.unit == "percent":
            continue
        topic = s.topic or s.id
        if topic not in best or s.value > best[topic].value:
            best[topic] = s
    return sorted(best.values(), key=lambda s: -s.value)[:KEY_FIGURES]
