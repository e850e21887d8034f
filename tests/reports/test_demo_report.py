"""The demo country update (Kazakhstan, June–August 2022) in every format and edition."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from civicspace.access import Viewer
from civicspace.reports import Report, ReportRequest, build_report, render_html, render_markdown
from civicspace.reports.demo import write_demo_report
from civicspace.store.repository import Store

EDITOR = Viewer("editor", "editor-1")
PERIOD = (dt.date(2022, 6, 1), dt.date(2022, 8, 31))
# Strings that exist only in restricted or confidential demo records.
CANARIES = [
    "Canary",
    "CANARY-RESTRICTED-7731",
    "Confidential source A",
    "Айгерим",
    "Witness W-1",
    "interview note",
]


def _report(store: Store, edition: str, lang: str = "en") -> Report:
    request = ReportRequest("KZ", *PERIOD, edition=edition, lang=lang)
    return build_report(store, request, EDITOR, today=dt.date(2022, 9, 15))


@pytest.fixture(scope="module")
def public(demo_store: Store) -> Report:
    return _report(demo_store, "public")


@pytest.fixture(scope="module")
def internal(demo_store: Store) -> Report:
    return _report(demo_store, "internal")


@pytest.fixture(scope="module")
def public_html(public: Report) -> str:
    return render_html(public)


@pytest.fixture(scope="module")
def public_md(public: Report) -> str:
    return render_markdown(public)


@pytest.fixture(scope="module")
def demo_files(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo HTML and PDF, rendered once for the module (PDF rendering is slow)."""
    return write_demo_report(demo_store, tmp_path_factory.mktemp("out"))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_section_is_there_in_order(public_md: str) -> None:
    headings = re.findall(r"^## (.+)$", public_md, flags=re.M)
    assert headings == [
        "Introduction",
        "General developments",
        "Peaceful Assembly",
        "Expression",
        "Association",
        "Cases, prisoners and deadlines",
        "Charts",
        "Sources",
    ]
    assert public_md.startswith("# Kazakhstan: civic space update, 1 June 2022 – 31 August 2022")
    for sub in (
        "### Laws and drafts",
        "### Civic space rating",
        "### Figures",
        "### Legal cases and their status",
        "### Political prisoners",
        "### Custody deadlines in the 60 days after 31 August 2022",
    ):
        assert sub in public_md


def test_introduction_gives_rating_change_counts_and_figures(public: Report) -> None:
    intro = " ".join(p.text for p in public.introduction)
    assert "changed from Obstructed to Repressed by CIVICUS Monitor in June 2022" in intro
    counts = public.counts
    assert f"{public.incident_total} incidents were documented" in intro
    assert f"{counts['assembly']} concerning peaceful assembly" in intro
    assert f"{counts['expression']} concerning expression" in intro
    assert "238 people killed during the January 2022 events (official list)" in intro
    assert "Legal cases in the period: 0 opened, 4 ongoing." in intro
    assert "Detentions and custody orders recorded in incidents and cases: at least 1." in intro


def test_official_death_toll_cites_its_source(public: Report) -> None:
    notes = {n.number: n for n in public.notes}
    figures = next(s for s in public.sections if s.key == "general").subsections
    para = next(
        p for sub in figures for p in sub.paragraphs if p.text.startswith("238 people killed")
    )
    cited = {notes[n].source_id for n in para.notes}
    assert cited == {"src-iphr-kibhr-2022-09", "src-kz-official-victims-list-2022-08"}
    assert (
        "Official list of people killed during the January 2022 events"
        in notes[max(para.notes)].text
    )


def test_mamai_case_with_articles_custody_and_deadline(public: Report, public_md: str) -> None:
    expression = next(s for s in public.sections if s.key == "expression")
    blocks = [c for g in expression.groups for e in g.entries for c in e.cases]
    mamai = next(c for c in blocks if c.case_id == "case-mamai" and not c.see_above)
    text = "\n".join(mamai.lines)
    for article, title in (
        ("274", "Knowingly spreading false information"),
        ("378", "Insulting a representative of authority"),
        ("272", "Mass riots"),
    ):
        assert f"art. {article} of the Criminal Code ({title})" in text
    assert "Custody on 31 August 2022: pre-trial detention until 12 October 2022" in text
    assert "Next deadline: 12 October 2022 (42 days after 31 August 2022)" in text
    assert "| 12 October 2022 | 42 | Zhanbolat Mamai | pre-trial detention |" in public_md
    prisoners = next(t for t in public.tables if t.key == "prisoners")
    assert [row[0] for row in prisoners.rows] == ["Zhanbolat Mamai"]


