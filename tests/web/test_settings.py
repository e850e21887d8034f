import datetime as dt

import pytest

from civicspace.web.settings import Settings, SettingsError


def test_secrets_hide_and_placeholders_are_refused() -> None:
    settings = Settings.from_env({"CIVICSPACE_SECRET_KEY": "x" * 40, "CIVICSPACE_TODAY": "2022-09-01",
                                  "CIVICSPACE_COOKIE_SECURE": "true"})
    assert "x" * 40 not in repr(settings) and settings.cookie_secure
    assert settings.today() == dt.date(2022, 9, 1)
    with pytest.raises(SettingsError, match="placeholder"):
        Settings.from_env({"CIVICSPACE_SECRET_KEY": "changeme"})
    with pytest.raises(SettingsError):
        Settings.from_env({"CIVICSPACE_TODAY": "yesterday"})
