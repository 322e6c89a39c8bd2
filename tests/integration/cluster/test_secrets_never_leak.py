"""Issue 13's must-show for secrets, on real processes: an app whose recipe prints its
environment, deployed on a local instance, shows `*****FILTERED*****` in the stored log and in
every API answer, and a byte search of the server's data dir (database, WAL, logs, key file:
everything but the instance roots) finds none of the clear values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.cluster import ServerProcess

pytestmark = pytest.mark.integration

FILTERED = "*****FILTERED*****"
COOKBOOKS = Path(__file__).parent / "cookbooks"
ENV_SECRET = "env-value-5ad1e4c3"
DB_PASSWORD = "db-password-88f0c2"
ATTRIBUTE_SECRET = "json-secret-7be1d9"
CLEAR = (ENV_SECRET, DB_PASSWORD, ATTRIBUTE_SECRET)
PRINTENV = ["leaky::printenv"]


def document() -> dict[str, Any]:
    return {
        "name": "vault",
        "custom_json": {"leaky": {"user": "ops", "api_key": {"$secret": ATTRIBUTE_SECRET}}},
        "cookbook_sources": [{"type": "path", "url": str(COOKBOOKS)}],
        "layers": [{"shortname": "app", "recipes": {"setup": PRINTENV, "deploy": PRINTENV}}],
        "databases": [
            {
                "name": "main",
                "engine": "postgresql",
                "host": "127.0.0.1",
                "port": 5432,
                "database": "shop",
                "user": "shop",
                "password": DB_PASSWORD,
            }
        ],
        "apps": [
            {
                "shortname": "web",
                "source": {"type": "git", "url": "file:///nowhere.git"},
                "layers": ["app"],
                "environment": [
                    {"key": "GREETING", "value": "hello"},
                    {"key": "SECRET_KEY", "value": ENV_SECRET, "secure": True},
                ],
                "data_sources": [{"name": "main"}],
            }
        ],
        "instances": [{"hostname": "app1", "layers": ["app"]}],
    }


def assert_no_clear_value(what: str, answer: Any) -> None:
    text = json.dumps(answer)
    for clear in CLEAR:
        assert clear not in text, f"{what} shows {clear!r}"


def test_secrets_reach_the_instance_and_show_only_as_filtered_everywhere_else(
    server: ServerProcess,
) -> None:
    server.call("PUT", "/stacks/vault/document", document(), expect=200)
    server.call("POST", "/stacks/vault/instances/app1/start", expect=200)
    server.wait_for_status("vault", ["app1"], "online")
    deployment = server.call(
        "POST",
        "/stacks/vault/deployments",
        {"command": {"name": "deploy"}, "app": "web"},
        expect=201,
    )
    server.wait_idle("vault")

    # the instance got the clear values: the test could fail
    root = Path(server.instances("vault")["app1"]["root_dir"])
    seen = json.loads((root / "var" / "leaky" / "seen.json").read_text())
    assert seen["web"]["SECRET_KEY"] == ENV_SECRET
    assert DB_PASSWORD in seen["web"]["DATABASE_URL"]
    assert seen["attributes"]["api_key"] == ATTRIBUTE_SECRET

    # the stored logs: printed, and masked
    commands = server.call("GET", "/stacks/vault/commands?logs=true&configuration=true", expect=200)
    assert {c["type"]: c["status"] for c in commands} == {
        "setup": "successful",
        "configure": "successful",
        "deploy": "successful",
    }
    logs = "".join(c["log"] for c in commands)
    assert f"SECRET_KEY={FILTERED}" in logs
    assert f"DATABASE_URL={FILTERED}" in logs
    assert f'"api_key": "{FILTERED}"' in logs
    answers = {
        "commands with logs and configuration": commands,
        "deployment with logs": server.call(
            "GET", f"/stacks/vault/deployments/{deployment['id']}?logs=true", expect=200
        ),
        "app show": server.call("GET", "/stacks/vault/apps/web", expect=200),
        "database show": server.call("GET", "/stacks/vault/databases/main", expect=200),
        "stack show": server.call("GET", "/stacks/vault", expect=200),
        "layers": server.call("GET", "/stacks/vault/layers", expect=200),
        "export": server.call("GET", "/stacks/vault/document", expect=200),
        "events": server.events("vault"),
    }
    for what, answer in answers.items():
        assert_no_clear_value(what, answer)
    assert answers["export"]["apps"][0]["environment"][1]["value"] == FILTERED
    assert answers["stack show"]["custom_json"]["leaky"]["api_key"] == {"$secret": FILTERED}

    # a deploy token may not ask for the secrets; the admin may
    deployer = server.call("POST", "/tokens", {"name": "ci", "role": "deploy"}, expect=201)
    refused = server.client.get(
        "/stacks/vault/document?with_secrets=true",
        headers={"Authorization": f"Bearer {deployer['token']}"},
    )
    assert refused.status_code == 403 and "with_secrets" in refused.text
    full = server.call("GET", "/stacks/vault/document?with_secrets=true", expect=200)
    assert full["apps"][0]["environment"][1]["value"] == ENV_SECRET

    # the data dir, byte by byte, while running and after the server stopped
    for moment in ("running", "stopped"):
        if moment == "stopped":
            server.stop()
        for path in files_outside_instances(server.data_dir):
            content = path.read_bytes()
            for clear in CLEAR:
                assert clear.encode() not in content, f"{path} ({moment}) holds {clear!r}"


def files_outside_instances(data_dir: Path) -> list[Path]:
    instances = data_dir / "instances"
    found = [p for p in data_dir.rglob("*") if p.is_file() and instances not in p.parents]
    assert any(p.name == "stackworks.db" for p in found)
    return found
