"""haproxy.cfg from the stack, as pure functions: the backends and the rendered text.

Every online instance of a backend layer contributes one server per web copy it runs. How many
copies an app server runs is decided by `python_app.workload.process_count`, the very function
the app servers use, fed with the `python_app` attributes this load balancer sees. Limit: those
are the load balancer's own merged attributes (cookbook defaults < stack < its layers' custom
JSON), so set `python_app.instance_count`/`base_port`/`cpu_count` in the stack's custom JSON,
not only on the app layer; without `cpu_count` the CPU count is this host's, right for local
instances (all on one host) and for hosts of one size.

A backend layer of type `plone-instances` contributes one server per ZEO client instead
(`plone.client_ports`), checked with the `plone_instances` health check. On a `plone-frontend`
instance the default backends are the plone-instances layers and the default port is 8080
(nginx has 80); on an `lb` instance they stay the python-app layers and 80.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from stackworks.cookbooks.haproxy import plone
from stackworks.cookbooks.python_app import workload
from stackworks.cookbooks.python_app.attributes import DEFAULTS as PYTHON_APP_DEFAULTS
from stackworks.domain.attributes import deep_merge

TEMPLATES = Path(__file__).parent / "templates"
PYTHON_APP_TYPE = "python-app"

#: the frontend port when `haproxy.port` is not set: 80 on an lb instance, 8080 on a
#: plone-frontend instance (whose nginx listens on 80 and Varnish sits in between)
LB_PORT = 80
PLONE_FRONTEND_PORT = 8080

# What may be written into haproxy.cfg unquoted: no whitespace, no '#', nothing to escape.
_TOKEN = re.compile(r"^[A-Za-z0-9._~:/?&=%+@!*,;-]+$")
_DURATION = re.compile(r"^\d+(us|ms|s|m|h|d)?$")
_BALANCE = {"roundrobin", "static-rr", "leastconn", "first", "source", "random"}


class ConfigError(ValueError):
    """An attribute that cannot go into haproxy.cfg; the message names it."""


@dataclass(frozen=True)
class Server:
    """One web copy of one app server: `server <name> <address>:<port>`."""

    name: str  # <hostname>-<n>
    address: str
    port: int


@dataclass(frozen=True)
class HealthCheck:
    """`http-check send meth <method> uri <url>`; `source` is the attribute prefix it came from."""

    method: str
    url: str
    source: str = "haproxy"


def own_layer_types(layers: Mapping[str, Mapping[str, Any]], own: Iterable[str]) -> set[str]:
    """The types of the layers this instance belongs to (`self.layers`)."""
    return {str(layers[name].get("type")) for name in own if name in layers}


def default_backend_type(own_types: Iterable[str]) -> str:
    """Which layer type a load balancer serves when `haproxy.backend_layers` is not set."""
    if plone.PLONE_FRONTEND_TYPE in set(own_types):
        return plone.PLONE_INSTANCES_TYPE
    return PYTHON_APP_TYPE


def listen_port(settings: Mapping[str, Any], own_types: Iterable[str] = ()) -> Any:
    """`haproxy.port`, or when it is not set the default of this instance's layer type."""
    port = settings.get("port")
    if port is not None:
        return port
    return PLONE_FRONTEND_PORT if plone.PLONE_FRONTEND_TYPE in set(own_types) else LB_PORT


def backend_layers(
    layers: Mapping[str, Mapping[str, Any]],
    chosen: Iterable[str] | None,
    default_type: str = PYTHON_APP_TYPE,
) -> list[str]:
    """The layers whose instances are backends: those chosen, or every layer of
    `default_type` (python-app for an lb instance, plone-instances for a plone-frontend)."""
    if chosen is None:
        return sorted(name for name, layer in layers.items() if layer.get("type") == default_type)
    if isinstance(chosen, str):
        raise ConfigError("haproxy.backend_layers: expected a list of layer shortnames")
    unknown = [name for name in chosen if name not in layers]
    if unknown:
        raise ConfigError(f"haproxy.backend_layers: no layer named {', '.join(unknown)}")
    return list(chosen)


