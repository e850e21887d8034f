"""The web app's settings, declared in the one registry :mod:`civicspace.settings`.

Each can come from the environment as ``CIVICSPACE_<NAME>`` (see ``docs/settings.md``
and ``docs/web.md``). The secret key prints as ``**********`` and a known placeholder is
refused, so a server never starts with a default secret.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from starlette.datastructures import Secret

from civicspace import settings as registry
from civicspace.settings import Setting


def _default(name: str) -> Any:
    return registry.setting(name).default


_PLACEHOLDERS = {"changeme", "change-me", "secret", "changethis", "default", ""}


class SettingsError(ValueError):
    """A setting has an unusable value."""


@dataclass(frozen=True)
class Settings:
    secret_key: Secret = field(default_factory=lambda: Secret(secrets.token_urlsafe(32)))
    cookie_secure: bool = _default("cookie_secure")
    session_hours: int = _default("session_hours")
    auth_recheck_seconds: float = _default("auth_recheck_seconds")
    default_locale: str = _default("default_locale")
    page_size: int = _default("page_size")
    # The country a new record is about unless its form says otherwise.
    default_country: str = _default("default_country")
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
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings whose variables are set in ``environ`` (default: the process's)."""
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            text = registry.raw(setting.name, environ)
            if text is None:
                continue
            try:
                value = setting.parse(text)
            except ValueError as exc:
                raise SettingsError(str(exc)) from exc
            if setting.name == "secret_key":
                value = Secret(value.reveal().decode())
            elif setting.name == "today":
                value = lambda day=value: day  # noqa: E731
            values[setting.name] = value
        values.update(overrides)
        return cls(**values)


# The web app's part of the registry, in the order of the fields above.
SETTINGS: tuple[Setting, ...] = tuple(registry.setting(f.name) for f in fields(Settings))
