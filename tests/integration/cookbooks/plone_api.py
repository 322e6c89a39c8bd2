"""plone.restapi calls the Plone integration tests make, as the Zope manager, over loopback."""

from __future__ import annotations

import base64
import http.client
import json
from typing import Any


def request(
    host: str,
    port: int,
    method: str,
    path: str,
    password: str,
    body: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """One call as `admin` with `password`: the status and the JSON answer ({} if none)."""
    token = base64.b64encode(f"admin:{password}".encode()).decode()
    headers = {"Accept": "application/json", "Authorization": f"Basic {token}"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        return response.status, (json.loads(text) if text.startswith("{") else {})
    finally:
        connection.close()


def title(host: str, port: int, path: str, password: str) -> str | None:
    """The title of the page at `path`, None while it cannot be read (yet)."""
    try:
        status, document = request(host, port, "GET", path, password)
    except OSError:
        return None
    return str(document.get("title")) if status == 200 else None
