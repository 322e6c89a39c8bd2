"""ssh targets are checked before they are stored; a probed host's facts say what is missing."""

from __future__ import annotations

import pytest

from stackworks.domain.errors import InvalidInput
from stackworks.domain.ssh_targets import (
    MIN_FREE_MIB,
    HostFacts,
    SshTarget,
    host_problems,
    parse_facts,
    parse_target,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("root@10.248.0.11", SshTarget("root", "10.248.0.11", 22)),
        ("deploy@Web-1.Example.com:2222", SshTarget("deploy", "web-1.example.com", 2222)),
        ("  ops_user@host  ", SshTarget("ops_user", "host", 22)),
    ],
)
def test_a_target_is_user_host_and_port(text: str, expected: SshTarget) -> None:
    assert parse_target(text) == expected


def test_a_target_prints_its_port_only_when_it_is_not_22() -> None:
    assert str(SshTarget("root", "h", 22)) == "root@h"
    assert str(SshTarget("root", "h", 2200)) == "root@h:2200"
    assert SshTarget("root", "h").address == "h:22"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("10.0.0.1", "is not user@host[:port]"),
        ("@10.0.0.1", "user '' is not a login name"),
        ("-oProxyCommand=x@host", "user '-oProxyCommand=x'"),
        ("root@-oProxyCommand=sh", "host '-oproxycommand=sh'"),
        ("root@host;reboot", "host 'host;reboot'"),
        ("root@10.0.0.300", "host '10.0.0.300'"),
        ("root@host:0", "port '0'"),
        ("root@host:99999", "port '99999'"),
        ("root@host:22x", "port '22x'"),
        ("root@", "host '' is neither"),
        ("root@[::1]", "IPv6 addresses are not supported"),
    ],
)
def test_a_bad_target_is_refused_naming_the_field_and_the_part(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_target(text)
    assert refused.value.field == "ssh_target"
    assert refused.value.message.startswith("ssh_target: ")
    assert says in refused.value.message


PROBE_OUTPUT = """system=Linux
machine=x86_64
distribution=Debian GNU/Linux 12 (bookworm)
python=3.11
venv=yes
free_mib=20480
systemd=yes
"""


def test_the_probe_output_becomes_host_facts() -> None:
    assert parse_facts(PROBE_OUTPUT) == HostFacts(
        system="Linux",
        machine="x86_64",
        distribution="Debian GNU/Linux 12 (bookworm)",
        python=(3, 11),
        has_venv=True,
        free_mib=20480,
        has_systemd=True,
    )


def test_what_the_probe_did_not_print_reads_as_missing() -> None:
    facts = parse_facts("system=Linux\nnoise without an equals sign\n")
    assert facts.python is None and not facts.has_venv and not facts.has_systemd
    assert facts.free_mib == 0


def good_host(**changes: object) -> HostFacts:
    facts = parse_facts(PROBE_OUTPUT)
    return HostFacts(**{**facts.__dict__, **changes})  # type: ignore[arg-type]


def problems(facts: HostFacts) -> list[str]:
    return host_problems(facts, agent_python=(3, 11), agent_machine="x86_64")


def test_a_linux_host_with_the_servers_python_venv_and_disk_has_no_problem() -> None:
    assert problems(good_host()) == []
    assert problems(good_host(has_systemd=False)) == []  # supervisord alone then


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"system": "FreeBSD"}, "the system is FreeBSD, not Linux"),
        ({"python": None}, "there is no python3"),
        ({"python": (3, 9)}, "python3 is 3.9; the agent needs 3.11 or later"),
        ({"python": (3, 12)}, "python3 is 3.12, but the server's agent wheels are for 3.11"),
        ({"has_venv": False}, "apt-get install python3-venv"),
        ({"machine": "aarch64"}, "the machine is aarch64"),
        ({"free_mib": 100}, f"100 MiB free; the agent needs {MIN_FREE_MIB} MiB"),
    ],
)
def test_each_missing_piece_is_named(changes: dict[str, object], says: str) -> None:
    found = problems(good_host(**changes))
    assert len(found) == 1 and says in found[0], found
