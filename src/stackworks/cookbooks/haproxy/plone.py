"""What a `plone-instances` backend layer means to HAProxy, as pure functions.

The shared names of the Plone layers: the ZEO clients of a `plone-instances` instance listen on
its private address at `plone_instances.base_port + 1 .. + N`, N being
`plone_instances.instance_count` when set, else `plone_instances.per_cpu` x the CPU count
(`plone_instances.cpu_count` when set, else this host's); each
answers `plone_instances.health_check_method` on `plone_instances.health_check_url`. The
defaults below are the ones the plone_instances cookbook uses; the load balancer merges the
attributes it sees over them (the same limit as python_app: set them in the stack's custom JSON,
not only on the Plone layer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stackworks.cookbooks.plone_instances import config as plone_config
from stackworks.cookbooks.plone_instances.attributes import DEFAULTS as PLONE_INSTANCES_DEFAULTS
from stackworks.domain.attributes import deep_merge

PLONE_INSTANCES_TYPE = "plone-instances"
PLONE_FRONTEND_TYPE = "plone-frontend"

#: `plone_instances` defaults the load balancer needs (ports and the health check), taken from
#: the plone_instances cookbook so both agree. HEAD on `/` is answered by Zope's root (200)
#: without rendering a page, so checks stay cheap.
DEFAULTS: dict[str, Any] = {
    key: PLONE_INSTANCES_DEFAULTS["plone_instances"][key]
    for key in (
        "base_port",
        "instance_count",
        "per_cpu",
        "cpu_count",
        "health_check_url",
        "health_check_method",
    )
}

#: the cookie Plone logs users in with: sticky sessions prefix it, so anonymous responses carry
#: no Set-Cookie and stay cacheable by the Varnish in front
PLONE_SESSION_COOKIE = "__ac"


def settings(plone_instances: Mapping[str, Any]) -> dict[str, Any]:
    """The `plone_instances` attributes merged over the defaults above."""
    return deep_merge(DEFAULTS, dict(plone_instances))


def client_count(attributes: Mapping[str, Any], cpu_count: int | None = None) -> int:
    """How many ZEO clients a plone-instances instance runs (the cookbook's own rule)."""
    return plone_config.client_count(attributes, cpu_count)


def client_ports(attributes: Mapping[str, Any], cpu_count: int | None = None) -> list[int]:
    """Ports of ZEO clients 1..N: base_port+1 .. base_port+N."""
    return plone_config.client_ports(
        attributes.get("base_port"), client_count(attributes, cpu_count)
    )
