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

import os
from collections.abc import Mapping
from typing import Any

from stackworks.domain.attributes import deep_merge

PLONE_INSTANCES_TYPE = "plone-instances"
PLONE_FRONTEND_TYPE = "plone-frontend"

#: `plone_instances` defaults the load balancer needs (ports and the health check). HEAD on
#: `/` is answered by Zope's root (200) without rendering a page, so checks stay cheap.
DEFAULTS: dict[str, Any] = {
    "base_port": 8080,
    "instance_count": None,
    "per_cpu": 2,
    "cpu_count": None,  # None = this host's CPU count
    "health_check_url": "/",
    "health_check_method": "HEAD",
}

#: the cookie Plone logs users in with: sticky sessions prefix it, so anonymous responses carry
#: no Set-Cookie and stay cacheable by the Varnish in front
PLONE_SESSION_COOKIE = "__ac"


def settings(plone_instances: Mapping[str, Any]) -> dict[str, Any]:
    """The `plone_instances` attributes merged over the defaults above."""
    return deep_merge(DEFAULTS, dict(plone_instances))


def client_count(attributes: Mapping[str, Any], cpu_count: int | None = None) -> int:
    """How many ZEO clients a plone-instances instance runs."""
    explicit = attributes.get("instance_count")
    if explicit is not None:
        return _positive(explicit, "plone_instances.instance_count")
    per_cpu = _positive(attributes.get("per_cpu", 2), "plone_instances.per_cpu")
    cpus = attributes.get("cpu_count")
    if cpus is None:
        return per_cpu * (cpu_count or os.cpu_count() or 1)
    return per_cpu * _positive(cpus, "plone_instances.cpu_count")


def client_ports(attributes: Mapping[str, Any], cpu_count: int | None = None) -> list[int]:
    """Ports of ZEO clients 1..N: base_port+1 .. base_port+N."""
    base = _positive(attributes.get("base_port"), "plone_instances.base_port")
    count = client_count(attributes, cpu_count)
    if base + count > 65535:
        raise ValueError(f"plone_instances.base_port: {base} + {count} clients passes port 65535")
    return [base + n for n in range(1, count + 1)]


def _positive(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}: expected a positive whole number, got {value!r}")
    return value
