"""Every web setting is documented in docs/web.md (a missing one fails here)."""

from pathlib import Path

from civicspace.web.settings import SETTINGS

DOC = Path(__file__).parents[2] / "docs" / "web.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"| `{s.name}` |" not in text]
    assert missing == []
