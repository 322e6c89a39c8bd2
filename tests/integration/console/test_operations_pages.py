"""Operations views: events and audit (filtered, paged, audit at the REST routes' levels), the
HAProxy statistics link (only when the page is on, never the password), an instance's command
log, and the configuration a command received with its secrets masked."""

from __future__ import annotations

import html
import re
import threading
import time
from typing import Any

from stackworks.domain.status import CommandStatus, EventKind, InstanceStatus
from stackworks.store import commands as command_store
from stackworks.store import events as event_store
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store.tables import utcnow
from support.api_harness import Api, make_instance, make_layer

from .test_console_live import events, live_url


def put_online(api: Api, hostname: str, ip: str) -> None:
    with api.db.transaction() as session:
        stack = stack_store.get_by_name(session, "demo")
        instance = instance_store.get_by_hostname(session, stack.id, hostname)
        instance_store.set_status(session, instance.id, InstanceStatus.ONLINE)
        instance_store.update_fields(session, instance.id, private_ip=ip)


def record_events(api: Api, count: int, kind: EventKind = EventKind.SCALING) -> None:
    with api.db.transaction() as session:
        stack = stack_store.get_by_name(session, "demo")
        for n in range(count):
            event_store.record(session, stack.id, kind, f"{kind.value} event number {n}")


def test_events_are_listed_newest_first_filtered_by_kind_and_paged(demo: Api, browser) -> None:
    record_events(demo, 60)
    record_events(demo, 2, EventKind.HEALING)
    client = browser("ann", "show")
    page = client.get("/stacks/demo/events").text
    assert page.index("healing event number 1") < page.index("scaling event number 59")
    assert "scaling event number 11" not in page  # the 51st newest: on the next page
    assert 'data-testid="page-older"' in page
    healing = client.get("/stacks/demo/events?kind=healing").text
    assert "healing event number 0" in healing and "scaling event" not in healing
    assert 'id="kind-healing" name="kind" value="healing" checked' in healing
    older = client.get("/stacks/demo/events?before=13").text  # seqs 1..12: the oldest scaling
    assert "scaling event number 11" in older and "scaling event number 12" not in older
    assert 'data-testid="page-newest"' in older and 'data-testid="page-older"' not in older


def test_the_stack_audit_shows_changes_to_show_users_filtered_by_user(demo: Api, browser) -> None:
    demo.patch("/stacks/demo/layers/web", {"packages": ["git"]})
    client = browser("ann", "show")
    page = client.get("/stacks/demo/audit")
    assert page.status_code == 200
    assert "PATCH /stacks/{stack}/layers/{layer}" in page.text
    assert "PUT /stacks/{stack}/permissions/{user}" in page.text  # ann's own grant
    mine = client.get("/stacks/demo/audit?user=ann").text
    assert 'data-testid="no-audit"' in mine


def test_the_server_audit_is_for_server_admins_only(demo: Api, browser) -> None:
    demo.post("/users", {"name": "carl"})
    admin = browser("admin").get("/audit")
    assert admin.status_code == 200 and "POST /users" in admin.text
    assert browser("ann", "manage").get("/audit").status_code == 403


def test_the_haproxy_stats_link_shows_only_when_the_page_is_on(demo: Api, browser) -> None:
    make_layer(demo, "demo", "lb", "lb")
    lb = make_instance(demo, "demo", ["lb"])
    put_online(demo, lb, "127.77.9.9")
    client = browser("ann", "show")
    assert 'data-testid="no-haproxy-stats"' in client.get("/stacks/demo/operations").text
    secret = {"$secret": "stats-pw-123"}
    demo.patch("/stacks/demo", {"custom_json": {"haproxy": {"stats_password": secret}}})
    page = client.get("/stacks/demo/operations").text
    assert f'data-testid="haproxy-stats-{lb}"' in page
    assert 'href="http://127.77.9.9:80/haproxy?stats"' in page
    assert "stats-pw-123" not in page


def _a_configure_with_secrets(api: Api) -> tuple[str, str]:
    hostname = make_instance(api, "demo", ["web"])
    put_online(api, hostname, "127.77.9.10")
    app = {
        "shortname": "shop",
        "source": {"type": "archive", "url": "https://example.invalid/shop.tgz"},
        "layers": ["web"],
        "environment": [{"key": "SECRET_KEY", "value": "env-secret-999", "secure": True}],
    }
    assert api.post("/stacks/demo/apps", app).status_code == 201
    api.patch("/stacks/demo", {"custom_json": {"db": {"password": "attr-pw-777"}}})
    made = api.post("/stacks/demo/deployments", {"command": {"name": "configure"}})
    assert made.status_code == 201, made.text
    command_id = made.json()["commands"][0]["id"]
    with api.db.transaction() as session:
        row = command_store.row(session, command_id)
        row.log = "converging\n<b>done</b>\n"
    return hostname, command_id


