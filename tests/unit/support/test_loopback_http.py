"""The tests' HTTP server: a client hanging up writes nothing to stderr, a held handler ends
with its test, and any other handler error reaches logging."""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from support.loopback_http import LoopbackHTTPServer, serving


class _Hold(BaseHTTPRequestHandler):
    """Holds every GET until the server closes, then answers into whatever socket is left."""

    server: LoopbackHTTPServer
    started = threading.Event()
    ended = threading.Event()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).started.set()
        try:
            self.server.closing.wait(30)
            if self.path == "/broken":
                raise ValueError("a bug in the handler")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * 1_000_000)  # into a socket the client closed
        finally:
            type(self).ended.set()


def _hang_up_while_held(server: LoopbackHTTPServer, path: str) -> None:
    host, port = server.server_address[:2]
    client = socket.create_connection((str(host), port), timeout=5)
    client.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
    assert _Hold.started.wait(5)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    client.close()  # a reset, as a killed client gives


@pytest.fixture(autouse=True)
def _fresh_events() -> None:
    _Hold.started = threading.Event()
    _Hold.ended = threading.Event()


def test_a_client_that_hung_up_on_a_held_request_prints_nothing_after_the_server_closes(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with serving(LoopbackHTTPServer(("127.0.0.1", 0), _Hold)) as server:
        _hang_up_while_held(server, "/held")
    assert _Hold.ended.is_set()  # serving() waited for the held handler
    captured = capfd.readouterr()
    assert "Exception occurred" not in captured.err
    assert captured.err == ""


def test_any_other_handler_error_goes_to_logging(caplog: pytest.LogCaptureFixture) -> None:
    server = LoopbackHTTPServer(("127.0.0.1", 0), _Hold)
    with caplog.at_level(logging.ERROR, logger="support.loopback_http"), serving(server):
        _hang_up_while_held(server, "/broken")
    assert _Hold.ended.is_set()
    errors = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert [str(error) for error in errors] == ["a bug in the handler"]


def test_the_server_answers_and_names_its_url() -> None:
    class Ok(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(204)
            self.end_headers()

    with serving(LoopbackHTTPServer(("127.0.0.1", 0), Ok)) as server:
        assert httpx.get(server.url + "/", timeout=5).status_code == 204
