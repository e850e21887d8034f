"""From scored pairs to people: one cluster per person, human decisions first.

Greedy best-first merging (like Splink's "single best links"): pairs are taken from the
most to the least probable, and two groups merge only if the result holds at most one
record per list (a list names each victim once) and no reviewer has said that two of its
records are different people. Reviewer "same person" decisions are applied first and
always, whatever the model says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScoredPair:
    left: str
    right: str
    probability: float


def pair_key(a: str, b: str) -> tuple[str, str]:
    """Pairs are unordered: stored and looked up with the smaller id first."""
    return (a, b) if a <= b else (b, a)


_CERTAIN = 1 - 1e-12  # odds of a probability of 1 would be infinite


def discount_rivals(
    pairs: Iterable[ScoredPair], record_list: Mapping[str, str]
) -> list[ScoredPair]:
    """Each pair's probability discounted by the other candidates of its two records.

    A list names each person once, so a record has at most one partner in another list.
    With pairwise odds ``o = p / (1 - p)``, a pair keeps ``o / (1 + o + rivals)``, where
    ``rivals`` adds up the odds of the other pairs that join either record to a record of
    the other's list. A pair without rivals keeps its probability; two namesakes that are
    equally good candidates for one record share it: with ``p = 0.9`` each, both fall to
    ``9 / (1 + 9 + 9) = 0.47``. (Only the pairs given are counted as rivals.)
    """
    best: dict[tuple[str, str], float] = {}
    for p in pairs:
        key = pair_key(p.left, p.right)
        best[key] = max(best.get(key, 0.0), min(p.probability, _CERTAIN))
    odds = {key: p / (1 - p) for key, p in best.items()}
    candidates: dict[tuple[str, str], float] = {}  # (record, other list) -> sum of odds
    for (a, b), o in odds.items():
        candidates[a, record_list[b]] = candidates.get((a, record_list[b]), 0.0) + o
        candidates[b, record_list[a]] = candidates.get((b, record_list[a]), 0.0) + o
    out = []
    for (a, b), o in odds.items():
        rivals = candidates[a, record_list[b]] + candidates[b, record_list[a]] - 2 * o
        out.append(ScoredPair(a, b, o / (1 + o + max(rivals, 0.0))))
    return out


class _Groups:
    def __init__(self, record_list: Mapping[str, str]) -> None:
        self.parent = {r: r for r in record_list}
        self.lists = {r: {lst} for r, lst in record_list.items()}
        self.members = {r: {r} for r in record_list}

    def find(self, r: str) -> str:
        root = r
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[r] != root:
            self.parent[r], r = root, self.parent[r]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.lists[ra] |= self.lists.pop(rb)
        self.members[ra] |= self.members.pop(rb)


def cluster_records(
    record_list: Mapping[str, str],
    pairs: Iterable[ScoredPair],
    threshold: float,
    decisions: Mapping[tuple[str, str], str] | None = None,
    duplicate_free: bool = True,
    apart: Iterable[tuple[str, str]] = (),
) -> dict[str, str]:
    """record id -> cluster id (the smallest record id in the cluster).

    ``record_list`` maps every record id to its list; ``decisions`` maps a
    :func:`pair_key` to ``"same"`` or ``"different"``. ``apart`` are pairs the model
    found contradictory: kept in different clusters like a reviewer's "different",
    unless a reviewer said "same".
    """
    decisions = decisions or {}
    groups = _Groups(record_list)
    different: dict[str, set[str]] = {}
    kept_apart = [(a, b) for (a, b), verdict in decisions.items() if verdict == "different"]
    kept_apart += [p for p in apart if decisions.get(pair_key(*p)) != "same"]
    for a, b in kept_apart:
        different.setdefault(a, set()).add(b)
        different.setdefault(b, set()).add(a)

    def allowed(ra: str, rb: str) -> bool:
        if duplicate_free and groups.lists[ra] & groups.lists[rb]:
            return False
        small, large = sorted((ra, rb), key=lambda r: len(groups.members[r]))
        return not any(
            different.get(m, set()) & groups.members[large] for m in groups.members[small]
        )

    for (a, b), verdict in sorted(decisions.items()):
        if verdict == "same" and a in groups.parent and b in groups.parent:
            groups.union(a, b)
    ordered: Sequence[ScoredPair] = sorted(
        (p for p in pairs if p.probability >= threshold),
        key=lambda p: (-p.probability, pair_key(p.left, p.right)),  # ties: same order each run
    )
    for p in ordered:
        key = pair_key(p.left, p.right)
        if key in decisions:
            continue
        ra, rb = groups.find(p.left), groups.find(p.right)
        if ra != rb and allowed(ra, rb):
            groups.union(ra, rb)
    out: dict[str, str] = {}
    for members in groups.members.values():
        cluster = min(members)
        for m in members:
            out[m] = cluster
    return out


CONSISTENCY_ROUNDS = 3


def consistent_clusters(
    record_list: Mapping[str, str],
    pairs: Sequence[ScoredPair],
    threshold: float,
    find_contradictions: Callable[[Mapping[str, str]], Iterable[tuple[str, str]]],
    decisions: Mapping[tuple[str, str], str] | None = None,
    progress: Callable[[str], None] | None = None,
    rounds: int = CONSISTENCY_ROUNDS,
) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """:func:`cluster_records`, then the records of every cluster of three or more are
    compared with each other (``find_contradictions`` gets record id -> cluster for them
    and returns the pairs that contradict), contradicting pairs are kept apart and the
    clustering is redone, for at most ``rounds`` rounds.

    A cluster of two is one pair, which the model has weighed; a larger one joins records
    that were never compared. Without this, a record of an initials-only list linked to a
    Cyrillic record without date or place joins that record's cluster even when the
    cluster's third record, from the Latin-script list, was born twenty years earlier in
    another town. Returns the clusters and the pairs kept apart (pass them as ``apart`` to
    :func:`cluster_records` to re-cluster with later decisions without the model).
    """
    say = progress or (lambda _msg: None)
    apart: set[tuple[str, str]] = set()
    for round_ in range(rounds):
        clusters = cluster_records(record_list, pairs, threshold, decisions, apart=apart)
        sizes = Counter(clusters.values())
        joined = {r: c for r, c in clusters.items() if sizes[c] >= 3}
        if not joined:
            return clusters, apart
        new = {pair_key(a, b) for a, b in find_contradictions(joined)} - apart
        say(f"round {round_ + 1}: {len(new)} contradicting pairs kept apart")
        if not new:
            return clusters, apart
        apart |= new
    return cluster_records(record_list, pairs, threshold, decisions, apart=apart), apart
