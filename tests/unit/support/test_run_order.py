"""The suite's files start slowest first (by their declared timeouts), each file kept whole."""

from __future__ import annotations

from typing import Any, cast

import pytest

from support.run_order import declared_timeout, slowest_files_first


class FakeItem:
    """What the ordering reads of a test item: its node id and its closest timeout mark."""

    def __init__(self, nodeid: str, timeout: float | None = None, *, keyword: bool = False):
        self.nodeid = nodeid
        self.mark: Any = None
        if timeout is not None:
            kwargs = {"timeout": timeout} if keyword else {}
            args = () if keyword else (timeout,)
            self.mark = pytest.mark.timeout(*args, **kwargs).mark

    def get_closest_marker(self, name: str) -> Any:
        return self.mark if name == "timeout" else None


def ordered(*items: FakeItem) -> list[str]:
    return [item.nodeid for item in slowest_files_first(cast(list[pytest.Item], list(items)))]


def test_files_with_longer_declared_timeouts_come_first() -> None:
    assert ordered(
        FakeItem("tests/unit/test_a.py::test_one"),
        FakeItem("tests/e2e/test_plone.py::test_up", 900),
        FakeItem("tests/integration/test_ssh.py::test_hosts", 480),
    ) == [
        "tests/e2e/test_plone.py::test_up",
        "tests/integration/test_ssh.py::test_hosts",
        "tests/unit/test_a.py::test_one",
    ]


def test_a_file_moves_whole_by_its_longest_test_and_keeps_its_own_order() -> None:
    assert ordered(
        FakeItem("tests/b.py::test_first"),
        FakeItem("tests/a.py::test_quick"),
        FakeItem("tests/a.py::test_slow", 600),
        FakeItem("tests/a.py::test_last"),
    ) == [
        "tests/a.py::test_quick",
        "tests/a.py::test_slow",
        "tests/a.py::test_last",
        "tests/b.py::test_first",
    ]


def test_files_without_a_longer_timeout_keep_their_collection_order() -> None:
    names = [
        "tests/c.py::test_x",
        "tests/a.py::test_y[1]",
        "tests/a.py::test_y[2]",
        "tests/b.py::t",
    ]
    assert ordered(*(FakeItem(name) for name in names)) == names


def test_a_timeout_given_by_keyword_counts_like_one_given_by_position() -> None:
    assert declared_timeout(cast(pytest.Item, FakeItem("t.py::a", 300, keyword=True))) == 300
    assert declared_timeout(cast(pytest.Item, FakeItem("t.py::b", 300))) == 300
    assert declared_timeout(cast(pytest.Item, FakeItem("t.py::c"))) == 0
