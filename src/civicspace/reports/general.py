"""The report's General developments: laws, ratings, statistics and victim lists."""

from __future__ import annotations

from civicspace.model.vocabulary import vocabulary
from civicspace.reports.drafting import Drafting
from civicspace.reports.model import Paragraph, Section, Subsection

__all__ = ["general_section", "suggested_score"]


def general_section(d: Drafting) -> Section:
    """Laws, ratings and statistics of the period (empty ones left out), then victim lists."""
    subsections = [sub for sub in (_laws(d), _ratings(d), _statistics(d)) if sub.paragraphs]
    if d.request.victim_lists:
        from civicspace.reports.victims import victim_lists_subsection

        subsections.append(victim_lists_subsection(d.store.db, d.request.victim_lists, d.w))
    return Section(
        "general", d.w("general"), d.editor_paragraphs("general"), subsections=subsections
    )


def _laws(d: Drafting) -> Subsection:
    w = d.w
    laws = Subsection(w("laws"))
    for law in d.data.laws:
        stages = "; ".join(
            f"{w.term(vocabulary('law stage')[s.stage])} ({w.date(s.date)})"
            for s in sorted(law.stages, key=lambda s: s.date.earliest)
        )
        text = w("law_line", title=law.title, stages=stages)
        if law.assessment:
            text += f" {law.assessment}"
        laws.paragraphs.append(d.paragraph(text, [law]))
    return laws


def _ratings(d: Drafting) -> Subsection:
    w = d.w
    ratings = Subsection(w("ratings"))
    current, in_period = d.current_rating()
    shown = in_period or ([current] if current else [])
    for r in shown:
        prev = r.previous_band
        text = w(
            "rating_line",
            date=w.date(r.date),
            band=d.band(r.band),
            previous=w("rating_previous", band=d.band(prev)) if prev else "",
            rated_by=r.rated_by,
        )
        if d.internal and r.score is not None:
            text += " " + w("intro_score", score=r.score)
        if r.rationale:
            text += f" {r.rationale}"
        ratings.paragraphs.append(d.paragraph(text, [r]))
    if d.internal:
        ratings.paragraphs.append(suggested_score(d))
    return ratings


def _statistics(d: Drafting) -> Subsection:
    w = d.w
    stats = Subsection(w("statistics"))
    for s in sorted(d.data.statistics, key=lambda s: (s.topic or "", s.as_of.earliest, s.id)):
        by = w("statistic_by", by=s.reported_by) if s.reported_by else ""
        text = w("statistic_line", figure=s.display(), as_of=w.date(s.as_of), by=by)
        stats.paragraphs.append(d.paragraph(text[:1].upper() + text[1:], [s]))
    return stats


def suggested_score(d: Drafting) -> Paragraph:
    """Internal edition only: the documented indicators' suggestion, for comparison."""
    from civicspace.rating import suggest_rating

    s = suggest_rating(d.store, d.viewer, d.data.country, d.end)
    parts = "; ".join(f"{i.label} -{i.contribution:.1f}" for i in s.indicators if i.contribution)
    text = d.w(
        "suggested",
        date=d.w.day(d.end),
        score=s.score,
        band=d.band(s.suggested_band),
        method=s.method,
        parts=parts,
    )
    return Paragraph(text, [], None, [])
