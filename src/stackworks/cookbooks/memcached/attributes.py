"""Default attributes of the `memcached` cookbook (overridden by custom JSON)."""

from typing import Any

DEFAULTS: dict[str, Any] = {
    "memcached": {
        # memcached listens on the instance's private address at this port (TCP; UDP is off).
        # The RelStorage clients read it too: set it in the stack's custom JSON
        "port": 11211,
        # item memory in megabytes (-m)
        "memory": 64,
        # simultaneous connections (-c)
        "max_connections": 1024,
        # worker threads (-t)
        "threads": 4,
        # the user memcached switches to when started as root (-u; Debian's package makes it)
        "user": "memcache",
        # the program: a name looked up on PATH (and /usr/bin) or a path
        "binary": "memcached",
    }
}
