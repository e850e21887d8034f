"""``civicspace stats``, ``search``, ``show`` and ``list``: reading the records you may see.

Their columns and fields come from the kinds' declarations (:mod:`civicspace.model.kinds`).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from civicspace.cli.common import (
    KINDS_HELP,
    JsonOpt,
    KindsInHelp,
    check_kind,
    console,
    fuzzy_date,
    open_store,
    print_json,
    progress_bar,
    viewer,
)


def stats(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Count the records of each kind you may see."""
    counts = open_store(ctx).counts(viewer(ctx))
    if json_out:
        print_json(counts)
        return
    table = Table("kind", "records", title="Records")
    for kind, n in counts.items():
        table.add_row(kind, str(n))
    console.print(table)


def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words to find, in any script or spelling.")],
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", callback=lambda v: [check_kind(k) for k in v or []]),
    ] = None,
    limit: int = 20,
    json_out: JsonOpt = False,
) -> None:
    """Full-text search over every kind of record; Latin finds Cyrillic and back."""
    hits = [
        dataclasses.asdict(h)
        for h in open_store(ctx).search(text, viewer(ctx), kind or None, limit)
    ]
    if json_out:
        print_json(hits)
    else:
        print_hits(hits, f"Search {text!r}")


def show(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(callback=check_kind, help=KINDS_HELP)],
    record_id: Annotated[str, typer.Argument(metavar="ID")],
    json_out: JsonOpt = False,
) -> None:
    """Show one record."""
    record = open_store(ctx).get(kind, record_id, viewer(ctx))
    data = record.model_dump(mode="json", exclude_none=True)
    if json_out:
        print_json(data)
        return
    from civicspace.model.kinds import caption, spec_of

    table = Table("field", "value", title=f"{kind} {record_id}: {caption(record)}")
    table.add_row("id", record.id)
    for fields in (*spec_of(kind).sections.values(), PROVENANCE):
        for name in fields:
            value = data.get(name)
            if value not in ([], {}, None, ""):
                table.add_row(name, _cell(value))
    console.print(table)


# Who wrote the record and when, after its declared sections (the store blanks account
# names for readers who may not learn them).
PROVENANCE = ("version", "created_at", "created_by", "updated_at", "updated_by")


def _cell(value: object) -> str:
    """One value of a record as a table cell: text as it is, lists joined, the rest as JSON."""
    if callable(value):
        value = value()
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) <= {"text", "script", "lang"} and "text" in value:
        return str(value["text"])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def list_records(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(callback=check_kind, help=KINDS_HELP)],
    country: str | None = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Start of the period.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="End of the period.")] = None,
    freedom: str | None = None,
    violation: str | None = None,
    role: str | None = None,
    verification: str | None = None,
    visibility: str | None = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Full-text filter.")] = None,
    sort: str = "id",
    desc: bool = False,
    limit: int = 50,
    offset: int = 0,
    json_out: JsonOpt = False,
) -> None:
    """List records of one kind with filters."""
    from civicspace.store.repository import RecordQuery

    page = open_store(ctx).list(
        kind,
        viewer(ctx),
        RecordQuery(
            country=country,
            date_from=fuzzy_date(date_from) if date_from is not None else None,
            date_to=fuzzy_date(date_to) if date_to is not None else None,
            freedom=freedom,
            violation=violation,
            role=role,
            verification=verification,
            visibility=visibility,
            text=query,
            sort=sort,
            descending=desc,
            limit=limit,
            offset=offset,
        ),
    )
    items = [r.model_dump(mode="json", exclude_none=True) for r in page.items]
    if json_out:
        print_json(
            {
                "total": page.total,
                "total_exact": page.exact,
                "limit": page.limit,
                "offset": page.offset,
                "items": items,
            }
        )
        return
    from civicspace.model.kinds import spec_of

    columns = spec_of(kind).list_columns
    table = Table(
        *columns, "visibility", "verification", title=f"{kind}: {len(items)} of {page.total}"
    )
    # Ids are what a monitor copies into other commands: never cut short.
    table.columns.insert(
        0, Column("id", no_wrap=True, min_width=max(map(len, (i["id"] for i in items)), default=2))
    )
    for record, item in zip(page.items, items, strict=True):
        cells = [_cell(item.get(name, getattr(record, name, None)) or "") for name in columns]
        table.add_row(item["id"], *cells, item["visibility"], item["verification"])
    console.print(table)


def print_hits(hits: list[dict], title: str) -> None:  # type: ignore[type-arg]
    """Search hits as a table: kind, id, title and the matching snippet."""
    table = Table("kind", "id", "title", "snippet", title=title)
    for h in hits:
        table.add_row(h["kind"], h["id"], h["title"], h["snippet"])
    console.print(table)


def reindex(ctx: typer.Context) -> None:
    """Rebuild every record's search document (after an upgrade that changes how words are
    folded). Searches keep working meanwhile; editors and admins only."""
    reader = viewer(ctx)
    reader.require_publish()
    store = open_store(ctx)
    with progress_bar() as bar:
        tasks: dict[str, Any] = {}

        def advance(kind: str, done: int, total: int) -> None:
            if kind not in tasks:
                tasks[kind] = bar.add_task(kind, total=total)
            bar.update(tasks[kind], completed=done)

        written = store.rebuild_search(advance)
    console.print(f"Rebuilt {written} search documents in {store.db.url}")


def register(app: typer.Typer) -> None:
    app.command()(stats)
    app.command()(search)
    app.command(cls=KindsInHelp)(show)
    app.command("list", cls=KindsInHelp)(list_records)
    app.command()(reindex)
