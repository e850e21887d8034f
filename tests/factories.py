"""Small, real records for tests (no mocks): a public case, a confidential witness."""

from __future__ import annotations

from typing import Any

from civicspace.ingest.bundle import FORMAT, VERSION


def sample_bundle() -> dict[str, Any]:
    cite = [{"source_id": "src-update", "locator": "Expression"}]
    public = {"visibility": "public", "verification": "verified", "sources": cite}
    return {
        "format": FORMAT,
        "version": VERSION,
        "countries": [{"id": "KZ", "name": "Kazakhstan", "region": "Caucasus and Central Asia"}],
        "locations": [
            {
                "id": "loc-almaty",
                "country": "KZ",
                "name": "Almaty",
                "admin1": "Almaty",
                "latitude": 43.24,
                "longitude": 76.89,
                "geo_precision": 1,
            },
        ],
        "sources": [
            {
                "id": "src-update",
                "title": "Civic space update",
                "publisher": "IPHR",
                "visibility": "public",
                "verification": "verified",
                "published": "early 2022-09",
            },
            {
                "id": "src-secret",
                "title": "Interview notes",
                "publisher": "Informant K",
                "confidential": True,
                "visibility": "confidential",
                "verification": "verified",
            },
        ],
        "organisations": [
            {
                "id": "org-dp",
                "name": {"text": "Democratic Party"},
                "org_kind": "political_party",
                "registration_status": "unregistered",
                "country": "KZ",
                **public,
            },
        ],
        "persons": [
            {
                "id": "person-mamai",
                "name": {"text": "Zhanbolat Mamai", "script": "Latn"},
                "names": [{"text": "Жанболат Мамай", "script": "Cyrl", "lang": "kk"}],
                "gender": "male",
                "roles": ["opposition_leader"],
                "country": "KZ",
                "affiliations": [{"organisation_id": "org-dp", "role": "leader"}],
                **public,
            },
            {
                "id": "person-witness",
                "name": {"text": "Aigerim Canarybek"},
                "names": [{"text": "Айгерим Канарбек", "script": "Cyrl"}],
                "visibility": "confidential",
                "verification": "verified",
            },
        ],
        "incidents": [
            {
                "id": "inc-extension",
                "title": "Pre-trial detention of opposition leader extended",
                "date": "late 2022-08",
                "country": "KZ",
                "location_id": "loc-almaty",
                "freedoms": ["expression"],
                "violations": ["activist_prosecuted"],
                "participants": [
                    {"person_id": "person-mamai", "role": "target"},
                    {"person_id": "person-witness", "role": "witness"},
                ],
                "counts": {"detained": 1},
                "summary": "Court prolonged detention until 12 October.",
                **public,
            },
            {
                "id": "inc-draft",
                "title": "Unverified report of a dispersal",
                "date": "2022-07",
                "country": "KZ",
                "freedoms": ["assembly"],
                "violations": ["protest_dispersed"],
                "visibility": "restricted",
                "verification": "unverified",
            },
        ],
        "cases": [
            {
                "id": "case-mamai",
                "title": "Case against Zhanbolat Mamai",
                "country": "KZ",
                "defendants": ["person-mamai"],
                "charges": [
                    {"code": "KZ-CC", "article": "274"},
                    {"code": "KZ-CC", "article": "378"},
                ],
                "events": [
                    {"kind": "pretrial_detention_ordered", "date": "2022-03"},
                    {
                        "kind": "pretrial_detention_extended",
                        "date": "late 2022-08",
                        "until": "2022-10-12",
                    },
                ],
                "recognitions": [
                    {"person_id": "person-mamai", "by": "Expert group", "date": "2022-06"}
                ],
                **public,
            },
        ],
        "laws": [
            {
                "id": "law-elections",
                "title": "Draft amendments to the Law on Elections",
                "country": "KZ",
                "freedoms": ["association"],
                "stages": [{"stage": "public_discussion", "date": "2022-07"}],
                **public,
            },
        ],
        "statistics": [
            {
                "id": "stat-toll",
                "country": "KZ",
                "value": 238,
                "unit": "people",
                "counts": "killed in the January events (official list)",
                "as_of": "mid 2022-08",
                **public,
            },
        ],
        "ratings": [
            {
                "id": "rating-2022",
                "country": "KZ",
                "date": "2022-06",
                "band": "repressed",
                "previous_band": "obstructed",
                **public,
            },
        ],
        "summaries": [
            {
                "id": "summary-2022",
                "country": "KZ",
                "period_start": "2022-06",
                "period_end": "2022-08",
                "section": "introduction",
                "summary": "Editors' overview of the period.",
                **public,
            },
        ],
    }
