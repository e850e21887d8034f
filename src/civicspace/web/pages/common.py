"""What every page area shares: rendering a template with the reader's language and
login, the 404 page for a missing record, redirects, labels of records and vocabularies."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from civicspace.access.policy import Viewer
from civicspace.model.records import Record, Statistic
from civicspace.model.vocabulary import LegalArticle, vocabulary
from civicspace.store import NotFound, RecordQuery
from civicspace.web.auth import (
    CSRF_FIELD,
    csrf_token,
    current_user,
    current_viewer,
    services,
    set_csrf_cookie,
)
from civicspace.web.forms import Values
from civicspace.web.i18n import LANG_COOKIE, negotiate, translations
from civicspace.web.templating import vocabulary_labels

STALE_FORM = "Someone changed this record since you opened this form; nothing was saved."


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` in the reader's language, with their login, CSRF token and labels."""
    svc = services(request)
    lang = negotiate(request, svc.settings.default_locale)
    tr = translations(lang)
    labels = vocabulary_labels(lang)

    def label(vocab: str, key: str) -> str:
        return labels[vocab].get(key, key)

    html = svc.templates.get_template(template).render(
        request=request,
        _=tr.gettext,
        ngettext=tr.ngettext,
        lang=lang,
        user=current_user(request),
        viewer=current_viewer(request),
        csrf_field=CSRF_FIELD,
        csrf=csrf_token(request),
        label=label,
        choices=lambda vocab: labels[vocab].items(),
        vocabulary=vocabulary,
        query_with=lambda **kw: _query_with(request, **kw),
        default_country=default_country(request),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    set_csrf_cookie(request, response)
    if request.query_params.get("lang") in ("en", "ru"):
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", httponly=True, path="/")
    return response


def default_country(request: Request) -> str:
    """The country a new record's form starts with (the ``default_country`` setting)."""
    return services(request).settings.default_country


def _query_with(request: Request, **changes: Any) -> str:
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
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
                return error_page(request, 404, str(missing))

        return handle


def record_of(
    request: Request, kind: str, record_id: str, viewer: Viewer, message: str = "No such record."
) -> Record:
    """The record a page is about; else the 404 page saying ``message`` (the same for a
    record the reader may not see as for one that does not exist)."""
    try:
        return services(request).store.get(kind, record_id, viewer)
    except NotFound:
        raise RecordMissing(message) from None


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def record_label(record: Record) -> str:
    """How a record is named in a list, a picker or a heading."""
    if isinstance(record, Statistic):
        return record.display()
    name = getattr(record, "name", None)
    if name is not None and hasattr(name, "text"):
        return str(name.text)
    return str(getattr(record, "title", None) or record.id)


def by_id(records: list[Record]) -> dict[str, Any]:
    return {r.id: r for r in records}


def form_values(form: Any) -> Values:
    """A submitted form as ``{key: [values]}``, without its CSRF token."""
    values: Values = {}
    for key, value in form.multi_items():
        if key != CSRF_FIELD and isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


def first_value(values: Values, key: str) -> str:
    return (values.get(key) or [""])[0].strip()


def version_of(raw: str) -> int:
    """The version a form was opened at; -1 (never current) when it sent none."""
    return int(raw) if raw.isdigit() else -1


def sources_offered(request: Request, viewer: Viewer) -> list[Record]:
    return services(request).store.list("sources", viewer, RecordQuery(limit=500)).items


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
