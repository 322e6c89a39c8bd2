"""The link to a load balancer's HAProxy statistics page: shown only when the page is on, at
the address and path the haproxy cookbook serves it, and never with the password."""

from __future__ import annotations

from typing import Any

from stackworks.console.haproxy_stats import StatsLink, stats_link, stats_links
from stackworks.domain.entities import Instance, Layer, Stack
from stackworks.domain.status import InstanceStatus, LayerType

ON = {"haproxy": {"stats_password": "pw-123"}}


def stack(custom_json: dict[str, Any] | None = None) -> Stack:
    return Stack(id="s", name="shop", custom_json=custom_json or {})


def layer(shortname: str, type_: LayerType, custom_json: dict[str, Any] | None = None) -> Layer:
    return Layer(
        id=shortname,
        stack_id="s",
        shortname=shortname,
        name=shortname,
        type=type_,
        custom_json=custom_json or {},
    )


def instance(
    hostname: str, layers: tuple[str, ...], status: InstanceStatus = InstanceStatus.ONLINE
) -> Instance:
    return Instance(
        id=hostname,
        stack_id="s",
        hostname=hostname,
        layers=layers,
        status=status,
        private_ip="127.77.0.5",
    )


LB = layer("lb", LayerType.LB)
APP = layer("app", LayerType.PYTHON_APP)


def test_no_link_while_the_stats_password_is_unset() -> None:
    assert stats_link(stack(), [LB], instance("lb1", ("lb",))) is None


def test_a_stats_password_in_the_stack_json_turns_the_link_on_at_the_defaults() -> None:
    link = stats_link(stack(ON), [LB, APP], instance("lb1", ("lb",)))
    assert link == StatsLink("lb1", "http://127.77.0.5:80/haproxy?stats", "stackworks")
    assert "pw-123" not in repr(link)


def test_a_secret_marked_password_and_the_layers_json_count_too() -> None:
    lb = layer("lb", LayerType.LB, {"haproxy": {"port": 8081, "stats_url": "/st"}})
    marked = {"haproxy": {"stats_password": {"$secret": "pw"}, "stats_user": "ops"}}
    link = stats_link(stack(marked), [lb], instance("lb1", ("lb",)))
    assert link == StatsLink("lb1", "http://127.77.0.5:8081/st", "ops")


def test_a_plone_frontend_serves_its_haproxy_on_8080() -> None:
    front = layer("front", LayerType.PLONE_FRONTEND)
    link = stats_link(stack(ON), [front], instance("front1", ("front",)))
    assert link is not None and link.url == "http://127.77.0.5:8080/haproxy?stats"


def test_no_link_for_an_app_instance_or_an_instance_not_online() -> None:
    assert stats_link(stack(ON), [LB, APP], instance("app1", ("app",))) is None
    stopped = instance("lb1", ("lb",), InstanceStatus.STOPPED)
    assert stats_link(stack(ON), [LB], stopped) is None


def test_settings_haproxy_would_refuse_give_no_link() -> None:
    for bad in ({"stats_url": "javascript:x"}, {"port": "80"}, {"port": 70000}):
        custom = {"haproxy": {"stats_password": "pw", **bad}}
        assert stats_link(stack(custom), [LB], instance("lb1", ("lb",))) is None


def test_stats_links_keeps_only_the_instances_that_serve_the_page() -> None:
    instances = [instance("lb1", ("lb",)), instance("app1", ("app",)), instance("lb2", ("lb",))]
    assert [link.hostname for link in stats_links(stack(ON), [LB, APP], instances)] == [
        "lb1",
        "lb2",
    ]
