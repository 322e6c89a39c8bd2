"""The wait between two client restarts (stackworks.cookbooks.plone_instances.health): the
health check, then one warm-up GET, then the pause the front end's checks need; against a
small HTTP server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from stackworks.cookbooks.plone_instances import health
from support.loopback_http import LoopbackHTTPServer, serving


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def _answer(self) -> None:
        self.seen.append((self.command, self.path))
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def client() -> Iterator[tuple[str, int]]:
    _Recorder.seen = []
    with serving(LoopbackHTTPServer(("127.0.0.1", 0), _Recorder)) as server:
        yield "127.0.0.1", server.server_address[1]


def test_the_wait_checks_then_warms_up_then_settles(client: tuple[str, int]) -> None:
    host, port = client
    started = time.monotonic()
    code = health.main([host, str(port), "--warm", "/Plone", "--settle", "0.3"])
    assert code == 0
    assert time.monotonic() - started >= 0.3
    # the warm-up page may answer anything (a site not created yet is a 404)
    assert _Recorder.seen == [("HEAD", "/"), ("GET", "/Plone")]


def test_a_client_that_never_answers_fails_without_warming_up(client: tuple[str, int]) -> None:
    host, port = client
    code = health.main([host, str(port), "--path", "/missing", "--timeout", "0", "--warm", "/"])
    assert code == 1
    assert _Recorder.seen == [("HEAD", "/missing")]
