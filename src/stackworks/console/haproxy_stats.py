"""Where each load balancer's HAProxy statistics page is, for the console's operations view.

The `haproxy` cookbook serves the statistics page on its frontend (the instance's private
address at `haproxy.port`) at `haproxy.stats_url`, behind basic authentication as
`haproxy.stats_user`, and only when `haproxy.stats_password` is set (cookbooks/haproxy). The
settings are the cookbook's defaults overridden by the stack's and then the instance's layers'
custom JSON, merged as a command's configuration merges them. The link names the user and never
the password: whoever may read the password reads it where it is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stackworks.cookbooks.haproxy.attributes import DEFAULTS
from stackworks.cookbooks.haproxy.config import listen_port
from stackworks.domain.attributes import deep_merge
from stackworks.domain.entities import Instance, Layer, Stack
from stackworks.domain.layer_types import DEFAULT_RECIPES
from stackworks.domain.stack_config import merged_attributes
from stackworks.domain.status import InstanceStatus

HAPROXY_RECIPE = "haproxy::configure"


@dataclass(frozen=True)
class StatsLink:
    hostname: str
    url: str
    user: str


def runs_haproxy(layer: Layer) -> bool:
    """Whether the layer's type runs HAProxy (lb, and plone-frontend behind nginx)."""
    return HAPROXY_RECIPE in DEFAULT_RECIPES.get(layer.type, {}).get("configure", ())


def haproxy_settings(stack: Stack, layers: Sequence[Layer]) -> dict[str, Any]:
    """The `haproxy` attributes an instance of `layers` gets (without a deployment's JSON)."""
    levels = [stack.custom_json, *(layer.custom_json for layer in layers)]
    attributes, _secrets = merged_attributes(levels)
    settings: dict[str, Any] = deep_merge(DEFAULTS, attributes).get("haproxy") or {}
    return settings


def stats_link(stack: Stack, layers: Sequence[Layer], instance: Instance) -> StatsLink | None:
    """The statistics page of `instance` (its `layers` in order), or None: it runs no HAProxy,
    is not online, has no address, the page is off, or its settings make no usable address."""
    by_name = {layer.shortname: layer for layer in layers}
    own = [by_name[name] for name in instance.layers if name in by_name]
    if instance.status is not InstanceStatus.ONLINE or not instance.private_ip:
        return None
    if not any(runs_haproxy(layer) for layer in own):
        return None
    settings = haproxy_settings(stack, own)
    port = listen_port(settings, [layer.type.value for layer in own])
    path, user = settings.get("stats_url"), settings.get("stats_user")
    if not settings.get("stats_password") or not isinstance(path, str) or not path.startswith("/"):
        return None
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port <= 65535:
        return None
    return StatsLink(instance.hostname, f"http://{instance.private_ip}:{port}{path}", str(user))


def stats_links(
    stack: Stack, layers: Sequence[Layer], instances: Sequence[Instance]
) -> list[StatsLink]:
    """Every statistics page the stack's instances serve, in the order of `instances`."""
    found = (stats_link(stack, layers, instance) for instance in instances)
    return [link for link in found if link is not None]
