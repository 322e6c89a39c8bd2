"""Templates escape what they show and leave out the controls a level does not allow."""

from __future__ import annotations

from starlette.requests import Request

from stackworks.console.levels import Can
from stackworks.console.rendering import fragment
from stackworks.console.session import csrf_token
from stackworks.domain.access import Level
from stackworks.domain.entities import Instance
from stackworks.domain.status import InstanceStatus

INSTANCE = Instance(
    id="i-1",
    stack_id="s-1",
    hostname="web1",
    layers=("web",),
    status=InstanceStatus.SETUP_FAILED,
    status_reason='<script>alert("x")</script>',
)


def request_with_session(token: str) -> Request:
    headers = [(b"cookie", f"stackworks_session={token}".encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "state": {}})


def row(level: Level) -> str:
    context = {"instance": INSTANCE, "can": Can(level), "stack": "shop"}
    return fragment(request_with_session("swk_abc"), "_instance_row.html", context)


def test_an_instance_row_escapes_its_status_reason() -> None:
    html = row(Level.MANAGE)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'data-testid="instance-status-web1"' in html and "setup failed" in html


def test_a_manage_row_has_the_actions_with_the_sessions_csrf_token() -> None:
    html = row(Level.MANAGE)
    for action in ("start", "stop", "reboot", "delete"):
        assert f'data-testid="instance-{action}-web1"' in html
    assert f'name="csrf_token" value="{csrf_token("swk_abc")}"' in html


def test_show_and_deploy_rows_have_no_actions() -> None:
    for level in (Level.SHOW, Level.DEPLOY):
        html = row(level)
        assert "<form" not in html and "<button" not in html
