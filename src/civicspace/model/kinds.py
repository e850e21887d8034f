"""Everything derived from the kinds' declarations, so nothing else hand-lists a kind's facts.

Each record class in :mod:`civicspace.model.records` carries its markers on its fields
(:mod:`civicspace.model.markers`) and a ``spec`` (:class:`KindSpec`). The functions here
walk them once per class and cache the answer: which fields refer to which kinds, which
are sealed, searchable, drawn from a vocabulary, in what order kinds are imported, what
columns a flat export has. A field path names list items with ``*``:
``participants.*.person_id``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from pydantic import BaseModel

from civicspace.model.markers import Internal, KindSpec, Ref, Sealed, Searchable, Term
from civicspace.model.parts import Location, Name
from civicspace.model.records import KINDS, RECORD_TYPES, record_type


@dataclass(frozen=True)
class FieldPath:
    """One field of a kind, nested fields included: its path, markers and shape."""

    path: str
    markers: tuple[Any, ...]
    many: bool  # a list: the path of its items ends with ``.*``
    model: type[BaseModel] | None  # the nested model it holds, if any

    def marker(self, cls: type[Any]) -> Any:
        return next((m for m in self.markers if isinstance(m, cls)), None)


class RefField(NamedTuple):
    """A field holding ids of ``kinds``, as ``participants.*.person_id`` or ``defendants.*``."""

    path: str
    kinds: tuple[str, ...]
    within: str | None


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """The innermost type of ``annotation``, the markers met on the way, whether a list."""
    markers: list[Any] = []
    many = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            markers.extend(annotation.__metadata__)
            annotation = annotation.__origin__
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation, markers, many
            annotation = args[0]
        elif origin is list:
            many = True
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation, markers, many


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


@cache
def fields_of(model: type[BaseModel]) -> tuple[FieldPath, ...]:
    """Every field of ``model`` in declaration order, each followed by its nested fields."""
    out: list[FieldPath] = []
    for name, info in model.model_fields.items():
        inner, markers, many = _unwrap(info.annotation)
        nested = inner if _is_model(inner) else None
        out.append(FieldPath(name, (*info.metadata, *markers), many, nested))
        if nested is not None:
            prefix = f"{name}.*." if many else f"{name}."
            out.extend(
                FieldPath(prefix + f.path, f.markers, f.many, f.model) for f in fields_of(nested)
            )
    return tuple(out)


def _item_path(f: FieldPath) -> str:
    return f"{f.path}.*" if f.many and f.model is None else f.path


def spec_of(kind: str) -> KindSpec:
    spec: KindSpec = record_type(kind).spec
    return spec


@cache
def reference_fields(kind: str) -> tuple[RefField, ...]:
    """Every field of ``kind`` that holds ids, with the kinds they point at."""
    model = Location if kind == "locations" else record_type(kind)
    return tuple(
        RefField(_item_path(f), ref.kinds, ref.within)
        for f in fields_of(model)
        if (ref := f.marker(Ref)) is not None
    )


class Referrer(NamedTuple):
    """A field of ``kind`` holding ids whose records' names its search document quotes."""

    kind: str
    path: str


@cache
def referrers(kind: str) -> tuple[Referrer, ...]:
    """The fields whose search documents quote a ``kind`` record's names (``Ref`` and
    ``Searchable``): for persons, ``Referrer("incidents", "participants.*.person_id")``.
    Renaming or hiding a ``kind`` record re-indexes the records holding them."""
    out: list[Referrer] = []
    for other in KINDS:
        quoting = {
            _item_path(f)
            for f in fields_of(record_type(other))
            if f.marker(Searchable) is not None and f.marker(Ref) is not None
        }
        out += [
            Referrer(other, r.path)
            for r in reference_fields(other)
            if kind in r.kinds and r.path in quoting
        ]
    return tuple(out)


def sealed_fields(kind: str) -> tuple[str, ...]:
    """Paths of the fields encrypted at rest when a ``kind`` record is confidential."""
    return tuple(f.path for f in fields_of(record_type(kind)) if f.marker(Sealed))


