"""The order the suite's test files start in: the slowest first.

scripts/test runs pytest on parallel workers (pytest-xdist, `--dist loadfile`): every test of
a file goes to the same worker, in file order, so module-scoped fixtures (one Plone stack, one
server) are built once and tests that build on the ones before them still see them. Workers
take files in collection order; a file of several minutes picked up last would leave the other
workers idle while it runs, so the slow files go first.

How slow a file is comes from what its authors already wrote down: the longest `timeout` mark
among its tests (the Plone builds, the ssh hosts, the browser have their own, above the
suite's per-test default). Files without one keep their collection order after them, as do
files with equal marks among themselves, so the order is stable from run to run.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest


def file_of(item: pytest.Item) -> str:
    """The test file `item` belongs to: the part of its node id before the first '::'."""
    return item.nodeid.split("::", 1)[0]


def declared_timeout(item: pytest.Item) -> float:
    """The seconds `item`'s own timeout mark gives it (the closest one), 0 if it has none."""
    mark = item.get_closest_marker("timeout")
    if mark is None:
        return 0.0
    seconds = mark.args[0] if mark.args else mark.kwargs.get("timeout", 0)
    return float(seconds or 0)


def slowest_files_first(items: Sequence[pytest.Item]) -> list[pytest.Item]:
    """`items` with whole files ordered by their longest declared timeout, longest first; the
    tests of one file stay together and in their order."""
    longest: dict[str, float] = {}
    for item in items:
        name = file_of(item)
        longest[name] = max(longest.get(name, 0.0), declared_timeout(item))
    position = {name: index for index, name in enumerate(longest)}
    return sorted(items, key=lambda item: (-longest[file_of(item)], position[file_of(item)]))
