"""The agent's life: heartbeat in a thread, poll-run-report in the main thread, stop on SIGTERM.

    start ─▶ flush outbox ─▶ poll (long) ─▶ run each command in order ─▶ flush ─▶ poll ...
                  ▲ heartbeat thread: at once, then at its slot in each heartbeat_interval

SIGTERM (supervisord stopping the instance) sets the stop flag: an idle poll is interrupted at
once, a running command finishes, and whatever the outbox holds gets one last try. A refused
credential (401/403) stops the agent with a clear message and exit status 3.
"""

from __future__ import annotations

import logging
import random
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from stackworks.agent import metrics as agent_metrics
from stackworks.agent.client import (
    AgentAuthError,
    AgentClient,
    AgentClientError,
    AgentRequestError,
    AgentUnreachable,
)
from stackworks.agent.config import AgentConfig, AgentConfigError, load_config, write_config
from stackworks.agent.converge_process import converge_in_subprocess
from stackworks.agent.executor import CommandExecutor, Converge
from stackworks.agent.outbox import Outbox
from stackworks.agent.stack_configuration import StackConfigurations
from stackworks.tls import TlsSetupError

log = logging.getLogger("stackworks.agent")

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_AUTH = 3
REFUSED_FETCH_PAUSE = 5.0  # seconds before polling again when a configuration was refused


class _Interrupted(BaseException):
    """Raised by the SIGTERM handler to cut short an idle long poll."""


class Agent:
    """One running agent. `stop()` may be called from any thread (tests do)."""

    def __init__(
        self,
        config: AgentConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        converge: Converge = converge_in_subprocess,
        metrics: Callable[[], dict[str, float]] = agent_metrics.collect,
        rand: Callable[[], float] = random.random,
        config_path: Path | None = None,
    ) -> None:
        self.config = config
        self.config_path = config_path
        self.stopping = threading.Event()
        self.auth_error: str | None = None
        self._metrics = metrics
        self._interruptible = False
        self.client = AgentClient(
            config.server_url,
            config.credential,
            poll_wait=config.poll_wait,
            transport=transport,
            stop=self.stopping,
            rand=rand,
            ca_file=config.ca_file,
        )
        self.outbox = Outbox(config.outbox_dir)
        self.executor = CommandExecutor(
            self.client, self.outbox, config.cookbook_cache, converge=converge
        )
        self.configurations = StackConfigurations(self.client)
        #: how long each poll is held: the configured wait, or the longer one the server told
        self.poll_wait = config.poll_wait
        self._heartbeat = threading.Thread(target=self._beat, name="heartbeat", daemon=True)

    def stop(self) -> None:
        self.stopping.set()

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        self.stopping.set()
        if self._interruptible:
            raise _Interrupted

    def _beat(self) -> None:
        interval = self.config.heartbeat_interval
        while not self.stopping.is_set():
            pause = interval  # after a failed heartbeat, and from a server that names no slot
            try:
                reply = self.client.heartbeat(self._metrics())
                interval = reply.heartbeat_interval or interval
                # the server's slot for us spreads the fleet's beats (domain/beat_slots.py)
                pause = min(reply.next_heartbeat_in or interval, interval)
                # a paced fleet polls longer; never shorter than this agent's own wait
                self.poll_wait = max(self.config.poll_wait, reply.poll_wait or 0.0)
                if reply.credential:
                    self._take_credential(reply.credential)
            except AgentAuthError as exc:
                self._refused(exc)
                return
            except AgentClientError as exc:
                if not self.stopping.is_set():
                    log.warning("heartbeat failed: %s", exc)
            except Exception as exc:  # metrics trouble must not end the heartbeat
                log.error("heartbeat failed: %s: %s", type(exc).__name__, exc)
            self.stopping.wait(pause)

    def _take_credential(self, credential: str) -> None:
        """A rotation: save the new credential, then call with it (which confirms it). If it
        cannot be saved, keep the old one: the server offers another on the next heartbeat,
        and a credential the agent would lose at its next restart is worse than none."""
        updated = self.config.model_copy(update={"credential": credential})
        if self.config_path is not None:
            try:
                write_config(self.config_path, updated)
            except OSError as exc:
                log.error("cannot save the rotated credential to %s: %s", self.config_path, exc)
                return
        self.config = updated
        self.client.use_credential(credential)
        log.info("credential rotated")

    def _refused(self, exc: AgentAuthError) -> None:
        self.auth_error = str(exc)
        self.stopping.set()

    def run(self, *, handle_signals: bool = True) -> int:
        """Run until stopped; the exit status for the process."""
        if handle_signals:
            signal.signal(signal.SIGTERM, self._on_sigterm)
            signal.signal(signal.SIGINT, self._on_sigterm)
        log.info(
            "agent for %s (instance %s) polling %s",
            self.config.hostname,
            self.config.instance_id,
            self.config.server_url,
        )
        self._heartbeat.start()
        try:
            self._serve()
        except AgentAuthError as exc:
            self._refused(exc)
        except (AgentUnreachable, _Interrupted):
            pass  # only happens once stopping
        finally:
            self.stopping.set()
            self._interruptible = False
            self._finish()
        if self.auth_error:
            log.error("stopping: %s", self.auth_error)
            return EXIT_AUTH
        log.info("stopped")
        return EXIT_OK

    def _serve(self) -> None:
        while not self.stopping.is_set():
            self.outbox.flush(self.client)
            self._interruptible = True
            try:
                if self.stopping.is_set():
                    break
                commands = self.client.commands(
                    wait=self.poll_wait, have=self.configurations.version
                )
            finally:
                self._interruptible = False
            for command in commands:
                if self.stopping.is_set():
                    break  # the server sends it again to the next agent run
                try:
                    whole = self.configurations.complete(command)
                except AgentRequestError as exc:  # not acked: the server sends it again
                    log.warning("command %s not run: %s", command.id, exc)
                    self.stopping.wait(REFUSED_FETCH_PAUSE)
                    break
                self.executor.run(whole)

    def _finish(self) -> None:
        """Last try at what is owed, without waiting on an absent server; then close."""
        self._heartbeat.join(timeout=5)
        try:
            self.outbox.flush(self.client, retry=False)
        except AgentClientError as exc:
            log.warning("results left in %s for the next start: %s", self.outbox.directory, exc)
        self.client.close()


def configure_logging() -> None:
    """The agent's own activity goes to stderr (supervisord puts it in var/log/agent.log)."""
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(threadName)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run_agent(config_path: Path, **options: Any) -> int:
    """`stackworks agent run --config FILE`: the process's exit status."""
    configure_logging()
    try:
        config = load_config(config_path)
    except AgentConfigError as exc:
        print(f"stackworks agent: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        agent = Agent(config, config_path=config_path, **options)
    except TlsSetupError as exc:
        print(f"stackworks agent: {config_path}: field 'ca_file': {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return agent.run()
