"""The report's sections per freedom: incidents grouped by violation type, with their cases.

Each incident is printed once, under its first freedom and its first violation type; a
legal case is printed in full at its first mention and referred back to afterwards.
"""

from __future__ import annotations

from civicspace.cases.custody import custody_state
from civicspace.model.records import Incident, LegalCase
from civicspace.model.vocabulary import vocabulary
from civicspace.reports.drafting import Drafting
from civicspace.reports.model import CaseBlock, Group, IncidentEntry, Section

__all__ = ["case_block", "event_text", "freedom_section", "incident_entry"]


def freedom_section(d: Drafting, freedom: str) -> Section:
    """Incidents whose first freedom is ``freedom``; Expression also lists the other cases."""
    section = Section(freedom, d.w(freedom), d.editor_paragraphs(freedom))
    violations = vocabulary("violation type").keys()
    groups: dict[str, list[Incident]] = {}
    for incident in d.data.incidents:
        if incident.freedoms[0] == freedom:
            key = incident.violations[0] if incident.violations else "other"
            groups.setdefault(key, []).append(incident)
    order = {k: i for i, k in enumerate([*violations, "other"])}
    # Entries are built in reading order, so a case is printed in full at its first
    # mention and referred back to afterwards.
    for key in sorted(groups, key=lambda k: order[k]):
        title = d.w.term(vocabulary("violation type")[key]) if key != "other" else d.w("other")
        incidents = sorted(groups[key], key=lambda i: (i.date.earliest, i.date.latest, i.id))
        section.groups.append(Group(key, title, [incident_entry(d, i) for i in incidents]))
    if freedom == "expression":
        section.cases = [case_block(d, c) for c in d.data.cases if c.id not in d.printed_cases]
    return section


def incident_entry(d: Drafting, incident: Incident) -> IncidentEntry:
    """When and where, what happened, who took part, and the cases of the people named."""
    data, w = d.data, d.w
    when = w.date(incident.date)
    if incident.end_date is not None and incident.end_date != incident.date:
        when = f"{when} – {w.date(incident.end_date)}"
    place = data.places.get(incident.location_id or "")
    lead = f"{when}, {place}" if place else when
    people = []
    for p in incident.participants:
        role = w.term(vocabulary("participant role")[p.role]).lower()
        if p.person_id and p.person_id in data.persons:
            person = data.persons[p.person_id]
            flag = "".join(f" [{f}]" for f in d.flags(person))
            people.append(f"{person.name.text} ({role}){flag}")
        elif p.organisation_id and p.organisation_id in data.organisations:
            org = data.organisations[p.organisation_id]
            people.append(f"{org.name.text} ({role})")
    cases: list[CaseBlock] = []
    for p in incident.participants:
        for case in d.cases_by_person.get(p.person_id or "", []):
            if case.id not in {c.case_id for c in cases}:
                cases.append(case_block(d, case))
    return IncidentEntry(
        incident.id,
        lead,
        incident.title,
        incident.summary or "",
        "; ".join(people),
        d.notes.cite([incident]),
        d.flags(incident),
        cases,
    )


def case_block(d: Drafting, case: LegalCase) -> CaseBlock:
    """Charges, custody and deadline per defendant, verdicts, appeals and recognitions."""
    w, end = d.w, d.end
    if case.id in d.printed_cases:
        return CaseBlock(case.id, case.title, [], see_above=True)
    d.printed_cases.add(case.id)
    lines: list[str] = []
    if case.charges:
        charges = "; ".join(d.charge_label(c) for c in case.charges)
        lines.append(f"{w('charges')}: {charges}")
    for pid in case.defendants:
        state = custody_state(case, pid, end)
        name = d.data.persons[pid].name.text if pid in d.data.persons else ""
        status = d.status(state.status)
        if state.until is not None:
            status += " " + w("until", date=w.date(state.until))
        prefix = f"{name}: " if len(case.defendants) > 1 else ""
        lines.append(f"{prefix}{w('custody', date=w.day(end))}: {status}")
        deadline = state.deadline_after(end)
        if deadline is not None:
            days = (deadline.earliest - end).days
            lines.append(
                f"{prefix}{w('deadline')}: "
                + w("deadline_days", date=w.date(deadline), days=days, on=w.day(end))
            )
    for e in sorted(case.events, key=lambda e: e.date.earliest):
        if e.kind == "verdict":
            lines.append(f"{w('verdict')} ({w.date(e.date)}): {event_text(d, e)}")
        elif e.kind in ("appeal_filed", "appeal_decided"):
            label = w.term(vocabulary("case event kind")[e.kind])
            lines.append(f"{w('appeal')} ({w.date(e.date)}): {label}. {event_text(d, e)}")
    for r in case.recognitions:
        lines.append(w("recognised", by=r.by, date=w.date(r.date)))
    return CaseBlock(case.id, case.title, lines, d.notes.cite([case]), d.flags(case))


def event_text(d: Drafting, event: object) -> str:
    """A case event in one line: sentence, court, outcome, description."""
    parts = []
    sentence = getattr(event, "sentence", None)
    if sentence is not None:
        text = d.w.term(vocabulary("sentence type")[sentence.type])
        if sentence.months:
            text += ", " + d.w("months", months=sentence.months)
        parts.append(text)
    for attr in ("court", "outcome", "description"):
        value = getattr(event, attr, None)
        if value:
            parts.append(str(value))
    return "; ".join(parts).strip()
