"""Ids in sorted chunks for `IN (...)` lists: a query over thousands of instances is split
so no statement carries an unbounded parameter list, and the chunks come in id order, so rows
locked chunk by chunk are locked in one order across the whole set."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

CHUNK = 500  # ids per IN (...) list


def sorted_chunks(ids: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    """The distinct `ids`, sorted, `size` at a time."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]
