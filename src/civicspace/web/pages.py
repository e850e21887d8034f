"""HTML pages for monitors: Jinja2 templates, plain links and forms (htmx only enhances).

Every page reads through the same services as the API, with the visitor's viewer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from civicspace.access.accounts import LoginThrottled
from civicspace.access.policy import AccessDenied, Viewer
from civicspace.access.redaction import for_viewer
from civicspace.cases import political_prisoners, upcoming_deadlines
from civicspace.cases.custody import custody_state
from civicspace.model.records import (
    Incident,
    LegalCase,
    Person,
    Record,
    Statistic,
    to_jsonable,
)
from civicspace.model.vocabulary import LegalArticle, vocabulary
from civicspace.store.aggregates import current_rating, incidents_per_month
from civicspace.store.relations import cases_of, incidents_of, members_of
from civicspace.store.repository import NotFound, RecordQuery, VersionConflict
from civicspace.store.review import publish, review_queue, verify
from civicspace.text import fold
from civicspace.trust.audit import record_login
from civicspace.web.api import record_query
from civicspace.web.auth import (
    CSRF_FIELD,
    SESSION_COOKIE,
    check_csrf,
    client_address,
    csrf_token,
    current_user,
    current_viewer,
    services,
    set_csrf_cookie,
    set_session_cookie,
)
from civicspace.web.charts import month_chart
from civicspace.web.errors import InputError
from civicspace.web.forms import (
    FORM_TITLES,
    LABELS,
    SPECS,
    FormError,
    FormSpec,
    Values,
    build,
    ref_kinds,
    row_count,
    values_of,
    widgets,
)
from civicspace.web.i18n import LANG_COOKIE, negotiate, translations
from civicspace.web.templating import vocabulary_labels

LIST_KINDS = {
    "persons": "People",
    "organisations": "Organisations",
    "cases": "Legal cases",
    "laws": "Laws and drafts",
    "statistics": "Statistics",
    "ratings": "Civic space ratings",
    "sources": "Sources",
    "summaries": "Summaries",
}


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    svc = services(request)
    lang = negotiate(request, svc.settings.default_locale)
    tr = translations(lang)
    user = current_user(request)
    viewer = current_viewer(request)

    labels = vocabulary_labels(lang)

    def label(vocab: str, key: str) -> str:
        return labels[vocab].get(key, key)

    html = svc.templates.get_template(template).render(
        request=request,
        _=tr.gettext,
        ngettext=tr.ngettext,
        lang=lang,
        user=user,
        viewer=viewer,
        csrf_field=CSRF_FIELD,
        csrf=csrf_token(request),
        label=label,
        choices=lambda vocab: labels[vocab].items(),
        vocabulary=vocabulary,
        query_with=lambda **kw: _query_with(request, **kw),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    set_csrf_cookie(request, response)
    if request.query_params.get("lang") in ("en", "ru"):
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", httponly=True, path="/")
    return response


def _query_with(request: Request, **changes: Any) -> str:
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params)


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, message=message)


class RecordMissing(LookupError):
    """The record a page is about does not exist, or the reader may not see it."""


class PageRoute(APIRoute):
    """A route of the pages: :class:`RecordMissing` from its handler is the HTML 404 page
    (the API's NotFound stays JSON)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RecordMissing as missing:
                return _error_page(request, 404, str(missing))

        return handle


def _record(
    request: Request, kind: str, record_id: str, viewer: Viewer, message: str = "No such record."
) -> Record:
    """The record a page is about; else the 404 page saying ``message`` (the same for a
    record the reader may not see as for one that does not exist)."""
    try:
        return services(request).store.get(kind, record_id, viewer)
    except NotFound:
        raise RecordMissing(message) from None


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _slug(title: str, prefix: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(title).lower()).strip("-")[:40] or prefix
    return f"{prefix}-{base}-{secrets.token_hex(3)}"


def build_pages() -> APIRouter:
    router = APIRouter(include_in_schema=False, route_class=PageRoute)

    @router.get("/", response_class=HTMLResponse)
    def dashboard(request: Request) -> Response:
        svc = services(request)
        viewer = current_viewer(request)
        months = incidents_per_month(svc.store, viewer)
        latest = svc.store.list(
            "incidents", viewer, RecordQuery(sort="date", descending=True, limit=10)
        )
        today = svc.settings.today()
        return render(
            request,
            "dashboard.html",
            chart=month_chart(months, vocabulary("freedom").keys()),
            latest=latest.items,
            deadlines=upcoming_deadlines(svc.store, viewer, today, 30),
            rating=current_rating(svc.store, viewer),
            counts=svc.store.counts(viewer),
            today=today,
        )

    # --- logging in and out ---------------------------------------------------------------
    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return render(request, "login.html", error=None, name="")

    @router.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        name = str(form.get("name", "")).strip()
        password = str(form.get("password", ""))
        svc = services(request)
        try:
            user = svc.accounts.authenticate(name, password, client_address(request))
        except LoginThrottled as exc:
            response = render(request, "login.html", status=429, error=str(exc), name=name)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        record_login(svc.db, name, user is not None, client_address(request))
        if user is None:
            return render(
                request, "login.html", status=401, error="Wrong name or password.", name=name
            )
        redirect = _redirect("/")
        set_session_cookie(request, redirect, svc.tokens.start_session(user))
        return redirect

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        if token := request.cookies.get(SESSION_COOKIE):
            services(request).tokens.end_session(token)
        response = _redirect("/")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # --- incidents ------------------------------------------------------------------------
    @router.get("/incidents", response_class=HTMLResponse)
    def incidents(request: Request) -> Response:
        svc = services(request)
        viewer = current_viewer(request)
        p = request.query_params
        page_no = max(int(p.get("page", "1")) if p.get("page", "1").isdigit() else 1, 1)
        size = svc.settings.page_size
        try:
            query = record_query(
                "incidents",
                p.get("country"),
                p.get("date_from"),
                p.get("date_to"),
                p.get("freedom"),
                p.get("violation"),
                p.get("role"),
                p.get("verification"),
                p.get("visibility"),
                p.get("q"),
                p.get("sort", "date") or "date",
                p.get("order", "desc"),
                size,
                (page_no - 1) * size,
            )
        except InputError as exc:
            return render(
                request,
                "incidents.html",
                status=422,
                error=str(exc),
                field=exc.field,
                page=None,
                page_no=1,
                pages=1,
            )
        page = svc.store.summaries("incidents", viewer, query)
        pages = max((page.total + size - 1) // size, 1)
        template = "incident_rows.html" if request.headers.get("hx-request") else "incidents.html"
        return render(
            request, template, page=page, page_no=page_no, pages=pages, error=None, field=None
        )

    @router.get("/incidents/new", response_class=HTMLResponse)
    def incident_form(request: Request) -> Response:
        viewer = current_viewer(request)
        if not viewer.can_write:
            return _redirect("/login")
        return render(
            request, "incident_form.html", form={}, error=None, sources=_sources(request, viewer)
        )

    @router.post("/incidents/new", response_class=HTMLResponse)
    async def incident_create(request: Request) -> Response:
        viewer = current_viewer(request)
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        if not viewer.can_write:
            return _error_page(request, 403, "Log in as a researcher or editor to add incidents.")
        data = {k: str(v) for k, v in form.multi_items() if k not in ("freedoms", "violations")}
        values: dict[str, Any] = dict(data)
        values["freedoms"] = form.getlist("freedoms")
        values["violations"] = form.getlist("violations")
        svc = services(request)
        try:
            people, incident = _incident_from_form(values, viewer)
            for person in people:
                svc.store.save(person, viewer, expected_version=0)
            saved = svc.store.save(incident, viewer, expected_version=0)
        except (ValidationError, ValueError, AccessDenied, VersionConflict) as exc:
            message = _validation_message(exc)
            return render(
                request,
                "incident_form.html",
                status=422,
                form=values,
                error=message,
                sources=_sources(request, viewer),
            )
        return _redirect(f"/incidents/{saved.id}")

    @router.get("/incidents/{record_id}/edit", response_class=HTMLResponse)
    def incident_edit_form(request: Request, record_id: str) -> Response:
        viewer = current_viewer(request)
        if not viewer.can_write:
            return _redirect("/login")
        incident = _record(request, "incidents", record_id, viewer, "No such incident.")
        assert isinstance(incident, Incident)
        form = {
            "title": incident.title,
            "date": str(incident.date),
            "country": incident.country,
            "freedoms": incident.freedoms,
            "violations": incident.violations,
            "summary": incident.summary or "",
            "visibility": incident.visibility,
        }
        return render(
            request,
            "incident_form.html",
            form=form,
            error=None,
            record=incident,
            sources=_sources(request, viewer),
            **_cited(request, incident, viewer),
        )

    @router.post("/incidents/{record_id}/edit", response_class=HTMLResponse)
    async def incident_edit(request: Request, record_id: str) -> Response:
        """Change the incident's own fields and add participants or a source; the people
        and sources already cited stay (including those the editor cannot see)."""
        viewer = current_viewer(request)
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        if not viewer.can_write:
            return _error_page(request, 403, "Log in as a researcher or editor to add incidents.")
        svc = services(request)
        current = _record(request, "incidents", record_id, viewer, "No such incident.")
        assert isinstance(current, Incident)
        values: dict[str, Any] = {k: str(v) for k, v in form.multi_items()}
        values["freedoms"] = form.getlist("freedoms")
        values["violations"] = form.getlist("violations")
        values["id"] = record_id
        version = str(form.get("version", ""))
        # Ticked "remove" boxes name positions in the lists as this reader was shown them;
        # what they could not see is kept by Store.save.
        dropped_people = set(form.getlist("remove_participant"))
        dropped_sources = set(form.getlist("remove_source"))
        kept_people = [
            p for i, p in enumerate(current.participants) if str(i) not in dropped_people
        ]
        kept_sources = [c for i, c in enumerate(current.sources) if str(i) not in dropped_sources]
        try:
            people, changed = _incident_from_form(values, viewer)
            keep_verified = viewer.can_publish and current.verification == "verified"
            edited = changed.model_copy(
                update={
                    "participants": [*kept_people, *changed.participants],
                    "sources": [*kept_sources, *changed.sources],
                    "verification": "verified" if keep_verified else "unverified",
                    "location_id": current.location_id,
                    "end_date": current.end_date,
                    "counts": current.counts,
                    "tags": current.tags,
                    "notes": current.notes,
                }
            )
            for person in people:
                svc.store.save(person, viewer, expected_version=0)
            svc.store.save(edited, viewer, int(version) if version.isdigit() else -1)
        except VersionConflict:
            return render(
                request,
                "incident_form.html",
                status=409,
                form=values,
                record=current,
                error=STALE_FORM,
                sources=_sources(request, viewer),
                **_cited(request, current, viewer),
            )
        except (ValidationError, ValueError, AccessDenied) as exc:
            return render(
                request,
                "incident_form.html",
                status=422,
                form=values,
                record=current,
                error=_validation_message(exc),
                sources=_sources(request, viewer),
                **_cited(request, current, viewer),
            )
        return _redirect(f"/incidents/{record_id}")

    @router.get("/incidents/{record_id}", response_class=HTMLResponse)
    def incident_page(request: Request, record_id: str) -> Response:
        svc = services(request)
        viewer = current_viewer(request)
        incident = _record(request, "incidents", record_id, viewer, "No such incident.")
        assert isinstance(incident, Incident)
        people = _by_id(
            svc.store.get_many(
                "persons", [p.person_id for p in incident.participants if p.person_id], viewer
            )
        )
        orgs = _by_id(
            svc.store.get_many(
                "organisations",
                [p.organisation_id for p in incident.participants if p.organisation_id],
                viewer,
            )
        )
        sources = _by_id(
            svc.store.get_many("sources", [c.source_id for c in incident.sources], viewer)
        )
        return render(
            request, "incident.html", record=incident, people=people, orgs=orgs, sources=sources
        )

    # --- forms for the other kinds (one mechanism, driven by each model) ---------------------
    @router.get("/{kind}/new", response_class=HTMLResponse)
    def record_new_form(request: Request, kind: str) -> Response:
        spec = SPECS.get(kind)
        if spec is None:
            return _error_page(request, 404, "No such page.")
        if not current_viewer(request).can_write:
            return _redirect("/login")
        return _record_form(request, spec, {"visibility": ["restricted"], "country": ["KZ"]})

    @router.post("/{kind}/new", response_class=HTMLResponse)
    async def record_create(request: Request, kind: str) -> Response:
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        spec = SPECS.get(kind)
        if spec is None:
            return _error_page(request, 404, "No such page.")
        viewer = current_viewer(request)
        if not viewer.can_write:
            return _error_page(request, 403, "Log in as a researcher or editor to add records.")
        values = _form_values(form)
        try:
            saved = services(request).store.save(
                build(spec, values, viewer, None), viewer, expected_version=0
            )
        except FormError as exc:
            return _record_form(request, spec, values, None, exc.errors, 422)
        except AccessDenied as exc:
            return _record_form(request, spec, values, None, {"": str(exc)}, 403)
        except (IntegrityError, VersionConflict, ValueError) as exc:
            return _record_form(request, spec, values, None, {"": _save_message(exc)}, 422)
        return _redirect(f"/{kind}/{saved.id}")

    @router.get("/{kind}/{record_id}/edit", response_class=HTMLResponse)
    def record_edit_form(request: Request, kind: str, record_id: str) -> Response:
        spec = SPECS.get(kind)
        if spec is None:
            return _error_page(request, 404, "No such page.")
        viewer = current_viewer(request)
        if not viewer.can_write:
            return _redirect("/login")
        record = _record(request, kind, record_id, viewer)
        return _record_form(request, spec, values_of(spec, record), record)

    @router.post("/{kind}/{record_id}/edit", response_class=HTMLResponse)
    async def record_edit(request: Request, kind: str, record_id: str) -> Response:
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        spec = SPECS.get(kind)
        if spec is None:
            return _error_page(request, 404, "No such page.")
        viewer = current_viewer(request)
        if not viewer.can_write:
            return _error_page(request, 403, "Log in as a researcher or editor to add records.")
        svc = services(request)
        current = _record(request, kind, record_id, viewer)
        values = _form_values(form)
        version = _one(values, "version")
        try:
            edited = build(spec, values, viewer, current)
            svc.store.save(edited, viewer, int(version) if version.isdigit() else -1)
        except VersionConflict:
            return _record_form(request, spec, values, current, {}, 409, stale=True)
        except FormError as exc:
            return _record_form(request, spec, values, current, exc.errors, 422)
        except AccessDenied as exc:
            return _record_form(request, spec, values, current, {"": str(exc)}, 403)
        except (IntegrityError, ValueError) as exc:
            return _record_form(request, spec, values, current, {"": _save_message(exc)}, 422)
        return _redirect(f"/{kind}/{record_id}")

    # --- people, organisations, cases -------------------------------------------------------
    @router.get("/persons/{record_id}", response_class=HTMLResponse)
    def person_page(request: Request, record_id: str) -> Response:
        svc = services(request)
        viewer = current_viewer(request)
        person = _record(request, "persons", record_id, viewer, "No such person.")
        assert isinstance(person, Person)
        mine = incidents_of(svc.store, viewer, person_id=person.id)
        cases = cases_of(svc.store, viewer, person.id)
        orgs = _by_id(
            svc.store.get_many(
                "organisations", [a.organisation_id for a in person.affiliations], viewer
            )
        )
        return render(request, "person.html", record=person, incidents=mine, cases=cases, orgs=orgs)

    @router.get("/organisations/{record_id}", response_class=HTMLResponse)
    def organisation_page(request: Request, record_id: str) -> Response:
        svc = services(request)
        viewer = current_viewer(request)
        org = _record(request, "organisations", record_id, viewer, "No such organisation.")
        members = members_of(svc.store, viewer, org.id)
        incidents = incidents_of(svc.store, viewer, organisation_id=org.id)
        return render(
            request, "organisation.html", record=org, members=members, incidents=incidents
        )

    @router.get("/cases/{record_id}", response_class=HTMLResponse)
    def case_page(request: Request, record_id: str) -> Response:
        svc = services(request)
        viewer = current_viewer(request)
        case = _record(request, "cases", record_id, viewer, "No such case.")
        assert isinstance(case, LegalCase)
        today = svc.settings.today()
        people = _by_id(svc.store.get_many("persons", case.defendants, viewer))
        custody = {pid: custody_state(case, pid, today) for pid in case.defendants}
        deadlines = {pid: st.deadline_after(today) for pid, st in custody.items()}
        timeline = sorted(case.events, key=lambda e: (e.date.earliest, e.date.latest))
        return render(
            request,
            "case.html",
            record=case,
            people=people,
            custody=custody,
            deadlines=deadlines,
            timeline=timeline,
            today=today,
        )

    @router.get("/prisoners", response_class=HTMLResponse)
    def prisoners(request: Request) -> Response:
        svc = services(request)
        rows = political_prisoners(svc.store, current_viewer(request), svc.settings.today())
        sort = request.query_params.get("sort", "name")
        if sort == "days":
            rows.sort(key=lambda r: -(r.days_in_custody or -1))
        elif sort == "status":
            rows.sort(key=lambda r: (r.status, r.name.casefold()))
        return render(request, "prisoners.html", rows=rows, sort=sort)

    @router.get("/search", response_class=HTMLResponse)
    def search(request: Request) -> Response:
        q = request.query_params.get("q", "").strip()[:200]
        hits = services(request).store.search(q, current_viewer(request), limit=50) if q else []
        return render(request, "search.html", q=q, hits=hits)

    # --- the review queue ----------------------------------------------------------------------
    @router.get("/review", response_class=HTMLResponse)
    def review(request: Request) -> Response:
        viewer = current_viewer(request)
        if not viewer.can_write:
            return _redirect("/login")
        return render(request, "review.html", queue=review_queue(services(request).store, viewer))

    @router.post("/review/{kind}/{record_id}/{action}")
    async def review_action(request: Request, kind: str, record_id: str, action: str) -> Response:
        viewer = current_viewer(request)
        form = await request.form()
        check_csrf(request, str(form.get(CSRF_FIELD, "")))
        if kind not in LIST_KINDS and kind != "incidents" or action not in ("verify", "publish"):
            return _error_page(request, 404, "No such action.")
        if not viewer.can_publish:
            return _error_page(request, 403, "Only editors verify and publish.")
        version = str(form.get("version", ""))
        expected = int(version) if version.isdigit() else None
        step = verify if action == "verify" else publish
        try:
            step(services(request).store, kind, record_id, viewer, expected)
        except NotFound:
            return _error_page(request, 404, "No such record.")
        except VersionConflict:
            return _error_page(request, 409, "Someone changed this record; reload the queue.")
        return _redirect("/review")

    # --- lists of the other kinds ----------------------------------------------------------------
    @router.get("/{kind}", response_class=HTMLResponse)
    def record_list(request: Request, kind: str) -> Response:
        if kind not in LIST_KINDS:
            return _error_page(request, 404, "No such page.")
        svc = services(request)
        viewer = current_viewer(request)
        q = request.query_params.get("q", "").strip()[:200] or None
        sort = "date" if kind in ("ratings",) else "id"
        page = svc.store.list(
            kind, viewer, RecordQuery(text=q, sort=sort, descending=kind == "ratings", limit=500)
        )
        return render(
            request,
            "list.html",
            kind=kind,
            title=LIST_KINDS[kind],
            items=page.items,
            total=page.total,
            q=q or "",
        )

    @router.get("/{kind}/{record_id}", response_class=HTMLResponse)
    def record_page(request: Request, kind: str, record_id: str) -> Response:
        """Laws, statistics, ratings and sources: every field of the record."""
        if kind not in ("laws", "statistics", "ratings", "sources", "summaries"):
            return _error_page(request, 404, "No such page.")
        record = _record(request, kind, record_id, current_viewer(request))
        fields = [
            (k, v)
            for k, v in to_jsonable(for_viewer(record, current_viewer(request))).items()
            if k not in ("id", "title", "kind")
        ]
        return render(
            request, "record.html", record=record, fields=fields, heading=_record_label(record)
        )

    return router


class Labels:
    """Words of vocabularies, legal articles and choices in the reader's language."""

    def __init__(self, request: Request) -> None:
        self.lang = negotiate(request, services(request).settings.default_locale)
        self.tr = translations(self.lang)

    def keys(self, vocab: str) -> list[str]:
        return vocabulary(vocab).keys()

    def term(self, vocab: str, key: str) -> str:
        found = vocabulary(vocab)[key]
        if self.lang == "ru" and not found.label_ru:
            translated = str(self.tr.gettext(key))  # visibility, statuses: in the catalogue
            if translated != key:
                return translated
        return (found.label_ru if self.lang == "ru" and found.label_ru else found.label) or key

    def article(self, article: LegalArticle) -> str:
        return str(article.title_ru if self.lang == "ru" and article.title_ru else article.title)

    def word(self, word: str) -> str:
        return str(self.tr.gettext(word))


REF_LIMIT = 500
STALE_FORM = "Someone changed this record since you opened this form; nothing was saved."


def _record_form(
    request: Request,
    spec: FormSpec,
    values: Values,
    record: Record | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    stale: bool = False,
) -> HTMLResponse:
    viewer = current_viewer(request)
    store = services(request).store
    refs = {
        kind: [
            (r.id, _record_label(r))
            for r in store.list(kind, viewer, RecordQuery(limit=REF_LIMIT)).items
        ]
        for kind in ref_kinds(spec)
    }
    drawn = widgets(spec, viewer, Labels(request), refs)
    keys = {w.key for w in drawn if not isinstance(w, tuple)}
    groups = tuple(f"{w[0].name}-" for w in drawn if isinstance(w, tuple))
    # Errors about fields this reader is not shown (editors' fields) are listed on top.
    elsewhere = {
        k: v
        for k, v in (errors or {}).items()
        if k and k not in keys and not f"{k}-".startswith(groups)
    }
    new, edit = FORM_TITLES[spec.kind]
    action = f"/{spec.kind}/{record.id}/edit" if record else f"/{spec.kind}/new"
    return render(
        request,
        "record_form.html",
        status=status,
        kind=spec.kind,
        heading=edit if record else new,
        record=record,
        record_label=_record_label(record) if record else "",
        action=action,
        values=values,
        errors=errors or {},
        stale=stale,
        refs=refs,
        widgets=drawn,
        elsewhere=elsewhere,
        field_labels=LABELS,
        row_count=row_count,
    )


def _record_label(record: Record) -> str:
    if isinstance(record, Statistic):
        return record.display()
    name = getattr(record, "name", None)
    if name is not None and hasattr(name, "text"):
        return str(name.text)
    return str(getattr(record, "title", None) or record.id)


def _form_values(form: Any) -> Values:
    values: Values = {}
    for key, value in form.multi_items():
        if key != CSRF_FIELD and isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


def _one(values: Values, key: str) -> str:
    return (values.get(key) or [""])[0].strip()


def _save_message(exc: Exception) -> str:
    if isinstance(exc, IntegrityError):
        return "a record this one refers to does not exist (check the ids)"
    if isinstance(exc, VersionConflict):
        return "a record with this id exists already"
    return str(exc)


def _by_id(records: list[Record]) -> dict[str, Any]:
    return {r.id: r for r in records}


def _cited(request: Request, incident: Incident, viewer: Viewer) -> dict[str, Any]:
    """The people, organisations and sources an incident cites, by id, for its edit form."""
    store = services(request).store
    return {
        "people": _by_id(
            store.get_many(
                "persons", [p.person_id for p in incident.participants if p.person_id], viewer
            )
        ),
        "orgs": _by_id(
            store.get_many(
                "organisations",
                [p.organisation_id for p in incident.participants if p.organisation_id],
                viewer,
            )
        ),
        "cited": _by_id(store.get_many("sources", [c.source_id for c in incident.sources], viewer)),
    }


def _sources(request: Request, viewer: Viewer) -> list[Record]:
    return services(request).store.list("sources", viewer, RecordQuery(limit=500)).items


def _validation_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return str(exc)


PARTICIPANT_ROWS = 3


def _incident_from_form(values: dict[str, Any], viewer: Viewer) -> tuple[list[Person], Incident]:
    """New people named in the form and the incident; nothing is saved here."""
    visibility = values.get("visibility") or "restricted"
    people: list[Person] = []
    participants: list[dict[str, Any]] = []
    for i in range(PARTICIPANT_ROWS):
        role = values.get(f"participant_role_{i}") or ""
        existing = (values.get(f"participant_person_{i}") or "").strip()
        new_name = (values.get(f"participant_name_{i}") or "").strip()
        if not (existing or new_name):
            continue
        if not role:
            raise ValueError(f"participant {i + 1}: choose a role")
        if new_name:
            script = "Cyrl" if re.search("[а-яёәғқңөұүһі]", new_name, re.I) else "Latn"
            person = Person.model_validate(
                {
                    "id": _slug(new_name, "person"),
                    "name": {"text": new_name, "script": script},
                    "visibility": values.get(f"participant_visibility_{i}") or visibility,
                    "country": (values.get("country") or "").upper() or None,
                }
            )
            people.append(person)
            existing = person.id
        participants.append({"person_id": existing, "role": role})
    sources = []
    if values.get("source_id"):
        sources.append(
            {"source_id": values["source_id"], "locator": values.get("source_locator") or None}
        )
    incident = Incident.model_validate(
        {
            "id": values.get("id") or _slug(values.get("title", ""), "inc"),
            "title": values.get("title", ""),
            "date": values.get("date", ""),
            "country": (values.get("country") or "").upper(),
            "freedoms": values.get("freedoms") or [],
            "violations": values.get("violations") or [],
            "participants": participants,
            "summary": values.get("summary") or None,
            "visibility": visibility,
            "verification": "unverified",
            "sources": sources,
        }
    )
    return people, incident


__all__ = ["build_pages"]
