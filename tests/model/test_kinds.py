"""Every kind's declaration and what is derived from it cover each other.

A field a declaration names must exist; a field a model has must be in a section or
internal; every reference is found, in the order imports report them; the import order
puts each kind after the kinds it refers to; sealed fields are the columns encrypted
before the markers existed.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from civicspace.demo import load_demo_dataset
from civicspace.model import kinds
from civicspace.model.markers import Ref, Searchable, Term
from civicspace.model.records import (
    KINDS,
    RECORD_TYPES,
    Affiliation,
    Charge,
    Citation,
    Incident,
    LegalCase,
    Location,
    Name,
    Participant,
    Person,
    Rating,
    Recognition,
    Record,
    Statistic,
    Summary,
    record_type,
)
from civicspace.model.vocabulary import vocabulary


def _legacy_references(item: BaseModel) -> list[tuple[str, str, str]]:
    """The hand-written walk the markers replaced, kept as the reference to compare with."""
    values = item.__dict__
    out: list[tuple[str, str, str]] = []
    for i, c in enumerate(values.get("sources", ())):
        out.append((f"sources.{i}.source_id", "sources", c.source_id))
    if values.get("location_id"):
        out.append(("location_id", "locations", values["location_id"]))
    if values.get("country"):
        out.append(("country", "countries", values["country"]))
    for i, p in enumerate(values.get("participants", ())):
        if p.person_id:
            out.append((f"participants.{i}.person_id", "persons", p.person_id))
        else:
            out.append((f"participants.{i}.organisation_id", "organisations", p.organisation_id))
    for i, pid in enumerate(values.get("defendants", ())):
        out.append((f"defendants.{i}", "persons", pid))
    for i, a in enumerate(values.get("affiliations", ())):
        out.append((f"affiliations.{i}.organisation_id", "organisations", a.organisation_id))
    for i, r in enumerate(values.get("recognitions", ())):
        if r.organisation_id:
            out.append((f"recognitions.{i}.organisation_id", "organisations", r.organisation_id))
    return out


def _brute_force(item: BaseModel, prefix: str = "") -> set[tuple[str, str, str]]:
    """Every id under a ``Ref`` (not checked through another list), found by walking values."""
    found: set[tuple[str, str, str]] = set()
    for name, info in type(item).model_fields.items():
        _inner, markers, _many = kinds._unwrap(info.annotation)
        ref = next((m for m in (*info.metadata, *markers) if isinstance(m, Ref)), None)
        value = getattr(item, name)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, v in items:
            path = f"{prefix}{name}" if i is None else f"{prefix}{name}.{i}"
            if isinstance(v, BaseModel):
                found |= _brute_force(v, path + ".")
            elif ref is not None and ref.within is None and v:
                found.add((path, ref.kinds[0], v))
    return found


def _demo_items() -> list[BaseModel]:
    data = load_demo_dataset()
    items: list[BaseModel] = [Location.model_validate(x) for x in data.get("locations", [])]
    for kind in KINDS:
        items += [record_type(kind).model_validate(x) for x in data.get(kind, [])]
    return items


DEMO = _demo_items()


def test_references_equal_the_hand_written_walk_on_the_demo_dataset() -> None:
    assert {type(x) for x in DEMO} >= {Location, *RECORD_TYPES.values()}
    for item in DEMO:
        assert kinds.references(item) == _legacy_references(item), item
        assert set(kinds.references(item)) == _brute_force(item)


ids = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)


@st.composite
def incidents(draw: Any) -> Incident:
    people = draw(st.lists(ids, max_size=4))
    orgs = draw(st.lists(ids, max_size=3))
    parties = [Participant(person_id=p, role="target") for p in people]
    parties += [Participant(organisation_id=o, role="perpetrator") for o in orgs]
    return Incident(
        id=draw(ids),
        title="t",
        date="2022-01",
        country=draw(st.sampled_from(["KZ", "KG"])),
        location_id=draw(st.none() | ids),
        freedoms=["assembly"],
        participants=draw(st.permutations(parties)),
        sources=[Citation(source_id=s) for s in draw(st.lists(ids, max_size=3))],
    )


@settings(max_examples=60, deadline=None)
@given(incidents())
def test_references_equal_the_hand_written_walk_on_generated_incidents(incident: Incident) -> None:
    assert kinds.references(incident) == _legacy_references(incident)
    assert set(kinds.references(incident)) == _brute_force(incident)


@st.composite
def cases(draw: Any) -> LegalCase:
    defendants = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    recognitions = [
        Recognition(
            person_id=draw(st.sampled_from(defendants)),
            by="NGO",
            date="2022",
            organisation_id=draw(st.none() | ids),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return LegalCase(
        id=draw(ids),
        title="t",
        country="KZ",
        defendants=defendants,
        charges=[Charge(code="KZ-CC", article="274", person_id=defendants[0])],
        recognitions=recognitions,
    )


@st.composite
def persons(draw: Any) -> Person:
    return Person(
        id=draw(ids),
        name=Name(text="A"),
        country=draw(st.none() | st.just("KZ")),
        affiliations=[Affiliation(organisation_id=o) for o in draw(st.lists(ids, max_size=3))],
        sources=[Citation(source_id=s) for s in draw(st.lists(ids, max_size=2))],
    )


@settings(max_examples=60, deadline=None)
@given(st.one_of(cases(), persons()))
def test_references_equal_the_hand_written_walk_on_generated_cases_and_persons(
    record: LegalCase | Person,
) -> None:
    assert kinds.references(record) == _legacy_references(record)
    assert set(kinds.references(record)) == _brute_force(record)


def test_charges_events_and_recognitions_name_defendants_checked_once() -> None:
    case = next(x for x in DEMO if isinstance(x, LegalCase) and x.charges)
    paths = {p for p, _k, _i in kinds.references(case)}
    assert not any(p.startswith(("charges.", "events.")) for p in paths)
    within = {r.path for r in kinds.reference_fields("cases") if r.within == "defendants"}
    assert within == {"charges.*.person_id", "events.*.person_id", "recognitions.*.person_id"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_ref_field_is_in_reference_fields(kind: str) -> None:
    declared = {
        f.path + (".*" if f.many and f.model is None else "")
        for f in kinds.fields_of(record_type(kind))
        if f.marker(Ref)
    }
    assert declared == {r.path for r in kinds.reference_fields(kind)}
    assert all(r.kinds for r in kinds.reference_fields(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_sections_name_every_field_once_and_only_fields(kind: str) -> None:
    spec = kinds.spec_of(kind)
    model = record_type(kind)
    named = [name for fields in spec.sections.values() for name in fields]
    assert len(named) == len(set(named)), f"{kind}: a field in two sections"
    assert set(named) <= set(model.model_fields), set(named) - set(model.model_fields)
    internal = set(kinds.internal_fields(kind))
    assert set(model.model_fields) == set(named) | internal
    assert not internal & set(named)


@pytest.mark.parametrize("kind", KINDS)
def test_spec_names_real_fields(kind: str) -> None:
    spec = kinds.spec_of(kind)
    model = record_type(kind)
    assert spec.kind == kind == model.kind
    assert spec.label
    for name in (spec.date, *spec.summary):
        if name is not None:
            assert name in model.model_fields
    head = spec.caption.split(".")[0]
    assert head in model.model_fields or callable(getattr(model, head, None))
    for column in spec.list_columns:
        assert column in model.model_fields or callable(getattr(model, column, None)), column
    assert spec.id_from.split(".")[0] in model.model_fields
    for path in (*kinds.sealed_fields(kind), *kinds.searchable_fields(kind)):
        assert any(f.path == path for f in kinds.fields_of(model))


def test_insert_order_puts_each_kind_after_the_kinds_it_refers_to() -> None:
    order = kinds.insert_order()
    assert sorted(order) == sorted(KINDS)
    for kind in KINDS:
        for ref in kinds.reference_fields(kind):
            for target in ref.kinds:
                if target in RECORD_TYPES and target != kind:
                    assert order.index(target) < order.index(kind), (kind, target)
    assert order == (
        "sources",
        "organisations",
        "persons",
        "incidents",
        "cases",
        "laws",
        "statistics",
        "ratings",
        "summaries",
    )


# The columns encrypted when a record is confidential, as hand-listed before the markers:
# a person's and an organisation's names, a source's identity, witness statements, notes.
PROTECTED_BEFORE = {
    "persons": {"notes", "description", "name", "names"},
    "organisations": {"notes", "description", "name", "names"},
    "sources": {"notes", "title", "publisher", "url"},
    "incidents": {"notes", "title", "summary", "participants.*.note"},
}


@pytest.mark.parametrize("kind", KINDS)
def test_sealed_fields_are_the_protected_columns(kind: str) -> None:
    assert set(kinds.sealed_fields(kind)) == PROTECTED_BEFORE.get(kind, {"notes"})


def test_the_store_seals_the_same_columns_as_before() -> None:
    from civicspace.store.mapping import PROTECTED, Protected

    before = {
        "persons": Protected(("notes", "description"), name=True, children=(("names", "text"),)),
        "organisations": Protected(("notes", "description"), name=True, names_json=True),
        "sources": Protected(("notes", "title", "publisher", "url")),
        "incidents": Protected(("notes", "title", "summary"), children=(("participants", "note"),)),
    }
    assert set(PROTECTED) == set(KINDS)
    for kind, protected in PROTECTED.items():
        assert protected == before.get(kind, Protected()), kind


def test_captions_and_dates() -> None:
    by_kind = {type(x): x for x in DEMO}
    person = by_kind[Person]
    assert isinstance(person, Person)
    assert kinds.caption(person) == person.name.text
    stat = by_kind[Statistic]
    assert isinstance(stat, Statistic)
    assert kinds.caption(stat) == stat.display()
    rating = by_kind[Rating]
    assert isinstance(rating, Rating)
    assert kinds.caption(rating) == f"{rating.country} {rating.band} ({rating.date})"
    untitled = Summary(
        id="sum-1",
        country="KZ",
        period_start="2022-06",
        period_end="2022-08",
        section="general",
        summary="text",
    )
    assert kinds.caption(untitled) == "sum-1"
    assert {k: kinds.date_field(k) for k in KINDS if kinds.date_field(k)} == {
        "incidents": "date",
        "ratings": "date",
        "statistics": "as_of",
        "sources": "published",
    }
    assert {k: kinds.summary_fields(k) for k in KINDS if kinds.summary_fields(k)} == {
        "incidents": ("title", "date", "freedoms", "violations")
    }


def test_vocabulary_fields_name_their_vocabulary() -> None:
    assert kinds.term_fields("incidents")["violations"] == "violation type"
    assert kinds.term_fields("cases")["events.*.kind"] == "case event kind"
    assert kinds.term_fields("ratings")["previous_band"] == "rating band"
    with pytest.raises(ValueError, match="allowed"):
        Participant(person_id="p", role="no-such-role")


def test_party_names_are_searchable_through_their_references() -> None:
    searchable = {
        (kind, r.path)
        for kind in KINDS
        for r in kinds.reference_fields(kind)
        if isinstance(
            next(
                (
                    m
                    for f in kinds.fields_of(record_type(kind))
                    if f.path == r.path.removesuffix(".*")
                    for m in f.markers
                    if isinstance(m, Searchable)
                ),
                None,
            ),
            Searchable,
        )
    }
    assert searchable == {
        ("incidents", "participants.*.person_id"),
        ("incidents", "participants.*.organisation_id"),
        ("cases", "defendants.*"),
    }


def test_referrers_cover_every_searchable_ref() -> None:
    """Each field quoting another record's names (``Ref`` + ``Searchable``) is a referrer of
    every kind it points at, and nothing else is: renaming a party re-indexes them all."""
    quoting = {
        (target, kind, _item_path(f))
        for kind in KINDS
        for f in kinds.fields_of(record_type(kind))
        if f.marker(Searchable) is not None and (ref := f.marker(Ref)) is not None
        for target in ref.kinds
    }
    assert quoting  # incidents' participants, cases' defendants
    derived = {(target, r.kind, r.path) for target in KINDS for r in kinds.referrers(target)}
    assert derived == quoting
    assert ("persons", "cases", "defendants.*") in derived
    assert ("organisations", "incidents", "participants.*.organisation_id") in derived


def _item_path(f: kinds.FieldPath) -> str:
    return f.path + (".*" if f.many and f.model is None else "")


def test_export_columns_flatten_names_and_counts() -> None:
    persons = kinds.export_columns("persons")
    assert persons[0] == "id"
    assert ("name", "name_script", "name_lang") == persons[persons.index("name") :][:3]
    assert "affiliations" not in persons  # JSON only
    incidents_ = kinds.export_columns("incidents")
    assert {"detained", "injured", "killed", "fined", "participants"} <= set(incidents_)
    assert "counts" not in incidents_
    assert "events" not in kinds.export_columns("cases")
    assert "charges" in kinds.export_columns("cases")


def _party_lookups() -> tuple[dict[str, Any], dict[str, Any]]:
    from civicspace.store.search import party_names

    records = [x for x in DEMO if isinstance(x, Record)]
    persons = {r.id: ("public", party_names(r)[1]) for r in records if r.kind == "persons"}
    orgs = {r.id: ("public", party_names(r)[1]) for r in records if r.kind == "organisations"}
    return persons, orgs


@pytest.mark.parametrize("kind", KINDS)
def test_search_documents_hold_every_searchable_field(kind: str) -> None:
    from civicspace.store.search import _texts

    persons, orgs = _party_lookups()
    lookups = {"persons": persons, "organisations": orgs}
    records = [x for x in DEMO if isinstance(x, Record) and x.kind == kind]
    assert records
    seen: set[str] = set()
    for record in records:
        public = record.model_copy(update={"visibility": "public"})
        words, _protected = _texts(public, persons, orgs)
        assert kinds.caption(public) in words  # after the fields declared before it (order < 0)
        text = " · ".join(words)
        for f in kinds.fields_of(type(record)):
            if f.marker(Searchable) is None:
                continue
            term, ref = f.marker(Term), f.marker(Ref)
            for value in kinds.values_at(f.path)(public):
                if ref is not None:
                    expected = lookups[ref.kinds[0]][value][1]
                elif term is not None:
                    expected = [vocabulary(term.name)[value].label]
                else:
                    expected = [getattr(value, "search_text", lambda v=value: str(v))()]
                assert all(e in text for e in expected if e), (record.id, f.path, expected)
                seen.add(f.path)
    assert seen, kind


def test_a_confidential_person_is_indexed_by_blind_names_only() -> None:
    from civicspace.store.search import _texts

    person = next(x for x in DEMO if isinstance(x, Person) and x.names and x.description)
    secret = person.model_copy(update={"visibility": "confidential"})
    words, protected = _texts(secret, {}, {})
    assert protected[: 1 + len(person.names)] == [n.text for n in person.all_names()]
    assert person.description not in words + protected  # not indexed when confidential
    assert person.name.text not in words


def test_the_store_maps_every_kind() -> None:
    from civicspace.store.mapping import MAPPINGS

    assert set(MAPPINGS) == set(KINDS)
