"""The OpsWorks service model, and the checks a request's parameters get against it.

The model is botocore 1.40.18's (the last release that carried OpsWorks), kept as package data
without its documentation (`data/opsworks-2013-02-18.json`, written by scripts/opsworks-model;
Apache-2.0, attribution in `data/NOTICE.txt`), so the server needs no botocore at run time.

`check_input` refuses what AWS would have refused before any handler runs: a required member
missing, a value of the wrong JSON type, a string outside its enumeration, an integer outside
its range, a member the shape does not have. Its messages follow AWS's ("1 validation error
detected: Value null at 'StackId' failed to satisfy constraint: Member must not be null"),
naming the member by its path in the request (`Recipes.Setup[0]`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from stackworks.opsworks.errors import ValidationException

MODEL_FILE = "opsworks-2013-02-18.json"
API_VERSION = "2013-02-18"


@dataclass(frozen=True)
class ServiceModel:
    metadata: dict[str, Any]
    operations: dict[str, dict[str, Any]]
    shapes: dict[str, dict[str, Any]]

    @property
    def target_prefix(self) -> str:
        return str(self.metadata["targetPrefix"])  # OpsWorks_20130218

    def input_shape(self, operation: str) -> str | None:
        found = self.operations[operation].get("input")
        return str(found["shape"]) if found else None

    def required(self, shape: str) -> tuple[str, ...]:
        return tuple(self.shapes[shape].get("required", ()))

    def members(self, shape: str) -> dict[str, str]:
        """Member name -> its shape's name, for a structure."""
        return {
            name: str(ref["shape"]) for name, ref in self.shapes[shape].get("members", {}).items()
        }


#: values a string shape takes beyond its enumeration (`extend_enum`)
_EXTRA_VALUES: dict[str, set[str]] = {}


def extend_enum(shape: str, values: list[str]) -> None:
    """Let a request use `values` for enumeration `shape` too: Stackworks' own layer types
    (python-app, redis, ...) as a LayerType, which botocore passes on unchecked."""
    _EXTRA_VALUES.setdefault(shape, set()).update(values)


@cache
def load() -> ServiceModel:
    text = resources.files("stackworks.opsworks").joinpath("data", MODEL_FILE).read_text()
    raw = json.loads(text)
    return ServiceModel(raw["metadata"], raw["operations"], raw["shapes"])


def operation_names() -> list[str]:
    """The model's 74 operations, in order."""
    return sorted(load().operations)


# --- checking a request ---------------------------------------------------------------------


def check_input(operation: str, params: dict[str, Any]) -> None:
    """Refuse `params` (a parsed body) if the operation's input shape does not admit them."""
    model = load()
    shape = model.input_shape(operation)
    problems: list[str] = []
    if shape is None:
        if params:
            problems.append(f"{operation} takes no parameters; got {', '.join(sorted(params))}")
    else:
        _check(model, shape, params, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(problems))


def _fail(value: Any, at: str, constraint: str) -> str:
    shown = "null" if value is None else repr(value) if isinstance(value, str) else str(value)
    return f"Value {shown[:80]} at '{at}' failed to satisfy constraint: {constraint}"


_JSON_TYPES: dict[str, tuple[type[Any], ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "double": (int, float),
    "float": (int, float),
    "list": (list,),
    "map": (dict,),
    "structure": (dict,),
}


def _check(model: ServiceModel, shape: str, value: Any, at: str, problems: list[str]) -> None:
    spec = model.shapes[shape]
    kind = str(spec["type"])
    expected: tuple[type[Any], ...] = _JSON_TYPES.get(kind, (object,))
    if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
        problems.append(_fail(value, at or "body", f"Member must be of type {kind}"))
        return
    extra = _EXTRA_VALUES.get(shape, set())
    if kind == "string" and "enum" in spec and value not in spec["enum"] and value not in extra:
        allowed = ", ".join([*spec["enum"], *sorted(extra)])
        problems.append(_fail(value, at, f"Member must satisfy enum value set: [{allowed}]"))
    elif kind == "integer" and not spec.get("min", value) <= value <= spec.get("max", value):
        bounds = f"between {spec.get('min', '-inf')} and {spec.get('max', 'inf')}"
        problems.append(_fail(value, at, f"Member must be {bounds}"))
    elif kind == "list":
        for n, item in enumerate(value):
            _check(model, str(spec["member"]["shape"]), item, f"{at}[{n}]", problems)
    elif kind == "map":
        for key, item in value.items():
            _check(model, str(spec["key"]["shape"]), key, f"{at}.{key}(key)", problems)
            if item is not None:  # OpsWorks attribute maps take null for "unset"
                _check(model, str(spec["value"]["shape"]), item, f"{at}.{key}", problems)
    elif kind == "structure":
        _check_structure(model, shape, value, at, problems)


def _check_structure(
    model: ServiceModel, shape: str, value: dict[str, Any], at: str, problems: list[str]
) -> None:
    members = model.members(shape)
    prefix = f"{at}." if at else ""
    for name in model.required(shape):
        if value.get(name) is None:
            problems.append(_fail(None, prefix + name, "Member must not be null"))
    for name, item in value.items():
        if name not in members:
            known = ", ".join(sorted(members)) or "none"
            problems.append(f"Unknown parameter '{prefix}{name}' (known: {known})")
        elif item is not None:
            _check(model, members[name], item, prefix + name, problems)
