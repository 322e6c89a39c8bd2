"""Custom JSON values marked secret (`{"$secret": ...}`): checked, masked, unwrapped, kept."""

from __future__ import annotations

import pytest

from stackworks.domain import secret_attributes
from stackworks.domain.entities import (
    FILTERED,
    App,
    AppSource,
    EnvironmentVariable,
    Instance,
    Layer,
    Stack,
)
from stackworks.domain.errors import InvalidInput
from stackworks.domain.stack_config import (
    StackSnapshot,
    build_configuration,
    mask_configuration,
    secure_values,
)
from stackworks.domain.status import InstanceStatus, LayerType, SourceType

CUSTOM = {"mail": {"user": "ops", "password": {"$secret": "m41l"}}, "keys": [{"$secret": "k1"}]}


def test_a_marking_beside_other_keys_or_around_a_non_string_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"custom_json\.a: a secret is written"):
        secret_attributes.check({"a": {"$secret": "x", "other": 1}}, "custom_json")
    with pytest.raises(InvalidInput, match=r"custom_json\.a\[0\]"):
        secret_attributes.check({"a": [{"$secret": 5}]}, "custom_json")
    with pytest.raises(InvalidInput, match="reserved"):
        secret_attributes.check({"a": {"$sealed": "gAAAA"}}, "custom_json")
    secret_attributes.check(CUSTOM, "custom_json")


def test_people_see_the_mask_and_recipes_the_plain_value() -> None:
    assert secret_attributes.mask(CUSTOM) == {
        "mail": {"user": "ops", "password": {"$secret": FILTERED}},
        "keys": [{"$secret": FILTERED}],
    }
    assert secret_attributes.unwrap(CUSTOM) == {
        "mail": {"user": "ops", "password": "m41l"},
        "keys": ["k1"],
    }
    assert secret_attributes.paths(CUSTOM) == [("mail", "password"), ("keys", 0)]


def test_a_masked_secret_sent_back_keeps_the_stored_one_and_an_unknown_one_is_left_out() -> None:
    sent = {
        "mail": {"user": "ops2", "password": {"$secret": FILTERED}},
        "new": {"$secret": FILTERED},
        "changed": {"$secret": "fresh"},
    }
    kept, unresolved = secret_attributes.keep_masked(sent, CUSTOM)
    assert kept == {
        "mail": {"user": "ops2", "password": {"$secret": "m41l"}},
        "changed": {"$secret": "fresh"},
    }
    assert unresolved == [("new",)]


def _snapshot() -> tuple[StackSnapshot, Instance, Instance]:
    stack = Stack(id="s", name="shop", custom_json={"mail": {"password": {"$secret": "m41l"}}})
    layers = [
        Layer(id="l1", stack_id="s", shortname="app", name="app", type=LayerType.PYTHON_APP),
        Layer(
            id="l2",
            stack_id="s",
            shortname="lb",
            name="lb",
            type=LayerType.LB,
            custom_json={"stats": {"$secret": "st4ts"}},
        ),
    ]
    app = App(
        id="a",
        stack_id="s",
        shortname="web",
        name="web",
        source=AppSource(SourceType.GIT, "file:///x"),
        environment=(EnvironmentVariable("TOKEN", "t0ken", secure=True),),
    )
    app1 = Instance(id="i1", stack_id="s", hostname="app1", layers=("app",))
    lb1 = Instance(id="i2", stack_id="s", hostname="lb1", layers=("lb",))
    online = [
        Instance(
            id=i.id,
            stack_id="s",
            hostname=i.hostname,
            layers=i.layers,
            status=InstanceStatus.ONLINE,
        )
        for i in (app1, lb1)
    ]
    return StackSnapshot(stack, layers, [app], online), online[0], online[1]


def test_the_configuration_holds_secret_attributes_plain_listed_and_masked_for_people() -> None:
    snapshot, app1, _lb1 = _snapshot()
    config = build_configuration(snapshot, app1, command={"id": "c", "type": "setup"})
    assert config["attributes"]["mail"]["password"] == "m41l"
    assert config["stackworks"]["secret_attributes"] == [["mail", "password"]]
    assert sorted(secure_values(config)) == ["m41l", "t0ken"]
    masked = mask_configuration(config)
    assert masked["attributes"]["mail"]["password"] == FILTERED
    assert "m41l" not in str(masked) and "t0ken" not in str(masked)


def test_an_instance_the_app_does_not_deploy_to_gets_its_secrets_masked() -> None:
    snapshot, _app1, lb1 = _snapshot()
    config = build_configuration(snapshot, lb1, command={"id": "c", "type": "configure"})
    assert config["apps"]["web"]["environment"]["TOKEN"] == FILTERED
    assert config["attributes"]["stats"] == "st4ts"
    assert "t0ken" not in str(config)
