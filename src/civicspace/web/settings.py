"""The web app's settings: one registry with name, default and help (see ``docs/web.md``).

Each setting can come from the environment as ``CIVICSPACE_<NAME>`` (upper case).
The secret key prints as ``**********`` and a known placeholder is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Secret


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = (
    Setting(
        "secret_key",
        None,
        "Key signing the CSRF cookie. Unset: a random key per process (forms opened before "
        "a restart must be reloaded). Never a placeholder such as 'changeme'.",
    ),
    Setting("cookie_secure", False, "Send cookies only over HTTPS (set behind TLS)."),
    Setting("session_hours", 12, "Hours a login session lasts."),
    Setting(
        "auth_recheck_seconds",
        1.0,
        "Seconds an API token or login session found valid is trusted before the database is "
        "asked again. Revoking, logging out or an admin's change applies at once in the "
        "process that made it; one made elsewhere (the command line, another worker) "
        "within this time. 0: every request asks the database.",
    ),
    Setting("default_locale", "en", "Interface language when the browser asks for none we have."),
    Setting("page_size", 25, "Records per page in HTML lists."),
    Setting(
        "today",
        None,
        "Fix the day deadlines and custody times count from (ISO date, e.g. 2022-09-01), "
        "for demos and training databases. Unset: the real date.",
    ),
)

_PLACEHOLDERS = {"changeme", "change-me", "secret", "changethis", "default", ""}


class SettingsError(ValueError):
    """A setting has an unusable value."""


@dataclass(frozen=True)
class Settings:
    secret_key: Secret = field(default_factory=lambda: Secret(secrets.token_urlsafe(32)))
    cookie_secure: bool = False
    session_hours: int = 12
    auth_recheck_seconds: float = 1.0
    default_locale: str = "en"
    page_size: int = 25
    # The day the dashboard counts deadlines from; a seam so tests and demos fix "today".
    today: Callable[[], dt.date] = dt.date.today

    def __post_init__(self) -> None:
        if str(self.secret_key).strip().lower() in _PLACEHOLDERS:
            raise SettingsError("secret_key is a placeholder; set a long random value")
        if self.default_locale not in ("en", "ru"):
            raise SettingsError("default_locale must be 'en' or 'ru'")
        if not 0 <= self.auth_recheck_seconds <= 60:
            raise SettingsError("auth_recheck_seconds must be between 0 and 60")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(f"CIVICSPACE_{setting.name.upper()}")
            if raw is None:
                continue
            if setting.name == "secret_key":
                values["secret_key"] = Secret(raw)
            elif setting.name == "today":
                try:
                    day = dt.date.fromisoformat(raw)
                except ValueError as exc:
                    raise SettingsError(f"CIVICSPACE_TODAY: {exc}") from exc
                values["today"] = lambda day=day: day
            elif isinstance(setting.default, bool):
                values[setting.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(setting.default, int):
                values[setting.name] = int(raw)
            elif isinstance(setting.default, float):
                try:
                    values[setting.name] = float(raw)
                except ValueError as exc:
                    raise SettingsError(f"CIVICSPACE_{setting.name.upper()}: {exc}") from exc
            else:
                values[setting.name] = raw
        values.update(overrides)
        return cls(**values)
