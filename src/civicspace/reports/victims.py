"""The victim-list comparison and estimate, as report paragraphs (aggregates only).

Victim lists carry no country or visibility of their own, so a report includes only the
lists its caller names (``--victim-list``), and prints counts, never names. Counts are of
people *recorded*; the estimate of the total says its method, model and interval, and the
estimator's own warnings are printed with it (HRDAG practice).
"""

from __future__ import annotations

from collections.abc import Sequence

from civicspace.db.engine import Database
from civicspace.reports.model import Paragraph, Subsection
from civicspace.reports.words import Words


def victim_lists_subsection(db: Database, list_ids: Sequence[str], w: Words) -> Subsection:
    from civicspace.victims import compare, service
    from civicspace.victims.estimation import estimate_population

    known = {row["id"]: row for row in service.lists(db)}
    unknown = [i for i in list_ids if i not in known]
    if unknown:
        raise ValueError(f"no victim list {', '.join(unknown)}; known: {', '.join(known)}")
    run = service.latest_run(db)
    if run is None:
        raise ValueError("the victim lists have not been linked yet (civicspace lists link)")
    frame = service.records_frame(db, list(list_ids))
    official = next((i for i in list_ids if known[i]["kind"] == "official"), None)
    comparison = compare.compare_lists(frame, service.clusters(db, run), official)
    data = comparison.as_dict()
    sizes = "; ".join(
        w(
            "victims_list",
            title=known[i]["title"],
            kind=known[i]["kind"],
            compiler=known[i]["compiler"] or "—",
            count=data["list_sizes"].get(i, 0),
        )
        for i in list_ids
    )
    out = Subsection(w("victims"))
    text = w("victims_recorded", lists=sizes, total=data["people_recorded"])
    if official:
        text += " " + w(
            "victims_missing",
            count=len(data.get("missing_from_official", [])),
            official=known[official]["title"],
        )
    out.paragraphs.append(Paragraph(text))
    estimates = estimate_population(comparison.histories())
    if estimates.recommended is not None:
        e = estimates.estimates[estimates.recommended]
        text = w(
            "victims_estimate",
            estimate=f"{e.estimate:,.0f}",
            lower=f"{e.lower:,.0f}",
            upper=f"{e.upper:,.0f}",
            method=e.method,
            model=e.model,
            interval=e.interval,
            lists=len(list_ids),
        )
    else:
        text = w("victims_no_estimate")
    if estimates.warnings:
        text += " " + w("victims_warnings", warnings="; ".join(estimates.warnings))
    out.paragraphs.append(Paragraph(text))
    return out
