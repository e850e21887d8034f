"""Civic space ratings: a documented suggested score, official ratings and their history."""

from civicspace.rating.service import (
    Suggestion,
    banded,
    rating_history,
    record_rating,
    suggest_rating,
    weights,
)

__all__ = [
    "Suggestion",
    "banded",
    "rating_history",
    "record_rating",
    "suggest_rating",
    "weights",
]
