"""``civicspace lists ...``: import, link, review, compare and estimate victim lists.

Only argument parsing and printing live here; the work is in the services. Every command
that touches the lists in the database acts as the viewer of the global ``--as`` and
follows the service's rules: the roles that read the lists (researchers, editors, admins)
import, link, show, compare and delete them; editors and admins decide pairs. Without
``--as`` the local operator is an editor, as for every other command. The victims'
services (pandas, SciPy, Splink) are imported inside each command, so ``--help`` loads none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from civicspace.access.policy import AccessDenied, Viewer

if TYPE_CHECKING:
    from civicspace.victims.estimation.report import EstimationReport

# Option defaults shown by --help, written here so that help needs neither Splink nor
# SciPy; tests/cli checks they equal civicspace.victims' own.
DEFAULT_MODEL = "v3"
METHODS = ("chapman", "loglinear", "lcmcr")

app = typer.Typer(
    help="Victim lists: import, link across scripts, review, compare, estimate.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _database(ctx: typer.Context) -> Any:
    from civicspace.cli.common import open_database

    return open_database(ctx)


def _viewer(ctx: typer.Context, require: Callable[[Viewer], None]) -> Viewer:
    """The viewer of ``--as`` if ``require`` lets them through; else one line and exit 1.

    Checked before the database is opened, so a refused command creates nothing.
    """
    from civicspace.cli.common import viewer

    who = viewer(ctx)
    try:
        require(who)
    except AccessDenied as exc:
        _fail(str(exc))
    return who


def _name(who: Viewer) -> str:
    """Who did it, as imports, runs and decisions record it (as the other commands do)."""
    return who.name or who.role


@app.command("import")
def import_command(
    ctx: typer.Context,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX file."),
    list_id: str = typer.Option(..., "--id", help="Short id, e.g. official-2022-08."),
    title: str = typer.Option(None, help="Title as the compiler gives it."),
    kind: str = typer.Option("other", help="official, ngo, media or other."),
    compiler: str = typer.Option(None, help="Who compiled the list."),
    compiled_on: str = typer.Option(None, "--date", help="When it was compiled (YYYY-MM-DD)."),
    notes: str = typer.Option(None),
    columns: str = typer.Option(None, help="Column mapping: name=ФИО,age=Возраст,place=Город"),
) -> None:
    """Import one list; every bad row is reported and nothing is imported if there is one."""
    from civicspace.victims import service
    from civicspace.victims.importer import ListImportError, parse_mapping

    who = _viewer(ctx, service.require_list_reader)
    try:
        when = dt.date.fromisoformat(compiled_on) if compiled_on else None
    except ValueError:
        _fail(f"--date: expected YYYY-MM-DD, got {compiled_on!r}")
        return
    meta = service.ListMetadata(list_id, title or list_id, kind, compiler, when, notes)
    try:
        count = service.import_list(_database(ctx), path, meta, parse_mapping(columns), _name(who))
    except ListImportError as exc:
        for problem in exc.problems:
            typer.echo(problem, err=True)
        _fail(f"nothing imported from {path} ({len(exc.problems)} problems)")
        return
    console.print(f"imported {count} records into list {list_id!r}")


@app.command("show")
def show_command(ctx: typer.Context) -> None:
    """The imported lists."""
    from civicspace.victims import service

    _viewer(ctx, service.require_list_reader)
    table = Table("id", "title", "kind", "compiler", "date", "records")
    for row in service.lists(_database(ctx)):
        table.add_row(
            row["id"],
            row["title"],
            row["kind"],
            row["compiler"] or "",
            str(row["compiled_on"] or ""),
            str(row["record_count"]),
        )
    console.print(table)


@app.command("delete")
def delete_command(
    ctx: typer.Context,
    list_id: str = typer.Argument(..., help="Id of the list to delete."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask before deleting."),
) -> None:
    """Delete a list, its records and the linkage results naming them (decisions are kept)."""
    from civicspace.victims import service

    _viewer(ctx, service.require_list_reader)
    db = _database(ctx)
    known = {row["id"]: row["record_count"] for row in service.lists(db)}
    if list_id not in known:
        _fail(f"no list {list_id!r}")
    if not yes:
        typer.confirm(f"delete list {list_id!r} and its {known[list_id]} records?", abort=True)
    service.delete_list(db, list_id)
    console.print(f"deleted list {list_id!r} and its {known[list_id]} records")


@app.command("link")
def link_command(
    ctx: typer.Context,
    engine: str = typer.Option("duckdb", help="duckdb (one machine) or spark."),
    threshold: float | None = typer.Option(
        None,
        min=0.2,
        max=1.0,
        help="Match probability to link (default: the model's own, "
        "0.3 for v3, 0.5 for v2, 0.9 for v1).",
    ),
    model: str = typer.Option(
        DEFAULT_MODEL, help="Linkage model version (v3, or v2 or v1 to reproduce older runs)."
    ),
) -> None:
    """Link all imported lists (reviewers' decisions always win over the model)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from civicspace.victims import service
    from civicspace.victims.linkage import MODELS

    who = _viewer(ctx, service.require_list_reader)
    if engine not in ("duckdb", "spark"):
        _fail(f"--engine must be duckdb or spark, not {engine!r}")
    if model not in MODELS:
        _fail(f"--model must be one of {', '.join(MODELS)}, not {model!r}")
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err
    ) as progress:
        task = progress.add_task("loading records", total=None)
        try:
            run_id, result = service.run_linkage(
                _database(ctx),
                engine=engine,
                model=model,
                threshold=threshold,
                created_by=_name(who),
                progress=lambda m: progress.update(task, description=m),
            )
        except ValueError as exc:
            _fail(str(exc))
            return
    people = len(set(result.clusters.values()))
    console.print(
        f"run {run_id}: {len(result.clusters)} records -> {people} people "
        f"(model {result.model_version}, {result.engine}, threshold {result.threshold}); "
        f"{len(result.uncertain_pairs())} pairs to review"
    )


