"""A tiny HTTP server posing as the ZEO clients of a plone-instances instance, for tests.

`python echo_clients.py HOST PORT [PORT ...]` serves each port; every answer names the port and
echoes the request path and Host header, so a test sees where nginx's rewrite and HAProxy's
balancing sent it. HEAD (HAProxy's health check) is answered without a body. Responses carry
no caching headers: Varnish keeps them for its default TTL.
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, with_body: bool) -> None:
        port = self.server.server_address[1]
        host = self.headers.get("Host", "")
        cookie = "cookie" if self.headers.get("Cookie") else "no-cookie"
        body = f"port={port} path={self.path} host={host} {cookie}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self.answer(True)

    def do_HEAD(self) -> None:
        self.answer(False)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    host, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
    servers = [ThreadingHTTPServer((host, port), Echo) for port in ports]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
