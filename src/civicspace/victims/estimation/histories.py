"""Capture histories: how many people were recorded by exactly each combination of lists.

This is the input of every multiple systems estimator. It comes either from linked lists
(one cluster = one person) or straight from a table a monitor already has::

    official,ngo,media,count
    1,0,0,40
    1,1,0,25
    ...

A pattern of all zeros cannot be observed (nobody knows who no list recorded), so such a
row is an error, as is a count that is not a non-negative whole number.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt


class HistoriesError(ValueError):
    """A capture-history table is malformed; ``problems`` are ``file:row:field: reason``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CaptureHistories:
    """Counts of people per capture pattern over named lists (patterns never all zero)."""

    lists: tuple[str, ...]
    patterns: npt.NDArray[np.int_]  # shape (cells, lists), 0/1
    counts: npt.NDArray[np.int_]  # shape (cells,)
    stratum: str | None = field(default=None)

    @property
    def observed(self) -> int:
        """People on at least one list: the floor of any estimate."""
        return int(self.counts.sum())

    def list_sizes(self) -> dict[str, int]:
        return {
            name: int(self.counts[self.patterns[:, j] == 1].sum())
            for j, name in enumerate(self.lists)
        }

    def overlap(self, a: int, b: int) -> int:
        """People on both list ``a`` and list ``b`` (by column index)."""
        both = (self.patterns[:, a] == 1) & (self.patterns[:, b] == 1)
        return int(self.counts[both].sum())

    def full_table(self) -> tuple[npt.NDArray[np.int_], npt.NDArray[np.int_]]:
        """All 2^k patterns except all-zero, in a fixed order, with zero counts filled in."""
        k = len(self.lists)
        every = np.array([p for p in itertools.product((0, 1), repeat=k) if any(p)], dtype=int)
        lookup = {
            tuple(p): int(c)
            for p, c in zip(self.patterns.tolist(), self.counts.tolist(), strict=True)
        }
        counts = np.array([lookup.get(tuple(p), 0) for p in every.tolist()], dtype=int)
        return every, counts

    def collapse(self, keep: Sequence[str]) -> CaptureHistories:
        """The histories seen through only some of the lists (people on none drop out)."""
        idx = [self.lists.index(name) for name in keep]
        tally: Counter[tuple[int, ...]] = Counter()
        for pattern, count in zip(self.patterns.tolist(), self.counts.tolist(), strict=True):
            sub = tuple(pattern[i] for i in idx)
            if any(sub):
                tally[sub] += count
        return CaptureHistories.from_counts(tuple(keep), tally, stratum=self.stratum)

    @classmethod
    def from_counts(
        cls,
        lists: Sequence[str],
        counts: dict[tuple[int, ...], int] | Counter[tuple[int, ...]],
        stratum: str | None = None,
    ) -> CaptureHistories:
        items = sorted((p, c) for p, c in counts.items() if c > 0 and any(p))
        patterns = np.array([p for p, _ in items], dtype=int).reshape(-1, len(lists))
        return cls(tuple(lists), patterns, np.array([c for _, c in items], dtype=int), stratum)

    @classmethod
    def from_memberships(
        cls,
        memberships: Iterable[Iterable[str]],
        lists: Sequence[str],
        stratum: str | None = None,
    ) -> CaptureHistories:
        """From one set of list names per person (e.g. per linked cluster)."""
        tally: Counter[tuple[int, ...]] = Counter()
        for on in memberships:
            names = set(on)
            tally[tuple(int(name in names) for name in lists)] += 1
        return cls.from_counts(lists, tally, stratum)

    def to_rows(self) -> list[dict[str, int]]:
        return [
            {**{name: int(v) for name, v in zip(self.lists, p, strict=True)}, "count": int(c)}
            for p, c in zip(self.patterns.tolist(), self.counts.tolist(), strict=True)
        ]


def read_histories_csv(
    path: str | Path, stratum_column: str | None = None
) -> list[CaptureHistories]:
    """Read a capture-history table; one result per stratum (or one if unstratified).

    Every bad cell is reported, and nothing is returned when there is any.
    """
    path = Path(path)
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if "count" not in header:
            raise HistoriesError([f"{path}:1:count: missing column 'count'"])
        if stratum_column and stratum_column not in header:
            raise HistoriesError([f"{path}:1:{stratum_column}: missing stratum column"])
        lists = [h for h in header if h not in {"count", stratum_column}]
        if len(lists) < 2:
            raise HistoriesError([f"{path}:1:: need at least two list columns, found {lists}"])
        tallies: dict[str | None, Counter[tuple[int, ...]]] = {}
        for row_no, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            pattern: list[int] = []
            for name in lists:
                if row.get(name) not in {"0", "1"}:
                    got = row.get(name)
                    problems.append(f"{path}:{row_no}:{name}: expected 0 or 1, got {got!r}")
                    pattern.append(0)
                else:
                    pattern.append(int(row[name]))
            count_text = row.get("count", "")
            if not count_text.isdigit():
                problems.append(
                    f"{path}:{row_no}:count: expected a whole number >= 0, got {count_text!r}"
                )
                continue
            if not any(pattern) and int(count_text) > 0:
                problems.append(
                    f"{path}:{row_no}:count: a row on no list cannot be observed; "
                    "leave the unobserved cell out"
                )
            stratum = row.get(stratum_column, "") if stratum_column else None
            tallies.setdefault(stratum, Counter())[tuple(pattern)] += int(count_text)
    if problems:
        raise HistoriesError(problems)
    if not tallies:
        raise HistoriesError([f"{path}:2:: no rows"])
    return [CaptureHistories.from_counts(lists, t, stratum=s) for s, t in tallies.items()]
