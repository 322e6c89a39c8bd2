"""file[...] resource: content, source, mode, diffs, sensitive content, verify."""

from __future__ import annotations

import stat
from pathlib import Path

from converge_harness import ConvergeFn, Cookbooks


def test_second_run_changes_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "out.txt"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.file({str(target)!r}, content="hello\\n", mode=0o640)
    """,
    )
    first = converge(["demo"])
    assert first.statuses() == [(f"file[{target}]", "changed")]
    assert target.read_text() == "hello\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    second = converge(["demo"])
    assert second.statuses() == [(f"file[{target}]", "unchanged")]
    assert second.report.ok


def test_dry_run_changes_nothing_and_reports_the_diff(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old line\n")
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.file({str(target)!r}, content="new line\\n")
    """,
    )
    run = converge(["demo"], dry_run=True)
    assert run.statuses() == [(f"file[{target}]", "would_change")]
    assert target.read_text() == "old line\n"
    assert "-old line" in run.report.resources[0].diff
    assert "+new line" in run.output
    assert "  - would change: update content" in run.lines


def test_mode_change_alone_keeps_the_content(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("same\n")
    target.chmod(0o600)
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.file({str(target)!r}, content="same\\n", mode=0o644)
    """,
    )
    run = converge(["demo"])
    assert run.report.resources[0].message == "mode 0600 -> 0644"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_sensitive_content_never_reaches_the_log(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "secret.env"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.file({str(target)!r}, content="TOKEN=hunter2\\n", sensitive=True)
    """,
    )
    run = converge(["demo"])
    assert "hunter2" not in run.output
    assert "hunter2" not in str(run.report.to_dict())
    assert target.read_text() == "TOKEN=hunter2\n"


def test_source_comes_from_the_cookbook_files(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "motd"
    cookbooks.file("demo", "motd", "welcome\n")
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.file({str(target)!r}, source="motd")
    """,
    )
    converge(["demo"])
    assert target.read_text() == "welcome\n"


def test_verify_failure_leaves_the_old_file_and_reports_the_command_output(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "app.cfg"
    target.write_text("good\n")
    checker = tmp_path / "check.sh"
    checker.write_text(
        '#!/bin/sh\ngrep -q good "$1" || { echo "line 1: bad config in $1"; exit 3; }\n'
    )
    checker.chmod(0o755)
    recipe = cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.file({str(target)!r}, content="bad\\n", verify=[{str(checker)!r}, "{{path}}"])
    """,
    )
    run = converge(["demo"])
    assert not run.report.ok
    assert target.read_text() == "good\n"
    row = run.report.resources[0]
    assert row.status == "failed"
    assert "line 1: bad config" in row.message and "exit 3" in row.message
    assert (row.file, row.line) == (str(recipe), 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "app.cfg",
        "check.sh",
        "cookbooks",
        "instance",
    ]


def test_verify_success_replaces_the_file(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "app.cfg"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.file({str(target)!r}, content="good\\n", verify=["grep", "-q", "good", "{{path}}"])
    """,
    )
    assert converge(["demo"]).report.ok
    assert target.read_text() == "good\n"


def test_delete_removes_the_file_once(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "gone.txt"
    target.write_text("x")
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.file({str(target)!r}, action="delete")
    """,
    )
    assert converge(["demo"]).statuses()[0][1] == "changed"
    assert not target.exists()
    assert converge(["demo"]).statuses()[0][1] == "unchanged"