def test_incidents_are_grouped_and_dated_at_their_precision(public: Report) -> None:
    for section in public.sections[1:]:
        for group in section.groups:
            assert group.entries, group.title
    entries = {e.incident_id: e for s in public.sections for g in s.groups for e in g.entries}
    assert entries["inc-2022-06-imanbai-spyware"].lead == "June 2022"
    assert entries["inc-2022-08-mamai-detention-extended"].lead == "late August 2022"
    assert entries["inc-2022-08-knyazev-attack"].lead == "3 August 2022, Ust-Kamenogorsk"
    # each incident is printed once
    ids = [e.incident_id for s in public.sections for g in s.groups for e in g.entries]
    assert len(ids) == len(set(ids)) == public.incident_total


def test_every_paragraph_cites_a_numbered_note(public: Report) -> None:
    paragraphs = [*public.introduction]
    for s in public.sections:
        paragraphs += s.paragraphs + [p for sub in s.subsections for p in sub.paragraphs]
    entries = [e for s in public.sections for g in s.groups for e in g.entries]
    numbers = {n.number for n in public.notes}
    assert paragraphs and entries
    for item in [*paragraphs, *entries]:
        assert item.notes, item
        assert set(item.notes) <= numbers
    assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_public_edition_holds_no_restricted_or_confidential_string(
    public_md: str, public_html: str, demo_files: list[Path]
) -> None:
    pdf = next(p for p in demo_files if p.suffix == ".pdf")
    pdf_text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Zhanbolat Mamai" in pdf_text  # the extraction works
    for output in (public_md, public_html, pdf_text):
        for canary in CANARIES:
            assert canary.lower() not in output.lower(), canary
        assert "RESTRICTED" not in output and "UNVERIFIED" not in output
        assert "Suggested score" not in output


def test_internal_edition_marks_restricted_and_unverified(internal: Report) -> None:
    text = render_markdown(internal)
    assert "Internal edition" in text
    line = next(line for line in text.splitlines() if "CANARY-RESTRICTED-7731" in line)
    assert "**[RESTRICTED]**" in line and "**[UNVERIFIED]**" in line
    assert "Aigerim Canarybek (witness) [CONFIDENTIAL]" in text
    assert "Confidential source A. August 2022. **[CONFIDENTIAL]**" in text
    assert re.search(r"Suggested score on 31 August 2022 .*: \d+, Repressed\.", text)


def test_html_is_well_formed(public_html: str) -> None:
    root = ET.fromstring(public_html.replace("<!DOCTYPE html>", "", 1))
    assert root.tag == "html"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}svg")) == 3

    class Balance(HTMLParser):
        VOID = {"meta", "br", "img", "hr", "link", "input"}

        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in self.VOID:
                self.stack.append(tag)

        def handle_startendtag(self, tag: str, attrs: object) -> None:
            pass

        def handle_endtag(self, tag: str) -> None:
            assert self.stack and self.stack.pop() == tag, tag

    parser = Balance()
    parser.feed(public_html)
    parser.close()
    assert parser.stack == []
    ids = re.findall(r'\sid="([^"]+)"', public_html)
    for target in re.findall(r'href="#([^"]+)"', public_html):
        assert target in ids


def test_pdf_opens_and_renders_its_pages(demo_files: list[Path], tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed: apt-get install poppler-utils")
    pdf = next(p for p in demo_files if p.suffix == ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert 5 <= pages <= 20
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    assert all(img.read_bytes().startswith(b"\x89PNG") for img in images)
    html = next(p for p in demo_files if p.suffix == ".html")
    assert "Criminal case against Zhanbolat Mamai" in html.read_text("utf-8")


def test_russian_edition_translates_headings_and_dates(demo_store: Store) -> None:
    text = render_markdown(_report(demo_store, "public", "ru"))
    assert "## Мирные собрания" in text and "## Свобода объединений" in text
    assert "12 октября 2022" in text
    assert "Массовые беспорядки" in text
    assert "Canary" not in text
