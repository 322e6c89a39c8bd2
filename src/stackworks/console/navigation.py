"""The console's navigation links: lists other console modules add to, in one line each.

    from stackworks.console.navigation import STACK_LINKS, NavLink
    STACK_LINKS.append(NavLink("Events", "/stacks/{stack}/events", "nav-stack-events"))

`MAIN_LINKS` appear in the top bar of every page (after "Stacks"); `STACK_LINKS` in the bar of
every page of one stack, `{stack}` replaced by its name. `needs` hides a link from a user below
that level on the stack (the route refuses anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

from stackworks.domain.access import Level


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str  # may name {stack}
    testid: str
    needs: Level = Level.SHOW
    admin_only: bool = False

    def url(self, stack: str = "") -> str:
        return self.href.replace("{stack}", stack)


MAIN_LINKS: list[NavLink] = [
    NavLink("Stacks", "/", "nav-stacks"),
    NavLink("Audit", "/audit", "nav-audit", admin_only=True),
]

STACK_LINKS: list[NavLink] = [
    NavLink("Overview", "/stacks/{stack}", "nav-stack-overview"),
    NavLink("Deploy", "/stacks/{stack}/deploy", "nav-stack-deploy", needs=Level.DEPLOY),
    NavLink("Deployments", "/stacks/{stack}/deployments", "nav-stack-deployments"),
    NavLink("Events", "/stacks/{stack}/events", "nav-stack-events"),
    NavLink("Operations", "/stacks/{stack}/operations", "nav-stack-operations"),
    NavLink("Audit", "/stacks/{stack}/audit", "nav-stack-audit"),
    NavLink("Custom JSON", "/stacks/{stack}/custom-json", "nav-stack-custom-json"),
]
