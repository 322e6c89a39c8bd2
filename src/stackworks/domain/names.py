"""Validation of the names users give things: shortnames, hostnames, recipe names."""

from __future__ import annotations

import re

from stackworks.domain.errors import InvalidInput

_SHORTNAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
# RFC 1123 label: letters, digits, hyphens; no leading or trailing hyphen.
_HOSTNAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_COOKBOOK = re.compile(r"^[a-z][a-z0-9_]*$")
_RECIPE = re.compile(r"^[a-z][a-z0-9_]*(::[a-z][a-z0-9_-]*)?$")


def check_stack_name(name: str, field: str = "name") -> str:
    if not _STACK_NAME.match(name):
        raise InvalidInput(
            f"{field}: {name!r} is not a valid stack name "
            "(letters, digits, '.', '_', '-'; at most 63; starts with a letter or digit)",
            field=field,
        )
    return name


def check_shortname(name: str, field: str = "shortname") -> str:
    if not _SHORTNAME.match(name):
        raise InvalidInput(
            f"{field}: {name!r} is not a valid shortname "
            "(lowercase letters, digits, '_', '-'; at most 63; starts with a letter or digit)",
            field=field,
        )
    return name


def check_hostname(name: str, field: str = "hostname") -> str:
    if not _HOSTNAME.match(name):
        raise InvalidInput(
            f"{field}: {name!r} is not a valid hostname "
            "(lowercase letters, digits and '-', at most 63, no leading or trailing '-')",
            field=field,
        )
    return name


def check_cookbook_name(name: str, field: str = "cookbook") -> str:
    if not _COOKBOOK.match(name):
        raise InvalidInput(
            f"{field}: {name!r} is not a valid cookbook name (lowercase, digits, '_')",
            field=field,
        )
    return name


def check_recipe_name(name: str, field: str = "recipes") -> str:
    """A recipe is `cookbook::recipe`, or `cookbook` alone for `cookbook::default`."""
    if not _RECIPE.match(name):
        raise InvalidInput(
            f"{field}: {name!r} is not a valid recipe name (expected 'cookbook::recipe')",
            field=field,
        )
    return name


def split_recipe_name(name: str) -> tuple[str, str]:
    """`haproxy::configure` -> ("haproxy", "configure"); `haproxy` -> ("haproxy", "default")."""
    check_recipe_name(name)
    cookbook, _, recipe = name.partition("::")
    return cookbook, recipe or "default"
