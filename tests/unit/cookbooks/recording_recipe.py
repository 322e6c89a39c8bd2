"""A recipe context that records what recipes declare, for tests of the recipes' decisions.

The real context belongs to the converge engine; this one implements only what the built-in
recipes call, records each declaration as a `Declared` in order, and raises `RecipeFailed` on
`r.fail`. It does not act: tests here check what is declared, in which order, with which
properties; the integration tests run the same recipes for real.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from stackworks.cookbooks.haproxy.attributes import DEFAULTS as HAPROXY
from stackworks.cookbooks.nginx.attributes import DEFAULTS as NGINX
from stackworks.cookbooks.python_app.attributes import DEFAULTS as PYTHON_APP
from stackworks.cookbooks.varnish.attributes import DEFAULTS as VARNISH
from stackworks.domain.attributes import deep_merge


class RecipeFailed(Exception):
    """What `r.fail(message)` raises."""


@dataclass
class Declared:
    kind: str
    name: str
    properties: dict[str, Any]
    notifications: list[tuple[str, Declared]] = field(default_factory=list)

    def notifies(self, action: str, other: Declared, timing: str = "delayed") -> Declared:
        self.notifications.append((action, other))
        return self


class RecordingRecipe:
    def __init__(self, configuration: dict[str, Any]) -> None:
        self.configuration = configuration
        self.node = deep_merge(
            PYTHON_APP, HAPROXY, VARNISH, NGINX, configuration.get("attributes", {})
        )
        self.stack = SimpleNamespace(
            name=configuration["stack"]["name"],
            layers=configuration["layers"],
            apps=configuration["apps"],
            self=configuration["self"],
            command=configuration.get("command") or {},
        )
        self.roots = configuration["self"]["roots"]
        self.service_manager = (configuration.get("stackworks") or {}).get(
            "service_manager", "supervisor"
        )
        self.declared: list[Declared] = []
        self.lines: list[str] = []

    def log(self, message: str) -> None:
        self.lines.append(message)

    def fail(self, message: str) -> None:
        raise RecipeFailed(message)

    def _declare(self, kind: str, name: str, properties: dict[str, Any]) -> Declared:
        handle = Declared(kind, str(name), properties)
        self.declared.append(handle)
        return handle

    def directory(self, path: str, **properties: Any) -> Declared:
        return self._declare("directory", path, properties)

    def file(self, path: str, **properties: Any) -> Declared:
        return self._declare("file", path, properties)

    def link(self, path: str, **properties: Any) -> Declared:
        return self._declare("link", path, properties)

    def execute(self, name: str, **properties: Any) -> Declared:
        return self._declare("execute", name, properties)

    def package(self, names: Any, **properties: Any) -> Declared:
        return self._declare("package", str(names), properties)

    def service(self, name: str, **properties: Any) -> Declared:
        return self._declare("service", name, properties)

    def git(self, path: str, **properties: Any) -> Declared:
        return self._declare("git", path, properties)

    def kinds(self) -> list[tuple[str, str]]:
        return [(d.kind, d.name) for d in self.declared]

    def find(self, kind: str, suffix: str) -> Declared:
        matches = [d for d in self.declared if d.kind == kind and d.name.endswith(suffix)]
        assert len(matches) == 1, f"{kind} *{suffix}: {self.kinds()}"
        return matches[0]


def run(recipe_name: str, configuration: dict[str, Any]) -> RecordingRecipe:
    """Declare the built-in recipe `cookbook::name` on a recording context."""
    cookbook, _, name = recipe_name.partition("::")
    module = importlib.import_module(f"stackworks.cookbooks.{cookbook}.recipes.{name}")
    context = RecordingRecipe(configuration)
    module.recipe(context)
    return context