def backend_servers(
    layers: Mapping[str, Mapping[str, Any]],
    chosen_layers: Iterable[str] | None,
    python_app: Mapping[str, Any],
    cpu_count: int | None = None,
    *,
    plone_instances: Mapping[str, Any] | None = None,
    default_type: str = PYTHON_APP_TYPE,
) -> list[Server]:
    """Every web copy (ZEO client, on a plone-instances layer) of every online instance of the
    backend layers, sorted by hostname.

    `layers` is the configuration's `layers` (each with its online `instances`); `python_app`
    and `plone_instances` the attributes of those names (merged over their defaults here); an
    instance in two backend layers counts once, with the ports of the first; one without a
    private address cannot be reached and is skipped.
    """
    ports_of: dict[bool, list[int]] = {}

    def ports(is_plone: bool) -> list[int]:
        if is_plone not in ports_of:
            if is_plone:
                ports_of[True] = plone.client_ports(
                    plone.settings(plone_instances or {}), cpu_count
                )
            else:
                settings = deep_merge(PYTHON_APP_DEFAULTS["python_app"], python_app)
                count = workload.process_count(settings, cpu_count)
                ports_of[False] = workload.web_ports(int(settings["base_port"]), count)
        return ports_of[is_plone]

    instances: dict[str, tuple[str, list[int]]] = {}
    for name in backend_layers(layers, chosen_layers, default_type):
        is_plone = layers[name].get("type") == plone.PLONE_INSTANCES_TYPE
        for hostname, instance in (layers[name].get("instances") or {}).items():
            online = instance.get("status", "online") == "online"
            if instance.get("private_ip") and online and hostname not in instances:
                instances[hostname] = (instance["private_ip"], ports(is_plone))
    return [
        Server(f"{hostname}-{n}", address, port)
        for hostname, (address, copies) in sorted(instances.items())
        for n, port in enumerate(copies, start=1)
    ]


def backend_health_check(
    settings: Mapping[str, Any],
    layers: Mapping[str, Mapping[str, Any]],
    chosen_layers: Iterable[str] | None,
    plone_instances: Mapping[str, Any] | None = None,
    default_type: str = PYTHON_APP_TYPE,
) -> HealthCheck:
    """The backend's health check: `plone_instances.health_check_*` when the backends are
    plone-instances layers, else `haproxy.health_check_*`. One backend has one check, so
    plone-instances layers cannot be mixed with layers of another type."""
    names = backend_layers(layers, chosen_layers, default_type)
    plone_layers = [n for n in names if layers[n].get("type") == plone.PLONE_INSTANCES_TYPE]
    if not plone_layers:
        return HealthCheck(
            _token(settings, "health_check_method").upper(), _token(settings, "health_check_url")
        )
    others = [n for n in names if n not in plone_layers]
    if others:
        raise ConfigError(
            f"haproxy.backend_layers: plone-instances layers ({', '.join(plone_layers)}) cannot "
            f"share one backend with other layers ({', '.join(others)}): their health checks differ"
        )
    attributes = plone.settings(plone_instances or {})
    return HealthCheck(
        _token(attributes, "health_check_method", "plone_instances").upper(),
        _token(attributes, "health_check_url", "plone_instances"),
        "plone_instances",
    )


