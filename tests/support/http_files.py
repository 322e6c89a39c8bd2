"""A loopback HTTP server that serves files from a dict, for remote_file and archive tests.

It records each request's path and Authorization header, answers `redirects` with a 302 and,
when `auth` is set, answers 401 to any other credentials. `serve()` starts it on 127.0.0.1
and shuts it down on leaving.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from support.loopback_http import LoopbackHTTPServer, serving


@dataclass
class Served:
    """What the server serves (`files`: URL path -> bytes) and the requests it saw."""

    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    auth: tuple[str, str] | None = None
    redirects: dict[str, str] = field(default_factory=dict)  # URL path -> Location
    requests: list[tuple[str, str]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@contextmanager
def serve() -> Iterator[Served]:
    served = Served()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            header = self.headers.get("Authorization", "")
            served.requests.append((self.path, header))
            if served.auth is not None:
                wanted = base64.b64encode(":".join(served.auth).encode()).decode()
                if header != f"Basic {wanted}":
                    self.send_response(401, "Unauthorized")
                    self.end_headers()
                    return
            if self.path in served.redirects:
                self.send_response(302, "Found")
                self.send_header("Location", served.redirects[self.path])
                self.end_headers()
                return
            body = served.files.get(self.path)
            if body is None:
                self.send_response(404, "Not Found")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(LoopbackHTTPServer(("127.0.0.1", 0), Handler)) as server:
        served.url = server.url
        yield served
