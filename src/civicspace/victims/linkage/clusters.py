"""From scored pairs to people: one cluster per person, human decisions first.

Greedy best-first merging (like Splink's "single best links"): pairs are taken from the
most to the least probable, and two groups merge only if the result holds at most one
record per list (a list names each victim once) and no reviewer has said that two of its
records are different people. Reviewer "same person" decisions are applied first and
always, whatever the model says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScoredPair:
    left: str
    right: str
    probability: float


def pair_key(a: str, b: str) -> tuple[str, str]:
    """Pairs are unordered: stored and looked up with the smaller id first."""
    return (a, b) if a <= b else (b, a)


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
) -> dict[str, str]:
    """record id -> cluster id (the smallest record id in the cluster).

    ``record_list`` maps every record id to its list; ``decisions`` maps a
    :func:`pair_key` to ``"same"`` or ``"different"``.
    """
    decisions = decisions or {}
    groups = _Groups(record_list)
    different: dict[str, set[str]] = {}
    for (a, b), verdict in decisions.items():
        if verdict == "different":
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
        (p for p in pairs if p.probability >= threshold), key=lambda p: -p.probability
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
