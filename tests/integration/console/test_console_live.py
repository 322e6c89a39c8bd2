"""The stack page's live stream: a status change reaches the page as a swapped instance row."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from support.api_harness import Api, make_instance

from .conftest import Browser


def events(body: str) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of an event-stream body."""
    found = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            found.append((fields["event"], json.loads(fields["data"])))
    return found


def live_url(page: str) -> str:
    found = re.search(r'data-live-src="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_status_change_while_the_page_is_open_arrives_as_its_row(
    browser: Browser, demo: Api
) -> None:
    make_instance(demo, "demo", ["web"], "web1")
    make_instance(demo, "demo", ["web"], "web2")
    viewer = browser("viewer", "show")
    url = live_url(viewer.get("/stacks/demo").text)
    answers: list[Any] = []
    stream = threading.Thread(target=lambda: answers.append(viewer.get(url)))
    stream.start()
    time.sleep(0.5)  # the stream's first poll has seen the page's state
    assert demo.post("/stacks/demo/instances/web1/start").status_code == 200
    stream.join(timeout=30)
    assert not stream.is_alive()
    (answer,) = answers
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    swaps = {data["key"]: data["html"] for kind, data in events(answer.text) if kind == "swap"}
    assert set(swaps) == {"instance:web1", "stack-summary"}
    assert 'data-status="requested"' in swaps["instance:web1"]
    assert "instance-start-web1" not in swaps["instance:web1"]  # a show user: no controls
    assert 'data-testid="stack-summary-busy"><span class="count">1</span>' in swaps["stack-summary"]


def test_a_stream_opened_after_a_change_sends_what_the_page_missed(
    browser: Browser, demo: Api
) -> None:
    make_instance(demo, "demo", ["web"], "web1")
    admin = browser("admin")
    url = live_url(admin.get("/stacks/demo").text)
    make_instance(demo, "demo", ["web"], "web2")  # after the render, before the stream
    swaps = [data for kind, data in events(admin.get(url).text) if kind == "swap"]
    layers = next(s["html"] for s in swaps if s["key"] == "layers")
    assert 'data-testid="instance-row-web2"' in layers
    assert 'data-testid="instance-start-web2"' in layers  # an admin's rows have controls


def test_an_unchanged_stack_streams_no_swap(browser: Browser, demo: Api) -> None:
    make_instance(demo, "demo", ["web"], "web1")
    client: TestClient = browser("admin")
    url = live_url(client.get("/stacks/demo").text)
    assert events(client.get(url).text) == []
