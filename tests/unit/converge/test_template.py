"""template[...] resource: Jinja2 with StrictUndefined, node and stack in scope."""

from __future__ import annotations

from pathlib import Path

from converge_harness import ConvergeFn, Cookbooks


def test_renders_variables_node_and_stack_then_changes_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "site.conf"
    cookbooks.defaults("web", {"web": {"port": 80, "name": "default"}})
    cookbooks.template(
        "web", "site.conf.j2", "{{ stack.name }} {{ node.web.port }} {{ greeting }}\n"
    )
    cookbooks.recipe(
        "web",
        "default",
        f"""
        def recipe(r):
            r.template({str(target)!r}, source="site.conf.j2", variables={{"greeting": "hi"}})
    """,
    )
    first = converge(["web"], attributes={"web": {"port": 8080}})
    assert first.report.ok, first.report.error
    assert target.read_text() == "shop 8080 hi\n"
    second = converge(["web"], attributes={"web": {"port": 8080}})
    assert second.statuses() == [(f"template[{target}]", "unchanged")]


def test_an_undefined_variable_fails_naming_the_template_and_line(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "site.conf"
    template = cookbooks.template("web", "site.conf.j2", "line one\nport {{ missing_port }}\n")
    cookbooks.recipe(
        "web",
        "default",
        f"""
        def recipe(r):
            r.template({str(target)!r}, source="site.conf.j2")
    """,
    )
    run = converge(["web"])
    assert not run.report.ok
    message = run.report.resources[0].message
    assert f"{template}:2" in message
    assert "missing_port" in message
    assert not target.exists()


def test_a_template_syntax_error_names_the_line(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    template = cookbooks.template("web", "bad.j2", "ok\n{% if %}\n")
    cookbooks.recipe(
        "web",
        "default",
        f"""
        def recipe(r):
            r.template({str(tmp_path / "out")!r}, source="bad.j2")
    """,
    )
    run = converge(["web"])
    assert f"{template}:2" in run.report.resources[0].message


def test_dry_run_renders_but_writes_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    target = tmp_path / "site.conf"
    cookbooks.template("web", "t.j2", "x={{ x }}\n")
    cookbooks.recipe(
        "web",
        "default",
        f"""
        def recipe(r):
            r.template({str(target)!r}, source="t.j2", variables={{"x": 1}})
    """,
    )
    run = converge(["web"], dry_run=True)
    assert run.statuses() == [(f"template[{target}]", "would_change")]
    assert "+x=1" in run.output
    assert not target.exists()
