"""A threaded HTTP server for tests that ends cleanly and never writes to another test's stderr.

The standard library's servers print a handler's exception to sys.stderr from the handler's own
thread. A handler still running after its test ended (a held long poll whose client was killed,
answering into a closed socket) then printed into whichever test was capturing output next:
CI once saw "Exception occurred during processing of request" in a CLI test's stderr. So a
client that hung up is not an error here, any other handler error goes to logging (pytest
shows it with the test that caused it), and `serving()` wakes held handlers (`server.closing`)
and waits for them before the test goes on.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

log = logging.getLogger(__name__)

HANDLER_WAIT = 5.0  # seconds serving() waits, on leaving, for handlers still running


class LoopbackHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its handler threads and keeps their errors off stderr."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.closing = threading.Event()  # handlers that hold a request wait on this
        self._handlers: set[threading.Thread] = set()
        self._handlers_lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._handle_tracked, args=(request, client_address), daemon=True
        )
        with self._handlers_lock:
            self._handlers.add(thread)
        thread.start()

    def _handle_tracked(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._handlers_lock:
                self._handlers.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Called from within the except block of the handler's thread.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return  # the client hung up (killed, timed out, a health check): not the server's fault
        log.exception("a test HTTP server's handler failed for %s", client_address)

    def join_handlers(self, timeout: float) -> None:
        with self._handlers_lock:
            running = list(self._handlers)
        for thread in running:
            thread.join(timeout)


Server = TypeVar("Server", bound=LoopbackHTTPServer)


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    """Serve on a thread; on leaving, stop accepting, wake held handlers and wait for them."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.closing.set()
        server.shutdown()
        server.join_handlers(HANDLER_WAIT)
        server.server_close()
        thread.join(HANDLER_WAIT)
