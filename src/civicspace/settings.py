"""Every setting civicspace reads from the environment, declared once (as datasette's SETTINGS).

A setting has a name, a type, a default and help; its environment variable is
``CIVICSPACE_<NAME>``. Code reads a variable only through :func:`read` (or :func:`raw`),
``docs/settings.md`` is this registry printed by :func:`settings_page`, and
``tests/test_settings.py`` fails when a setting is undocumented or when a module reads a
``CIVICSPACE_*`` variable that is not declared here. Nothing is read at import time.

    python -m civicspace.settings > docs/settings.md
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civicspace.secret import Secret

__all__ = ["SETTINGS", "Setting", "SettingError", "raw", "read", "setting", "settings_page"]

PREFIX = "CIVICSPACE_"


def _boolean(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _path(text: str) -> Path:
    return Path(text).expanduser()


def _secret(text: str) -> Secret:
    # Imported here: the crypto package loads the cryptography library, which a
    # command that only reads a path should not pay for.
    from civicspace.secret import Secret

    return Secret(text.encode())


# How each type turns the variable's text into a value.
PARSERS: dict[str, Callable[[str], Any]] = {
    "text": str,
    "integer": int,
    "number": float,
    "boolean": _boolean,
    "path": _path,
    "date": dt.date.fromisoformat,
    "secret": _secret,
}


@dataclass(frozen=True)
class Setting:
    """One setting: ``name`` (lower case), ``type`` (a key of :data:`PARSERS`), default, help."""

    name: str
    type: str
    default: Any
    help: str
    area: str = "database"

    @property
    def env(self) -> str:
        """The environment variable that sets it, e.g. ``CIVICSPACE_PAGE_SIZE``."""
        return PREFIX + self.name.upper()

    def parse(self, text: str) -> Any:
        """The value of ``text``; a :class:`SettingError` naming the variable if unusable."""
        try:
            return PARSERS[self.type](text)
        except ValueError as exc:
            raise SettingError(f"{self.env}: {exc}") from exc


class SettingError(ValueError):
    """An environment variable holds a value its setting cannot use."""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "text",
        None,
        "The database: a SQLite file path or a URL (`postgresql+psycopg://user@host/db`). "
        "Unset: `./civicspace.sqlite`. The command line's `--db` wins over it; the web server "
        "hands it to its worker processes this way.",
    ),
    Setting(
        "master_key",
        "secret",
        None,
        "The master key itself (`civicspace-master-key-v1:<base64url of 32 bytes>`), which "
        "wraps the data keys of confidential fields. Prefer a key file.",
        "keys",
    ),
    Setting(
        "master_key_file",
        "path",
        None,
        "The file holding the master key (mode 0600). Unset: `<database>.key` beside a "
        "SQLite file, if it exists.",
        "keys",
    ),
    Setting(
        "backup_passphrase",
        "secret",
        None,
        "Passphrase of civicspace backup and restore when neither `--key-file` nor "
        "`--passphrase-stdin` is given. Unset: asked at the terminal.",
        "keys",
    ),
    Setting(
        "evidence_dir",
        "path",
        None,
        "Folder of evidence files. Unset: `evidence/` beside a SQLite database, else `var/evidence`.",
        "evidence",
    ),
    Setting(
        "evidence_max_bytes",
        "integer",
        200 * 1024 * 1024,
        "Largest evidence file accepted, in bytes (default 200 MiB).",
        "evidence",
    ),
    Setting(
        "duckdb_memory_limit",
        "text",
        "4GB",
        "Memory record linkage's DuckDB may use before it spills to disk (e.g. 6GB).",
        "linkage",
    ),
    Setting(
        "duckdb_temp_directory",
        "path",
        None,
        "Where linkage's DuckDB spills. Unset: `civicspace-duckdb` in the system's temp folder.",
        "linkage",
    ),
    Setting(
        "secret_key",
        "secret",
        None,
        "Key signing the CSRF cookie. Unset: a random key per process (forms opened before "
        "a restart must be reloaded). Never a placeholder such as 'changeme'.",
        "web",
    ),
    Setting(
        "cookie_secure", "boolean", False, "Send cookies only over HTTPS (set behind TLS).", "web"
    ),
    Setting("session_hours", "integer", 12, "Hours a login session lasts.", "web"),
    Setting(
        "auth_recheck_seconds",
        "number",
        1.0,
        "Seconds an API token or login session found valid is trusted before the database is "
        "asked again. Revoking, logging out or an admin's change applies at once in the "
        "process that made it; one made elsewhere (the command line, another worker) "
        "within this time. 0: every request asks the database.",
        "web",
    ),
    Setting(
        "default_locale",
        "text",
        "en",
        "Interface language when the browser asks for none we have.",
        "web",
    ),
    Setting("page_size", "integer", 25, "Records per page in HTML lists.", "web"),
    Setting(
        "default_country",
        "text",
        "KZ",
        "ISO code of the country a new record is about when the form does not say.",
        "web",
    ),
    Setting(
        "today",
        "date",
        None,
        "Fix the day deadlines and custody times count from (ISO date, e.g. 2022-09-01), "
        "for demos and training databases. Unset: the real date.",
        "web",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> Setting:
    """The declaration of ``name``; a KeyError for a setting nobody declared."""
    return _BY_NAME[name]


def raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The variable's text exactly as set (None when unset), for code that tells "" apart."""
    return (os.environ if environ is None else environ).get(setting(name).env)


def read(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The setting's value from ``environ`` (default: the process's); unset or empty: its default."""
    text = raw(name, environ)
    return setting(name).default if not text else setting(name).parse(text)


def settings_page() -> str:
    """``docs/settings.md``: every setting with its variable, type, default and help."""
    lines = [
        "# Settings",
        "",
        "Every setting civicspace reads from the environment. This page is generated from",
        "`src/civicspace/settings.py` (`python -m civicspace.settings > docs/settings.md`);",
        "`tests/test_settings.py` fails when it falls behind. Secrets print as `**********`.",
        "The web server refuses to start with a placeholder `CIVICSPACE_SECRET_KEY`.",
    ]
    for area in dict.fromkeys(s.area for s in SETTINGS):
        lines += ["", f"## {area}", "", "| variable | type | default | what it does |"]
        lines.append("| --- | --- | --- | --- |")
        for s in SETTINGS:
            if s.area == area:
                default = "unset" if s.default is None else f"`{s.default}`"
                lines.append(f"| `{s.env}` | {s.type} | {default} | {s.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_page(), end="")