def _run_id(ctx: typer.Context, run: int | None) -> tuple[Any, int]:
    from civicspace.victims import service

    db = _database(ctx)
    run_id = run or service.latest_run(db)
    if run_id is None:
        _fail("no linkage run yet: run `civicspace lists link` first")
    assert run_id is not None
    return db, run_id


@app.command("review")
def review_command(
    ctx: typer.Context,
    run: int = typer.Option(None, help="Linkage run (default: the latest)."),
    limit: int = typer.Option(20, help="How many pairs to go through."),
    accept: tuple[str, str] | None = typer.Option(None, help="Decide one pair: same person."),
    reject: tuple[str, str] | None = typer.Option(None, help="Decide one pair: different."),
    note: str = typer.Option(None, help="Why (kept with the decision)."),
) -> None:
    """Go through uncertain pairs and decide; or decide one pair with --accept/--reject."""
    from civicspace.victims import service

    who = _viewer(ctx, service.require_pair_decider)
    db, run_id = _run_id(ctx, run)
    for pair, verdict in ((accept, "same"), (reject, "different")):
        if pair and pair[0]:
            try:
                service.decide(db, pair[0], pair[1], verdict, _name(who), note)
            except ValueError as exc:
                _fail(str(exc))
            console.print(f"recorded: {pair[0]} and {pair[1]} are {verdict}")
            return
    queue = service.review_queue(db, run_id, limit=limit)
    if not queue:
        console.print("nothing to review")
        return
    fields = ("name", "gender", "birth_year", "place_key", "list_id")
    for i, item in enumerate(queue, start=1):
        table = Table(f"pair {i}/{len(queue)}  p={item['probability']:.2f}", "left", "right")
        for f in fields:
            table.add_row(
                f, escape(str(item["left"].get(f) or "")), escape(str(item["right"].get(f) or ""))
            )
        console.print(table)
        answer = typer.prompt("same person? [y]es / [n]o / [s]kip / [q]uit", default="s")
        if answer.lower().startswith("q"):
            break
        if answer.lower()[:1] in ("y", "n"):
            service.decide(
                db,
                item["left"]["id"],
                item["right"]["id"],
                "same" if answer.lower().startswith("y") else "different",
                _name(who),
            )


