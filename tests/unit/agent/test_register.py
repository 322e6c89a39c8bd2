"""`stackworks agent register`: asks the server, writes a private config, never prints secrets."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest

from stackworks.agent.config import load_config
from stackworks.agent.register import RegisterError, register_host


def _server(status: int = 200) -> tuple[httpx.MockTransport, list[dict[str, object]]]:
    seen: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(
            {
                "path": request.url.path,
                "auth": request.headers["Authorization"],
                "body": json.loads(request.content),
            }
        )
        if status != 200:
            return httpx.Response(
                status, json={"detail": {"message": "no layer 'x'", "field": "layers"}}
            )
        return httpx.Response(
            200,
            json={
                "instance_id": "i-9",
                "hostname": "db1",
                "stack_id": "s-1",
                "credential": "fresh-credential",
                "heartbeat_interval": 15,
            },
        )

    return httpx.MockTransport(handle), seen


def test_register_writes_a_private_config_with_the_credential(tmp_path: Path) -> None:
    transport, seen = _server()
    printed: list[str] = []
    path = register_host(
        "http://127.0.0.1:8700",
        "shop",
        ["db", " "],
        "swr_registration",
        hostname="db1",
        private_ip="127.77.0.5",
        config_path=tmp_path / "agent.json",
        transport=transport,
        echo=printed.append,
    )
    assert seen == [
        {
            "path": "/api/v1/agent/register",
            "auth": "Bearer swr_registration",
            "body": {
                "stack": "shop",
                "layers": ["db"],
                "hostname": "db1",
                "private_ip": "127.77.0.5",
            },
        }
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = load_config(path)
    assert (config.instance_id, config.credential) == ("i-9", "fresh-credential")
    assert config.state_dir == tmp_path / "agent-state"
    assert "fresh-credential" not in "".join(printed)
    assert f"stackworks agent run --config {path}" in "".join(printed)


def test_a_refusal_is_reported_with_the_servers_reason(tmp_path: Path) -> None:
    transport, _ = _server(status=404)
    with pytest.raises(RegisterError, match=r"no layer 'x' \(field layers\)"):
        register_host(
            "http://127.0.0.1:8700",
            "shop",
            ["x"],
            "t",
            hostname="h",
            private_ip="127.77.0.5",
            config_path=tmp_path / "a.json",
            transport=transport,
            echo=lambda _: None,
        )
    assert not (tmp_path / "a.json").exists()


def test_a_refused_registration_token_is_reported_with_the_servers_reason(
    tmp_path: Path,
) -> None:
    transport, _ = _server(status=401)
    with pytest.raises(RegisterError, match="refused the registration token: no layer"):
        register_host(
            "http://127.0.0.1:8700",
            "shop",
            ["db"],
            "bad",
            hostname="h",
            private_ip="127.77.0.5",
            config_path=tmp_path / "a.json",
            transport=transport,
            echo=lambda _: None,
        )


def test_no_layers_is_refused_before_asking(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="--layers"):
        register_host(
            "http://127.0.0.1:8700",
            "shop",
            [""],
            "t",
            config_path=tmp_path / "a.json",
            echo=lambda _: None,
        )
