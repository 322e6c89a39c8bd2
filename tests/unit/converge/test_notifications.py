"""notifies/subscribes: only on change, delayed ones once at the end, immediate ones at once."""

from __future__ import annotations

from pathlib import Path

from converge_harness import ConvergeFn, Cookbooks


def _recipe(tmp_path: Path) -> str:
    log = tmp_path / "events"
    return f"""
        def recipe(r):
            hook = r.execute("hook", command=["sh", "-c", "echo hook >> {log}"], action="nothing")
            now = r.execute("now", command=["sh", "-c", "echo now >> {log}"], action="nothing")
            a = r.file({str(tmp_path / "a")!r}, content=r.node.a)
            b = r.file({str(tmp_path / "b")!r}, content=r.node.b)
            a.notifies("run", hook)
            b.notifies("run", hook)
            hook.subscribes("run", a)
            b.notifies("run", now, timing="immediately")
            r.execute("last", command=["sh", "-c", "echo last >> {log}"])
    """


def test_delayed_notifications_fire_once_at_the_end(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    cookbooks.recipe("demo", "default", _recipe(tmp_path))
    run = converge(["demo"], attributes={"a": "1", "b": "1"})
    assert run.report.ok, run.report.error
    assert (tmp_path / "events").read_text().split() == ["now", "last", "hook"]
    assert run.status_of("execute", "hook") == ["unchanged", "changed"]


def test_notifications_fire_only_when_the_notifier_changed(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    cookbooks.recipe("demo", "default", _recipe(tmp_path))
    converge(["demo"], attributes={"a": "1", "b": "1"})
    (tmp_path / "events").unlink()
    converge(["demo"], attributes={"a": "1", "b": "1"})
    assert (tmp_path / "events").read_text().split() == ["last"]
    (tmp_path / "events").unlink()
    converge(["demo"], attributes={"a": "2", "b": "1"})
    assert (tmp_path / "events").read_text().split() == ["last", "hook"]


def test_dry_run_notifies_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    cookbooks.recipe("demo", "default", _recipe(tmp_path))
    run = converge(["demo"], attributes={"a": "1", "b": "1"}, dry_run=True)
    assert not (tmp_path / "events").exists()
    assert "  - would notify execute[hook] to run (delayed)" in run.lines


def test_no_delayed_notifications_after_a_failure(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    log = tmp_path / "events"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            hook = r.execute("hook", command=["sh", "-c", "echo hook >> {log}"], action="nothing")
            r.file({str(tmp_path / "a")!r}, content="x").notifies("run", hook)
            r.execute("boom", command=["false"])
    """,
    )
    assert not converge(["demo"]).report.ok
    assert not log.exists()


def test_an_unknown_notification_action_fails_at_declaration(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    path = cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            f = r.file({str(tmp_path / "a")!r}, content="x")
            f.notifies("restart", r.execute("x", command=["true"]))
    """,
    )
    run = converge(["demo"])
    assert "unknown action 'restart'" in (run.report.error or "")
    assert f"{path}:3" in (run.report.error or "")
