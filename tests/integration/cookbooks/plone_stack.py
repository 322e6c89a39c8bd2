"""What the Plone integration tests share: a stack configuration for a Plone app, running a
run list that must succeed, and plone.restapi calls as the Zope manager over loopback."""

from __future__ import annotations

import base64
import http.client
import json
from pathlib import Path
from typing import Any

from integration.cookbooks.cookbook_instances import COOKBOOKS, Instance
from stackworks.converge import run_recipes


def configuration(
    me: Instance,
    instances: list[Instance],
    *,
    layer_types: dict[str, str],
    attributes: dict[str, Any],
    app: dict[str, Any],
) -> dict[str, Any]:
    """A stack configuration (the shape stack_config builds) for `me`, with one app
    `plone_instances` (`app` over its defaults) and the layers `layer_types` (name: type)."""
    layers: dict[str, Any] = {
        name: {"id": f"l-{name}", "name": name, "type": kind, "instances": {}}
        for name, kind in layer_types.items()
    }
    for other in instances:
        for layer in other.layers:
            layers[layer]["instances"][other.hostname] = other.describe()
    return {
        "stackworks": {"version": "test", "service_manager": "supervisor", "packages": []},
        "attributes": attributes,
        "stack": {"id": "s-1", "name": "plone"},
        "layers": layers,
        "instances": {i.hostname: i.describe() for i in instances},
        "apps": {
            "plone_instances": {
                "id": "a-1",
                "name": "Plone site",
                "secure_keys": ["PLONE_ADMIN_PASSWORD"],
                "data_sources": [],
                "domains": [],
                "attributes": {},
                "deploy": True,
                **app,
            }
        },
        "self": {**me.describe(), "roots": me.roots},
        "command": {"id": "c-1", "type": "deploy", "args": {}, "reason": ""},
        "deployment": None,
    }


def run(run_list: list[str], config: dict[str, Any], lines: list[str]) -> Any:
    """Run the recipes for real; a failure shows the error and the log's last lines."""
    report = run_recipes(run_list, config, cookbook_paths=[COOKBOOKS], log=lines.append)
    assert report.ok, f"{report.error}\n" + "\n".join(lines[-40:])
    return report


def source(repo: Path) -> dict[str, str]:
    return {"type": "git", "url": str(repo), "revision": "main"}


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
