"""The application factory: ``create_app(db, settings)`` wires services, routes and headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from itsdangerous import URLSafeSerializer

from civicspace.access.accounts import Accounts
from civicspace.access.tokens import Tokens
from civicspace.application import open_store
from civicspace.db.engine import Database
from civicspace.store.repository import Store
from civicspace.web import errors
from civicspace.web.admin import build_admin
from civicspace.web.api import build_router
from civicspace.web.auth import Services
from civicspace.web.head import HeadAsGet
from civicspace.web.headers import SecurityHeaders
from civicspace.web.history import build_history_router
from civicspace.web.limits import RequestBodyLimit
from civicspace.web.lists import build_lists
from civicspace.web.pages import build_pages
from civicspace.web.settings import Settings
from civicspace.web.templating import template_environment

HERE = Path(__file__).parent


def create_app(
    db: Database,
    settings: Settings | None = None,
    accounts: Accounts | None = None,
    store: Store | None = None,
) -> FastAPI:
    """A FastAPI app over ``db``. ``accounts`` and ``store`` are seams (clock, hasher)."""
    settings = settings or Settings()
    accounts = accounts or Accounts(db)
    templates = template_environment(HERE / "templates")
    app = FastAPI(
        title="civicspace API",
        version="1",
        description="Incidents, people, organisations, legal cases, laws, statistics, "
        "ratings and sources of civic-space monitoring. Anonymous callers see only public, "
        "verified records; send `Authorization: Bearer <token>` for more.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        # FuzzyDate describes its JSON form for input only; records read back the same way.
        separate_input_output_schemas=False,
    )
    app.state.services = Services(
        db=db,
        store=store or open_store(db),
        accounts=accounts,
        tokens=Tokens(
            accounts,
            dt.timedelta(hours=settings.session_hours),
            recheck_after=settings.auth_recheck_seconds,
        ),
        settings=settings,
        templates=templates,
        signer=URLSafeSerializer(str(settings.secret_key), salt="csrf"),
    )
    errors.install(app)
    app.add_middleware(RequestBodyLimit)
    app.add_middleware(SecurityHeaders, tls=settings.cookie_secure)
    # Outermost: HEAD runs as GET (every middleware and route sees a GET) minus the body.
    app.add_middleware(HeadAsGet)

    # Static files first: the pages' catch-all /{kind}/{id} route would shadow them.
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # The other pages before the pages' catch-all routes, which would shadow /admin/users
    # and /lists/review. The API last: no API path has the catch-alls' shapes, and a page
    # is then found without trying the API's 70-odd routes (~0.17 ms a request).
    app.include_router(build_admin())
    app.include_router(build_lists())
    app.include_router(build_pages())
    app.include_router(build_router())
    app.include_router(build_history_router())
    return app
