"""Domain types and vocabularies (as data)."""

from civicspace.model.dates import FuzzyDate
from civicspace.model.records import (
    KINDS,
    RECORD_TYPES,
    Affiliation,
    CaseEvent,
    Charge,
    Citation,
    Country,
    Incident,
    IncidentCounts,
    Law,
    LawStage,
    LegalCase,
    Location,
    Name,
    Organisation,
    Participant,
    Person,
    Rating,
    Recognition,
    Record,
    Sentence,
    Source,
    Statistic,
    band_for_score,
    record_type,
)
from civicspace.model.vocabulary import VocabularyError, legal_article, legal_codes, vocabulary

__all__ = [
    "KINDS", "RECORD_TYPES", "Affiliation", "CaseEvent", "Charge", "Citation", "Country",
    "FuzzyDate", "Incident", "IncidentCounts", "Law", "LawStage", "LegalCase", "Location",
    "Name", "Organisation", "Participant", "Person", "Rating", "Recognition", "Record",
    "Sentence", "Source", "Statistic", "VocabularyError", "band_for_score", "legal_article",
    "legal_codes", "record_type", "vocabulary",
]
