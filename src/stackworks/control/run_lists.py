"""Which recipes an instance runs for a command: its layers' built-in recipes, then custom ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from stackworks.domain.entities import Instance, Layer
from stackworks.domain.errors import InvalidInput
from stackworks.domain.layer_types import (
    DEFAULT_RECIPES,
    PACKAGES_RECIPE,
    SSH_USERS_RECIPE,
    VOLUMES_RECIPE,
)
from stackworks.domain.names import check_recipe_name
from stackworks.domain.status import CommandName, LifecycleEvent


def layer_recipes(layer: Layer, key: str) -> list[str]:
    """A layer's run list for an event or command: built-in first, custom after."""
    recipes = list(DEFAULT_RECIPES[layer.type].get(key, ()))
    if key in LifecycleEvent.__members__.values():
        recipes.extend(layer.recipes.get(LifecycleEvent(key), ()))
    return recipes


def _unique(names: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


def instance_layers(instance: Instance, layers: Sequence[Layer]) -> list[Layer]:
    by_name = {layer.shortname: layer for layer in layers}
    return [by_name[name] for name in instance.layers if name in by_name]


def run_list_for(
    command: CommandName,
    instance: Instance,
    layers: Sequence[Layer],
    args: dict[str, Any] | None = None,
) -> list[str]:
    """The run list of `command` on `instance`."""
    own = instance_layers(instance, layers)
    if command is CommandName.SETUP:
        setup = [r for layer in own for r in layer_recipes(layer, "setup")]
        deploy = [r for layer in own for r in layer_recipes(layer, "deploy")]
        return _unique([VOLUMES_RECIPE, PACKAGES_RECIPE, SSH_USERS_RECIPE, *setup, *deploy])
    if command is CommandName.CONFIGURE:
        configure = [r for layer in own for r in layer_recipes(layer, "configure")]
        return _unique([SSH_USERS_RECIPE, *configure])
    if command in (CommandName.INSTALL_DEPENDENCIES, CommandName.UPDATE_DEPENDENCIES):
        return [PACKAGES_RECIPE]
    if command is CommandName.UPDATE_CUSTOM_COOKBOOKS:
        return []  # the agent fetches the pinned cookbooks before every run; nothing else to do
    if command is CommandName.EXECUTE_RECIPES:
        return execute_recipes_arg(args or {})
    return _unique(r for layer in own for r in layer_recipes(layer, command.value))


def execute_recipes_arg(args: dict[str, Any]) -> list[str]:
    """The `recipes` argument of execute_recipes, checked."""
    recipes = args.get("recipes")
    if not isinstance(recipes, list) or not recipes:
        raise InvalidInput(
            'args.recipes: execute_recipes needs a list of recipes, e.g. {"recipes": ["cb::r"]}',
            field="args.recipes",
        )
    return [check_recipe_name(str(name), field="args.recipes") for name in recipes]
