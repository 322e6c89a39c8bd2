"""The ssh provider: an instance is a host the server reaches over SSH and installs its agent on.

On start the server connects with the instance's key (checking the host key it pinned at the
first connection: providers/ssh_keys.py), checks the host (Linux, python3 of the server's own
version with venv, free disk), copies the agent's wheels (providers/agent_wheels.py) over SFTP
and pip-installs them into a virtualenv, writes the agent's configuration with the instance's
fresh credential, and starts the instance's supervisord: as a systemd service where systemd
runs, else by itself. Stop (after the lifecycle ran the shutdown recipes) ends that service;
delete also removes everything the provider put on the host (providers/ssh_commands.py).

The provider keeps nothing in memory: how to reach an instance (target, key, pinned host key)
comes from a `HostBook` (store/ssh_hosts.py over the server's database) at each call.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Protocol

from stackworks.domain import ssh_targets
from stackworks.domain.entities import Instance
from stackworks.domain.ssh_targets import HostFacts, SshAccess
from stackworks.providers import agent_wheels, ssh_commands
from stackworks.providers.base import (
    AddressExhausted,
    Provider,
    StartFailed,
    StartResult,
    StopFailed,
)
from stackworks.providers.ssh_commands import HostLayout
from stackworks.providers.ssh_keys import HostKeyChanged
from stackworks.providers.ssh_session import HostUnreachable, SshSession
from stackworks.wire.agent_config import AgentConfig

log = logging.getLogger("stackworks.providers.ssh")

READY_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 90.0


class HostBook(Protocol):
    """Where the provider reads how to reach an instance and pins its host key."""

    def access(self, instance_id: str) -> SshAccess: ...
    def pin(self, instance_id: str, fingerprint: str) -> None: ...


class SshProvider(Provider):
    name = "ssh"

    def __init__(
        self,
        data_dir: Path | str,
        hosts: HostBook,
        *,
        prefix: str = ssh_commands.DEFAULT_PREFIX,
        wheel_cache: Path | None = None,
        **_ignored: Any,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.hosts = hosts
        self.wheel_cache = wheel_cache or agent_wheels.default_cache()
        self.layout = HostLayout(prefix)

    def allocate_address(self, taken: set[str]) -> str:
        raise AddressExhausted("an ssh instance's address is its target's host")

    def connect(self, instance: Instance) -> SshSession:
        """A session to the instance's host; pins the host key on the first connection."""
        access = self.hosts.access(instance.id)
        session = SshSession(instance.hostname, access)
        if access.host_key is None and session.seen_host_key is not None:
            self.hosts.pin(instance.id, session.seen_host_key)
            log.info(
                "%s: pinned the host key of %s: %s",
                instance.hostname,
                access.target.address,
                session.seen_host_key,
            )
        return session

    # --- start ------------------------------------------------------------------------------

    def start(self, instance: Instance, agent_config: AgentConfig) -> StartResult:
        began = time.monotonic()
        wheels = agent_wheels.ensure(
            self.wheel_cache
        )  # before connecting: the build may take a while
        with self.connect(instance) as session:
            facts = self.check_host(session)
            self._stop_service(session, facts)  # leftovers of an earlier run go first
            self._install(session, wheels)
            self._configure(session, instance, agent_config, facts)
            self._start_service(session, instance, facts)
            address = session.target.host
        log.info(
            "%s: agent %s started on %s in %.1f s",
            instance.hostname,
            wheels.version,
            session.target,
            time.monotonic() - began,
        )
        return StartResult(root_dir=self.layout.root_dir, private_ip=instance.private_ip or address)

    def probe(self, session: SshSession) -> HostFacts:
        return ssh_targets.parse_facts(session.check(self.layout.probe(), "the host check"))

    def check_host(self, session: SshSession) -> HostFacts:
        """The host's facts; StartFailed naming every reason it cannot run the agent."""
        facts = self.probe(session)
        problems = ssh_targets.host_problems(
            facts,
            agent_python=agent_wheels.agent_python(),
            agent_machine=agent_wheels.agent_machine(),
        )
        if problems:
            raise StartFailed(
                f"{session.hostname}: {session.target} cannot run the agent: {'; '.join(problems)}"
            )
        return facts

    def _install(self, session: SshSession, wheels: agent_wheels.Wheelhouse) -> None:
        layout = self.layout
        session.check(layout.make_dirs(), "making the agent's directories")
        session.check(layout.protect_agent_dir(), "protecting the agent's directory")
        present = session.sizes(layout.wheels)
        for wheel in wheels.files:
            if present.get(wheel.name) != wheel.stat().st_size:
                session.put_file(str(wheel), f"{layout.wheels}/{wheel.name}")
        installed = session.run(layout.installed_version())
        if installed.ok and installed.stdout.strip() == wheels.version:
            return
        if not session.run([layout.python, "-c", "pass"]).ok:
            session.check(layout.make_venv(), "making the agent's virtualenv")
        session.check(layout.install_agent(wheels.version, wheels.pip), "installing the agent")

    def _configure(
        self, session: SshSession, instance: Instance, config: AgentConfig, facts: HostFacts
    ) -> None:
        tree = self.layout.instance
        on_host = config.model_copy(update={"state_dir": tree.root / "agent"})
        session.write(
            str(tree.agent_config), json.dumps(on_host.to_json(), indent=2).encode(), 0o600
        )
        conf = self.layout.supervisord_config(daemon=not facts.has_systemd)
        session.write(str(tree.supervisord_conf), conf.encode(), 0o644)
        if facts.has_systemd:
            unit = self.layout.systemd_unit(instance.hostname)
            session.write(ssh_commands.UNIT_PATH, unit.encode(), 0o644)
            session.check(ssh_commands.systemctl("daemon-reload"), "systemctl daemon-reload")

    def _start_service(self, session: SshSession, instance: Instance, facts: HostFacts) -> None:
        if facts.has_systemd:
            session.check(
                ssh_commands.systemctl("enable", "--now", ssh_commands.UNIT_NAME),
                "starting the agent's service",
            )
        else:
            session.check(self.layout.start_supervisord(), "starting the agent's supervisord")
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            # STARTING is enough: the agent's first heartbeat is what makes the instance booted
            status = session.run(self.layout.supervisorctl("status", "stackworks-agent"))
            if "RUNNING" in status.stdout or "STARTING" in status.stdout:
                return
            time.sleep(0.5)
        raise StartFailed(
            f"{instance.hostname}: the agent did not run within {READY_TIMEOUT:g} s on "
            f"{session.target}: {status.tail()}"
        )

    # --- stop and delete --------------------------------------------------------------------

    def stop(self, instance: Instance) -> None:
        """End the instance's service. A host that cannot be reached, or whose key changed (the
        server will not log in there), counts as stopped: nothing of it can be ended from here,
        and a fresh start issues a new credential anyway."""
        try:
            with self.connect(instance) as session:
                self._stop_service(session, self.probe(session))
        except (HostUnreachable, HostKeyChanged) as error:
            log.warning("%s; counting it as stopped", error)
        except StartFailed as error:
            raise StopFailed(str(error)) from None

    def _stop_service(self, session: SshSession, facts: HostFacts) -> None:
        layout = self.layout
        if facts.has_systemd:
            session.run(ssh_commands.systemctl("stop", ssh_commands.UNIT_NAME))
        elif session.run(layout.supervisord_alive()).ok:
            session.run(layout.supervisorctl("shutdown"), timeout=SHUTDOWN_TIMEOUT)
        deadline = time.monotonic() + SHUTDOWN_TIMEOUT
        while session.run(layout.supervisord_alive()).ok:
            if time.monotonic() > deadline:
                session.run(layout.kill_supervisord())
                break
            time.sleep(0.3)

    def delete(self, instance: Instance) -> None:
        try:
            with self.connect(instance) as session:
                facts = self.probe(session)
                self._stop_service(session, facts)
                if facts.has_systemd:
                    session.run(ssh_commands.systemctl("disable", ssh_commands.UNIT_NAME))
                    session.run(ssh_commands.remove_unit())
                    session.run(ssh_commands.systemctl("daemon-reload"))
                session.check(self.layout.remove(), "removing the agent")
        except (HostUnreachable, HostKeyChanged) as error:
            log.warning("%s; its files under %s stay there", error, self.layout.prefix)
        except StartFailed as error:
            raise StopFailed(str(error)) from None

    def is_running(self, instance: Instance) -> bool:
        try:
            with self.connect(instance) as session:
                return session.run(self.layout.supervisord_alive()).ok
        except StartFailed:
            return False
