"""The incident form: what was typed, as an incident and the new people it names.

Only parsing happens here; what a new participant becomes and how ids are made are
:mod:`civicspace.editing`'s, and saving is its ``create_record`` / ``update_record``.
"""

from __future__ import annotations

from typing import Any

from civicspace.access.policy import Viewer
from civicspace.editing import new_id, new_participant, verification_after_change
from civicspace.model.records import Incident, Person

PARTICIPANT_ROWS = 3
LISTS = ("freedoms", "violations")


def incident_values(form: Any) -> dict[str, Any]:
    """The submitted form as the template shows it again: one string per field, lists for
    the ticked freedoms and violations."""
    values: dict[str, Any] = {k: str(v) for k, v in form.multi_items() if k not in LISTS}
    for name in LISTS:
        values[name] = form.getlist(name)
    return values


def incident_from_form(values: dict[str, Any]) -> tuple[list[Person], Incident]:
    """New people named in the form and the incident citing them; nothing is saved here."""
    visibility = values.get("visibility") or "restricted"
    people: list[Person] = []
    participants: list[dict[str, Any]] = []
    for i in range(PARTICIPANT_ROWS):
        role = values.get(f"participant_role_{i}") or ""
        existing = (values.get(f"participant_person_{i}") or "").strip()
        new_name = (values.get(f"participant_name_{i}") or "").strip()
        if not (existing or new_name):
            continue
        if not role:
            raise ValueError(f"participant {i + 1}: choose a role")
        if new_name:
            person = new_participant(
                new_name,
                visibility=values.get(f"participant_visibility_{i}") or visibility,
                country=values.get("country"),
            )
            people.append(person)
            existing = person.id
        participants.append({"person_id": existing, "role": role})
    sources = []
    if values.get("source_id"):
        sources.append(
            {"source_id": values["source_id"], "locator": values.get("source_locator") or None}
        )
    incident = Incident.model_validate(
        {
            "id": values.get("id") or new_id("incidents", values.get("title", "")),
            "title": values.get("title", ""),
            "date": values.get("date", ""),
            "country": (values.get("country") or "").upper(),
            "freedoms": values.get("freedoms") or [],
            "violations": values.get("violations") or [],
            "participants": participants,
            "summary": values.get("summary") or None,
            "visibility": visibility,
            "verification": "unverified",
            "sources": sources,
        }
    )
    return people, incident


def edited_incident(
    current: Incident, values: dict[str, Any], form: Any, viewer: Viewer
) -> tuple[list[Person], Incident]:
    """The incident's own fields as typed, the participants and sources added, and those
    not ticked "remove" kept; fields the form does not show stay as stored.

    Ticked boxes name positions in the lists as this reader was shown them; what they
    could not see is kept by the Store.
    """
    dropped_people = set(form.getlist("remove_participant"))
    dropped_sources = set(form.getlist("remove_source"))
    kept_people = [p for i, p in enumerate(current.participants) if str(i) not in dropped_people]
    kept_sources = [c for i, c in enumerate(current.sources) if str(i) not in dropped_sources]
    people, changed = incident_from_form(values)
    edited = changed.model_copy(
        update={
            "participants": [*kept_people, *changed.participants],
            "sources": [*kept_sources, *changed.sources],
            "verification": verification_after_change(viewer, current.verification),
            "location_id": current.location_id,
            "end_date": current.end_date,
            "counts": current.counts,
            "tags": current.tags,
            "notes": current.notes,
        }
    )
    return people, edited


def incident_form_values(incident: Incident) -> dict[str, Any]:
    """The edit form as it shows a stored incident."""
    return {
        "title": incident.title,
        "date": str(incident.date),
        "country": incident.country,
        "freedoms": incident.freedoms,
        "violations": incident.violations,
        "summary": incident.summary or "",
        "visibility": incident.visibility,
    }


__all__ = ["edited_incident", "incident_form_values", "incident_from_form", "incident_values"]
