"""The web app fixture of the web tests, for login auditing and concurrent API writers."""

from tests.web.conftest import web  # noqa: F401
