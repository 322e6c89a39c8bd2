"""The stack configuration: attribute precedence, online instances only, masking."""

from __future__ import annotations

from stackworks.domain.entities import (
    FILTERED,
    App,
    AppSource,
    Deployment,
    EnvironmentVariable,
    Instance,
    Layer,
    Stack,
)
from stackworks.domain.stack_config import (
    StackSnapshot,
    build_configuration,
    mask_configuration,
    secure_values,
)
from stackworks.domain.status import CommandName, InstanceStatus, LayerType, SourceType


def snapshot() -> StackSnapshot:
    stack = Stack(id="s", name="demo", custom_json={"a": {"x": 1, "y": 1}, "k": "stack"})
    layers = [
        Layer(
            id="l1",
            stack_id="s",
            shortname="lb",
            name="lb",
            type=LayerType.LB,
            custom_json={"a": {"y": 2}},
        ),
        Layer(
            id="l2",
            stack_id="s",
            shortname="app",
            name="app",
            type=LayerType.PYTHON_APP,
            custom_json={"k": "app"},
            packages=("curl",),
        ),
    ]
    apps = [
        App(
            id="a1",
            stack_id="s",
            shortname="web",
            name="web",
            source=AppSource(SourceType.GIT, "file:///r"),
            environment=(
                EnvironmentVariable("PLAIN", "p"),
                EnvironmentVariable("TOKEN", "t0p", secure=True),
            ),
        ),
    ]
    instances = [
        Instance(
            id="i1",
            stack_id="s",
            hostname="lb1",
            layers=("lb",),
            status=InstanceStatus.ONLINE,
            private_ip="127.77.0.1",
        ),
        Instance(
            id="i2",
            stack_id="s",
            hostname="app1",
            layers=("app",),
            status=InstanceStatus.ONLINE,
            private_ip="127.77.0.2",
            root_dir="/r/app1",
        ),
        Instance(
            id="i3",
            stack_id="s",
            hostname="app2",
            layers=("app",),
            status=InstanceStatus.STOPPED,
            private_ip="127.77.0.3",
        ),
    ]
    return StackSnapshot(stack, layers, apps, instances)


def test_attributes_merge_stack_then_layers_then_deployment() -> None:
    snap = snapshot()
    deployment = Deployment(
        id="d", stack_id="s", command=CommandName.DEPLOY, custom_json={"a": {"x": 9}}
    )
    config = build_configuration(
        snap, snap.instances[0], command={"id": "c"}, deployment=deployment
    )
    assert config["attributes"] == {"a": {"x": 9, "y": 2}, "k": "stack"}
    app_config = build_configuration(snap, snap.instances[1], command={"id": "c"})
    assert app_config["attributes"]["k"] == "app"


def test_stack_state_lists_only_online_instances_per_layer() -> None:
    snap = snapshot()
    config = build_configuration(snap, snap.instances[0], command={"id": "c"})
    assert sorted(config["instances"]) == ["app1", "lb1"]
    assert list(config["layers"]["app"]["instances"]) == ["app1"]
    assert config["layers"]["app"]["instances"]["app1"]["private_ip"] == "127.77.0.2"


def test_self_carries_roots_and_packages_of_its_layers() -> None:
    snap = snapshot()
    config = build_configuration(snap, snap.instances[1], command={"id": "c"})
    assert config["self"]["roots"]["srv"] == "/r/app1/srv"
    assert config["stackworks"]["packages"] == ["curl"]
    assert config["stackworks"]["service_manager"] == "supervisor"


def test_deploy_flag_marks_only_the_apps_named() -> None:
    snap = snapshot()
    assert (
        build_configuration(snap, snap.instances[1], command={}, deploy_app_ids=["a1"])["apps"][
            "web"
        ]["deploy"]
        is True
    )
    assert (
        build_configuration(snap, snap.instances[1], command={})["apps"]["web"]["deploy"] is False
    )


def test_masking_hides_secure_values_and_keeps_the_rest() -> None:
    snap = snapshot()
    config = build_configuration(snap, snap.instances[1], command={})
    masked = mask_configuration(config)
    assert masked["apps"]["web"]["environment"] == {"PLAIN": "p", "TOKEN": FILTERED}
    assert config["apps"]["web"]["environment"]["TOKEN"] == "t0p"
    assert secure_values(config) == ["t0p"]


def test_attribute_passwords_count_as_secure_values_for_the_agents_scrubber() -> None:
    config = {
        "attributes": {
            "plone_instances": {"relstorage": {"db": {"host": "db", "password": "pg-s3cret"}}},
            "haproxy": {"stats_password": "st4ts", "servers": [{"password": "x1"}], "user": "u"},
        },
        "apps": {},
    }
    assert sorted(secure_values(config)) == ["pg-s3cret", "st4ts", "x1"]
