"""Fixtures: the fake API, and `cli(...)` running the CLI in-process against it.

This directory goes on sys.path so its helper modules (fake_api, cli_harness) import in any
pytest import mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from cli_harness import Invoke, make_invoke  # noqa: E402
from fake_api import FakeApi  # noqa: E402


@pytest.fixture
def api() -> FakeApi:
    fake = FakeApi()
    fake.add_stack("shop")
    return fake


@pytest.fixture
def cli(api: FakeApi) -> Invoke:
    return make_invoke(api)
