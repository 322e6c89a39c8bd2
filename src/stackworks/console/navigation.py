"""The console's navigation links: lists other console modules add to, in one line each.

    from stackworks.console.navigation import STACK_LINKS, NavLink
    STACK_LINKS.append(NavLink("Events", "/stacks/{stack}/events", "nav-stack-events"))

`MAIN_LINKS` appear in the top bar of every page (after "Stacks"); `STACK_LINKS` in the bar of
every page of one stack, `{stack}` replaced by its name; `LAYER_LINKS` in each layer's heading
on the stack page (`{stack}`, `{layer}`: its shortname); `INSTANCE_LINKS` in each instance's row
(`{stack}`, `{hostname}`). `needs` hides a link from a user below that level on the stack (the
route refuses anyway); `layer_types` shows a layer link only on layers of those types (e.g.
`frozenset({"lb"})` for a HAProxy stats link).
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
    layer_types: frozenset[str] | None = None  # LAYER_LINKS only: None for every type

    def url(self, stack: str = "", **names: str) -> str:
        """The href with `{stack}` and each of `names` (`layer=...`, `hostname=...`) filled in."""
        href = self.href.replace("{stack}", stack)
        for key, value in names.items():
            href = href.replace("{" + key + "}", value)
        return href

    def shown_on(self, layer_type: str) -> bool:
        return self.layer_types is None or layer_type in self.layer_types


MAIN_LINKS: list[NavLink] = [NavLink("Stacks", "/", "nav-stacks")]

STACK_LINKS: list[NavLink] = [
    NavLink("Overview", "/stacks/{stack}", "nav-stack-overview"),
    NavLink("Deploy", "/stacks/{stack}/deploy", "nav-stack-deploy", needs=Level.DEPLOY),
    NavLink("Deployments", "/stacks/{stack}/deployments", "nav-stack-deployments"),
]

LAYER_LINKS: list[NavLink] = []

INSTANCE_LINKS: list[NavLink] = []
