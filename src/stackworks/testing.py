"""A harness for cookbook authors: run recipes with the real `Recipe` class on no host and look
at what they declared.

    from stackworks.testing import StackBuilder, run_recipe

    config = (
        StackBuilder("shop", root=tmp_path)
        .layer("lb", type="lb")
        .layer("app", type="python-app")
        .instance("lb1", layers=["lb"], me=True)
        .instance("app1", layers=["app"])
        .attributes({"python_app": {"instance_count": 2}})
        .build()
    )
    declared = run_recipe("haproxy::configure", config)
    cfg = declared.find("file", "haproxy.cfg")
    assert "server app1-1" in cfg.properties["content"]
    assert cfg.notifications[0].action == "reload"

By default recipes are only declared: nothing is checked or changed, no command runs (a recipe
that reads the disk while declaring still reads it, so point `root` at a temp dir). With
`dry_run=True` the engine also runs every guard and check as a dry run, through a `FakeRunner`
unless another runner is given, and `declared.report` says what would change. With a `runner`
and no dry run, the resources are converged for real with that runner (files are written under
the roots). A run that fails raises `RecipeFailed` with the run's error.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Self

from stackworks.converge.engine import Engine
from stackworks.converge.report import RunReport
from stackworks.converge.resource import Resource
from stackworks.converge.runner import FakeRunner, Runner
from stackworks.domain.attributes import deep_merge

BUILTIN_COOKBOOKS = Path(__file__).resolve().parent / "cookbooks"
#: Resource fields that are bookkeeping, not properties a recipe author set
_NOT_PROPERTIES = frozenset({"name", "declared", "notifications"})


class RecipeFailed(AssertionError):
    """The run failed (`r.fail`, a bad declaration, or in a dry run a failing check)."""

    def __init__(self, message: str, declared: Declared) -> None:
        super().__init__(message)
        self.declared = declared


class Notification(NamedTuple):
    """A notification as declared: run `action` on `target`, `timing` delayed or immediately."""

    action: str
    target: DeclaredResource
    timing: str


@dataclass(eq=False)
class DeclaredResource:
    """One declared resource: its kind, name, properties and notifications, and the recipe
    file:line it was declared at. `resource` is the engine's own object."""

    kind: str
    name: str
    properties: dict[str, Any]
    recipe: str
    file: str
    line: int
    resource: Resource = field(repr=False)
    notifications: list[Notification] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"{self.kind}[{self.name}]"


