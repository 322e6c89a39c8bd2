"""execute[...] and the guards every resource takes (only_if, not_if, creates)."""

from __future__ import annotations

from pathlib import Path

import pytest
from converge_harness import ConvergeFn, Cookbooks

from stackworks.converge import FakeRunner


def test_execute_runs_every_time_without_a_guard(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    cookbooks.recipe(
        "demo", "default", "def recipe(r):\n    r.execute('hi', command=['echo', 'hello'])\n"
    )
    run = converge(["demo"])
    assert run.statuses() == [("execute[hi]", "changed")]
    assert "    hello" in run.lines
    assert converge(["demo"]).statuses() == [("execute[hi]", "changed")]


def test_creates_makes_the_second_run_a_no_op(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.execute("mark", command=["touch", {str(marker)!r}], creates={str(marker)!r})
    """,
    )
    assert converge(["demo"]).statuses() == [("execute[mark]", "changed")]
    assert converge(["demo"]).statuses() == [("execute[mark]", "unchanged")]


def test_dry_run_does_not_execute(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.execute("mark", command=["touch", {str(marker)!r}])
    """,
    )
    assert converge(["demo"], dry_run=True).statuses() == [("execute[mark]", "would_change")]
    assert not marker.exists()


def test_argv_and_callable_guards_skip_resources(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.file({str(tmp_path / "a")!r}, content="a", only_if=["false"])
            r.file({str(tmp_path / "b")!r}, content="b", not_if=["true"])
            r.file({str(tmp_path / "c")!r}, content="c", only_if=lambda: True, not_if=["false"])
            r.execute("d", command=["true"], not_if=lambda: True)
    """,
    )
    run = converge(["demo"])
    assert [s for _, s in run.statuses()] == ["skipped", "skipped", "changed", "skipped"]
    assert [r.message for r in run.report.resources if r.status == "skipped"] == [
        "only_if is false",
        "not_if is true",
        "not_if is true",
    ]
    assert not (tmp_path / "a").exists() and (tmp_path / "c").exists()


def test_commands_go_through_the_runner_with_cwd_and_env(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    runner = FakeRunner()
    runner.answer(["migrate"], exit_code=0, output="done")
    cookbooks.recipe(
        "demo",
        "default",
        """
        def recipe(r):
            r.execute("migrate", command=["migrate", "--all"], env={"A": "1"}, not_if=["check"])
    """,
    )
    runner.answer(["check"], exit_code=1)
    run = converge(["demo"], runner=runner)
    assert run.statuses() == [("execute[migrate]", "changed")]
    assert runner.calls == [("check",), ("migrate", "--all")]
    assert runner.envs[1] == {"A": "1"}


def test_unexpected_exit_code_fails_and_returns_accepts_others(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    cookbooks.recipe(
        "demo",
        "default",
        """
        def recipe(r):
            r.execute("two", command=["sh", "-c", "exit 2"], returns=[0, 2])
            r.execute("three", command=["sh", "-c", "exit 3"], returns=[0, 2])
    """,
    )
    run = converge(["demo"])
    assert run.statuses() == [("execute[two]", "changed"), ("execute[three]", "failed")]


@pytest.mark.parametrize(
    ("declaration", "named"),
    [
        ("r.execute('x', command='touch {marker}')", "execute[x]: command"),
        ("r.execute('x', command=['true'], not_if='test -e {marker}')", "execute[x]: not_if"),
        ("r.file('{marker}.conf', content='a', verify='cat {{path}}')", "verify"),
        ("r.cron('x', command='touch {marker}', schedule='* * * * *')", "cron[x]: command"),
    ],
)
def test_a_command_written_as_one_string_is_refused_before_anything_runs(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, declaration: str, named: str
) -> None:
    marker = tmp_path / "marker"
    cookbooks.recipe(
        "demo", "default", f"def recipe(r):\n    {declaration.format(marker=marker)}\n"
    )
    run = converge(["demo"])
    assert not run.report.ok
    assert named in run.output
    assert "must be an argv list" in run.output
    assert "never run through a shell" in run.output
    assert not marker.exists()
