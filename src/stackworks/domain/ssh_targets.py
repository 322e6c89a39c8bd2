"""Where an `ssh` instance lives: its target `user@host[:port]`, and what its host must offer.

The target is checked before it is stored: its user and host end up in an SSH login and its
host becomes the instance's private address (the one its services listen on and the load
balancers of the stack reach), so a target is an IPv4 address or a DNS name, never anything
a shell or an SSH option parser could read as more than one word.

`HostFacts` is what the provider's probe of a host found; `host_problems` says, in words fit
for the instance's status reason, why such a host cannot run an agent.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from stackworks.domain.errors import InvalidInput

DEFAULT_PORT = 22
#: the agent needs at least this Python on the host (the project's own floor)
MIN_PYTHON = (3, 11)
#: free space the agent's virtualenv, wheels and the first release need, in MiB
MIN_FREE_MIB = 512

_USER = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
_DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class SshTarget:
    """`user@host:port`; `host` is lower-case, an IPv4 address or a DNS name."""

    user: str
    host: str
    port: int = DEFAULT_PORT

    def __str__(self) -> str:
        suffix = "" if self.port == DEFAULT_PORT else f":{self.port}"
        return f"{self.user}@{self.host}{suffix}"

    @property
    def address(self) -> str:
        """host:port, the name a host key is pinned under."""
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SshAccess:
    """What the server needs to reach one instance: where, with which key, and the host key
    it expects (None: not seen yet, the first connection pins what it finds)."""

    target: SshTarget
    private_key: str = field(repr=False)  # OpenSSH or PEM text; never printed
    host_key: str | None = None  # SHA256:... fingerprint


def parse_target(text: str, *, field: str = "ssh_target") -> SshTarget:
    """`user@host[:port]` as an SshTarget, or InvalidInput naming `field` and what is wrong."""
    user, at, rest = text.strip().partition("@")
    if not at:
        raise InvalidInput(f"{field}: {text!r} is not user@host[:port]", field=field)
    if not _USER.fullmatch(user):
        raise InvalidInput(
            f"{field}: user {user!r} is not a login name (lower-case letters, digits, _ . -)",
            field=field,
        )
    if rest.startswith("["):
        raise InvalidInput(
            f"{field}: IPv6 addresses are not supported; give an IPv4 address or a DNS name",
            field=field,
        )
    host, colon, port_text = rest.partition(":")
    port = DEFAULT_PORT
    if colon:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise InvalidInput(f"{field}: port {port_text!r} is not 1-65535", field=field)
        port = int(port_text)
    host = host.lower()
    if not _is_host(host):
        raise InvalidInput(
            f"{field}: host {host!r} is neither an IPv4 address nor a DNS name", field=field
        )
    return SshTarget(user=user, host=host, port=port)


def _is_host(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
        return True
    except ValueError:
        pass
    if not host or len(host) > 253 or host.replace(".", "").isdigit():
        return False
    return all(_DNS_LABEL.fullmatch(label) for label in host.split("."))


# --- what a host offers ----------------------------------------------------------------------


@dataclass(frozen=True)
class HostFacts:
    """What the probe found on a host (see providers/ssh_commands.PROBE)."""

    system: str  # uname: Linux
    machine: str  # uname -m: x86_64, aarch64
    distribution: str  # os-release PRETTY_NAME, "" when there is none
    python: tuple[int, int] | None  # python3's version, None when there is no python3
    has_venv: bool  # python3 -m venv works (Debian: python3-venv)
    free_mib: int  # free space where the agent is installed
    has_systemd: bool  # systemd is the running init (/run/systemd/system exists)


def parse_facts(output: str) -> HostFacts:
    """The probe's `key=value` lines as HostFacts; a missing key reads as "not there"."""
    values: dict[str, str] = {}
    for line in output.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    python: tuple[int, int] | None = None
    major, _, minor = values.get("python", "").partition(".")
    if major.isdigit() and minor.isdigit():
        python = (int(major), int(minor))
    free = values.get("free_mib", "")
    return HostFacts(
        system=values.get("system", ""),
        machine=values.get("machine", ""),
        distribution=values.get("distribution", ""),
        python=python,
        has_venv=values.get("venv") == "yes",
        free_mib=int(free) if free.isdigit() else 0,
        has_systemd=values.get("systemd") == "yes",
    )


def host_problems(
    facts: HostFacts, *, agent_python: tuple[int, int], agent_machine: str
) -> list[str]:
    """Why this host cannot run the agent the server ships (empty: it can).

    The server installs its agent from wheels built for its own Python and machine, so the
    host's python3 must be that same minor version on the same machine."""
    problems = []
    if facts.system != "Linux":
        problems.append(f"the system is {facts.system or 'unknown'}, not Linux")
    if facts.python is None:
        problems.append("there is no python3")
    elif facts.python < MIN_PYTHON:
        problems.append(
            f"python3 is {_version(facts.python)}; the agent needs {_version(MIN_PYTHON)} or later"
        )
    elif facts.python != agent_python:
        problems.append(
            f"python3 is {_version(facts.python)}, but the server's agent wheels are for "
            f"{_version(agent_python)}"
        )
    if facts.python is not None and not facts.has_venv:
        problems.append(
            "python3 cannot make a virtualenv (on Debian: apt-get install python3-venv)"
        )
    if facts.machine and facts.machine != agent_machine:
        problems.append(
            f"the machine is {facts.machine}; the server's wheels are for {agent_machine}"
        )
    if facts.free_mib < MIN_FREE_MIB:
        problems.append(f"{facts.free_mib} MiB free; the agent needs {MIN_FREE_MIB} MiB")
    return problems


def _version(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"