@dataclass
class Declared:
    """What a run declared, in declaration order; `lines` is its log, `report` the engine's
    report (a declare-only run reports no resources)."""

    resources: list[DeclaredResource]
    lines: list[str]
    report: RunReport

    def __iter__(self) -> Iterator[DeclaredResource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def __getitem__(self, index: int) -> DeclaredResource:
        return self.resources[index]

    def kinds(self) -> list[tuple[str, str]]:
        """(kind, name) of each resource, in order: handy to assert an order."""
        return [(d.kind, d.name) for d in self.resources]

    def all(self, kind: str) -> list[DeclaredResource]:
        return [d for d in self.resources if d.kind == kind]

    def find(self, kind: str, name: str) -> DeclaredResource:
        """The one resource of `kind` named `name`, or else whose name ends with `name`; an
        AssertionError listing what was declared when there is not exactly one."""
        exact = [d for d in self.resources if d.kind == kind and d.name == name]
        found = exact or [d for d in self.resources if d.kind == kind and d.name.endswith(name)]
        if len(found) != 1:
            raise AssertionError(
                f"expected one {kind} named *{name}, found {len(found)}; declared: {self.kinds()}"
            )
        return found[0]

    def output(self) -> str:
        return "\n".join(self.lines)


class _RecordingEngine(Engine):
    """The real engine, recording each declared resource; declare-only skips converging."""

    def __init__(self, *args: Any, declare_only: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.declare_only = declare_only
        self.recorded: list[Resource] = []

    def add(self, resource: Resource) -> None:
        super().add(resource)
        self.recorded.append(resource)

    def converge(self, resource: Resource, *, notified_at: int | None = None) -> None:
        if not self.declare_only:
            super().converge(resource, notified_at=notified_at)


def properties(resource: Resource) -> dict[str, Any]:
    """The fields a recipe sets on a resource (everything but name and bookkeeping)."""
    return {
        f.name: getattr(resource, f.name)
        for f in dataclasses.fields(resource)
        if f.name not in _NOT_PROPERTIES
    }


def run_recipe(
    names: str | Sequence[str],
    configuration: Mapping[str, Any],
    *,
    cookbook_paths: Sequence[Path | str] = (),
    dry_run: bool = False,
    runner: Runner | None = None,
) -> Declared:
    """Declare the recipes `names` (`cookbook::recipe`, or a run list) against
    `configuration` with the real engine; see the module docstring for the three modes.
    Cookbooks are searched in `cookbook_paths`, then among the built-in ones."""
    run_list = [names] if isinstance(names, str) else list(names)
    lines: list[str] = []
    declare_only = not dry_run and runner is None
    engine = _RecordingEngine(
        copy.deepcopy(dict(configuration)),
        [*(Path(p) for p in cookbook_paths), BUILTIN_COOKBOOKS],
        dry_run=dry_run,
        log=lines.append,
        runner=runner or FakeRunner(),
        declare_only=declare_only,
    )
    report = engine.run(run_list)
    declared = _declared(engine.recorded, lines, report)
    if not report.ok:
        raise RecipeFailed(report.error or "the run failed", declared)
    return declared


def _declared(resources: list[Resource], lines: list[str], report: RunReport) -> Declared:
    handles = {
        id(r): DeclaredResource(
            kind=r.kind,
            name=r.name,
            properties=properties(r),
            recipe=r.declared.recipe,
            file=r.declared.file,
            line=r.declared.line,
            resource=r,
        )
        for r in resources
    }
    for resource in resources:
        for note in resource.notifications:
            target = handles.get(id(note.target))
            if target is None:  # a resource built outside the run: describe it anyway
                target = _declared([note.target], [], report).resources[0]
            handles[id(resource)].notifications.append(
                Notification(note.action, target, note.timing)
            )
    return Declared([handles[id(r)] for r in resources], lines, report)


class StackBuilder:
    """A stack configuration shaped like the server's (`docs/stack-configuration.md`), built
    from layers, instances, apps and attributes; `build()` returns the dict recipes get.

    With `root` the instance chosen with `me=True` is a local instance whose roots live under
    `root` (service manager supervisor); without, it is a host (roots at /, systemd)."""

    def __init__(
        self,
        name: str = "demo",
        *,
        root: str | Path | None = None,
        service_manager: str | None = None,
    ) -> None:
        self._name = name
        self._root = str(root).rstrip("/") if root is not None else None
        self._service_manager = service_manager or ("supervisor" if root else "systemd")
        self._layers: dict[str, dict[str, Any]] = {}
        self._instances: dict[str, dict[str, Any]] = {}
        self._apps: dict[str, dict[str, Any]] = {}
        self._attributes: dict[str, Any] = {}
        self._me: str | None = None
        self._command: dict[str, Any] = {"id": "c1", "type": "configure", "args": {}}
        self._packages: list[str] = []
        self._ssh_users: list[dict[str, Any]] | None = None

    def layer(self, shortname: str, type: str = "custom", name: str | None = None) -> Self:
        self._layers[shortname] = {
            "id": f"layer-{shortname}",
            "name": name or shortname,
            "type": type,
        }
        return self

    def instance(
        self,
        hostname: str,
        layers: Sequence[str],
        *,
        private_ip: str | None = None,
        status: str = "online",
        me: bool = False,
        **extra: Any,
    ) -> Self:
        """An instance of `layers` (declared first); `me=True` makes it `self`."""
        unknown = [name for name in layers if name not in self._layers]
        if unknown:
            raise ValueError(f"instance {hostname}: layers {unknown} are not declared")
        number = len(self._instances) + 1
        self._instances[hostname] = {
            "id": f"id-{hostname}",
            "hostname": hostname,
            "private_ip": private_ip or f"127.77.0.{number}",
            "status": status,
            "layers": list(layers),
            **extra,
        }
        if me or self._me is None:  # the first instance is `self` unless another says so
            self._me = hostname
        return self

    def app(
        self,
        shortname: str,
        *,
        layers: Sequence[str],
        source: Mapping[str, Any] | None = None,
        environment: Mapping[str, str] | None = None,
        attributes: Mapping[str, Any] | None = None,
        deploy: bool = True,
        **extra: Any,
    ) -> Self:
        self._apps[shortname] = {
            "id": f"app-{shortname}",
            "name": shortname,
            "source": dict(source or {"type": "git", "url": "", "revision": "HEAD"}),
            "environment": dict(environment or {}),
            "secure_keys": [],
            "data_sources": [],
            "layers": list(layers),
            "domains": [],
            "attributes": dict(attributes or {}),
            "deploy": deploy,
            **extra,
        }
        return self

    def attributes(self, attributes: Mapping[str, Any]) -> Self:
        """Custom JSON, deep-merged over what was given before."""
        self._attributes = deep_merge(self._attributes, dict(attributes))
        return self

    def command(self, type: str, args: Mapping[str, Any] | None = None) -> Self:
        self._command = {"id": "c1", "type": type, "args": dict(args or {})}
        return self

    def packages(self, names: Sequence[str]) -> Self:
        self._packages = list(names)
        return self

    def ssh_users(self, users: Sequence[Mapping[str, Any]]) -> Self:
        """The top-level `ssh_users` list stackworks::ssh_users reads."""
        self._ssh_users = [dict(u) for u in users]
        return self

    def roots(self) -> dict[str, str]:
        if self._root is None:
            return {
                "root": "/",
                "srv": "/srv",
                "etc": "/etc",
                "var": "/var/lib",
                "log": "/var/log",
                "run": "/run",
            }
        base = self._root
        return {
            "root": base,
            "srv": f"{base}/srv",
            "etc": f"{base}/etc",
            "var": f"{base}/var",
            "log": f"{base}/var/log",
            "run": f"{base}/run",
        }

    def build(self) -> dict[str, Any]:
        if self._me is None:
            raise ValueError("a stack configuration needs an instance (the one recipes run on)")
        online = {h: i for h, i in self._instances.items() if i["status"] == "online"}
        layers = {
            shortname: {
                **layer,
                "instances": {
                    h: copy.deepcopy(i) for h, i in online.items() if shortname in i["layers"]
                },
            }
            for shortname, layer in self._layers.items()
        }
        built: dict[str, Any] = {
            "stackworks": {
                "service_manager": self._service_manager,
                "packages": list(self._packages),
                "cookbook_sources": [],
            },
            "attributes": copy.deepcopy(self._attributes),
            "stack": {"id": f"stack-{self._name}", "name": self._name},
            "layers": layers,
            "instances": copy.deepcopy(online),
            "apps": copy.deepcopy(self._apps),
            "self": {
                **copy.deepcopy(self._instances[self._me]),
                "roots": self.roots(),
                "volumes": [],
            },
            "command": dict(self._command),
            "deployment": None,
        }
        if self._ssh_users is not None:
            built["ssh_users"] = copy.deepcopy(self._ssh_users)
        return built


__all__ = [
    "Declared",
    "DeclaredResource",
    "Notification",
    "RecipeFailed",
    "StackBuilder",
    "run_recipe",
]
