"""Vocabularies and legal-code registries, loaded from the YAML files beside this module.

The taxonomy is data: adding a violation type or a country's legal code is a YAML edit.
Files are validated when loaded, so a typo fails loudly at start-up, not in a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class VocabularyError(ValueError):
    """A vocabulary or legal-code file is malformed, or a term is not in it."""


class Term(BaseModel):
    """One term of a vocabulary; extra attributes (severity, acled, custody...) are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)
    key: str
    label: str
    label_ru: str | None = None

    def attr(self, name: str, default: Any = None) -> Any:
        return (self.model_extra or {}).get(name, default)


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of terms; ``check`` raises with the allowed terms listed."""

    name: str
    terms: dict[str, Term]

    def __contains__(self, key: object) -> bool:
        return key in self.terms

    def __getitem__(self, key: str) -> Term:
        return self.terms[self.check(key)]

    def keys(self) -> list[str]:
        return list(self.terms)

    def check(self, key: str) -> str:
        if key not in self.terms:
            allowed = ", ".join(self.terms)
            raise VocabularyError(f"unknown {self.name} {key!r}; allowed: {allowed}")
        return key


class LegalArticle(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str
    article: str
    title: str
    title_ru: str | None = None


class LegalCode(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    country: str
    title: str
    articles: dict[str, LegalArticle] = Field(default_factory=dict)


def _read_yaml(package: str, name: str) -> dict[str, Any]:
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise VocabularyError(f"{package}/{name}: expected a mapping at the top level")
    return data


def _terms(name: str, raw: Any, origin: str) -> Vocabulary:
    if not isinstance(raw, dict) or not raw:
        raise VocabularyError(f"{origin}: {name}: expected a non-empty mapping of terms")
    terms: dict[str, Term] = {}
    for key, attrs in raw.items():
        try:
            terms[str(key)] = Term(key=str(key), **(attrs or {}))
        except (ValidationError, TypeError) as exc:
            raise VocabularyError(f"{origin}: {name}.{key}: {exc}") from exc
    return Vocabulary(name, terms)


_VOCAB_FILES = {
    "freedoms.yaml": {"terms": "freedom"},
    "violation_types.yaml": {"terms": "violation type"},
    "case_events.yaml": {"terms": "case event kind"},
    "roles.yaml": {"person_roles": "person role", "participant_roles": "participant role"},
    "statuses.yaml": {
        "visibility": "visibility",
        "verification": "verification status",
        "organisation_kinds": "organisation kind",
        "registration_statuses": "registration status",
        "law_stages": "law stage",
        "sentence_types": "sentence type",
        "rating_bands": "rating band",
        "source_reliability": "source reliability grade",
    },
}


@cache
def vocabularies() -> dict[str, Vocabulary]:
    """All vocabularies by name (``"freedom"``, ``"violation type"``, ``"rating band"``...)."""
    package = "civicspace.model.vocabularies"
    out: dict[str, Vocabulary] = {}
    for filename, sections in _VOCAB_FILES.items():
        data = _read_yaml(package, filename)
        for section, name in sections.items():
            out[name] = _terms(name, data.get(section), f"{filename}")
    for key, term in out["violation type"].terms.items():
        for freedom in term.attr("freedoms", []):
            if freedom not in out["freedom"]:
                raise VocabularyError(f"violation_types.yaml: {key}: unknown freedom {freedom!r}")
        acled = term.attr("acled") or {}
        if not {"event_type", "sub_event_type", "disorder_type"} <= set(acled):
            raise VocabularyError(f"violation_types.yaml: {key}: acled mapping is incomplete")
    return out


def vocabulary(name: str) -> Vocabulary:
    return vocabularies()[name]


@cache
def legal_codes() -> dict[str, LegalCode]:
    """Every legal code of every country file in ``legal_codes/``, keyed by code id."""
    package = "civicspace.model.legal_codes"
    codes: dict[str, LegalCode] = {}
    for entry in sorted(resources.files(package).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = _read_yaml(package, entry.name)
        country = data.get("country")
        for code, body in (data.get("codes") or {}).items():
            try:
                articles = {
                    str(num): LegalArticle(code=code, article=str(num), **attrs)
                    for num, attrs in (body.get("articles") or {}).items()
                }
                codes[code] = LegalCode(
                    code=code, country=str(country), title=body["title"], articles=articles
                )
            except (ValidationError, KeyError, TypeError, AttributeError) as exc:
                raise VocabularyError(f"{entry.name}: {code}: {exc}") from exc
    return codes


def legal_article(code: str, article: str) -> LegalArticle:
    """Look up an article; the error lists the known codes or the code's articles."""
    codes = legal_codes()
    if code not in codes:
        raise VocabularyError(f"unknown legal code {code!r}; known: {', '.join(codes)}")
    articles = codes[code].articles
    if article not in articles:
        raise VocabularyError(
            f"unknown article {article!r} of {code}; known: {', '.join(sorted(articles, key=int))}"
        )
    return articles[article]