def searchable_fields(kind: str) -> dict[str, str]:
    """Path -> weight (``"A"`` or ``"B"``) of the fields a ``kind`` search document holds."""
    return {f.path: m.weight for f in fields_of(record_type(kind)) if (m := f.marker(Searchable))}


def term_fields(kind: str) -> dict[str, str]:
    """Path -> vocabulary name of the fields of ``kind`` drawn from a vocabulary."""
    return {f.path: m.name for f in fields_of(record_type(kind)) if (m := f.marker(Term))}


def internal_fields(kind: str) -> tuple[str, ...]:
    """Fields the system keeps (provenance, version): in no section, in no form."""
    return tuple(f.path for f in fields_of(record_type(kind)) if f.marker(Internal))


def date_field(kind: str) -> str | None:
    return spec_of(kind).date


def summary_fields(kind: str) -> tuple[str, ...]:
    return spec_of(kind).summary


def caption(record: Any) -> str:
    """How a record is titled in lists, search results and links; its id when empty."""
    value: Any = record
    for part in spec_of(record.kind).caption.split("."):
        value = getattr(value, part, None)
        if value is None:
            break
    if callable(value):
        value = value()
    return str(value) if value else str(record.id)


@cache
def values_at(path: str) -> Callable[[Any], list[Any]]:
    """A function giving the values at ``path`` of a record, ``*`` standing for every item
    of a list: ``values_at("stages.*.note")(law)`` is every stage's note (``None`` kept)."""
    name, _, rest = path.partition(".")
    if not rest:
        return lambda obj: _as_list(getattr(obj, name, None))
    if rest == "*":
        return lambda obj: list(getattr(obj, name, None) or ())
    if rest.startswith("*."):
        inner = values_at(rest[2:])
        return lambda obj: [v for item in getattr(obj, name, None) or () for v in inner(item)]
    nested = values_at(rest)
    return lambda obj: [] if (v := getattr(obj, name, None)) is None else nested(v)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@cache
def insert_order() -> tuple[str, ...]:
    """Every kind after the kinds it refers to (a kind may cite its own kind), ties in
    declaration order: the order an import writes kinds in."""
    needs = {
        kind: {k for r in reference_fields(kind) for k in r.kinds if k in RECORD_TYPES} - {kind}
        for kind in KINDS
    }
    order: list[str] = []
    while len(order) < len(KINDS):
        ready = [k for k in KINDS if k not in order and needs[k] <= set(order)]
        if not ready:
            raise ValueError(
                f"kinds refer to each other in a cycle: {sorted(set(KINDS) - set(order))}"
            )
        order.append(ready[0])
    return tuple(order)


@cache
def export_columns(kind: str) -> tuple[str, ...]:
    """The columns of a flat (CSV) export of ``kind``: a name as ``name``, ``name_script``,
    ``name_lang``; a nested record's fields by their own names (an incident's counts);
    lists of sub-records only when they have a one-cell form (``flat``), else JSON only."""
    out: list[str] = []
    for name, info in record_type(kind).model_fields.items():
        inner, _markers, many = _unwrap(info.annotation)
        if inner is Name and not many:
            out += [name, f"{name}_script", f"{name}_lang"]
        elif _is_model(inner) and not many:
            out += list(inner.model_fields)
        elif not _is_model(inner) or getattr(inner, "flat", False):
            out.append(name)
    return tuple(out)


# --- references: walked per record on imports, so compiled once per class -----------------

Found = list[tuple[str, str, str]]
Step = Callable[[dict[str, Any], str, Found], None]

# Citations first, then places, then parties: the order checks report missing ids in.
_GROUP = {"sources": 0, "locations": 1, "countries": 2}


def _leaf(name: str, kind: str, many: bool) -> Step:
    if many:

        def each(values: dict[str, Any], prefix: str, out: Found) -> None:
            for i, rid in enumerate(values.get(name) or ()):
                out.append((f"{prefix}{name}.{i}", kind, rid))

        return each

    def one(values: dict[str, Any], prefix: str, out: Found) -> None:
        rid = values.get(name)
        if rid:
            out.append((prefix + name, kind, rid))

    return one


