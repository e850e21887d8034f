"""Draft a country update from the store: ``build_report`` gives a :class:`Report`.

Structure follows the house style of the periodic updates: an introduction generated
from the data, General developments (laws, ratings, figures), then Peaceful Assembly,
Expression and Association with incidents in date order grouped by violation type and
the legal cases of the people concerned; tables, charts and numbered source notes.
Each incident is printed once, under its first freedom and its first violation type.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from civicspace.access.policy import Viewer
from civicspace.cases.custody import custody_state
from civicspace.cases.service import political_prisoners, upcoming_deadlines
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import Charge, Incident, LegalCase, Rating, Record, Statistic
from civicspace.model.vocabulary import legal_article, legal_codes, vocabulary
from civicspace.reports import charts
from civicspace.reports.gather import ReportData, gather, overlaps
from civicspace.reports.model import (
    CaseBlock,
    Group,
    IncidentEntry,
    Note,
    Paragraph,
    Report,
    ReportTable,
    Section,
    Subsection,
)
from civicspace.reports.words import LANGUAGES, Words
from civicspace.store.repository import Store

EDITIONS = ("public", "internal")
FREEDOMS = ("assembly", "expression", "association")
KEY_FIGURES = 5


@dataclass(frozen=True)
class ReportRequest:
    """What to report on: country, period (inclusive days), edition and language."""

    country: str
    date_from: dt.date
    date_to: dt.date
    edition: str = "public"
    lang: str = "en"
    deadline_days: int = 60
    victim_lists: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.edition not in EDITIONS:
            raise ValueError(f"unknown edition {self.edition!r}; one of: {', '.join(EDITIONS)}")
        if self.lang not in LANGUAGES:
            raise ValueError(f"unknown language {self.lang!r}; one of: {', '.join(LANGUAGES)}")
        if self.date_to < self.date_from:
            raise ValueError("the period ends before it starts")


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
    return _Builder(store, reader, data, request, today or dt.date.today()).build()


class _Notes:
    """Numbers sources in order of first citation."""

    def __init__(self, data: ReportData, words: Words, internal: bool) -> None:
        self.data, self.words, self.internal = data, words, internal
        self.numbers: dict[str, int] = {}

    def cite(self, records: Iterable[Record]) -> list[int]:
        out: list[int] = []
        for record in records:
            for citation in record.sources:
                if citation.source_id not in self.data.sources:
                    continue
                number = self.numbers.setdefault(citation.source_id, len(self.numbers) + 1)
                if number not in out:
                    out.append(number)
        return sorted(out)

    def notes(self) -> list[Note]:
        out = []
        for source_id, number in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            s = self.data.sources[source_id]
            parts = [s.publisher, s.title, self.words.date(s.published) if s.published else None]
            flags = self.words.flags(s.visibility, s.verification) if self.internal else []
            out.append(
                Note(number, source_id, ". ".join(p for p in parts if p) + ".", s.url, flags)
            )
        return out


class _Builder:
    def __init__(
        self,
        store: Store,
        viewer: Viewer,
        data: ReportData,
        request: ReportRequest,
        today: dt.date,
    ) -> None:
        self.store, self.viewer, self.data, self.request = store, viewer, data, request
        self.today = today
        self.w = Words(request.lang)
        self.internal = request.edition == "internal"
        self.notes = _Notes(data, self.w, self.internal)
        self.printed_cases: set[str] = set()
        self.cases_by_person: dict[str, list[LegalCase]] = {}
        for case in data.cases:
            for pid in case.defendants:
                self.cases_by_person.setdefault(pid, []).append(case)

    # --- helpers --------------------------------------------------------------------
    def flags(self, record: Record) -> list[str]:
        return self.w.flags(record.visibility, record.verification) if self.internal else []

    def paragraph(self, text: str, records: Iterable[Record], lead: str | None = None) -> Paragraph:
        recs = list(records)
        flags = sorted({f for r in recs for f in self.flags(r)})
        notes = self.notes.cite(recs)
        if not notes and self.internal:
            flags.append(self.w("unsourced"))
        return Paragraph(text, notes, lead, flags)

    def editor_paragraphs(self, section: str) -> list[Paragraph]:
        """Editors' own summaries for ``section`` in the report's language, after the
        generated text, each citing its sources like every other paragraph."""
        return [
            self.paragraph(s.summary, [s], lead=s.title)
            for s in self.data.summaries
            if s.section == section and s.lang == self.w.lang
        ]

    def band(self, key: str) -> str:
        return self.w.term(vocabulary("rating band")[key])

    def freedom(self, key: str) -> str:
        return self.w.term(vocabulary("freedom")[key])

    def charge_label(self, charge: Charge) -> str:
        article = legal_article(charge.code, charge.article)
        title = (article.title_ru if self.w.lang == "ru" else None) or article.title
        code = legal_codes()[charge.code].title.split(" of the ")[0]
        part = self.w("part", part=charge.part) if charge.part else ""
        return self.w("article", article=charge.article, part=part, code=code, title=title)

    def status(self, status: str) -> str:
        return self.w(f"status_{status}")

    @property
    def end(self) -> dt.date:
        return self.request.date_to

    # --- sections -------------------------------------------------------------------
    def build(self) -> Report:
        d, w = self.data, self.w
        period = f"{w.day(d.date_from)} – {w.day(d.date_to)}"
        intro = self.introduction()
        sections = [self.general(), *(self.freedom_section(f) for f in FREEDOMS)]
        tables = self.tables()
        chart_list = charts.report_charts(d, w)
        labels = dict(w.strings)
        labels["edition"] = w(f"edition_{self.request.edition}")
        return Report(
            country=d.country,
            country_name=d.country_name,
            date_from=d.date_from,
            date_to=d.date_to,
            edition=self.request.edition,
            lang=w.lang,
            title=w("title", country=d.country_name, period=period),
            period=period,
            generated_on=self.today,
            labels=labels,
            introduction=intro,
            sections=sections,
            tables=tables,
            charts=chart_list,
            notes=self.notes.notes(),
            counts=self.freedom_counts(),
            incident_total=len(d.incidents),
        )

    def freedom_counts(self) -> dict[str, int]:
        counts = Counter(f for i in self.data.incidents for f in set(i.freedoms))
        return {f: counts.get(f, 0) for f in FREEDOMS}

    def current_rating(self) -> tuple[Rating | None, list[Rating]]:
        ratings = [r for r in self.data.ratings if r.date.earliest <= self.end]
        in_period = [r for r in ratings if overlaps(r.date, None, self.data.date_from, self.end)]
        return (ratings[-1] if ratings else None), in_period

    def introduction(self) -> list[Paragraph]:
        d, w = self.data, self.w
        out: list[Paragraph] = []
        scope = w(
            "intro_scope",
            country=d.country_name,
            date_from=w.day(d.date_from),
            date_to=w.day(d.date_to),
        )
        current, in_period = self.current_rating()
        rating_records: list[Record] = []
        sentences = [scope]
        changes = [r for r in in_period if r.previous_band]
        for r in changes:
            sentences.append(
                w(
                    "intro_rating_change",
                    country=d.country_name,
                    previous=self.band(r.previous_band or ""),
                    band=self.band(r.band),
                    rated_by=r.rated_by,
                    date=w.date(r.date),
                )
            )
            rating_records.append(r)
        if current is not None and current not in changes:
            sentences.append(
                w(
                    "intro_rating_current",
                    country=d.country_name,
                    band=self.band(current.band),
                    rated_by=current.rated_by,
                    date=w.date(current.date),
                )
            )
            rating_records.append(current)
        if self.internal and current is not None and current.score is not None:
            sentences.append(w("intro_score", score=current.score))
        out.append(self.paragraph(" ".join(sentences), rating_records))

        counts = self.freedom_counts()
        facts: list[str] = []
        if d.incidents:
            by_freedom = ", ".join(
                w("intro_by_freedom", count=n, freedom=self.freedom(f).lower())
                for f, n in counts.items()
            )
            facts.append(w("intro_counts", total=len(d.incidents), by_freedom=by_freedom))
        else:
            facts.append(w("intro_counts_none"))
        new, ongoing = self.case_counts()
        facts.append(w("intro_cases", new=new, ongoing=ongoing))
        detained = sum(charts.detentions_by_month(d).values())
        if detained:
            facts.append(w("intro_detentions", count=detained))
        out.append(self.paragraph(" ".join(facts), [*d.incidents, *d.cases]))

        figures = self.key_figures()
        if figures:
            lines = [w("intro_figures")]
            for s in figures:
                key = "intro_figure" if s.reported_by else "intro_figure_unattributed"
                line = w(key, figure=s.display(), as_of=w.date(s.as_of), by=s.reported_by)
                lines.append(line[:1].upper() + line[1:])
            out.append(self.paragraph(" ".join(lines), figures))
        return out + self.editor_paragraphs("introduction")

    def case_counts(self) -> tuple[int, int]:
        new = ongoing = 0
        for case in self.data.cases:
            first = min((e.date.earliest for e in case.events), default=None)
            if first is not None and first >= self.data.date_from:
                new += 1
            else:
                ongoing += 1
        return new, ongoing

    def key_figures(self) -> list[Statistic]:
        """The largest figure of each topic (percentages aside), largest first."""
        best: dict[str, Statistic] = {}
        for s in self.data.statistics:
            if s.unit == "percent":
                continue
            topic = s.topic or s.id
            if topic not in best or s.value > best[topic].value:
                best[topic] = s
        return sorted(best.values(), key=lambda s: -s.value)[:KEY_FIGURES]

    def general(self) -> Section:
        d, w = self.data, self.w
        laws = Subsection(w("laws"))
        for law in d.laws:
            stages = "; ".join(
                f"{w.term(vocabulary('law stage')[s.stage])} ({w.date(s.date)})"
                for s in sorted(law.stages, key=lambda s: s.date.earliest)
            )
            text = w("law_line", title=law.title, stages=stages)
            if law.assessment:
                text += f" {law.assessment}"
            laws.paragraphs.append(self.paragraph(text, [law]))
        ratings = Subsection(w("ratings"))
        current, in_period = self.current_rating()
        shown = in_period or ([current] if current else [])
        for r in shown:
            prev = r.previous_band
            text = w(
                "rating_line",
                date=w.date(r.date),
                band=self.band(r.band),
                previous=w("rating_previous", band=self.band(prev)) if prev else "",
                rated_by=r.rated_by,
            )
            if self.internal and r.score is not None:
                text += " " + w("intro_score", score=r.score)
            if r.rationale:
                text += f" {r.rationale}"
            ratings.paragraphs.append(self.paragraph(text, [r]))
        if self.internal:
            ratings.paragraphs.append(self.suggested_score())
        stats = Subsection(w("statistics"))
        for s in sorted(d.statistics, key=lambda s: (s.topic or "", s.as_of.earliest, s.id)):
            by = w("statistic_by", by=s.reported_by) if s.reported_by else ""
            text = w("statistic_line", figure=s.display(), as_of=w.date(s.as_of), by=by)
            stats.paragraphs.append(self.paragraph(text[:1].upper() + text[1:], [s]))
        subsections = [sub for sub in (laws, ratings, stats) if sub.paragraphs]
        if self.request.victim_lists:
            from civicspace.reports.victims import victim_lists_subsection

            subsections.append(
                victim_lists_subsection(self.store.db, self.request.victim_lists, self.w)
            )
        return Section(
            "general", w("general"), self.editor_paragraphs("general"), subsections=subsections
        )

    def suggested_score(self) -> Paragraph:
        """Internal edition only: the documented indicators' suggestion, for comparison."""
        from civicspace.rating import suggest_rating

        s = suggest_rating(self.store, self.viewer, self.data.country, self.end)
        parts = "; ".join(
            f"{i.label} -{i.contribution:.1f}" for i in s.indicators if i.contribution
        )
        text = self.w(
            "suggested",
            date=self.w.day(self.end),
            score=s.score,
            band=self.band(s.suggested_band),
            method=s.method,
            parts=parts,
        )
        return Paragraph(text, [], None, [])

    def freedom_section(self, freedom: str) -> Section:
        section = Section(freedom, self.w(freedom), self.editor_paragraphs(freedom))
        violations = vocabulary("violation type").keys()
        groups: dict[str, list[Incident]] = {}
        for incident in self.data.incidents:
            if incident.freedoms[0] == freedom:
                key = incident.violations[0] if incident.violations else "other"
                groups.setdefault(key, []).append(incident)
        order = {k: i for i, k in enumerate([*violations, "other"])}
        # Entries are built in reading order, so a case is printed in full at its first
        # mention and referred back to afterwards.
        for key in sorted(groups, key=lambda k: order[k]):
            title = (
                self.w.term(vocabulary("violation type")[key])
                if key != "other"
                else (self.w("other"))
            )
            incidents = sorted(groups[key], key=lambda i: (i.date.earliest, i.date.latest, i.id))
            section.groups.append(Group(key, title, [self.incident_entry(i) for i in incidents]))
        if freedom == "expression":
            section.cases = [
                self.case_block(c) for c in self.data.cases if c.id not in self.printed_cases
            ]
        return section

    def incident_entry(self, incident: Incident) -> IncidentEntry:
        d, w = self.data, self.w
        when = w.date(incident.date)
        if incident.end_date is not None and incident.end_date != incident.date:
            when = f"{when} – {w.date(incident.end_date)}"
        place = d.places.get(incident.location_id or "")
        lead = f"{when}, {place}" if place else when
        people = []
        for p in incident.participants:
            role = w.term(vocabulary("participant role")[p.role]).lower()
            if p.person_id and p.person_id in d.persons:
                person = d.persons[p.person_id]
                flag = "".join(f" [{f}]" for f in self.flags(person))
                people.append(f"{person.name.text} ({role}){flag}")
            elif p.organisation_id and p.organisation_id in d.organisations:
                org = d.organisations[p.organisation_id]
                people.append(f"{org.name.text} ({role})")
        cases: list[CaseBlock] = []
        for p in incident.participants:
            for case in self.cases_by_person.get(p.person_id or "", []):
                if case.id not in {c.case_id for c in cases}:
                    cases.append(self.case_block(case))
        return IncidentEntry(
            incident.id,
            lead,
            incident.title,
            incident.summary or "",
            "; ".join(people),
            self.notes.cite([incident]),
            self.flags(incident),
            cases,
        )

    def case_block(self, case: LegalCase) -> CaseBlock:
        w = self.w
        if case.id in self.printed_cases:
            return CaseBlock(case.id, case.title, [], see_above=True)
        self.printed_cases.add(case.id)
        lines: list[str] = []
        if case.charges:
            charges = "; ".join(self.charge_label(c) for c in case.charges)
            lines.append(f"{w('charges')}: {charges}")
        for pid in case.defendants:
            state = custody_state(case, pid, self.end)
            name = self.data.persons[pid].name.text if pid in self.data.persons else ""
            status = self.status(state.status)
            if state.until is not None:
                status += " " + w("until", date=w.date(state.until))
            prefix = f"{name}: " if len(case.defendants) > 1 else ""
            lines.append(f"{prefix}{w('custody', date=w.day(self.end))}: {status}")
            deadline = state.deadline_after(self.end)
            if deadline is not None:
                days = (deadline.earliest - self.end).days
                lines.append(
                    f"{prefix}{w('deadline')}: "
                    + w("deadline_days", date=w.date(deadline), days=days, on=w.day(self.end))
                )
        for e in sorted(case.events, key=lambda e: e.date.earliest):
            if e.kind == "verdict":
                lines.append(f"{w('verdict')} ({w.date(e.date)}): {self.event_text(e)}")
            elif e.kind in ("appeal_filed", "appeal_decided"):
                label = w.term(vocabulary("case event kind")[e.kind])
                lines.append(f"{w('appeal')} ({w.date(e.date)}): {label}. {self.event_text(e)}")
        for r in case.recognitions:
            lines.append(w("recognised", by=r.by, date=w.date(r.date)))
        return CaseBlock(case.id, case.title, lines, self.notes.cite([case]), self.flags(case))

    def event_text(self, event: object) -> str:
        parts = []
        sentence = getattr(event, "sentence", None)
        if sentence is not None:
            text = self.w.term(vocabulary("sentence type")[sentence.type])
            if sentence.months:
                text += ", " + self.w("months", months=sentence.months)
            parts.append(text)
        for attr in ("court", "outcome", "description"):
            value = getattr(event, attr, None)
            if value:
                parts.append(str(value))
        return "; ".join(parts).strip()

    # --- tables ---------------------------------------------------------------------
    def tables(self) -> list[ReportTable]:
        w, d = self.w, self.data
        case_ids = {c.id for c in d.cases}
        cases = ReportTable(
            "cases",
            w("table_cases"),
            [
                w("col_case"),
                w("col_defendants"),
                w("col_charges"),
                w("col_status"),
                w("col_deadline"),
                w("col_last_event"),
            ],
            [],
            w("table_empty"),
        )
        for case in d.cases:
            for pid in case.defendants:
                state = custody_state(case, pid, self.end)
                deadline = state.deadline_after(self.end)
                last = max(
                    (e for e in case.events if e.date.earliest <= self.end),
                    key=lambda e: e.date.earliest,
                    default=None,
                )
                cases.rows.append(
                    [
                        case.title,
                        d.persons[pid].name.text if pid in d.persons else "",
                        "; ".join(
                            f"{c.code} {c.article}"
                            for c in case.charges
                            if c.person_id in (None, pid)
                        ),
                        self.status(state.status),
                        w.date(deadline) if deadline else "",
                        (
                            f"{w.term(vocabulary('case event kind')[last.kind])} ({w.date(last.date)})"
                            if last
                            else ""
                        ),
                    ]
                )
        prisoners = ReportTable(
            "prisoners",
            w("table_prisoners"),
            [
                w("col_name"),
                w("col_status"),
                w("col_since"),
                w("col_charges"),
                w("col_recognised_by"),
            ],
            [],
            w("table_empty"),
        )
        for row in political_prisoners(self.store, self.viewer, self.end):
            if row.case_id in case_ids:
                since = FuzzyDate.parse(row.custody_since) if row.custody_since else None
                prisoners.rows.append(
                    [
                        row.name,
                        self.status(row.status),
                        w.date(since) if since else "",
                        "; ".join(row.charges),
                        row.recognised_by,
                    ]
                )
        days = self.request.deadline_days
        deadlines = ReportTable(
            "deadlines",
            w("table_deadlines", days=days, date=w.day(self.end)),
            [w("col_deadline"), w("col_days_left"), w("col_name"), w("col_status"), w("col_case")],
            [],
            w("table_empty"),
        )
        for dl in upcoming_deadlines(self.store, self.viewer, self.end, days):
            if dl.case_id in case_ids:
                deadlines.rows.append(
                    [
                        w.date(FuzzyDate.parse(dl.deadline)),
                        str(dl.days_left),
                        dl.person_name,
                        self.status(dl.status),
                        dl.case_title,
                    ]
                )
        return [cases, prisoners, deadlines]