def test_an_instance_commands_and_log_are_shown(demo: Api, browser) -> None:
    hostname, command_id = _a_configure_with_secrets(demo)
    client = browser("ann", "show")
    assert f"commands-link-{hostname}" in client.get("/stacks/demo/operations").text
    listed = client.get(f"/stacks/demo/instances/{hostname}/commands").text
    assert f'data-testid="command-link-{command_id}"' in listed
    page = client.get(f"/stacks/demo/instances/{hostname}/commands/{command_id}")
    assert page.status_code == 200
    assert "converging\n&lt;b&gt;done&lt;/b&gt;" in page.text  # the log, escaped
    assert 'data-testid="command-configuration-link"' in page.text


def test_the_configuration_a_command_received_is_shown_with_its_secrets_masked(
    demo: Api, browser
) -> None:
    hostname, command_id = _a_configure_with_secrets(demo)
    path = f"/stacks/demo/instances/{hostname}/commands/{command_id}/configuration"
    page = browser("ann", "show").get(path)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert '"SECRET_KEY": "*****FILTERED*****"' in text
    assert '"password": "*****FILTERED*****"' in text
    assert f'"hostname": "{hostname}"' in text
    assert "env-secret-999" not in text and "attr-pw-777" not in text


def test_a_command_of_another_instance_is_not_found(demo: Api, browser) -> None:
    _hostname, command_id = _a_configure_with_secrets(demo)
    other = make_instance(demo, "demo", ["web"])
    client = browser("admin")
    assert client.get(f"/stacks/demo/instances/{other}/commands/{command_id}").status_code == 404
    assert client.get(f"/stacks/demo/instances/{other}/commands/nope").status_code == 404


def test_a_user_without_show_gets_not_found_for_every_operations_page(demo: Api, browser) -> None:
    client = browser("eve", "deny")
    for path in ("/stacks/demo/events", "/stacks/demo/audit", "/stacks/demo/operations"):
        assert client.get(path).status_code == 404, path


def test_the_audit_is_paged_newest_first(demo: Api, browser) -> None:
    for n in range(55):
        demo.patch("/stacks/demo/layers/web", {"name": f"web number {n}"})
    client = browser("admin")
    newest = html.unescape(client.get("/stacks/demo/audit").text)
    # the stack's and the layer's creation, then 55 renames: the newest 50 are renames 5..54
    assert '"web number 54"' in newest and '"web number 5"' in newest
    assert '"web number 4"' not in newest
    older_link = re.search(r'href="(\?before=\d+)" data-testid="page-older"', newest)
    assert older_link is not None
    older = html.unescape(client.get("/stacks/demo/audit" + older_link.group(1)).text)
    assert '"web number 4"' in older and '"web number 5"' not in older
    assert 'data-testid="page-newest"' in older


def test_a_running_command_page_follows_its_status_and_log_live(demo: Api, browser) -> None:
    hostname, command_id = _a_configure_with_secrets(demo)
    client = browser("ann", "show")
    page = client.get(f"/stacks/demo/instances/{hostname}/commands/{command_id}").text
    url = live_url(page)
    assert url.startswith(f"/stacks/demo/instances/{hostname}/commands/{command_id}/live?v=")
    answers: list[Any] = []
    stream = threading.Thread(target=lambda: answers.append(client.get(url)))
    stream.start()
    time.sleep(0.4)
    with demo.db.transaction() as session:
        row = command_store.row(session, command_id)
        row.log = row.log + "one more line\n"
        command_store.finish(session, row, CommandStatus.SUCCESSFUL, 0, utcnow())
    stream.join(timeout=30)
    assert not stream.is_alive()
    received = events(answers[0].text)
    appended = "".join(d["text"] for kind, d in received if kind == "append")
    swaps = {d["key"]: d["html"] for kind, d in received if kind == "swap"}
    assert appended == "one more line\n"
    assert 'data-testid="command-status">successful (exit code 0)<' in swaps["command-summary"]
    assert received[-1][0] == "done"


def test_a_finished_command_stream_is_done_at_once_and_sends_what_the_page_missed(
    demo: Api, browser
) -> None:
    hostname, command_id = _a_configure_with_secrets(demo)
    client = browser("admin")
    url = live_url(client.get(f"/stacks/demo/instances/{hostname}/commands/{command_id}").text)
    with demo.db.transaction() as session:
        row = command_store.row(session, command_id)
        command_store.finish(session, row, CommandStatus.FAILED, 3, utcnow(), note="it broke")
    received = events(client.get(url).text)
    swaps = {d["key"]: d["html"] for kind, d in received if kind == "swap"}
    assert "failed (exit code 3)" in swaps["command-summary"]
    assert "it broke" in swaps[f"log:{command_id}"]
    assert received[-1][0] == "done"
    other = make_instance(demo, "demo", ["web"])
    stray = f"/stacks/demo/instances/{other}/commands/{command_id}/live"
    assert client.get(stray).status_code == 404