def _nested(name: str, steps: tuple[Step, ...], many: bool) -> Step:
    if many:

        def each(values: dict[str, Any], prefix: str, out: Found) -> None:
            for i, item in enumerate(values.get(name) or ()):
                inner = f"{prefix}{name}.{i}."
                for step in steps:
                    step(item.__dict__, inner, out)

        return each

    def one(values: dict[str, Any], prefix: str, out: Found) -> None:
        item = values.get(name)
        if item is not None:
            for step in steps:
                step(item.__dict__, f"{prefix}{name}.", out)

    return one


def _items_with_ids(name: str, leaves: tuple[tuple[str, str], ...]) -> Step:
    """A list of sub-records whose ids are plain fields (citations, participants): one loop
    without a call per item, as imports walk every record."""

    def each(values: dict[str, Any], prefix: str, out: Found) -> None:
        for i, item in enumerate(values.get(name) or ()):
            fields = item.__dict__
            for leaf, kind in leaves:
                rid = fields.get(leaf)
                if rid:
                    out.append((f"{prefix}{name}.{i}.{leaf}", kind, rid))

    return each


@cache
def _steps(model: type[BaseModel]) -> tuple[tuple[int, Step], ...]:
    """(group, step) for each field of ``model`` that holds or contains a checked reference."""
    out: list[tuple[int, Step]] = []
    for name, info in model.model_fields.items():
        inner, markers, many = _unwrap(info.annotation)
        ref = next((m for m in (*info.metadata, *markers) if isinstance(m, Ref)), None)
        if ref is not None and ref.within is None:
            if len(ref.kinds) != 1:
                raise TypeError(f"{model.__name__}.{name}: an id of several kinds needs its kind")
            out.append((_GROUP.get(ref.kinds[0], 3), _leaf(name, ref.kinds[0], many)))
        elif _is_model(inner) and (sub := _steps(inner)):
            group = min(g for g, _ in sub)
            leaves = _id_leaves(inner)
            if many and leaves is not None:
                out.append((group, _items_with_ids(name, leaves)))
            else:
                out.append((group, _nested(name, tuple(s for _, s in sub), many)))
    return tuple(sorted(out, key=lambda pair: pair[0]))


def _id_leaves(model: type[BaseModel]) -> tuple[tuple[str, str], ...] | None:
    """(field, kind) of ``model``'s checked ids when all are plain fields, else ``None``."""
    leaves = []
    for name, info in model.model_fields.items():
        inner, markers, many = _unwrap(info.annotation)
        ref = next((m for m in (*info.metadata, *markers) if isinstance(m, Ref)), None)
        if ref is not None and ref.within is None:
            if many:
                return None
            leaves.append((name, ref.kinds[0]))
        elif _is_model(inner) and _steps(inner):
            return None
    return tuple(leaves)


@cache
def _walk(model: type[BaseModel]) -> tuple[Step, ...]:
    return tuple(step for _, step in _steps(model))


def references(item: BaseModel) -> list[tuple[str, str, str]]:
    """``(field, kind, id)`` for every id that ``item`` (a record or a location) points at,
    citations first, then places, then parties; ids checked through another list of the
    record (``Ref(within=...)``) are left to that list."""
    out: Found = []
    values = item.__dict__
    for step in _walk(type(item)):
        step(values, "", out)
    return out


def iter_kinds() -> Iterator[tuple[str, KindSpec]]:
    """Every kind with its spec, in declaration order."""
    for kind in KINDS:
        yield kind, spec_of(kind)


__all__ = [
    "FieldPath",
    "KindSpec",
    "RefField",
    "Referrer",
    "caption",
    "date_field",
    "export_columns",
    "fields_of",
    "insert_order",
    "internal_fields",
    "iter_kinds",
    "reference_fields",
    "references",
    "referrers",
    "searchable_fields",
    "sealed_fields",
    "spec_of",
    "summary_fields",
    "term_fields",
    "values_at",
]
