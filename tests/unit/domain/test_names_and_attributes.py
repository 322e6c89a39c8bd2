"""Names users give things, hostname themes, and deep merge."""

from __future__ import annotations

import pytest

from stackworks.domain.attributes import deep_merge
from stackworks.domain.errors import InvalidInput
from stackworks.domain.hostnames import suggest_hostname
from stackworks.domain.names import check_hostname, check_recipe_name, split_recipe_name


@pytest.mark.parametrize("name", ["web1", "a", "app-2"])
def test_valid_hostnames_pass(name: str) -> None:
    assert check_hostname(name) == name


@pytest.mark.parametrize("name", ["-web", "web-", "Web", "web_1", "a" * 64, "", "we b"])
def test_invalid_hostnames_name_the_field(name: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        check_hostname(name)
    assert bad.value.field == "hostname"


def test_recipe_names_default_to_the_default_recipe() -> None:
    assert split_recipe_name("haproxy") == ("haproxy", "default")
    assert split_recipe_name("python_app::deploy") == ("python_app", "deploy")
    for bad in ("Haproxy::x", "a::", "::b", "a b", "a::b::c"):
        with pytest.raises(InvalidInput):
            check_recipe_name(bad)


def test_layer_dependent_theme_numbers_from_one_and_skips_taken() -> None:
    assert suggest_hostname("layer_dependent", "app", set()) == "app1"
    assert suggest_hostname("layer_dependent", "app", {"app1", "app2"}) == "app3"
    assert suggest_hostname("fruits", "app", {"apple"}) == "apricot"
    with pytest.raises(InvalidInput):
        suggest_hostname("planets", "app", set())


def test_deep_merge_merges_mappings_and_replaces_the_rest() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    merged = deep_merge(base, {"a": {"c": [3]}, "e": {"f": 1}})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": 1, "e": {"f": 1}}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1}
