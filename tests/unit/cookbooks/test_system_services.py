"""The distribution's nginx and Varnish services are switched off where ours run under
supervisord (stackworks.cookbooks.stackworks.system_services): what is run, and when."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.stackworks.system_services import ServiceState, off_commands
from stackworks.testing import run_recipe as run


def test_under_systemd_a_running_or_enabled_service_is_disabled_now() -> None:
    for running, enabled in ((True, True), (True, False), (False, True)):
        state = ServiceState(systemd=True, running=running, enabled=enabled)
        assert off_commands("nginx", state) == [["systemctl", "disable", "--now", "nginx.service"]]


def test_without_systemd_the_init_script_stops_and_update_rc_d_disables() -> None:
    state = ServiceState(systemd=False, running=True, enabled=True)
    assert off_commands("varnish", state) == [
        ["service", "varnish", "stop"],
        ["update-rc.d", "varnish", "disable"],
    ]
    stopped = ServiceState(systemd=False, running=False, enabled=True)
    assert off_commands("varnish", stopped) == [["update-rc.d", "varnish", "disable"]]


def test_a_service_that_neither_runs_nor_is_enabled_is_left_alone() -> None:
    assert off_commands("nginx", ServiceState(systemd=True, running=False, enabled=False)) == []
    unknown = ServiceState(systemd=False, running=False, enabled=False, known=False)
    assert off_commands("nginx", unknown) == []


def _configuration(tmp_path: Path, manager: str) -> dict[str, Any]:
    me = {"hostname": "lb1", "private_ip": "127.77.0.9", "status": "online", "layers": ["lb"]}
    return {
        "stackworks": {"service_manager": manager},
        "attributes": {},
        "stack": {"id": "s", "name": "demo"},
        "layers": {"lb": {"type": "plone-frontend", "instances": {"lb1": me}}},
        "apps": {},
        "self": {
            **me,
            "roots": {k: str(tmp_path / k) for k in ("etc", "var", "run", "log", "srv")},
        },
    }


@pytest.mark.parametrize("name", ["nginx", "varnish"])
def test_setup_switches_the_distribution_service_off_after_installing_it(
    tmp_path: Path, name: str
) -> None:
    r = run(f"{name}::setup", _configuration(tmp_path, "supervisor"))
    [off] = [d for d in r.all("execute") if f"distribution's {name} service" in d.name]
    assert r.kinds().index(("execute", off.name)) == r.kinds().index(("package", name)) + 1
    assert off.properties["command"][-2:] == ["off", name]
    assert list(off.properties["only_if"][-2:]) == ["on", name]


@pytest.mark.parametrize("name", ["nginx", "varnish"])
def test_under_the_systemd_service_manager_our_unit_takes_its_place(
    tmp_path: Path, name: str
) -> None:
    r = run(f"{name}::setup", _configuration(tmp_path, "systemd"))
    assert r.all("execute") == []
