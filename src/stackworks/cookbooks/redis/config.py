"""The pure decisions of the `redis` cookbook: where the data lives and redis.conf.

redis-server binds the instance's private address only and runs in the foreground, logging
to stdout (the service manager keeps the log). Its data directory is the volume mounted at
`redis.volume_mount_point` when the instance has one, so the data outlives the instance.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import Any

from stackworks.cookbooks.values import port

_SAFE = re.compile(r"^[^\s#\"'\\]+$")
_SAVE = re.compile(r"^(\d+ \d+)( \d+ \d+)*$")
_MEMORY = re.compile(r"^\d+(?:[kmg]b?)?$", re.IGNORECASE)
_POLICIES = frozenset(
    {
        "noeviction",
        "allkeys-lru",
        "allkeys-lfu",
        "allkeys-random",
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    }
)


def data_dir(srv: str, volumes: Iterable[Mapping[str, Any]], mount_point: str) -> str:
    """The volume mounted at `mount_point` (its `mount_path`), else `<srv>/redis/data`."""
    wanted = mount_point.rstrip("/")
    for volume in volumes:
        if str(volume.get("mount_point", "")).rstrip("/") == wanted:
            return str(volume["mount_path"]).rstrip("/")
    return posixpath.join(srv, "redis", "data")


def render_redis_conf(settings: Mapping[str, Any], *, address: str, data: str) -> str:
    """redis.conf for one server at address:`port` with its data in `data`; a bad attribute
    is a ValueError naming it."""
    number = port(settings.get("port"), "redis.port")
    for name, value in (("address", address), ("data directory", data)):
        if not _SAFE.match(value):
            raise ValueError(f"redis: {name} {value!r} cannot be written into redis.conf")
    save = str(settings.get("save") or "")
    if save and not _SAVE.match(save):
        raise ValueError(f"redis.save: expected '<seconds> <changes>' pairs, got {save!r}")
    memory = str(settings.get("maxmemory") or "")
    if memory and not _MEMORY.match(memory):
        raise ValueError(f"redis.maxmemory: expected a size like 256mb, got {memory!r}")
    policy = str(settings.get("maxmemory_policy") or "noeviction")
    if policy not in _POLICIES:
        raise ValueError(f"redis.maxmemory_policy: {policy!r} is not one of redis' policies")
    lines = [
        "# Written by the redis cookbook; changes here are replaced on configure.",
        f"bind {address}",
        f"port {number}",
        "daemonize no",
        'logfile ""',
        f"dir {data}",
        "dbfilename dump.rdb",
        f'save "{save}"',
        f"appendonly {'yes' if settings.get('appendonly') else 'no'}",
        *([f"maxmemory {memory}"] if memory else []),
        f"maxmemory-policy {policy}",
        "",
    ]
    return "\n".join(lines)
