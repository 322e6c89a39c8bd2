"""The link lists other console modules add to: shown where, and to whom, they say."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stackworks.console import navigation
from stackworks.console.levels import Can
from stackworks.console.navigation import NavLink
from stackworks.console.rendering import fragment
from stackworks.console.stack_view import LayerView, StackView
from stackworks.domain.access import Level
from stackworks.domain.entities import Layer, Stack
from stackworks.domain.status import LayerType

from .test_console_rendering import request_with_session


@pytest.fixture
def stats_link() -> Iterator[NavLink]:
    link = NavLink(
        "HAProxy stats",
        "/stacks/{stack}/layers/{layer}/stats",
        "layer-stats",
        needs=Level.DEPLOY,
        layer_types=frozenset({"lb"}),
    )
    navigation.LAYER_LINKS.append(link)
    yield link
    navigation.LAYER_LINKS.remove(link)


def layers_html(level: Level) -> str:
    stack = Stack(id="s", name="shop")
    lb = Layer(id="l1", stack_id="s", shortname="front", name="Front", type=LayerType.LB)
    app = Layer(id="l2", stack_id="s", shortname="app", name="App")
    view = StackView(
        stack=stack,
        can=Can(level),
        layers=[LayerView(lb, []), LayerView(app, [])],
        unlayered=[],
        apps=[],
        deployments=[],
        events=[],
        hostnames={},
        app_names={},
    )
    context = {"view": view, "can": view.can}
    return fragment(request_with_session("swk_x"), "_layers.html", context)


def test_a_layer_link_shows_on_its_layer_types_for_users_of_its_level(stats_link: NavLink) -> None:
    html = layers_html(Level.DEPLOY)
    assert 'href="/stacks/shop/layers/front/stats"' in html
    assert 'data-testid="layer-stats-front"' in html
    assert "/layers/app/stats" not in html
    assert "/stats" not in layers_html(Level.SHOW)


def test_link_urls_fill_in_their_names() -> None:
    link = NavLink("Log", "/stacks/{stack}/instances/{hostname}/log", "instance-log")
    assert link.url("shop", hostname="web1") == "/stacks/shop/instances/web1/log"
