"""The report's tables: legal cases, political prisoners and upcoming custody deadlines."""

from __future__ import annotations

from civicspace.cases.custody import custody_state
from civicspace.cases.service import political_prisoners, upcoming_deadlines
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import LegalCase
from civicspace.model.vocabulary import vocabulary
from civicspace.reports.drafting import Drafting
from civicspace.reports.model import ReportTable

__all__ = ["cases_table", "deadlines_table", "prisoners_table", "report_tables"]


def report_tables(d: Drafting) -> list[ReportTable]:
    """The three tables, each limited to the cases the report covers."""
    return [cases_table(d), prisoners_table(d), deadlines_table(d)]


def cases_table(d: Drafting) -> ReportTable:
    """One row per defendant of each case: charges, custody status, deadline, last event."""
    w = d.w
    columns = ["case", "defendants", "charges", "status", "deadline", "last_event"]
    table = ReportTable(
        "cases", w("table_cases"), [w(f"col_{c}") for c in columns], [], w("table_empty")
    )
    for case in d.data.cases:
        for pid in case.defendants:
            table.rows.append(_case_row(d, case, pid))
    return table


def _case_row(d: Drafting, case: LegalCase, pid: str) -> list[str]:
    w, end = d.w, d.end
    state = custody_state(case, pid, end)
    deadline = state.deadline_after(end)
    last = max(
        (e for e in case.events if e.date.earliest <= end),
        key=lambda e: e.date.earliest,
        default=None,
    )
    return [
        case.title,
        d.data.persons[pid].name.text if pid in d.data.persons else "",
        "; ".join(f"{c.code} {c.article}" for c in case.charges if c.person_id in (None, pid)),
        d.status(state.status),
        w.date(deadline) if deadline else "",
        (
            f"{w.term(vocabulary('case event kind')[last.kind])} ({w.date(last.date)})"
            if last
            else ""
        ),
    ]


def prisoners_table(d: Drafting) -> ReportTable:
    """Political prisoners of the report's cases, as the store lists them at the period's end."""
    w = d.w
    case_ids = {c.id for c in d.data.cases}
    columns = ["name", "status", "since", "charges", "recognised_by"]
    table = ReportTable(
        "prisoners", w("table_prisoners"), [w(f"col_{c}") for c in columns], [], w("table_empty")
    )
    for row in political_prisoners(d.store, d.viewer, d.end):
        if row.case_id in case_ids:
            since = FuzzyDate.parse(row.custody_since) if row.custody_since else None
            table.rows.append(
                [
                    row.name,
                    d.status(row.status),
                    w.date(since) if since else "",
                    "; ".join(row.charges),
                    row.recognised_by,
                ]
            )
    return table


def deadlines_table(d: Drafting) -> ReportTable:
    """Custody deadlines within ``deadline_days`` of the period's end, for the report's cases."""
    w = d.w
    case_ids = {c.id for c in d.data.cases}
    days = d.request.deadline_days
    columns = ["deadline", "days_left", "name", "status", "case"]
    table = ReportTable(
        "deadlines",
        w("table_deadlines", days=days, date=w.day(d.end)),
        [w(f"col_{c}") for c in columns],
        [],
        w("table_empty"),
    )
    for dl in upcoming_deadlines(d.store, d.viewer, d.end, days):
        if dl.case_id in case_ids:
            table.rows.append(
                [
                    w.date(FuzzyDate.parse(dl.deadline)),
                    str(dl.days_left),
                    dl.person_name,
                    d.status(dl.status),
                    dl.case_title,
                ]
            )
    return table
