"""HTML pages for monitors: Jinja2 templates, plain links and forms (htmx only enhances).

Every page reads through the same services as the API, with the visitor's viewer; each
area's module registers its routes, in an order where no catch-all shadows a page.
"""

from __future__ import annotations

from fastapi import APIRouter

from civicspace.web.pages import home, incidents, record_forms, records, review
from civicspace.web.pages.common import PageRoute, render


def build_pages() -> APIRouter:
    """Every page's route: fixed paths first, ``/{kind}/...`` forms, then the catch-alls."""
    router = APIRouter(include_in_schema=False, route_class=PageRoute)
    home.add_routes(router)
    incidents.add_routes(router)
    record_forms.add_routes(router)
    records.add_routes(router)
    home.add_lookup_routes(router)
    review.add_routes(router)
    records.add_catch_all_routes(router)
    return router


__all__ = ["build_pages", "render"]
