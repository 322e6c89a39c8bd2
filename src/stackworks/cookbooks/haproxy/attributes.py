"""Default attributes of the `haproxy` cookbook (overridden by custom JSON)."""

from typing import Any

DEFAULTS: dict[str, Any] = {
    "haproxy": {
        # the HAProxy program (a name looked up on PATH, /usr/sbin included, or a path)
        "binary": "haproxy",
        # the frontend listens on the instance's private address at this port; None = the
        # layer type's: 80 on an lb instance, 8080 on a plone-frontend one (nginx has 80)
        "port": None,
        "balance": "leastconn",
        # python-app backends; plone-instances backends use plone_instances.health_check_*
        "health_check_url": "/",
        "health_check_method": "OPTIONS",
        "check_interval": 2000,  # milliseconds between health checks of one server
        "rise": 2,  # successful checks before a server is used
        "fall": 3,  # failed checks before a server is dropped
        "stats_url": "/haproxy?stats",
        "stats_user": "stackworks",
        "stats_password": None,  # statistics page off unless a password is set
        "sticky_sessions": False,  # True: a cookie pins a client to one server
        # layer shortnames; None = every python-app layer (every plone-instances layer on a
        # plone-frontend instance)
        "backend_layers": None,
        "maxconn": 4096,
        # a request that could not connect is tried again (on another server with redispatch)
        "retries": 3,
        "redispatch": True,
        # what else is retried (HAProxy's layer-7 retries), for GET, HEAD and OPTIONS only: a
        # server that dies with a request in flight (empty-response) is not a failed request
        "retry_on": ["conn-failure", "empty-response", "response-timeout"],
        "timeouts": {"connect": "5s", "client": "60s", "server": "60s"},
        # rolling deploys: how long drain waits for sessions to end, enable for health checks
        "drain_timeout": 60,
        "enable_timeout": 60,
    }
}
