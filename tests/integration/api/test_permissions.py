"""Per-stack permission levels through the API, and SSH access: who is in a stack's
`ssh_users`, and the SSH accounts recipe queued on its online instances whenever that changes."""

from __future__ import annotations

from typing import Any

from support.api_harness import Api, make_instance, make_layer, make_stack, make_user

from .test_lifecycle import FakeAgent, bring_online
from .test_users import ED25519

RSA = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7dGVzdC1yc2Eta2V5LWJvZHktYnl0ZXMtZm9yLXRo"
    "ZS1zdGFja3dvcmtzLXRlc3Qtc3VpdGUtb25seS0xMjM0NTY3ODkwYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo="
    " bob@desk"
)


def ssh_commands(agent: FakeAgent) -> list[dict[str, Any]]:
    return [c for c in agent.drain() if c["run_list"] == ["stackworks::ssh_users"]]


def test_levels_follow_opsworks_show_reads_deploy_deploys_and_updates_apps_manage_changes(
    api: Api,
) -> None:
    make_stack(api, "shop")
    make_layer(api, "shop", "app", "python-app")
    api.post("/stacks/shop/apps", {"shortname": "web", "source": {"type": "git", "url": "x"}})
    show = api.headers(make_user(api, "viewer", levels={"shop": "show"}))
    deploy = api.headers(make_user(api, "ci", levels={"shop": "deploy"}))
    manage = api.headers(make_user(api, "lead", levels={"shop": "manage"}))
    assert api.get("/stacks/shop/apps/web", headers=show).status_code == 200
    patch = {"environment": [{"key": "A", "value": "1"}]}
    refused = api.patch("/stacks/shop/apps/web", patch, headers=show)
    assert refused.status_code == 403
    assert refused.json()["detail"]["message"] == (
        "this needs deploy on stack 'shop'; user 'viewer' has show"
    )
    assert api.patch("/stacks/shop/apps/web", patch, headers=deploy).status_code == 200
    new_app = {"shortname": "api", "source": {"type": "git", "url": "x"}}
    assert api.post("/stacks/shop/apps", new_app, headers=deploy).status_code == 403
    assert api.post("/stacks/shop/apps", new_app, headers=manage).status_code == 201
    # a manager sets permissions on their own stack, but makes no stacks or users
    assert (
        api.put("/stacks/shop/permissions/viewer", {"level": "deploy"}, headers=manage).status_code
        == 200
    )
    assert api.post("/stacks", {"name": "more"}, headers=manage).status_code == 403
    assert api.post("/users", {"name": "eve"}, headers=manage).status_code == 403
    listed = api.get("/stacks/shop/permissions", headers=manage).json()
    assert [(p["user"], p["level"]) for p in listed] == [
        ("ci", "deploy"),
        ("lead", "manage"),
        ("viewer", "deploy"),
    ]


def test_an_old_deploy_token_deploys_on_every_stack_even_new_ones_unless_denied(api: Api) -> None:
    ci = api.headers(api.post("/tokens", {"name": "ci", "role": "deploy"}).json()["token"])
    make_stack(api, "old")
    make_stack(api, "new")
    assert [s["name"] for s in api.get("/stacks", headers=ci).json()] == ["new", "old"]
    assert api.get("/users/ci").json()["default_level"] == "deploy"
    assert api.put("/stacks/old/permissions/ci", {"level": "deny"}).status_code == 200
    assert api.get("/stacks/old", headers=ci).status_code == 404
    assert [s["name"] for s in api.get("/stacks", headers=ci).json()] == ["new"]
    assert api.delete("/stacks/old/permissions/ci").status_code == 204
    assert api.get("/stacks/old", headers=ci).status_code == 200
    assert [(t["name"], t["role"]) for t in api.get("/tokens").json()] == [
        ("admin", "admin"),
        ("ci", "deploy"),
    ]


def test_a_bad_level_or_an_unknown_user_is_refused_naming_the_field(api: Api) -> None:
    make_stack(api, "shop")
    bad = api.put("/stacks/shop/permissions/admin", {"level": "iam_only"})
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "level"
    unknown = api.put("/stacks/shop/permissions/ghost", {"level": "show"})
    assert unknown.status_code == 404 and unknown.json()["detail"]["field"] == "user"
    assert api.get("/stacks/shop/permissions").json() == []


