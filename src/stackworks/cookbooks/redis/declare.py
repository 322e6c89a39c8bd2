"""Declarations the redis recipes share: the data directory, redis.conf and the service."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks import values
from stackworks.cookbooks.redis import config

if TYPE_CHECKING:
    from stackworks.converge import Recipe

SERVICE = "redis"


def conf_path(r: Recipe) -> Path:
    return Path(r.roots["etc"]) / "redis" / "redis.conf"


def configure(r: Recipe) -> None:
    """redis.conf from the attributes and redis-server running on it. The service definition
    carries a digest of the file, so a changed file restarts the server and nothing else does
    (a first start is not followed by a restart, as a notification would be)."""
    settings = r.node["redis"]
    address = r.stack.self.get("private_ip")
    if not address:
        r.fail(f"instance {r.stack.self.get('hostname')} has no private_ip for Redis")
    data = config.data_dir(
        r.roots["srv"], r.stack.self.get("volumes") or (), str(settings["volume_mount_point"])
    )
    try:
        text = config.render_redis_conf(settings, address=str(address), data=data)
        found = values.executable(str(settings["binary"]), "redis.binary", "redis-server")
    except ValueError as error:
        r.fail(str(error))
    path = conf_path(r)
    r.directory(str(path.parent), mode=0o755)
    if data == config.data_dir(r.roots["srv"], (), str(settings["volume_mount_point"])):
        r.directory(data, mode=0o750)
    # else the data is on the instance's volume, which stackworks::volumes mounts (a link into
    # the volume store on a local instance, which a directory resource rightly refuses)
    r.file(str(path), content=text, mode=0o640)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    r.service(
        SERVICE,
        command=[found, str(path)],
        environment={"STACKWORKS_CONFIG_DIGEST": digest},
        action=("enable", "start"),
    )
