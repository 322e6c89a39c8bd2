"""A tiny WSGI app to deploy with Stackworks: shows which instance and process answered.

`/` lists the instance hostname, the process's PORT, the names of the app's environment
variables whose values are not secret and the database it was given (DATABASE_URL's engine,
host, port and name: never its user or password); `/health` answers the load balancer's health check
(any method, OPTIONS included). Standard library only, so it imports in milliseconds.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

StartResponse = Callable[[str, list[tuple[str, str]]], object]


def _app_keys() -> list[str]:
    """The app's non-secret environment keys, from the deploy config Stackworks writes."""
    # <app>/releases/<release>/wsgi.py -> <app>/shared/deploy.json, unless told otherwise
    default = Path(__file__).resolve().parents[2] / "shared" / "deploy.json"
    path = Path(os.environ.get("STACKWORKS_DEPLOY_JSON") or default)
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    secure = set(config.get("secure_keys", []))
    return sorted(k for k in config.get("environment", {}) if k not in secure)


def _database() -> str:
    """Where DATABASE_URL points, without its credentials; "none" when it is not set."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "none"
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname}:{parts.port}{parts.path}"
    except ValueError:
        return "unreadable"


def application(environ: dict[str, object], start_response: StartResponse) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/health":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    hostname = html.escape(os.environ.get("HOSTNAME", "unknown"))
    port = html.escape(os.environ.get("PORT", "unknown"))
    keys = "".join(f"<li>{html.escape(k)}</li>" for k in _app_keys())
    body = (
        "<!doctype html><title>Stackworks sample app</title>"
        f"<h1>Hello from {hostname}</h1>"
        f"<p>instance: <b id='hostname'>{hostname}</b>, port: <b id='port'>{port}</b></p>"
        f"<h2>Environment</h2><ul id='keys'>{keys}</ul>"
        f"<p>database: <b id='database'>{html.escape(_database())}</b></p>"
    ).encode()
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
