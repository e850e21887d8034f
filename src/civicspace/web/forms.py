"""One HTML form mechanism for every kind of record, driven by its Pydantic model.

A :class:`~civicspace.web.form_specs.FormSpec` (derived from the kind's declaration) names the fields a form shows and how (a widget); the model supplies
what is required, the choices of ``Literal`` fields, descriptions as hints, and every
check. Lists of sub-records (names, affiliations, charges, timeline events, stages,
citations...) are :class:`Group` rows: ``charges-0-part``, ``charges-1-part``... Rows left
blank or ticked "remove" are dropped; an existing row keeps the fields the form does not
show (a verdict's sentence, a charge's note) because it is laid over the stored item.

Form values travel as ``dict[str, list[str]]`` (what the browser sent, or what a stored
record shows as), so a refused form is shown again exactly as it was typed.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from civicspace.access.policy import Viewer
from civicspace.editing import check_claims, id_for, script_of, verification_after_change
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import Name, Record
from civicspace.model.vocabulary import LegalArticle, legal_codes
from civicspace.web.form_specs import (
    FORM_TITLES,
    LABELS,
    SPECS,
    Field,
    FormSpec,
    Group,
)

Values = dict[str, list[str]]
BLANK_ROWS = 2
MAX_ROWS = 200
# Long free text gets a text area.
LONG_TEXT = frozenset({"summary", "description", "assessment", "rationale", "notes"})


@dataclass
class Widget:
    """A field resolved for rendering: its form key, label source and options."""

    key: str
    name: str
    widget: str
    required: bool
    hint: str | None
    options: list[tuple[str, str]] = field(default_factory=list)
    ref: str | None = None


class Words(Protocol):
    """The reader's language for option labels (``pages.common.Labels``)."""

    def keys(self, vocab: str) -> list[str]: ...
    def term(self, vocab: str, key: str) -> str: ...
    def article(self, article: LegalArticle) -> str: ...
    def word(self, word: str) -> str: ...


