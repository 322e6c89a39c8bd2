"""Which handler answers which OpsWorks operation: one decorator, one table.

A handler is a plain function of the call's `Context` and its parameters (the parsed body,
already checked against the service model) that returns the result as the model's output shape
has it (a dict; `{}` for operations without output):

    from stackworks.opsworks.registry import operation

    @operation("DescribeApps")
    def describe_apps(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        stack = ctx.stack(params["StackId"])          # ResourceNotFound / AccessDenied for you
        return {"Apps": [...]}

and lives in a module of `stackworks/opsworks/operations/`, which `load_handlers` imports
whole (no list to keep). Raise `errors.ValidationException` (or any DomainError, which the wire
maps) to refuse. An operation whose concept Stackworks does not have is declared with
`refusal(name, why)`: it answers a ValidationException saying what Stackworks does instead.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stackworks.opsworks import model
from stackworks.opsworks.errors import ValidationException

if TYPE_CHECKING:
    from stackworks.opsworks.context import Context

Params = dict[str, Any]
Result = dict[str, Any]
Handler = Callable[["Context", Params], Result]

#: operations that only read; every other one asks for a change and is audited
READ_PREFIXES = ("Describe", "List", "Get")


@dataclass(frozen=True)
class Operation:
    name: str
    handler: Handler
    changes: bool  # recorded in the audit log
    refused: str | None = None  # the reason, for an operation Stackworks does not have


_OPERATIONS: dict[str, Operation] = {}
_loaded: list[bool] = []  # non-empty once every module of operations/ was imported


def is_change(name: str) -> bool:
    return not name.startswith(READ_PREFIXES)


def _register(entry: Operation) -> None:
    if entry.name not in model.load().operations:
        raise ValueError(f"{entry.name!r} is not an operation of the OpsWorks model")
    if entry.name in _OPERATIONS:
        raise ValueError(f"{entry.name!r} has two handlers")
    _OPERATIONS[entry.name] = entry


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of operation `name`."""

    def register(handler: Handler) -> Handler:
        _register(Operation(name, handler, is_change(name)))
        return handler

    return register


def refusal(name: str, why: str) -> None:
    """Declare that `name` is refused, and why (what Stackworks does instead)."""

    def refuse(_ctx: Context, _params: Params) -> Result:
        raise ValidationException(why)

    _register(Operation(name, refuse, changes=False, refused=why))


def load_handlers() -> dict[str, Operation]:
    """Every registered operation, importing each module of `operations/` once."""
    if not _loaded:
        from stackworks.opsworks import operations

        for found in pkgutil.iter_modules(operations.__path__):
            importlib.import_module(f"{operations.__name__}.{found.name}")
        _loaded.append(True)
    return dict(_OPERATIONS)


def find(name: str) -> Operation | None:
    return load_handlers().get(name)
