"""directory[...] and link[...] resources."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from converge_harness import ConvergeFn, Cookbooks


def test_directory_is_created_with_parents_then_left_alone(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "a" / "b" / "c"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.directory({str(target)!r}, mode=0o750)
    """,
    )
    assert converge(["demo"], dry_run=True).statuses()[0][1] == "would_change"
    assert not target.exists()
    assert converge(["demo"]).statuses()[0][1] == "changed"
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert converge(["demo"]).statuses()[0][1] == "unchanged"


def test_directory_delete_removes_the_tree(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "release"
    (target / "sub").mkdir(parents=True)
    (target / "sub" / "f").write_text("x")
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.directory({str(target)!r}, action="delete")
    """,
    )
    assert converge(["demo"]).statuses()[0][1] == "changed"
    assert not target.exists()
    assert converge(["demo"]).statuses()[0][1] == "unchanged"


def test_link_is_created_repointed_and_then_unchanged(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    link = tmp_path / "current"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.link({str(link)!r}, to=r.node.target)
    """,
    )
    assert converge(["demo"], attributes={"target": "releases/1"}).statuses()[0][1] == "changed"
    assert os.readlink(link) == "releases/1"
    dry = converge(["demo"], attributes={"target": "releases/2"}, dry_run=True)
    assert dry.report.resources[0].message == "re-point releases/1 -> releases/2"
    assert os.readlink(link) == "releases/1"
    assert converge(["demo"], attributes={"target": "releases/2"}).statuses()[0][1] == "changed"
    assert os.readlink(link) == "releases/2"
    assert converge(["demo"], attributes={"target": "releases/2"}).statuses()[0][1] == "unchanged"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_link_refuses_to_replace_a_real_file(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    path = tmp_path / "current"
    path.write_text("data")
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.link({str(path)!r}, to="elsewhere")
    """,
    )
    run = converge(["demo"])
    assert not run.report.ok
    assert "exists and is not a link" in (run.report.error or "")
    assert path.read_text() == "data"
