"""The pages' Jinja2 environment and the filters templates use inside their loops.

A filter compiles to a plain call. A function passed in the context (``label(...)``), a
method (``date.display()``) or a macro goes through Jinja's ``Context.call`` instead, which
inspects the callee on every call: a few microseconds each, a macro ten. A list page of 25
incidents made some 125 such calls, more than a third of its rendering.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from civicspace.model.dates import FuzzyDate
from civicspace.model.vocabulary import vocabularies


def template_environment(folder: Path) -> Environment:
    """The templates in ``folder``, HTML autoescaped, with :data:`FILTERS`."""
    environment = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(FILTERS)
    return environment


@cache
def vocabulary_labels(lang: str) -> dict[str, dict[str, str]]:
    """Every term's label in ``lang`` (the English one where Russian has none), by vocabulary
    and key: a list page shows some forty, and looking each up cost more than the row."""
    return {
        name: {
            key: (term.label_ru if lang == "ru" and term.label_ru else term.label) or key
            for key, term in vocab.terms.items()
        }
        for name, vocab in vocabularies().items()
    }


@pass_context
def terms(context: Context, keys: list[str], vocab: str) -> str:
    """``freedoms|terms("freedom")``: the terms' labels in the page's language, joined."""
    labels = vocabulary_labels(context["lang"])[vocab]
    return ", ".join(labels.get(key, key) for key in keys)


def date_text(date: FuzzyDate) -> str:
    """``date|date_text``: :meth:`FuzzyDate.display`."""
    return date.display()


@pass_context
def badges(context: Context, record: Any) -> Markup:
    """``record|badges``: a mark for a record that is not public, and one for a record not
    verified, each in the page's language."""
    translate = context["_"]
    marks = []
    if record.visibility != "public":
        marks.append(
            f'<span class="badge {escape(record.visibility)}">'
            f"{escape(translate(record.visibility))}</span>"
        )
    if record.verification != "verified":
        marks.append(
            f'<span class="badge unverified">{escape(translate(record.verification))}</span>'
        )
    return Markup("".join(marks))


FILTERS = {"terms": terms, "date_text": date_text, "badges": badges}
