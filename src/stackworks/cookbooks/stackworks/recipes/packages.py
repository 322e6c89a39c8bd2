"""stackworks::packages: the OS packages of the instance's layers, installed with apt.

The list is `configuration["stackworks"]["packages"]`, gathered from every layer of the
instance in layer order; it runs first on setup and on install_dependencies, and
update_dependencies upgrades them. One `package` resource for all of them, so the installed
state is read once and a second run changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    packages = [str(p) for p in r.configuration["stackworks"].get("packages") or []]
    upgrade = r.stack.command.get("type") == "update_dependencies"
    if packages:
        r.package(packages, provider="apt", action="upgrade" if upgrade else "install")
    else:
        r.log("no layer packages to install")
