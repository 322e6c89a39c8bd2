"""The shared sections of a stack configuration: built once, versioned by content, joined back."""

from __future__ import annotations

import json
from dataclasses import replace

from stackworks.domain import shared_configuration
from stackworks.domain.entities import Instance
from stackworks.domain.stack_config import (
    StackSnapshot,
    build_configuration,
    build_own_configuration,
)
from stackworks.domain.status import InstanceStatus

from .test_stack_config import snapshot

COMMAND = {"id": "c", "type": "configure", "args": {}, "reason": ""}


def with_online_apps(snap: StackSnapshot, count: int) -> StackSnapshot:
    extra = [
        Instance(
            id=f"x{n}",
            stack_id="s",
            hostname=f"app{n + 10}",
            layers=("app",),
            status=InstanceStatus.ONLINE,
            private_ip=f"127.77.1.{n}",
        )
        for n in range(count)
    ]
    return replace(snap, instances=[*snap.instances, *extra])


def test_the_whole_configuration_is_the_own_part_joined_with_the_shared_one() -> None:
    snap = snapshot()
    app1 = snap.instances[1]
    whole = build_configuration(snap, app1, command=COMMAND)
    own = build_own_configuration(snap, app1, command=COMMAND)
    assert shared_configuration.join(own, snap.shared_configuration) == whole
    assert shared_configuration.split(whole) == (own, snap.shared_configuration)


def test_the_own_part_has_no_shared_section() -> None:
    own = build_own_configuration(snapshot(), snapshot().instances[0], command=COMMAND)
    assert not set(shared_configuration.SHARED_SECTIONS) & set(own)


def test_the_shared_part_lists_online_instances_by_layer() -> None:
    shared = snapshot().shared_configuration
    assert sorted(shared["instances"]) == ["app1", "lb1"]  # app2 is stopped
    assert sorted(shared["layers"]["app"]["instances"]) == ["app1"]
    assert shared["layers"]["lb"]["type"] == "lb"


def test_the_own_part_does_not_grow_with_the_stack() -> None:
    small, big = snapshot(), with_online_apps(snapshot(), 200)
    lb1 = small.instances[0]
    own_small = build_own_configuration(small, lb1, command=COMMAND)
    own_big = build_own_configuration(big, lb1, command=COMMAND)
    assert own_small == own_big
    assert len(json.dumps(big.shared_configuration)) > 50 * len(
        json.dumps(small.shared_configuration["layers"]["lb"])
    )


def test_the_same_state_has_the_same_version() -> None:
    assert snapshot().configuration_version == snapshot().configuration_version
    first = shared_configuration.digest("s", {"instances": {"a": 1}, "layers": {}})
    reordered = shared_configuration.digest("s", {"layers": {}, "instances": {"a": 1}})
    assert first == reordered
    assert len(first) == 64


def test_any_change_to_the_shared_part_gives_a_new_version() -> None:
    snap = snapshot()
    stopped = [
        replace(i, status=InstanceStatus.STOPPED) if i.hostname == "lb1" else i
        for i in snap.instances
    ]
    moved = [
        replace(i, private_ip="127.77.9.9") if i.hostname == "app1" else i for i in snap.instances
    ]
    versions = {
        snap.configuration_version,
        replace(snap, instances=stopped).configuration_version,
        replace(snap, instances=moved).configuration_version,
        with_online_apps(snap, 1).configuration_version,
    }
    assert len(versions) == 4


def test_a_change_to_an_instance_own_part_keeps_the_version() -> None:
    snap = snapshot()
    renamed_stack_json = replace(snap, stack=replace(snap.stack, custom_json={"new": 1}))
    assert renamed_stack_json.configuration_version == snap.configuration_version


def test_two_stacks_in_the_same_state_have_different_versions() -> None:
    shared = snapshot().shared_configuration
    assert shared_configuration.digest("s", shared) != shared_configuration.digest("t", shared)


def test_the_shared_part_holds_no_secret() -> None:
    snap = snapshot()
    whole = build_configuration(snap, snap.instances[1], command=COMMAND)
    secret = "t0p"
    assert secret in json.dumps(whole)
    assert secret not in json.dumps(snap.shared_configuration)
