"""Pages never tell anonymous visitors which accounts entered or changed a record."""

from __future__ import annotations

from civicspace.access import Viewer
from civicspace.model import Incident
from tests.web.conftest import Web

MONITOR = Viewer("editor", "monitor-zhuldyz")  # an account name that identifies a monitor


def test_an_incident_page_shows_account_names_to_staff_only(web: Web) -> None:
    web.store.save(
        Incident(
            id="inc-provenance",
            title="Picket dispersed",
            date="2022-06-01",
            country="KZ",
            freedoms=["assembly"],
            visibility="public",
            verification="verified",
        ),
        MONITOR,
    )
    public = web.http.get("/incidents/inc-provenance")
    assert public.status_code == 200 and "Picket dispersed" in public.text
    assert "monitor-zhuldyz" not in public.text
    staff = web.http.get("/incidents/inc-provenance", headers=web.as_("viewer"))
    assert "monitor-zhuldyz" in staff.text
    api = web.http.get("/api/v1/incidents/inc-provenance")
    assert api.status_code == 200 and "monitor-zhuldyz" not in api.text
