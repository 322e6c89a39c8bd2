"""The run itself: loading cookbooks, node attributes, failures and where they were declared."""

from __future__ import annotations

from pathlib import Path

from converge_harness import ConvergeFn, Cookbooks


def test_a_missing_cookbook_is_a_failed_report(converge: ConvergeFn) -> None:
    run = converge(["nosuch::setup"])
    assert not run.report.ok
    assert "cookbook 'nosuch' not found" in (run.report.error or "")


def test_a_missing_recipe_is_a_failed_report_naming_it(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    cookbooks.recipe("demo", "default", "def recipe(r):\n    pass\n")
    run = converge(["demo::deploy"])
    assert not run.report.ok
    assert "recipe demo::deploy not found" in (run.report.error or "")


def test_a_syntax_error_names_the_recipe_file_and_line(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    path = cookbooks.recipe("demo", "default", "def recipe(r):\n    x = (\n\n")
    run = converge(["demo"])
    assert not run.report.ok
    assert f"{path}:2" in (run.report.error or "")
    assert "syntax error" in (run.report.error or "")


def test_an_exception_while_declaring_names_the_recipe_line(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    path = cookbooks.recipe(
        "demo",
        "default",
        """
        def recipe(r):
            r.log("about to break")
            {}["nope"]
    """,
    )
    run = converge(["demo"])
    assert not run.report.ok
    assert f"{path}:3" in (run.report.error or "")
    assert "KeyError" in (run.report.error or "")


def test_a_failing_resource_stops_the_run_and_names_where_it_was_declared(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    after = tmp_path / "after"
    path = cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.execute("ok", command=["true"])
            r.execute("boom", command=["sh", "-c", "echo disk full; exit 4"])
            r.file({str(after)!r}, content="x")
    """,
    )
    run = converge(["demo"])
    assert not run.report.ok
    assert run.statuses() == [("execute[ok]", "changed"), ("execute[boom]", "failed")]
    failed = run.report.resources[1]
    assert (failed.file, failed.line) == (str(path), 3)
    assert "disk full" in failed.message and "exited 4" in failed.message
    assert f"{path}:3" in (run.report.error or "")
    assert not after.exists()


def test_ignore_failure_lets_the_run_go_on(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    after = tmp_path / "after"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.execute("boom", command=["false"], ignore_failure=True)
            r.file({str(after)!r}, content="x")
    """,
    )
    run = converge(["demo"])
    assert run.report.ok
    assert run.statuses()[0] == ("execute[boom]", "failed")
    assert after.exists()


def test_fail_stops_the_run_with_the_recipe_line(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    path = cookbooks.recipe(
        "demo",
        "default",
        """
        def recipe(r):
            r.fail("no private_ip")
    """,
    )
    run = converge(["demo"])
    assert not run.report.ok
    assert f"{path}:2" in (run.report.error or "")
    assert "no private_ip" in (run.report.error or "")


def test_node_merges_cookbook_defaults_under_custom_attributes(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    cookbooks.defaults("a", {"web": {"port": 80, "workers": 2}})
    cookbooks.defaults("b", {"web": {"workers": 3}, "b": {"on": True}}, yaml=True)
    cookbooks.recipe("a", "default", "def recipe(r):\n    r.log(f'port={r.node.web.port}')\n")
    cookbooks.recipe(
        "b",
        "default",
        """
        def recipe(r):
            r.log(f"workers={r.node['web']['workers']} on={r.node.b.on} x={r.node.get('x')}")
    """,
    )
    run = converge(["a", "b"], attributes={"web": {"port": 8000}})
    assert run.report.ok, run.report.error
    assert "[a::default] port=8000" in run.lines
    assert "[b::default] workers=3 on=True x=None" in run.lines


def test_cookbook_defaults_with_exponential_aliases_fail_the_run_naming_file_and_line(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    cookbooks.recipe("b", "default", "def recipe(r):\n    r.log('never')\n")
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{n}: &a{n} [{', '.join(['*a' if n == 1 else f'*a{n - 1}'] * 10)}]" for n in range(1, 9)
    ]
    attributes = cookbooks.path / "b" / "attributes.yaml"
    attributes.write_text("\n".join(lines) + "\n")
    run = converge(["b"])
    assert not run.report.ok
    assert f"{attributes}:5:" in (run.report.error or "")
    assert "once its aliases are expanded" in (run.report.error or "")
    assert "[b::default] never" not in run.lines


def test_a_missing_attribute_names_its_dotted_path(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    cookbooks.defaults("a", {"web": {"port": 80}})
    cookbooks.recipe("a", "default", "def recipe(r):\n    r.log(r.node.web.tls.cert)\n")
    run = converge(["a"])
    assert "node.web.tls is not set" in (run.report.error or "")


def test_include_recipe_declares_once_per_run(cookbooks: Cookbooks, converge: ConvergeFn) -> None:
    cookbooks.recipe("base", "default", "def recipe(r):\n    r.execute('base', command=['true'])\n")
    cookbooks.recipe("app", "one", "def recipe(r):\n    r.include_recipe('base')\n")
    cookbooks.recipe(
        "app",
        "two",
        """
        def recipe(r):
            r.include_recipe("base::default")
            r.execute("two", command=["true"])
    """,
    )
    run = converge(["app::one", "app::two", "base"])
    assert run.statuses() == [("execute[base]", "changed"), ("execute[two]", "changed")]


def test_stack_view_answers_recipe_questions(cookbooks: Cookbooks, converge: ConvergeFn) -> None:
    cookbooks.recipe(
        "demo",
        "default",
        """
        def recipe(r):
            r.log("apps=" + ",".join(name for name, _ in r.stack.apps_to_deploy()))
            r.log("app-layer=" + ",".join(i.hostname for i in r.stack.instances(layer="app")))
            r.log("all=" + ",".join(i.hostname for i in r.stack.instances()))
            r.log(f"self={r.stack.self.hostname} roots={sorted(r.roots)} sm={r.service_manager}")
            r.log(f"command={r.stack.command.type} stack={r.stack.name}")
    """,
    )
    run = converge(["demo"])
    assert "[demo::default] apps=web" in run.lines
    assert "[demo::default] app-layer=app1" in run.lines
    assert "[demo::default] all=app1,lb1" in run.lines
    assert (
        "[demo::default] self=app1 roots=['etc', 'log', 'root', 'run', 'srv', 'var'] sm=supervisor"
        in run.lines
    )
    assert "[demo::default] command=configure stack=shop" in run.lines


def test_report_serialises_with_counts_and_summary(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    cookbooks.recipe("demo", "default", "def recipe(r):\n    r.execute('x', command=['true'])\n")
    run = converge(["demo"])
    data = run.report.to_dict()
    assert data["ok"] is True and data["counts"] == {"changed": 1}
    assert data["resources"][0]["kind"] == "execute"
    assert run.report.summary().startswith("ok: 1 resources, 1 changed")