class FormError(ValueError):
    """A form that cannot become a record; ``errors`` maps form keys to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


# --- from the model ---------------------------------------------------------------------------
def _model_field(model: type[Any] | None, name: str) -> Any:
    if model is None:
        return None
    return model.model_fields.get(name)


def _literal_choices(annotation: Any) -> tuple[str, ...]:
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is Literal:
            return tuple(str(a) for a in typing.get_args(arg))
    return ()


def _infer(model: type[Any] | None, f: Field) -> str:
    if f.widget:
        return f.widget
    info = _model_field(model, f.name)
    annotation = info.annotation if info else str
    args = set(typing.get_args(annotation)) or {annotation}
    if _literal_choices(annotation):
        return "select"
    if bool in args:
        return "tristate" if type(None) in args else "check"
    if args & {int, float}:
        return "number"
    is_record = isinstance(model, type) and issubclass(model, Record)
    return "area" if f.name in LONG_TEXT and is_record else "text"  # rows stay one line


def _options(
    model: type[Any] | None,
    f: Field,
    viewer: Viewer,
    labels: Words,
    refs: Mapping[str, list[tuple[str, str]]],
) -> list[tuple[str, str]]:
    if f.vocab:
        keys = labels.keys(f.vocab)
        if f.name == "visibility" and not viewer.can_publish:
            keys = [k for k in keys if k != "confidential"]
        return [(k, labels.term(f.vocab, k)) for k in keys]
    if f.choices:
        return [(c, c) for c in f.choices]
    if f.widget == "legal":
        return [
            (f"{code}:{num}", f"{code} art. {num} — {labels.article(art)}")
            for code, body in legal_codes().items()
            for num, art in sorted(body.articles.items(), key=lambda kv: int(kv[0]))
        ]
    if f.ref:
        return list(refs.get(f.ref, []))
    info = _model_field(model, f.name)
    return [(c, labels.word(c)) for c in _literal_choices(info.annotation if info else None)]


def _required(model: type[Any] | None, f: Field) -> bool:
    info = _model_field(model, f.name)
    return bool(info and info.is_required())


def widgets(
    spec: FormSpec, viewer: Viewer, labels: Words, refs: Mapping[str, list[tuple[str, str]]]
) -> list[Any]:
    """What the template draws: a :class:`Widget` per field, (group, row widgets) per group."""
    out: list[Any] = []
    for item in spec.items:
        if isinstance(item, Group):
            subs = [
                _widget(item.model, f, viewer, labels, refs, f"{item.name}-{{i}}-{f.name}")
                for f in item.fields
            ]
            out.append((item, subs))
        elif not item.editors_only or viewer.can_publish:
            out.append(_widget(spec.model, item, viewer, labels, refs, item.name))
    return out


def _widget(
    model: type[Any] | None,
    f: Field,
    viewer: Viewer,
    labels: Words,
    refs: Mapping[str, list[tuple[str, str]]],
    key: str,
) -> Widget:
    info = _model_field(model, f.name)
    kind = _infer(model, f)
    hint = info.description if info else None
    if info is not None and FuzzyDate in (info.annotation, *typing.get_args(info.annotation)):
        hint = "2022-06-05, 2022-06, early 2022-09"
    return Widget(
        key,
        f.name,
        kind,
        _required(model, f) and kind != "check",
        hint,
        _options(model, f, viewer, labels, refs),
        f.ref,
    )


# --- record -> form values ----------------------------------------------------------------------
def _text(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, float) and value.is_integer():
        return [str(int(value))]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def values_of(spec: FormSpec, record: Record) -> Values:
    """The form as it shows a stored record (the viewer's copy of it)."""
    data = record.model_dump(mode="json")
    values: Values = {"version": [str(record.version)]}
    for item in spec.items:
        if isinstance(item, Group):
            found = [data.get(item.name)] if item.single else list(data.get(item.name) or [])
            rows: list[Any] = [r for r in found if r is not None]
            for i, row in enumerate(rows):
                values[f"{item.name}-{i}-orig"] = [str(i)]
                if item.scalar:
                    values[f"{item.name}-{i}-id"] = [str(row)]
                    continue
                for f in item.fields:
                    if f.widget == "legal":
                        values[f"{item.name}-{i}-{f.name}"] = [f"{row['code']}:{row['article']}"]
                    else:
                        values[f"{item.name}-{i}-{f.name}"] = _text(row.get(f.name))
            values[f"{item.name}-rows"] = [str(len(rows))]
        else:
            values[item.name] = _text(data.get(item.name))
    return values


def ref_kinds(spec: FormSpec) -> list[str]:
    """The kinds whose ids the form offers (persons, organisations, sources)."""
    found = {
        f.ref
        for item in spec.items
        for f in (item.fields if isinstance(item, Group) else (item,))
        if f.ref
    }
    return sorted(found)


def row_count(values: Values, group: Group) -> int:
    if group.single:
        return 1
    shown = values.get(f"{group.name}-rows", ["0"])[0]
    existing = int(shown) if shown.isdigit() else 0
    return min(existing + BLANK_ROWS, MAX_ROWS)


# --- form values -> record ----------------------------------------------------------------------
def _one(values: Values, key: str) -> str:
    got = values.get(key) or [""]
    return got[0].strip()


def _scalar(kind: str, raw: str) -> Any:
    if raw == "":
        return None
    if kind == "check":
        return raw not in ("", "no", "off", "false")
    if kind == "tristate":
        return {"yes": True, "no": False}.get(raw)
    return raw


def _row(values: Values, group: Group, i: int, base: dict[str, Any]) -> dict[str, Any] | None:
    """One row laid over ``base`` (the stored item it shows, or nothing); None if blank."""
    prefix = f"{group.name}-{i}-"
    if _one(values, prefix + "remove"):
        return None
    row = dict(base)
    typed = False
    for f in group.fields:
        raw = _one(values, prefix + f.name)
        typed = typed or raw != ""
        if f.widget == "legal":
            code, _, article = raw.partition(":")
            row.pop("code", None)
            row.pop("article", None)
            if raw:
                row.update(code=code, article=article)
            continue
        value = _scalar(_infer(group.model, f), raw)
        if value is None:
            row.pop(f.name, None)
        else:
            row[f.name] = value
    if not typed:
        return None
    if group.model is Name and not base and row.get("text") and not row.get("script"):
        # A new spelling without a script: say which one it is written in.
        row["script"] = script_of(row["text"])
    return row


def _claimed(values: Values, name: str) -> bool:
    """Whether the form sets an editors' field (verification, a confidential source)."""
    return name in values and _one(values, name) not in ("", "no", "unverified")


def build(spec: FormSpec, values: Values, viewer: Viewer, current: Record | None) -> Record:
    """The record a submitted form describes, laid over ``current`` (the viewer's copy of
    the stored record) when editing. Raises :class:`FormError` naming the fields at fault,
    :class:`~civicspace.editing.ClaimRefused` for what only editors may set."""
    data: dict[str, Any] = current.model_dump() if current else {}
    rows_of: dict[str, list[int]] = {}  # group -> the form row of each kept item
    for item in spec.items:
        if isinstance(item, Group):
            stored = data.get(item.name)
            stored_rows = ([stored] if stored else []) if item.single else list(stored or [])
            kept: list[Any] = []
            rows_of[item.name] = []
            count = 1 if item.single else min(_count(values, item), MAX_ROWS)
            for i in range(count):
                orig = _one(values, f"{item.name}-{i}-orig")
                base: Any = {}
                if current is not None and orig.isdigit() and int(orig) < len(stored_rows):
                    base = stored_rows[int(orig)]
                if item.scalar:
                    raw = _one(values, f"{item.name}-{i}-id")
                    if raw and not _one(values, f"{item.name}-{i}-remove"):
                        kept.append(raw)
                        rows_of[item.name].append(i)
                    continue
                row = _row(values, item, i, base if isinstance(base, dict) else {})
                if row is not None:
                    kept.append(row)
                    rows_of[item.name].append(i)
            if item.single:
                data[item.name] = kept[0] if kept else None
                if not kept:
                    data.pop(item.name)
            else:
                data[item.name] = kept
        elif item.editors_only and not viewer.can_publish and not _claimed(values, item.name):
            continue  # not shown to this reader; a claim typed anyway is refused below
        else:
            kind = _infer(spec.model, item)
            if kind == "multi":
                data[item.name] = [v for v in values.get(item.name, []) if v.strip()]
                continue
            value = _scalar(kind, _one(values, item.name))
            if kind == "check":
                value = bool(value)
            if item.name == "country" and isinstance(value, str):
                value = value.upper()
            if value is None:
                data.pop(item.name, None)
            else:
                data[item.name] = value
    stored = current.verification if current else "unverified"
    if not viewer.can_publish and not _claimed(values, "verification"):
        data["verification"] = verification_after_change(viewer, stored)
    check_claims(viewer, data, stored)
    if current is None:
        data["id"] = id_for(spec.kind, data)
    data.setdefault("visibility", "restricted")
    try:
        return spec.model.model_validate(data)
    except ValidationError as exc:
        raise FormError(_errors(exc, rows_of)) from exc


def _count(values: Values, group: Group) -> int:
    keys = [k for k in values if k.startswith(f"{group.name}-")]
    rows = [int(k.split("-")[1]) for k in keys if k.split("-")[1].isdigit()]
    return max(rows, default=-1) + 1


def _errors(exc: ValidationError, rows_of: Mapping[str, Sequence[int]]) -> dict[str, str]:
    """Pydantic's locations as form keys: ('charges', 0, 'part') -> 'charges-<row>-part'."""
    found: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if loc and loc[0] in rows_of and len(loc) > 1 and loc[1].isdigit():
            rows = rows_of[loc[0]]
            row = rows[int(loc[1])] if int(loc[1]) < len(rows) else int(loc[1])
            key = "-".join([loc[0], str(row), *loc[2:3]])
        elif loc and loc[0] in rows_of and len(loc) > 1:
            key = f"{loc[0]}-0-{loc[1]}"  # a single group: name.text
        else:
            key = loc[0] if loc else ""
        found.setdefault(key, msg)
    return found


__all__ = [
    "FORM_TITLES",
    "LABELS",
    "SPECS",
    "FormError",
    "FormSpec",
    "Group",
    "Values",
    "build",
    "ref_kinds",
    "row_count",
    "values_of",
    "widgets",
]
