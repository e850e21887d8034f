"""The web application: REST API under ``/api/v1`` and HTML pages, over the same services.

Nothing is built at import time; call :func:`create_app` with a database and settings.
"""

from civicspace.web.app import create_app
from civicspace.web.settings import SETTINGS, Settings

__all__ = ["SETTINGS", "Settings", "create_app"]
