"""user[...] and group[...]: state read from the real passwd/group databases, commands faked."""

from __future__ import annotations

from converge_harness import ConvergeFn, Cookbooks

from stackworks.converge import FakeRunner


def test_missing_user_is_created_and_existing_one_left_alone(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    runner = FakeRunner()
    cookbooks.recipe(
        "demo",
        "default",
        """
        def recipe(r):
            r.user("sw-nobody-here", home="/srv/sw", shell="/bin/sh", system=True)
            r.user("root")
    """,
    )
    run = converge(["demo"], runner=runner)
    assert run.statuses() == [("user[sw-nobody-here]", "changed"), ("user[root]", "unchanged")]
    assert runner.calls == [
        (
            "useradd",
            "--home-dir",
            "/srv/sw",
            "--shell",
            "/bin/sh",
            "--system",
            "--create-home",
            "--",
            "sw-nobody-here",
        )
    ]


def test_user_shell_change_uses_usermod_and_dry_run_runs_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    runner = FakeRunner()
    cookbooks.recipe("demo", "default", 'def recipe(r):\n    r.user("root", shell="/bin/sw-x")\n')
    assert converge(["demo"], runner=runner, dry_run=True).statuses()[0][1] == "would_change"
    assert runner.calls == []
    converge(["demo"], runner=runner)
    assert runner.calls == [("usermod", "--shell", "/bin/sw-x", "--", "root")]


def test_group_is_created_with_members(cookbooks: Cookbooks, converge: ConvergeFn) -> None:
    runner = FakeRunner()
    cookbooks.recipe(
        "demo",
        "default",
        """
        def recipe(r):
            r.group("sw-no-such-group", members=["root"])
            r.group("root")
            r.group("sw-gone", action="remove")
    """,
    )
    run = converge(["demo"], runner=runner)
    assert [s for _, s in run.statuses()] == ["changed", "unchanged", "unchanged"]
    assert runner.calls == [
        ("groupadd", "--", "sw-no-such-group"),
        ("usermod", "--append", "--groups", "sw-no-such-group", "--", "root"),
    ]
