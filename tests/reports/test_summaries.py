"""Editors' summaries appear after the generated text of their section, with sources."""

import datetime as dt

import pytest

from civicspace.access import Viewer
from civicspace.demo import demo_dataset_path
from civicspace.ingest.bundle import import_file
from civicspace.reports.service import ReportRequest, build_report
from tests.helpers import EDITOR


@pytest.fixture
def demo_store(store):
    import_file(store, demo_dataset_path(), EDITOR)
    return store


def _request(edition: str) -> ReportRequest:
    return ReportRequest(
        country="KZ", date_from=dt.date(2022, 6, 1), date_to=dt.date(2022, 8, 31), edition=edition
    )


def test_summaries_follow_their_sections_and_cite_sources(demo_store) -> None:
    report = build_report(demo_store, _request("public"), Viewer.anonymous(), dt.date(2022, 9, 1))
    intro_texts = [p.text for p in report.introduction]
    assert "Accountability for the January 2022 events" in intro_texts[-1]
    assert report.introduction[-1].notes, "an editor's summary cites its source"
    association = next(s for s in report.sections if s.key == "association")
    assert association.paragraphs[0].text.startswith("Simpler party registration")


def test_restricted_summary_only_in_the_internal_edition(demo_store) -> None:
    public = build_report(demo_store, _request("public"), Viewer.anonymous(), dt.date(2022, 9, 1))
    internal = build_report(demo_store, _request("internal"), EDITOR, dt.date(2022, 9, 1))

    def texts(report) -> str:
        return " ".join(p.text for s in report.sections for p in s.paragraphs)

    assert "CANARY-SUMMARY-5521" not in texts(public)
    assert "CANARY-SUMMARY-5521" in texts(internal)
