"""package[names]: OS packages (apt) or Python packages (pip, into a virtualenv).

The installed state of every name is read in one command; only the missing (install),
outdated (upgrade) or present (remove) names are acted on, in one command.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from stackworks.converge.providers.apt import Apt
from stackworks.converge.providers.packages import PackageProvider
from stackworks.converge.providers.pip import Pip
from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context

PROVIDERS = ("apt", "pip")


@dataclass(eq=False, kw_only=True)
class Package(Resource):
    kind: ClassVar[str] = "package"
    allowed_actions: ClassVar[tuple[str, ...]] = ("install", "upgrade", "remove")

    names: Sequence[str] = ()
    provider: str = "apt"
    venv: str | None = None
    version: str | None = None
    options: Sequence[str] = field(default=())

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.provider not in PROVIDERS:
            raise ResourceError(
                f"{self}: provider must be one of {PROVIDERS}, not {self.provider!r}"
            )
        if self.version and len(self.names) != 1:
            raise ResourceError(f"{self}: `version` needs exactly one package name")

    def backend(self) -> PackageProvider:
        if self.provider == "pip":
            return Pip(self.venv, self.options)
        return Apt()

    def check(self, ctx: Context) -> Plan:
        backend = self.backend()
        installed = backend.installed(ctx, self.names)
        if "remove" in self.action:
            present = [n for n in self.names if installed[n] is not None]
            if not present:
                return Plan.noop("not installed")
            return Plan(True, f"remove {' '.join(present)}", data=present)
        wanted = [
            n
            for n in self.names
            if installed[n] is None or (self.version is not None and installed[n] != self.version)
        ]
        if "upgrade" in self.action:
            present = [n for n in self.names if n not in wanted]
            wanted += backend.outdated(ctx, present) if present else []
        if not wanted:
            return Plan.noop("installed" if "install" in self.action else "up to date")
        specs = [backend.spec(n, self.version) for n in wanted]
        verb = "upgrade" if "upgrade" in self.action else "install"
        return Plan(True, f"{verb} {' '.join(specs)}", data=specs)

    def apply(self, ctx: Context, plan: Plan) -> None:
        backend = self.backend()
        if "remove" in self.action:
            backend.remove(ctx, plan.data)
        else:
            backend.install(ctx, plan.data, upgrade="upgrade" in self.action)
