"""A delta between two stack configuration versions names only what differs, and applied to the
old version it gives the new one exactly, nulls included."""

from __future__ import annotations

import copy

import pytest

from stackworks.domain.configuration_delta import (
    ConfigurationDelta,
    DeltaDoesNotApply,
    apply,
    diff,
)

OLD = {
    "instances": {
        "app1": {"hostname": "app1", "private_ip": "10.0.0.1", "elastic_ip": None},
        "app2": {"hostname": "app2", "private_ip": "10.0.0.2", "elastic_ip": None},
    },
    "layers": {"app": {"id": "L1", "instances": {"app1": {}, "app2": {}}}},
}


def test_an_instance_joining_is_one_entry_per_section_it_appears_in() -> None:
    new = copy.deepcopy(OLD)
    joiner = {"hostname": "app3", "private_ip": "10.0.0.3", "elastic_ip": None}
    new["instances"]["app3"] = joiner
    new["layers"]["app"]["instances"]["app3"] = {}
    delta = diff(OLD, new)
    assert sorted(delta.set, key=str) == sorted(
        [(("instances", "app3"), joiner), (("layers", "app", "instances", "app3"), {})], key=str
    )
    assert delta.remove == []
    assert apply(OLD, delta) == new


def test_an_instance_leaving_is_removed_by_path() -> None:
    new = copy.deepcopy(OLD)
    del new["instances"]["app2"]
    del new["layers"]["app"]["instances"]["app2"]
    delta = diff(OLD, new)
    assert sorted(delta.remove) == [("instances", "app2"), ("layers", "app", "instances", "app2")]
    assert delta.set == []
    assert apply(OLD, delta) == new


def test_a_value_that_becomes_null_is_set_not_removed() -> None:
    old = {"instances": {"app1": {"elastic_ip": "192.0.2.7"}}}
    new = {"instances": {"app1": {"elastic_ip": None}}}
    delta = diff(old, new)
    assert delta.set == [(("instances", "app1", "elastic_ip"), None)]
    assert apply(old, delta) == new
    assert "elastic_ip" in apply(old, delta)["instances"]["app1"]


def test_lists_and_values_of_another_type_are_replaced_whole() -> None:
    old = {"a": [1, 2, 3], "b": {"x": 1}, "c": 1}
    new = {"a": [1, 2], "b": "flat", "c": 1.5}
    delta = diff(old, new)
    assert sorted(delta.set, key=str) == sorted(
        [(("a",), [1, 2]), (("b",), "flat"), (("c",), 1.5)], key=str
    )
    assert apply(old, delta) == new


def test_equal_versions_have_an_empty_delta() -> None:
    assert diff(OLD, copy.deepcopy(OLD)).is_empty()


def test_applying_leaves_the_base_as_it_was() -> None:
    before = copy.deepcopy(OLD)
    new = copy.deepcopy(OLD)
    new["instances"]["app1"]["private_ip"] = "10.0.9.9"
    apply(OLD, diff(OLD, new))
    assert before == OLD


def test_a_delta_made_from_another_base_does_not_apply() -> None:
    removing = ConfigurationDelta(remove=[("instances", "app9")])
    with pytest.raises(DeltaDoesNotApply, match=r"instances\.app9"):
        apply(OLD, removing)
    through_a_value = ConfigurationDelta(set=[(("instances", "app1", "hostname", "x"), 1)])
    with pytest.raises(DeltaDoesNotApply, match="not an object"):
        apply(OLD, through_a_value)