def test_ssh_users_lists_users_allowed_ssh_with_sudo_sorted_and_only_complete_profiles(
    api: Api,
) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    make_user(api, "zed", ssh_username="zed", ssh_public_key=ED25519)
    make_user(api, "bob", ssh_username="bob", ssh_public_key=RSA)
    make_user(api, "nokey")
    make_user(api, "viewer", ssh_username="viewer", ssh_public_key=ED25519)
    for user, body in (
        ("zed", {"level": "show", "allow_ssh": True}),
        ("bob", {"level": "deploy", "allow_ssh": True, "allow_sudo": True}),
        ("nokey", {"level": "manage", "allow_ssh": True}),
        ("viewer", {"level": "show"}),
    ):
        assert api.put(f"/stacks/demo/permissions/{user}", body).status_code == 200
    agent = bring_online(api, "app1")
    commands = api.get("/stacks/demo/commands?configuration=true").json()
    (setup,) = [c for c in commands if c["type"] == "setup"]
    configuration = setup["configuration"]
    assert configuration["ssh_users"] == [
        {"username": "bob", "public_key": RSA, "sudo": True},
        {"username": "zed", "public_key": ED25519, "sudo": False},
    ]
    agent.drain()


def test_changing_ssh_access_queues_the_ssh_users_recipe_on_every_online_instance(
    api: Api,
) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    make_instance(api, "demo", ["app"], "app2")
    make_user(api, "ann", ssh_username="ann", ssh_public_key=ED25519)
    app1 = bring_online(api, "app1")
    app2 = bring_online(api, "app2")
    app1.drain()
    app2.drain()

    api.put("/stacks/demo/permissions/ann", {"level": "show", "allow_ssh": True})
    (on_app1,) = ssh_commands(app1)
    (on_app2,) = ssh_commands(app2)
    assert on_app1["type"] == "execute_recipes"
    assert on_app1["configuration"]["ssh_users"] == [
        {"username": "ann", "public_key": ED25519, "sudo": False}
    ]
    assert "ssh access of user 'ann' changed" in on_app1["configuration"]["command"]["reason"]
    assert on_app2["configuration"]["ssh_users"] == on_app1["configuration"]["ssh_users"]

    # a level change alone leaves the accounts as they are: nothing queued
    api.put("/stacks/demo/permissions/ann", {"level": "deploy"})
    assert ssh_commands(app1) == []

    api.put("/stacks/demo/permissions/ann", {"level": "deploy", "allow_sudo": True})
    (sudo,) = ssh_commands(app1)
    assert sudo["configuration"]["ssh_users"][0]["sudo"] is True

    assert api.patch("/users/ann", {"ssh_public_key": RSA}).status_code == 200
    (rekeyed,) = ssh_commands(app1)
    assert rekeyed["configuration"]["ssh_users"][0]["public_key"] == RSA
    assert "ssh profile of user 'ann' changed" in rekeyed["configuration"]["command"]["reason"]

    assert api.delete("/users/ann").status_code == 204
    (gone,) = ssh_commands(app1)
    assert gone["configuration"]["ssh_users"] == []
    assert len(ssh_commands(app2)) == 3


def test_ssh_changes_reach_only_the_stacks_where_the_user_has_ssh(api: Api) -> None:
    make_stack(api, "demo")
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    make_user(api, "ann", ssh_username="ann", ssh_public_key=ED25519)
    agent = bring_online(api, "app1")
    agent.drain()
    api.put("/stacks/demo/permissions/ann", {"level": "manage"})
    api.patch("/users/ann", {"ssh_public_key": RSA})
    assert ssh_commands(agent) == []


def test_a_deleted_stacks_permissions_go_with_it(api: Api) -> None:
    make_stack(api, "shop")
    token = make_user(api, "ann", levels={"shop": "manage"})
    assert api.delete("/stacks/shop").status_code == 204
    make_stack(api, "shop")
    assert api.get("/stacks/shop/permissions").json() == []
    assert api.get("/stacks/shop", headers=api.headers(token)).status_code == 404


def test_a_user_changes_their_own_ssh_key_and_the_instances_hear_of_it(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    token = make_user(api, "ann", ssh_username="ann", ssh_public_key=ED25519)
    api.put("/stacks/demo/permissions/ann", {"level": "show", "allow_ssh": True})
    agent = bring_online(api, "app1")
    agent.drain()
    mine = api.headers(token)
    changed = api.patch("/me", {"ssh_public_key": RSA}, headers=mine)
    assert changed.status_code == 200 and changed.json()["ssh_public_key"] == RSA
    (rekeyed,) = ssh_commands(agent)
    assert rekeyed["configuration"]["ssh_users"][0]["public_key"] == RSA
    assert api.patch("/me", {"ssh_username": "root"}, headers=mine).status_code == 422
    assert api.patch("/me", {"ssh_public_key": "nope"}, headers=mine).status_code == 422
