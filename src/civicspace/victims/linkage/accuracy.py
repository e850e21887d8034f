"""Pairwise precision, recall and F1 of clusters against the true people."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PairwiseAccuracy:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int


def _pairs_within(groups: Mapping[str, object]) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(groups.values()).values())


def pairwise_accuracy(clusters: Mapping[str, str], truth: Mapping[str, object]) -> PairwiseAccuracy:
    """Pairs of records put together by ``clusters`` vs pairs that are truly one person."""
    both = Counter((clusters[r], truth[r]) for r in clusters)
    correct = sum(n * (n - 1) // 2 for n in both.values())
    predicted = _pairs_within(clusters)
    actual = _pairs_within({r: truth[r] for r in clusters})
    precision = correct / predicted if predicted else 1.0
    recall = correct / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseAccuracy(precision, recall, f1, actual, predicted)
