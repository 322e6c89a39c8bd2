"""The pure decisions of the python_app cookbook: Procfile, process count, ports, environment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from stackworks.cookbooks.python_app import workload


def test_procfile_lines_become_argv_lists_in_file_order() -> None:
    text = "# processes\nweb: gunicorn wsgi:application -w 2\n\nworker: python -m jobs 'a b'\n"
    assert workload.parse_procfile(text) == {
        "web": ["gunicorn", "wsgi:application", "-w", "2"],
        "worker": ["python", "-m", "jobs", "a b"],
    }


def test_procfile_command_is_never_a_shell_pipeline() -> None:
    parsed = workload.parse_procfile("web: run; rm -rf / && echo $HOME")
    assert parsed["web"] == ["run;", "rm", "-rf", "/", "&&", "echo", "$HOME"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("web gunicorn app", "line 1: expected 'name: command'"),
        ("web: a\nweb: b", "line 2: process 'web' is defined twice"),
        ("\nweb:   ", "line 2: process 'web' has no command"),
        ("web: run 'unclosed", "line 1: No closing quotation"),
    ],
)
def test_bad_procfile_line_is_named_in_the_error(text: str, fragment: str) -> None:
    with pytest.raises(workload.ProcfileError) as caught:
        workload.parse_procfile(text, "app/Procfile")
    assert str(caught.value).startswith("app/Procfile, line")
    assert fragment in str(caught.value)


def test_default_web_is_used_only_when_the_procfile_has_none() -> None:
    assert workload.with_default_web({}, "gunicorn wsgi:application") == {
        "web": ["gunicorn", "wsgi:application"]
    }
    own = {"web": ["uvicorn", "main:app"], "worker": ["rq"]}
    assert workload.with_default_web(own, "gunicorn wsgi:application") == own


def test_instance_count_wins_over_per_cpu() -> None:
    assert workload.process_count({"instance_count": 3, "per_cpu": 4}, cpu_count=8) == 3


def test_per_cpu_multiplies_the_cpu_count_attribute_before_the_host_one() -> None:
    assert workload.process_count({"per_cpu": 2}, cpu_count=3) == 6
    assert workload.process_count({"per_cpu": 2, "cpu_count": 5}, cpu_count=3) == 10


@pytest.mark.parametrize("bad", [0, -1, "x", True, 1.5])
def test_bad_instance_count_is_named(bad: object) -> None:
    with pytest.raises(ValueError, match=r"python_app\.instance_count"):
        workload.process_count({"instance_count": bad})


def test_web_ports_follow_the_base_port() -> None:
    assert workload.web_ports(8000, 3) == [8001, 8002, 8003]
    with pytest.raises(ValueError, match="65535"):
        workload.web_ports(65534, 2)


def test_release_names_are_utc_and_sort_by_age() -> None:
    moment = datetime(2026, 11, 23, 13, 0, 0, tzinfo=timezone(timedelta(hours=1)))
    assert workload.release_name(moment) == "20261123T120000Z"
    later = workload.release_name(moment + timedelta(seconds=1))
    assert sorted([later, workload.release_name(moment)])[0] == "20261123T120000Z"
    assert workload.is_release_name(workload.release_name(datetime.now(UTC)))
    assert not workload.is_release_name("current")


def _environment() -> dict[str, str]:
    app = {"environment": {"DEBUG": "1", "TOKEN": "s3cret"}, "secure_keys": ["TOKEN"]}
    return workload.process_environment(
        app,
        app_name="shop",
        hostname="web1",
        host="10.0.0.5",
        venv="/srv/www/shop/releases/r/.venv",
        deploy_json="/srv/www/shop/shared/deploy.json",
    )


def test_process_environment_adds_platform_variables_to_the_apps() -> None:
    env = _environment()
    assert env["DEBUG"] == "1"
    assert env["TOKEN"] == "s3cret"  # the process needs its secrets; only logs must not
    assert env["HOST"] == "10.0.0.5"
    assert env["HOSTNAME"] == "web1"
    assert env["STACKWORKS_APP"] == "shop"
    assert env["PATH"].startswith("/srv/www/shop/releases/r/.venv/bin:")


def test_each_web_copy_binds_its_own_port_on_the_private_address() -> None:
    processes = workload.plan_processes(
        "shop",
        {"web": ["gunicorn", "wsgi:application"], "worker": ["python", "jobs.py"]},
        environment=_environment(),
        host="10.0.0.5",
        ports=[8001, 8002],
    )
    assert [p.service for p in processes] == ["shop-web-1", "shop-web-2", "shop-worker"]
    assert processes[1].argv == (
        "/usr/bin/env",
        "gunicorn",
        "wsgi:application",
        "-b",
        "10.0.0.5:8002",
    )
    assert processes[1].environment["PORT"] == "8002"
    assert processes[2].port is None
    assert "PORT" not in processes[2].environment


def test_a_command_naming_port_and_host_gets_them_substituted_not_appended() -> None:
    processes = workload.plan_processes(
        "shop",
        {"web": ["/opt/serve", "--listen", "${HOST}:$PORT", "--name", "$STACKWORKS_APP$UNKNOWN"]},
        environment=_environment(),
        host="10.0.0.5",
        ports=[9001],
    )
    assert processes[0].argv == (
        "/opt/serve",
        "--listen",
        "10.0.0.5:9001",
        "--name",
        "shop$UNKNOWN",
    )
