"""Where the Celery programs of a Plone app find their broker (seed 001's `enable_celery`).

The broker is `plone_instances.broker` when set (seed 001: "a hash with host and port for a
fixed celery broker server", plus an optional `db`), else the first online instance, by
hostname, of the `broker_layer` layer (default `redis`) at `redis.port`: `redis://<private
ip>:<port>/0`. The URL reaches the app's init programs as CELERY_BROKER_URL and is written to
`shared/broker.env`; a change of broker changes their definition, so configure restarts them
then, and only then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks.redis.attributes import DEFAULTS as REDIS_DEFAULTS
from stackworks.cookbooks.values import port
from stackworks.domain.errors import InvalidInput
from stackworks.domain.resources import check_host

if TYPE_CHECKING:
    from stackworks.converge import Recipe

PREFIX = "plone_instances"
#: the environment variable (and the line of shared/broker.env) that carries the URL
ENVIRONMENT_KEY = "CELERY_BROKER_URL"


def broker_url(
    attributes: Mapping[str, Any], layers: Mapping[str, Any], redis_port: Any
) -> str | None:
    """The broker URL, or None when no broker is set and none is online."""
    fixed = attributes.get("broker")
    if fixed:
        if not isinstance(fixed, Mapping):
            raise ValueError(f"{PREFIX}.broker: expected an object with host and port")
        return _url(
            fixed.get("host"),
            fixed.get("port", REDIS_DEFAULTS["redis"]["port"]),
            fixed.get("db", 0),
            f"{PREFIX}.broker",
        )
    layer = layers.get(str(attributes.get("broker_layer") or "redis")) or {}
    instances = layer.get("instances") or {}
    for hostname in sorted(instances):
        info = instances[hostname]
        if info.get("status", "online") == "online" and info.get("private_ip"):
            return _url(info["private_ip"], redis_port, 0, "redis")
    return None


def resolve(r: Recipe, attributes: Mapping[str, Any]) -> str | None:
    """The broker URL of this instance's Celery programs: None when `enable_celery` is off
    or no broker is found; a bad setting fails the recipe naming it."""
    if not attributes.get("enable_celery"):
        return None
    redis_port = (r.node.get("redis") or {}).get("port", REDIS_DEFAULTS["redis"]["port"])
    try:
        return broker_url(attributes, r.stack.layers, redis_port)
    except ValueError as error:
        r.fail(str(error))


def env_file(url: str) -> str:
    """shared/broker.env: what a program that reads files rather than its environment reads."""
    return f"{ENVIRONMENT_KEY}={url}\n"


def _url(host: Any, number: Any, db: Any, where: str) -> str:
    try:
        checked = check_host(str(host or ""), f"{where}.host")
    except InvalidInput as error:
        raise ValueError(str(error)) from None
    if isinstance(db, bool) or not isinstance(db, int) or not 0 <= db <= 15:
        raise ValueError(f"{where}.db: expected a Redis database number from 0 to 15, got {db!r}")
    return f"redis://{checked}:{port(number, f'{where}.port')}/{db}"
