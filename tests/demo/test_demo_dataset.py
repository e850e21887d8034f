"""The demo dataset: valid records, intact references, the update's key facts, and a
fictional internal layer that never leaks into anything public."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest
import yaml

from civicspace.demo import DEMO_DATASET, DEMO_SOURCE_ID, demo_dataset_path, load_demo_dataset
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import (
    KINDS,
    Country,
    Incident,
    LegalCase,
    Location,
    Person,
    Rating,
    Record,
    Source,
    Statistic,
    record_type,
)

UPDATE = DEMO_SOURCE_ID
SECTIONS = {
    "Introduction",
    "General developments",
    "Peaceful assembly",
    "Expression",
    "Association",
}
CANARIES = ("canary", "канарбек", "w-1", "ш-1")


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    return load_demo_dataset()


@pytest.fixture(scope="module")
def records(bundle: dict[str, Any]) -> dict[str, dict[str, Record]]:
    """Every record, validated, by kind and id."""
    out: dict[str, dict[str, Record]] = {}
    for kind in KINDS:
        model = record_type(kind)
        out[kind] = {}
        for raw in bundle[kind]:
            record = model.model_validate(raw)
            assert record.id not in out[kind], f"duplicate {kind} id {record.id}"
            out[kind][record.id] = record
    return out


Records = dict[str, dict[str, Record]]


T = TypeVar("T", bound=Record)


def get(records: Records, cls: type[T], record_id: str) -> T:
    record = records[cls.kind][record_id]
    assert isinstance(record, cls)
    return record


def of_kind(records: Records, cls: type[T]) -> list[T]:
    return [r for r in records[cls.kind].values() if isinstance(r, cls)]


def all_records(records: Records) -> Iterator[Record]:
    for by_id in records.values():
        yield from by_id.values()


def public(records: Records) -> list[Record]:
    return [r for r in all_records(records) if r.visibility == "public"]


# --- shape and validity -----------------------------------------------------------------


def test_bundle_is_a_civicspace_export_with_a_list_per_kind(bundle: dict[str, Any]) -> None:
    assert demo_dataset_path().name == DEMO_DATASET
    assert demo_dataset_path().is_file()
    assert bundle["format"] == "civicspace-export"
    assert bundle["version"] == 1
    assert set(bundle) == {"format", "version", "countries", "locations", *KINDS}
    for kind in ("countries", "locations", *KINDS):
        assert isinstance(bundle[kind], list) and bundle[kind], kind


def test_yaml_quotes_every_date_so_precision_survives() -> None:
    """Unquoted ``2022`` would load as an int and ``2022-08-04`` as a date object."""
    raw = yaml.safe_load(demo_dataset_path().read_text(encoding="utf-8"))

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in {
                    "date",
                    "end_date",
                    "until",
                    "as_of",
                    "published",
                    "since",
                    "brought",
                    "withdrawn",
                }:
                    assert isinstance(item, str), f"{path}.{key} is {item!r}, not a string"
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(raw, "bundle")


@pytest.mark.parametrize("kind", KINDS)
def test_every_record_validates(bundle: dict[str, Any], kind: str) -> None:
    model = record_type(kind)
    for raw in bundle[kind]:
        model.model_validate(raw)


def test_countries_and_locations_validate(bundle: dict[str, Any]) -> None:
    countries = [Country.model_validate(c) for c in bundle["countries"]]
    assert [c.id for c in countries] == ["KZ"]
    for raw in bundle["locations"]:
        location = Location.model_validate(raw)
        assert location.country == "KZ"
        assert location.latitude is not None and location.longitude is not None
        assert 40 < location.latitude < 56 and 46 < location.longitude < 88, location.id


def test_ids_are_unique_across_kinds(bundle: dict[str, Any]) -> None:
    ids = [r["id"] for kind in ("locations", *KINDS) for r in bundle[kind]]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


# --- referential integrity --------------------------------------------------------------


def test_every_reference_points_to_an_existing_record(
    bundle: dict[str, Any], records: Records
) -> None:
    persons, orgs, sources = records["persons"], records["organisations"], records["sources"]
    locations = {loc["id"] for loc in bundle["locations"]}
    countries = {c["id"] for c in bundle["countries"]}
    missing: list[str] = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            missing.append(what)

    for record in all_records(records):
        for citation in record.sources:
            need(citation.source_id in sources, f"{record.id}: source {citation.source_id}")
        country = getattr(record, "country", None)
        if country is not None:
            need(country in countries, f"{record.id}: country {country}")
    for incident in of_kind(records, Incident):
        if incident.location_id is not None:
            need(incident.location_id in locations, f"{incident.id}: {incident.location_id}")
        for p in incident.participants:
            if p.person_id is not None:
                need(p.person_id in persons, f"{incident.id}: person {p.person_id}")
            if p.organisation_id is not None:
                need(p.organisation_id in orgs, f"{incident.id}: org {p.organisation_id}")
    for person in of_kind(records, Person):
        for a in person.affiliations:
            need(a.organisation_id in orgs, f"{person.id}: affiliation {a.organisation_id}")
    for case in of_kind(records, LegalCase):
        for d in case.defendants:
            need(d in persons, f"{case.id}: defendant {d}")
        for r in case.recognitions:
            if r.organisation_id is not None:
                need(r.organisation_id in orgs, f"{case.id}: recogniser {r.organisation_id}")
    for raw in bundle["locations"]:
        need(raw["country"] in countries, f"{raw['id']}: country {raw['country']}")
    assert not missing, missing


# --- the update's key facts -------------------------------------------------------------


def test_mamai_case_has_his_charges_and_custody_deadline(records: Records) -> None:
    case = get(records, LegalCase, "case-mamai")
    assert case.defendants == ["person-zhanbolat-mamai"]
    assert {(c.code, c.article) for c in case.charges} == {
        ("KZ-CC", "272"),
        ("KZ-CC", "274"),
        ("KZ-CC", "378"),
    }
    assert case.politically_motivated is True
    ordered = [e for e in case.events if e.kind == "pretrial_detention_ordered"]
    assert [str(e.date) for e in ordered] == ["2022-03"]
    extended = [e for e in case.events if e.kind == "pretrial_detention_extended"]
    assert len(extended) == 1
    assert str(extended[0].date) == "late 2022-08"
    assert extended[0].until == FuzzyDate(2022, 10, 12)
    assert any(r.status == "political_prisoner" for r in case.recognitions)
    mamai = get(records, Person, "person-zhanbolat-mamai")
    assert "opposition_leader" in mamai.roles
    assert any(n.text == "Жанболат Мамай" and n.script == "Cyrl" for n in mamai.names)
    assert [a.organisation_id for a in mamai.affiliations] == ["org-democratic-party"]


def test_official_death_toll_is_238_with_its_source(records: Records) -> None:
    tolls = [s for s in of_kind(records, Statistic) if s.value == 238 and "killed" in s.counts]
    assert len(tolls) == 1
    toll = tolls[0]
    assert (toll.qualifier, toll.unit, str(toll.as_of)) == ("exactly", "people", "mid 2022-08")
    cited = {c.source_id for c in toll.sources}
    assert {UPDATE, "src-kz-official-victims-list-2022-08"} <= cited


def test_rating_changed_from_obstructed_to_repressed_in_june_2022(records: Records) -> None:
    ratings = sorted(of_kind(records, Rating), key=lambda r: r.date)
    assert [r.band for r in ratings] == ["obstructed", "repressed"]
    june = ratings[-1]
    assert str(june.date) == "2022-06"
    assert june.previous_band == "obstructed"
    assert june.rated_by == "CIVICUS Monitor"
    assert all(r.score is None for r in ratings)


def test_vague_dates_keep_their_precision(records: Records) -> None:
    def incident(record_id: str) -> Incident:
        return get(records, Incident, record_id)

    assert str(incident("inc-2022-08-official-victims-list").date) == "mid 2022-08"
    assert str(incident("inc-2022-09-mamai-assault-warning").date) == "early 2022-09"
    knyazev = incident("inc-2022-08-knyazev-attack")
    assert str(knyazev.date) == "2022-08-03"
    assert knyazev.location_id == "loc-kz-ust-kamenogorsk"
    update = get(records, Source, UPDATE)
    assert update.published is not None and update.published.precision == "month"


@pytest.mark.parametrize(
    ("person_id", "surname"),
    [("person-sadvakasova", "Sadvakasova"), ("person-nurmagambetov", "Nurmagambetov")],
)
def test_surname_only_people_keep_only_their_surname(
    records: Records, person_id: str, surname: str
) -> None:
    person = get(records, Person, person_id)
    assert person.name.text == surname
    assert all(" " not in n.text for n in person.all_names())


def test_sadvakasova_house_arrest_then_detention_then_restricted_freedom(
    records: Records,
) -> None:
    events = get(records, LegalCase, "case-sadvakasova").events
    house = next(e for e in events if e.kind == "house_arrest")
    assert str(house.date) == "mid 2022-01" and house.until == FuzzyDate(2022, 8, 5)
    verdict = next(e for e in events if e.kind == "verdict")
    assert verdict.sentence is not None
    assert (verdict.sentence.type, verdict.sentence.months) == ("restricted_freedom", 36)


def test_nurmagambetov_appeal_upheld_by_kostanay_court(records: Records) -> None:
    events = get(records, LegalCase, "case-nurmagambetov").events
    appeal = next(e for e in events if e.kind == "appeal_decided")
    assert appeal.date == FuzzyDate(2022, 8, 4)
    assert appeal.outcome == "upheld" and appeal.court == "Kostanay Regional Court"
    assert {"torture_complaint", "confession_withdrawn"} <= {e.kind for e in events}


# --- provenance and visibility ----------------------------------------------------------


def test_every_public_record_is_verified_and_cites_the_update(
    records: Records,
) -> None:
    problems = []
    for record in public(records):
        if record.verification != "verified":
            problems.append(f"{record.id}: {record.verification}")
        if record.id != UPDATE and UPDATE not in {c.source_id for c in record.sources}:
            problems.append(f"{record.id}: does not cite {UPDATE}")
    assert not problems, problems


def test_citations_of_the_update_name_its_sections(records: Records) -> None:
    used = set()
    for record in all_records(records):
        for citation in record.sources:
            if citation.source_id == UPDATE:
                assert citation.locator in SECTIONS, f"{record.id}: {citation.locator!r}"
                used.add(citation.locator)
    assert used == SECTIONS


def test_no_public_record_cites_or_names_a_non_public_record(
    records: Records,
) -> None:
    hidden = {r.id for r in all_records(records) if r.visibility != "public"}
    assert hidden, "the fictional internal layer is missing"
    confidential_sources = {s.id for s in of_kind(records, Source) if s.confidential}
    assert confidential_sources
    leaks = []
    for record in public(records):
        text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False)
        leaks += [f"{record.id} -> {h}" for h in hidden if f'"{h}"' in text]
        leaks += [
            f"{record.id} cites {c.source_id}"
            for c in record.sources
            if c.source_id in confidential_sources
        ]
    assert not leaks, leaks


def test_fictional_records_are_internal_and_canaries_stay_there(
    records: Records,
) -> None:
    fictional = [r for r in all_records(records) if "fictional" in (r.notes or "")]
    assert {r.kind for r in fictional} >= {"sources", "persons", "incidents"}
    assert all(r.visibility in {"restricted", "confidential"} for r in fictional)
    # Every non-public record is fictional: nothing from the update is hidden.
    assert {r.id for r in all_records(records) if r.visibility != "public"} == {
        r.id for r in fictional
    }
    witness = get(records, Person, "person-witness-w1")
    assert witness.visibility == "confidential"
    assert "canary" in witness.name.text.lower()
    for record in public(records):
        text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False).lower()
        assert not any(c in text for c in CANARIES), record.id


def test_a_leaked_canary_would_be_caught(records: Records) -> None:
    """The canary check above is not vacuous: the fictional records do carry canaries."""
    texts = [
        json.dumps(r.model_dump(mode="json"), ensure_ascii=False).lower()
        for r in all_records(records)
        if r.visibility != "public"
    ]
    assert all(any(c in t for c in CANARIES) for t in texts)
