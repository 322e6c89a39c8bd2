"""Fixtures for converge tests; the helpers live in converge_harness (this dir is on sys.path)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from converge_harness import ConvergeFn, Cookbooks, Run, configuration, make_roots  # noqa: E402

from stackworks.converge import run_recipes  # noqa: E402
from stackworks.converge.runner import Runner  # noqa: E402


@pytest.fixture
def cookbooks(tmp_path: Path) -> Cookbooks:
    return Cookbooks(tmp_path / "cookbooks")


@pytest.fixture
def roots(tmp_path: Path) -> dict[str, str]:
    return make_roots(tmp_path)


@pytest.fixture
def converge(cookbooks: Cookbooks, roots: dict[str, str]) -> ConvergeFn:
    def run(
        run_list: list[str],
        *,
        attributes: dict[str, Any] | None = None,
        dry_run: bool = False,
        runner: Runner | None = None,
        service_manager: str = "supervisor",
    ) -> Run:
        lines: list[str] = []
        report = run_recipes(
            run_list,
            configuration(roots, attributes, service_manager),
            cookbook_paths=[cookbooks.path],
            dry_run=dry_run,
            log=lines.append,
            runner=runner,
        )
        return Run(report, lines)

    return run
