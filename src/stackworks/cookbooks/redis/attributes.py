"""Default attributes of the `redis` cookbook (overridden by custom JSON)."""

from typing import Any

DEFAULTS: dict[str, Any] = {
    "redis": {
        # redis-server listens on the instance's private address at this port. The Celery
        # programs of the Plone instances read it too: set it in the stack's custom JSON
        "port": 6379,
        # an instance volume mounted here holds the data; else <srv>/redis/data
        "volume_mount_point": "/srv/redis",
        # RDB snapshots: "<seconds> <changes>" pairs (redis' own defaults); "" = none
        "save": "3600 1 300 100 60 10000",
        # the append-only file as well (every write logged, fsync each second)
        "appendonly": False,
        # memory limit ("" = none), e.g. "256mb", and what goes when it is reached
        "maxmemory": "",
        "maxmemory_policy": "noeviction",
        # the program: a name looked up on PATH (and /usr/bin) or a path
        "binary": "redis-server",
    }
}