def render_haproxy_config(
    settings: Mapping[str, Any],
    *,
    bind_ip: str,
    servers: list[Server],
    runtime_socket: str | None = None,
    also_bind: Iterable[str] = (),
    own_types: Iterable[str] = (),
    health_check: HealthCheck | None = None,
) -> str:
    """The text of haproxy.cfg for `settings` (the `haproxy` attributes) and `servers`.

    The frontend listens on `bind_ip` and on each of `also_bind` (the instance's Elastic IP), at
    `haproxy.port` or the default of `own_types` (this instance's layer types). `health_check`
    defaults to `haproxy.health_check_*`. When it comes from `plone_instances`, sticky sessions
    prefix Plone's login cookie instead of inserting one, so that anonymous responses stay
    cacheable by Varnish (an inserted cookie would make every one of them private).

    Raises ConfigError naming the attribute when a value cannot be written safely.
    """
    password = settings.get("stats_password")
    stats = None
    if password:
        stats = {
            "url": _token(settings, "stats_url"),
            "user": _token(settings, "stats_user"),
            "password": _token(settings, "stats_password"),
        }
    balance = str(settings.get("balance"))
    if balance not in _BALANCE:
        raise ConfigError(
            f"haproxy.balance: {balance!r} is not one of {', '.join(sorted(_BALANCE))}"
        )
    timeouts = settings.get("timeouts") or {}
    check = health_check or HealthCheck(
        _token(settings, "health_check_method").upper(), _token(settings, "health_check_url")
    )
    variables = {
        "bind_ips": [
            _token({"bind_ip": ip}, "bind_ip")
            for ip in dict.fromkeys([bind_ip, *also_bind])  # once each, in order
        ],
        "port": _number({"port": listen_port(settings, own_types)}, "port", upper=65535),
        "maxconn": _number(settings, "maxconn"),
        "retries": _retries(settings),
        "redispatch": bool(settings.get("redispatch", True)),
        "retry_on": _retry_on(settings),
        "balance": balance,
        "timeouts": {k: _duration(timeouts, k) for k in ("connect", "client", "server")},
        "health_check": {
            "method": check.method,
            "url": check.url,
            "interval": _number(settings, "check_interval"),
            "rise": _number(settings, "rise"),
            "fall": _number(settings, "fall"),
        },
        "sticky_sessions": bool(settings.get("sticky_sessions")),
        "sticky_prefix": plone.PLONE_SESSION_COOKIE if check.source == "plone_instances" else None,
        "stats": stats,
        "servers": servers,
        "runtime_socket": _token({"runtime_socket": runtime_socket}, "runtime_socket")
        if runtime_socket
        else None,
    }
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("haproxy.cfg.j2").render(variables)


def _token(settings: Mapping[str, Any], key: str, prefix: str = "haproxy") -> str:
    value = settings.get(key)
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise ConfigError(
            f"{prefix}.{key}: {'a value' if key == 'stats_password' else repr(value)} "
            "cannot go into haproxy.cfg (use letters, digits and URL punctuation, no spaces)"
        )
    return value


def _number(settings: Mapping[str, Any], key: str, upper: int = 10**9) -> int:
    value = settings.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= upper:
        raise ConfigError(
            f"haproxy.{key}: expected a whole number from 1 to {upper}, got {value!r}"
        )
    return value


def _retries(settings: Mapping[str, Any]) -> int:
    value = settings.get("retries", 3)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ConfigError(f"haproxy.retries: expected a whole number from 0 to 100, got {value!r}")
    return value


#: HAProxy's `retry-on` keywords that Stackworks lets through (HAProxy 2.0 and later)
RETRY_ON = frozenset(
    {
        "conn-failure",
        "empty-response",
        "junk-response",
        "response-timeout",
        "0rtt-rejected",
        "404",
        "408",
        "425",
        "500",
        "501",
        "502",
        "503",
        "504",
    }
)


def _retry_on(settings: Mapping[str, Any]) -> list[str]:
    value = settings.get("retry_on") or []
    # attributes reach recipes as read-only views: a JSON list arrives as a tuple
    if not isinstance(value, list | tuple) or any(item not in RETRY_ON for item in value):
        raise ConfigError(
            f"haproxy.retry_on: expected a list of {', '.join(sorted(RETRY_ON))}, got {value!r}"
        )
    return [str(item) for item in value]


def _duration(timeouts: Mapping[str, Any], key: str) -> str:
    value = str(timeouts.get(key, ""))
    if not _DURATION.match(value):
        raise ConfigError(
            f"haproxy.timeouts.{key}: expected a duration like 5s or 500ms, got {value!r}"
        )
    return value
