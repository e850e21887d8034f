"""The settings registry: every variable declared, documented, and read through it."""

import re
from pathlib import Path

import pytest

from civicspace import settings
from civicspace.settings import SETTINGS, SettingError

ROOT = Path(__file__).parents[1]
SOURCE = ROOT / "src" / "civicspace"
DOC = ROOT / "docs" / "settings.md"
VARIABLE = re.compile(r"\bCIVICSPACE_[A-Z0-9_]*[A-Z0-9]\b")


def undeclared_variables(text: str) -> set[str]:
    """The ``CIVICSPACE_*`` names in ``text`` that no setting declares."""
    declared = {s.env for s in SETTINGS}
    return set(VARIABLE.findall(text)) - declared


def test_every_setting_is_in_the_docs() -> None:
    page = DOC.read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if f"| `{s.env}` |" not in page or s.help not in page]
    assert missing == []
    assert page == settings.settings_page(), "run: python -m civicspace.settings > docs/settings.md"


def test_no_module_reads_an_undeclared_variable() -> None:
    found = {
        str(path.relative_to(SOURCE)): sorted(names)
        for path in SOURCE.rglob("*.py")
        if (names := undeclared_variables(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_scan_finds_an_undeclared_variable() -> None:
    code = 'os.environ.get("CIVICSPACE_NEW_THING") or os.environ["CIVICSPACE_DATABASE_URL"]'
    assert undeclared_variables(code) == {"CIVICSPACE_NEW_THING"}


def test_names_types_and_variables_are_consistent() -> None:
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)
    for s in SETTINGS:
        assert s.type in settings.PARSERS and s.help.strip()
        assert s.env == "CIVICSPACE_" + s.name.upper()


def test_values_are_parsed_and_empty_means_the_default() -> None:
    env = {"CIVICSPACE_EVIDENCE_MAX_BYTES": "1024", "CIVICSPACE_COOKIE_SECURE": "yes"}
    assert settings.read("evidence_max_bytes", env) == 1024
    assert settings.read("cookie_secure", env) is True
    assert settings.read("page_size", {"CIVICSPACE_PAGE_SIZE": ""}) == 25
    assert settings.read("default_country", {}) == "KZ"
    assert settings.read("master_key_file", {"CIVICSPACE_MASTER_KEY_FILE": "~/k"}) == (
        Path.home() / "k"
    )
    with pytest.raises(SettingError, match="CIVICSPACE_SESSION_HOURS"):
        settings.read("session_hours", {"CIVICSPACE_SESSION_HOURS": "twelve"})


def test_secrets_print_as_stars() -> None:
    value = "civicspace-master-key-v1:abcdefgh"
    for name in ("master_key", "backup_passphrase", "secret_key"):
        secret = settings.read(name, {settings.setting(name).env: value})
        assert str(secret) == "**********" and value not in repr(secret)
        assert secret.reveal() == value.encode()


def test_the_web_settings_carry_every_web_setting() -> None:
    from civicspace.web.settings import SETTINGS as WEB
    from civicspace.web.settings import Settings, SettingsError

    assert {s.name for s in WEB} == {s.name for s in SETTINGS if s.area == "web"}
    assert Settings().default_country == "KZ"
    assert Settings.from_env({"CIVICSPACE_DEFAULT_COUNTRY": "KG"}).default_country == "KG"
    with pytest.raises(SettingsError, match="placeholder"):
        Settings.from_env({"CIVICSPACE_SECRET_KEY": "changeme"})


def test_readers_take_the_variable_from_the_registry(monkeypatch, tmp_path: Path) -> None:
    from civicspace.db.engine import resolve_url
    from civicspace.evidence.service import max_bytes_setting

    monkeypatch.setenv("CIVICSPACE_DATABASE_URL", str(tmp_path / "x.sqlite"))
    monkeypatch.setenv("CIVICSPACE_EVIDENCE_MAX_BYTES", "4096")
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert max_bytes_setting() == 4096
