"""On a failed browser test, a screenshot of the page as it was (build/test-artifacts/console/)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from support.browser import screenshot


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[Any]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def screenshot_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not request.node.stash.get(_FAILED, False) or "console" not in request.fixturenames:
        return
    page = request.getfixturevalue("console").page
    try:
        screenshot(page, f"failed-{request.node.name}")
        print(f"failed at {page.url}")
    except Exception as error:  # the browser may be what failed
        print(f"no screenshot of the failure: {error}")
