"""Read-only views a recipe reads the node attributes and the stack through.

`Node` is both dict-like and attribute-like (`node.haproxy.port`, `node["haproxy"]["port"]`,
`node.get("haproxy")`); a missing key raises an error naming the whole dotted path, which is
what a cookbook author needs to find the typo. `StackView` answers the questions recipes ask
of the stack configuration (who is online in a layer, which apps deploy here).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class MissingAttribute(KeyError, AttributeError):
    """A node attribute that is not set; the message is the dotted path."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "missing attribute"


def _wrap(value: Any, path: str) -> Any:
    if isinstance(value, Mapping):
        return Node(value, path)
    if isinstance(value, list):
        return tuple(_wrap(v, f"{path}[{i}]") for i, v in enumerate(value))
    return value


class Node(Mapping[str, Any]):
    """A read-only attribute tree; nested mappings come back as `Node`s, lists as tuples."""

    __slots__ = ("_data", "_path")

    def __init__(self, data: Mapping[str, Any], path: str = "node") -> None:
        self._data = data
        self._path = path

    def __getitem__(self, key: str) -> Any:
        try:
            value = self._data[key]
        except KeyError:
            raise MissingAttribute(f"attribute {self._path}.{key} is not set") from None
        return _wrap(value, f"{self._path}.{key}")

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        return self[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Node({self._path}: {dict(self._data)!r})"

    def to_dict(self) -> dict[str, Any]:
        """A plain, mutable deep copy (for code that wants to modify or serialise it)."""
        return {str(k): _plain(v) for k, v in self._data.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Node):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class StackView:
    """The stack as this command saw it, read-only; built from the stack configuration."""

    def __init__(self, configuration: Mapping[str, Any]) -> None:
        self._config = configuration

    @property
    def name(self) -> str:
        return str(self._config.get("stack", {}).get("name", ""))

    @property
    def id(self) -> str:
        return str(self._config.get("stack", {}).get("id", ""))

    @property
    def layers(self) -> Node:
        """Layer shortname -> {id, name, type, instances: {hostname: instance}}."""
        return Node(self._config.get("layers") or {}, "stack.layers")

    @property
    def apps(self) -> Node:
        """App shortname -> {id, name, source, environment, layers, domains, deploy, ...}."""
        return Node(self._config.get("apps") or {}, "stack.apps")

    @property
    def self(self) -> Node:
        """This instance: hostname, private_ip, status, layers, roots."""
        return Node(self._config.get("self") or {}, "stack.self")

    @property
    def command(self) -> Node:
        """The command being run: id, type, args."""
        return Node(self._config.get("command") or {}, "stack.command")

    @property
    def deployment(self) -> Node | None:
        found = self._config.get("deployment")
        return Node(found, "stack.deployment") if found else None

    def instances(self, layer: str | None = None, status: str | None = "online") -> list[Node]:
        """Instances of the stack (of one layer if given) with `status` (None: any), by hostname."""
        source = self._config.get("instances") or {}
        if layer is not None:
            source = (self._config.get("layers") or {}).get(layer, {}).get("instances") or {}
        found = [
            Node(info, f"stack.instances.{host}")
            for host, info in sorted(source.items())
            if status is None or info.get("status") == status
        ]
        return found

    def apps_to_deploy(self) -> list[tuple[str, Node]]:
        """(shortname, app) of apps with the deploy flag whose layers intersect this instance's."""
        mine = set((self._config.get("self") or {}).get("layers") or [])
        return [
            (name, Node(app, f"stack.apps.{name}"))
            for name, app in (self._config.get("apps") or {}).items()
            if app.get("deploy") and mine & set(app.get("layers") or [])
        ]
