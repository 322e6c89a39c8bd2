"""Default attributes of the `varnish` cookbook (overridden by custom JSON)."""

from typing import Any

DEFAULTS: dict[str, Any] = {
    "varnish": {
        # the programs (names looked up on PATH, /usr/sbin included, or paths)
        "binary": "varnishd",
        "admin_binary": "varnishadm",
        # varnishd listens on the instance's private address at this port
        "port": 6081,
        # the admin CLI (-T): on the private address when it is a loopback one (a local
        # instance), else on 127.0.0.1
        "admin_port": 6082,
        # cache storage: -s malloc,<storage_size>
        "storage_size": "256m",
        # seconds an object without caching headers is kept (-t)
        "default_ttl": 120,
        # seconds: connecting to HAProxy, waiting for its first byte (Plone can be slow)
        "connect_timeout": 5,
        "first_byte_timeout": 300,
        # a request carrying one of these cookies (or an Authorization header) is never
        # cached; other cookies are dropped from cacheable requests
        "pass_cookies": ["__ac", "_ZopeId", "__cp"],
        # varnish::purge bans every URL matching one of these regular expressions
        "purge_urls": [".*"],
        # varnishd -j: None = "none" under supervisor (a local instance runs everything as one
        # user, in its own tree), varnishd's own default elsewhere
        "jail": None,
        # seconds varnish::configure waits for the admin CLI to answer before loading a VCL
        "admin_timeout": 30,
    }
}
