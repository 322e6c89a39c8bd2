"""Secrets through export and apply: masked by default, kept when sent back masked, left unset
(with a warning) where the stack has nothing to keep, in clear only for an admin who asks."""

from __future__ import annotations

from typing import Any

from stackworks.store import apps, databases, stacks
from support.api_harness import Api

FILTERED = "*****FILTERED*****"


def document(name: str = "shop") -> dict[str, Any]:
    return {
        "name": name,
        "custom_json": {"mail": {"password": {"$secret": "m41l-pw"}}},
        "layers": [{"shortname": "app", "custom_json": {"k": {"$secret": "layer-k3y"}}}],
        "databases": [
            {
                "name": "main",
                "engine": "postgresql",
                "host": "db.internal",
                "database": "shop",
                "user": "shop",
                "password": "db-pa55",
            }
        ],
        "apps": [
            {
                "shortname": "web",
                "source": {"url": "file:///r"},
                "environment": [{"key": "SECRET_KEY", "value": "s3cret", "secure": True}],
            }
        ],
    }


def stored(api: Api, stack: str) -> dict[str, Any]:
    with api.db.transaction() as session:
        found = stacks.get_by_name(session, stack)
        return {
            "custom_json": found.custom_json,
            "env": apps.get(session, found.id, "web").environment[0].value,
            "password": databases.get(session, found.id, "main").password,
        }


def test_an_export_applied_back_keeps_every_secret_unchanged(api: Api) -> None:
    assert api.put("/stacks/shop/document", document()).status_code == 200
    exported = api.get("/stacks/shop/document").json()
    text = str(exported)
    for clear in ("m41l-pw", "layer-k3y", "db-pa55", "s3cret"):
        assert clear not in text
    assert exported["custom_json"]["mail"]["password"] == {"$secret": FILTERED}

    answer = api.put("/stacks/shop/document", exported).json()

    assert answer["warnings"] == []
    assert answer["created"] == [] and answer["updated"] == []
    assert stored(api, "shop") == {
        "custom_json": {"mail": {"password": {"$secret": "m41l-pw"}}},
        "env": "s3cret",
        "password": "db-pa55",
    }


def test_an_export_applied_to_another_stack_leaves_its_secrets_unset_with_warnings(
    api: Api,
) -> None:
    api.put("/stacks/shop/document", document())
    exported = {**api.get("/stacks/shop/document").json(), "name": "copy"}

    answer = api.put("/stacks/copy/document", exported).json()

    assert len(answer["warnings"]) == 4, answer["warnings"]
    assert any("custom_json.mail.password" in w for w in answer["warnings"])
    assert any("environment.SECRET_KEY" in w for w in answer["warnings"])
    with api.db.transaction() as session:
        copy = stacks.get_by_name(session, "copy")
        assert copy.custom_json == {"mail": {}}
        assert apps.get(session, copy.id, "web").environment == ()
        assert databases.get(session, copy.id, "main").password == ""


def test_with_secrets_an_admin_gets_a_document_that_clones_the_secrets(api: Api) -> None:
    api.put("/stacks/shop/document", document())
    full = api.get("/stacks/shop/document", params={"with_secrets": "true"}).json()
    answer = api.put("/stacks/copy/document", {**full, "name": "copy"}).json()
    assert answer["warnings"] == []
    assert stored(api, "copy") == stored(api, "shop")


def test_a_deploy_token_cannot_export_secrets(api: Api) -> None:
    api.put("/stacks/shop/document", document())
    deployer = api.post("/tokens", {"name": "ci", "role": "deploy"}).json()["token"]
    refused = api.get(
        "/stacks/shop/document", params={"with_secrets": "true"}, headers=api.headers(deployer)
    )
    assert refused.status_code == 403
    assert refused.json()["detail"]["field"] == "with_secrets"
    assert api.get("/stacks/shop/document", headers=api.headers(deployer)).status_code == 200


def test_the_mask_sent_where_no_secret_is_stored_is_refused_naming_the_field(api: Api) -> None:
    api.put("/stacks/shop/document", document())
    refused = api.patch("/stacks/shop", {"custom_json": {"other": {"$secret": FILTERED}}})
    assert refused.status_code == 422
    assert refused.json()["detail"]["field"] == "custom_json.other"
    refused = api.patch(
        "/stacks/shop/apps/web",
        {"environment": [{"key": "NEW", "value": FILTERED, "secure": True}]},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"]["field"] == "environment.NEW"
    assert stored(api, "shop")["env"] == "s3cret"


def test_a_deployment_refuses_secrets_in_its_custom_json(api: Api) -> None:
    api.put("/stacks/shop/document", document())
    refused = api.post(
        "/stacks/shop/deployments",
        {"command": {"name": "configure"}, "custom_json": {"x": {"$secret": "no"}}},
    )
    assert refused.status_code == 422
    assert "custom_json" in refused.json()["detail"]["message"]
