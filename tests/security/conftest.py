"""The web fixtures of ``tests/web`` (an app over the sample bundle, one login per role)."""

from tests.web.conftest import web  # noqa: F401
