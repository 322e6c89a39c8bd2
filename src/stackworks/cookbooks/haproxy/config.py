"""haproxy.cfg from the stack, as pure functions: the backends and the rendered text.

Every online instance of a backend layer contributes one server per web copy it runs. How many
copies an app server runs is decided by `python_app.workload.process_count`, the very function
the app servers use, fed with the `python_app` attributes this load balancer sees. Limit: those
are the load balancer's own merged attributes (cookbook defaults < stack < its layers' custom
JSON), so set `python_app.instance_count`/`base_port`/`cpu_count` in the stack's custom JSON,
not only on the app layer; without `cpu_count` the CPU count is this host's, right for local
instances (all on one host) and for hosts of one size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from stackworks.cookbooks.python_app import workload
from stackworks.cookbooks.python_app.attributes import DEFAULTS as PYTHON_APP_DEFAULTS
from stackworks.domain.attributes import deep_merge

TEMPLATES = Path(__file__).parent / "templates"
PYTHON_APP_TYPE = "python-app"

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


def backend_layers(
    layers: Mapping[str, Mapping[str, Any]], chosen: Iterable[str] | None
) -> list[str]:
    """The layers whose instances are backends: those chosen, or every python-app layer."""
    if chosen is None:
        return sorted(
            name for name, layer in layers.items() if layer.get("type") == PYTHON_APP_TYPE
        )
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
) -> list[Server]:
    """Every web copy of every online instance of the backend layers, sorted by hostname.

    `layers` is the configuration's `layers` (each with its online `instances`); `python_app`
    the `python_app` attributes (merged over the cookbook's defaults here); an instance in two
    backend layers counts once; one without a private address cannot be reached and is skipped.
    """
    settings = deep_merge(PYTHON_APP_DEFAULTS["python_app"], python_app)
    count = workload.process_count(settings, cpu_count)
    ports = workload.web_ports(int(settings["base_port"]), count)
    instances: dict[str, str] = {}
    for name in backend_layers(layers, chosen_layers):
        for hostname, instance in (layers[name].get("instances") or {}).items():
            if instance.get("private_ip") and instance.get("status", "online") == "online":
                instances.setdefault(hostname, instance["private_ip"])
    return [
        Server(f"{hostname}-{n}", address, port)
        for hostname, address in sorted(instances.items())
        for n, port in enumerate(ports, start=1)
    ]


def render_haproxy_config(
    settings: Mapping[str, Any],
    *,
    bind_ip: str,
    servers: list[Server],
    runtime_socket: str | None = None,
    also_bind: Iterable[str] = (),
) -> str:
    """The text of haproxy.cfg for `settings` (the `haproxy` attributes) and `servers`.

    The frontend listens on `bind_ip` and on each of `also_bind` (the instance's Elastic IP).

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
    variables = {
        "bind_ips": [
            _token({"bind_ip": ip}, "bind_ip")
            for ip in dict.fromkeys([bind_ip, *also_bind])  # once each, in order
        ],
        "port": _number(settings, "port", upper=65535),
        "maxconn": _number(settings, "maxconn"),
        "retries": _retries(settings),
        "redispatch": bool(settings.get("redispatch", True)),
        "retry_on": _retry_on(settings),
        "balance": balance,
        "timeouts": {k: _duration(timeouts, k) for k in ("connect", "client", "server")},
        "health_check": {
            "method": _token(settings, "health_check_method").upper(),
            "url": _token(settings, "health_check_url"),
            "interval": _number(settings, "check_interval"),
            "rise": _number(settings, "rise"),
            "fall": _number(settings, "fall"),
        },
        "sticky_sessions": bool(settings.get("sticky_sessions")),
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


def _token(settings: Mapping[str, Any], key: str) -> str:
    value = settings.get(key)
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise ConfigError(
            f"haproxy.{key}: {'a value' if key == 'stats_password' else repr(value)} "
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
