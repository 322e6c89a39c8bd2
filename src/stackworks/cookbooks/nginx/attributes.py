"""Default attributes of the `nginx` cookbook (overridden by custom JSON)."""

from typing import Any

DEFAULTS: dict[str, Any] = {
    "nginx": {
        # the program (a name looked up on PATH, /usr/sbin included, or a path)
        "binary": "nginx",
        # nginx listens on the instance's private address (and its Elastic IP) at this port
        "port": 80,
        "worker_processes": 1,  # a number or "auto"
        "worker_connections": 1024,
        "client_max_body_size": "64m",  # uploads to Plone
        "proxy_read_timeout": 300,  # seconds; Plone pages can be slow to render
        # the workers' user when nginx starts as root; None = the agent's own user on a local
        # instance (its tree belongs to it), www-data on a host
        "user": None,
    },
    # the Plone site every request is rewritten to (the ZODB path of the site object)
    "plone_instances": {"site_id": "Plone"},
}
