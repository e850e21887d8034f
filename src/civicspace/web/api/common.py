"""What the API's routes share: the viewer dependency, error and page shapes, records as
JSON with their version as ETag, and list parameters checked with the one at fault named."""

from typing import Annotated, Any

from fastapi import Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from civicspace.access.policy import Viewer
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import Record, to_jsonable
from civicspace.model.vocabulary import vocabulary
from civicspace.store import RecordQuery
from civicspace.store.aggregates import sort_fields
from civicspace.web.auth import api_viewer
from civicspace.web.errors import InputError

ViewerDep = Annotated[Viewer, Depends(api_viewer)]
MAX_LIMIT = 500


class ErrorOut(BaseModel):
    detail: str
    field: str | None = None


class PageOut(BaseModel):
    items: list[dict[str, Any]]
    total: int = Field(description="matching records; a lower bound when total_exact is false")
    total_exact: bool = Field(
        True, description="false when a text filter matched too many records to count them all"
    )
    newest_first: bool = Field(
        False, description="the page holds the newest matches, not the requested order"
    )
    limit: int
    offset: int


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422, 428)
}


def record_json(record: Record) -> dict[str, Any]:
    """A record as the API sends it (the store has already redacted it for the viewer)."""
    return {"kind": record.kind, **to_jsonable(record)}


def with_etag(record: Record, status: int = 200, location: str | None = None) -> JSONResponse:
    """``record`` as JSON with its version as the ETag (and ``Location`` for a new one)."""
    headers = {"ETag": f'"{record.version}"'}
    if location:
        headers["Location"] = location
    return JSONResponse(record_json(record), status_code=status, headers=headers)


def parse_version(if_match: str | None, body_version: int | None = None) -> int | None:
    """The version a client last read: ``If-Match: "3"`` (or W/"3"), else the body's."""
    if if_match:
        value = if_match.strip().removeprefix("W/").strip('"')
        if not value.isdigit():
            raise InputError('If-Match must be a version number such as "3"', "If-Match")
        return int(value)
    return body_version or None


def fuzzy(value: str | None, field: str) -> FuzzyDate | None:
    if value is None or not value.strip():
        return None
    try:
        return FuzzyDate.parse(value)
    except ValueError as exc:
        raise InputError(str(exc), field) from exc


def term(value: str | None, vocab: str, field: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in vocabulary(vocab):
        raise InputError(
            f"unknown {vocab} {value!r}; allowed: {', '.join(vocabulary(vocab).keys())}", field
        )
    return value


def record_query(
    kind: str,
    country: str | None,
    date_from: str | None,
    date_to: str | None,
    freedom: str | None,
    violation: str | None,
    role: str | None,
    verification: str | None,
    visibility: str | None,
    q: str | None,
    sort: str,
    order: str,
    limit: int,
    offset: int,
) -> RecordQuery:
    """Check list parameters and name the one at fault (shared by the API and the pages)."""
    if sort not in sort_fields(kind):
        allowed = ", ".join(sort_fields(kind))
        raise InputError(f"cannot sort {kind} by {sort!r}; one of: {allowed}", "sort")
    if country and (len(country) != 2 or not country.isalpha()):
        raise InputError("country is a two-letter ISO code such as KZ", "country")
    role_vocab = "person role" if kind == "persons" else "participant role"
    return RecordQuery(
        country=country or None,
        date_from=fuzzy(date_from, "date_from"),
        date_to=fuzzy(date_to, "date_to"),
        freedom=term(freedom, "freedom", "freedom"),
        violation=term(violation, "violation type", "violation"),
        role=term(role, role_vocab, "role"),
        verification=term(verification, "verification status", "verification"),
        visibility=term(visibility, "visibility", "visibility"),
        text=(q or "").strip() or None,
        sort=sort,
        descending=order == "desc",
        limit=limit,
        offset=offset,
    )
