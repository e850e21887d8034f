import datetime as dt

import pytest

from civicspace.web.settings import Settings, SettingsError


def test_secrets_hide_and_placeholders_are_refused() -> None:
    settings = Settings.from_env(
        {
            "CIVICSPACE_SECRET_KEY": "x" * 40,
            "CIVICSPACE_TODAY": "2022-09-01",
            "CIVICSPACE_COOKIE_SECURE": "true",
        }
    )
    assert "x" * 40 not in repr(settings) and settings.cookie_secure
    assert settings.today() == dt.date(2022, 9, 1)
    with pytest.raises(SettingsError, match="placeholder"):
        Settings.from_env({"CIVICSPACE_SECRET_KEY": "changeme"})
    with pytest.raises(SettingsError):
        Settings.from_env({"CIVICSPACE_TODAY": "yesterday"})


def test_auth_recheck_seconds_is_read_and_bounded() -> None:
    assert Settings().auth_recheck_seconds == 1.0
    assert Settings.from_env({"CIVICSPACE_AUTH_RECHECK_SECONDS": "0"}).auth_recheck_seconds == 0
    assert Settings.from_env({"CIVICSPACE_AUTH_RECHECK_SECONDS": "2.5"}).auth_recheck_seconds == 2.5
    for bad in ("-1", "61", "soon"):
        with pytest.raises(SettingsError, match="AUTH_RECHECK_SECONDS|auth_recheck_seconds"):
            Settings.from_env({"CIVICSPACE_AUTH_RECHECK_SECONDS": bad})


def test_the_server_trusts_a_checked_token_for_the_recheck_time(database) -> None:
    from civicspace.web import create_app

    assert create_app(database).state.services.tokens.recheck_after == 1.0
    app = create_app(database, Settings(auth_recheck_seconds=2.5))
    assert app.state.services.tokens.recheck_after == 2.5