@app.command("compare")
def compare_command(
    ctx: typer.Context,
    run: int = typer.Option(None, help="Linkage run (default: the latest)."),
    official: str = typer.Option(None, help="List to show gaps of (default: the official one)."),
    csv_out: Path = typer.Option(None, "--csv", help="Write one row per person."),
    json_out: Path = typer.Option(None, "--json", help="Write everything as JSON."),
    chart: Path = typer.Option(None, help="Write an UpSet-style chart (.png or .svg)."),
    histories: Path = typer.Option(None, help="Write capture histories for `estimate`."),
) -> None:
    """Who is on which list, who is missing from the official list, and overlaps."""
    from civicspace.victims import compare as comparing
    from civicspace.victims import service

    _viewer(ctx, service.require_list_reader)
    db, run_id = _run_id(ctx, run)
    records = service.records_frame(db)
    if official is None:
        official = next((r["id"] for r in service.lists(db) if r["kind"] == "official"), None)
    result = comparing.compare_lists(records, service.clusters(db, run_id), official)
    table = Table("lists", "people recorded")
    for row in result.overlaps():
        table.add_row(" + ".join(row["lists"]), str(row["people"]))
    console.print(table)
    console.print(
        f"{len(result.people)} people recorded on at least one list "
        "(a count of names, not an estimate of the total)"
    )
    if official:
        missing = result.missing_from(official)
        console.print(f"{len(missing)} people are not on the {official!r} list")
    ages = result.breakdowns["age_group"]
    console.print("by age: " + ", ".join(f"{k}: {v['all']}" for k, v in ages.items()))
    if csv_out:
        comparing.write_csv(result, csv_out)
    if json_out:
        comparing.write_json(result, json_out)
    if chart:
        comparing.upset_chart(result, chart)
    if histories:
        h = result.histories()
        rows = h.to_rows()
        with histories.open("w", encoding="utf-8") as fh:
            fh.write(",".join([*h.lists, "count"]) + "\n")
            for r in rows:
                fh.write(",".join(str(r[c]) for c in [*h.lists, "count"]) + "\n")


def _print_report(report: EstimationReport) -> None:
    title = f"stratum {report.stratum}" if report.stratum else "estimate"
    table = Table(
        title,
        "model",
        "estimate",
        "95% interval",
        "interval by",
        title=f"{report.observed} people observed on lists {', '.join(report.lists)}",
    )
    for i, e in enumerate(report.estimates):
        mark = " (recommended)" if i == report.recommended else ""
        table.add_row(
            e.method + mark,
            escape(e.model),
            f"{e.estimate:,.0f}",
            f"{e.lower:,.0f} - {e.upper:,.0f}",
            e.interval,
        )
    console.print(table)
    for w in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {w}", highlight=False)


@app.command("estimate")
def estimate_command(
    ctx: typer.Context,
    histories: Path = typer.Option(
        None, exists=True, dir_okay=False, help="CSV: one 0/1 column per list and a count column."
    ),
    stratum: str = typer.Option(None, help="Column of the histories file to stratify by."),
    run: int = typer.Option(None, help="Use the clusters of this linkage run instead."),
    method: list[str] = typer.Option(list(METHODS), help="chapman, loglinear, lcmcr."),
    samples: int = typer.Option(4000, help="LCMCR posterior draws kept."),
    seed: int = typer.Option(20220105, help="Random seed of the LCMCR sampler."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Estimate how many victims no list recorded (multiple systems estimation)."""
    import json
    import sys

    from civicspace.victims import compare as comparing
    from civicspace.victims import service
    from civicspace.victims.estimation import (
        HistoriesError,
        LCMCRSettings,
        estimate_strata,
        read_histories_csv,
    )

    try:
        if histories is not None:
            strata = read_histories_csv(histories, stratum)
        else:  # a histories file holds counts only; a run's clusters name people
            _viewer(ctx, service.require_list_reader)
            db, run_id = _run_id(ctx, run)
            comparison = comparing.compare_lists(
                service.records_frame(db), service.clusters(db, run_id)
            )
            strata = [comparison.histories()]
        reports = estimate_strata(strata, method, LCMCRSettings(samples=samples, seed=seed))
    except HistoriesError as exc:
        for problem in exc.problems:
            typer.echo(problem, err=True)
        _fail(f"cannot read {histories}")
        return
    except ValueError as exc:
        _fail(str(exc))
        return
    if as_json:
        data: Any = (
            reports[0].as_dict()
            if len(reports) == 1
            else {"strata": [r.as_dict() for r in reports]}
        )
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    for report in reports:
        _print_report(report)


@app.command("synth")
def synth_command(
    out: Path = typer.Argument(..., file_okay=False, help="Folder for the lists and truth.csv."),
    people: int = typer.Option(300, min=1, help="Size of the true population."),
    seed: int = typer.Option(0),
    heterogeneity: float = typer.Option(0.8, min=0.0, help="Spread of capture chances."),
) -> None:
    """Generate synthetic lists with known truth (official initials-only, NGO, media)."""
    from civicspace.victims.synth import make_lists

    lists = make_lists(people, seed=seed, heterogeneity=heterogeneity)
    for path in lists.write(out):
        console.print(f"wrote {path}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="lists")
