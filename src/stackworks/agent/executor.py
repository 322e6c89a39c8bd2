"""Runs one command from the server, start to finish, and never lets it crash the agent.

Steps: acknowledge it, run its run list with the converge engine (in a child process, with the
command's timeout) while the output streams to the server, then put the result in the outbox,
with the log lines not sent yet, and deliver it (the last chunk in the result's request).
Whatever goes wrong inside the run (a missing cookbook, an exception, a timeout) becomes a
`failed` result with the error in the command's log. Only the credential being refused
(AgentAuthError) escapes: the agent must stop then.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from stackworks.agent.client import AgentClient, AgentRequestError
from stackworks.agent.converge_process import ConvergeOutcome, converge_in_subprocess
from stackworks.agent.logs import LogSink, Scrubber
from stackworks.agent.outbox import Outbox, OutboxEntry
from stackworks.domain.stack_config import secure_values
from stackworks.wire.schemas import AgentCommand, CommandResult

log = logging.getLogger("stackworks.agent")


class Converge(Protocol):
    """What runs a run list: the real one is `converge_in_subprocess`; tests pass a fake."""

    def __call__(
        self,
        run_list: Sequence[str],
        configuration: dict[str, Any],
        *,
        cache_dir: Path,
        log: Callable[[str], None],
        timeout: float,
    ) -> ConvergeOutcome: ...


class CommandExecutor:
    """Runs commands for one agent: same client, outbox and cookbook cache every time."""

    def __init__(
        self,
        client: AgentClient,
        outbox: Outbox,
        cookbook_cache: Path,
        *,
        converge: Converge = converge_in_subprocess,
    ) -> None:
        self._client = client
        self._outbox = outbox
        self._cache = cookbook_cache
        self._converge = converge

    def run(self, command: AgentCommand) -> CommandResult | None:
        """Run `command` and deliver its result; None if the server no longer knows it."""
        try:
            if not command.acknowledged:  # else its delivery was the ack
                self._client.ack(command.id)
        except AgentRequestError as exc:
            log.warning("command %s skipped: the server refused its ack: %s", command.id, exc)
            return None
        log.info("command %s (%s) started", command.id, command.type.value)
        scrubber = Scrubber(secure_values(command.configuration))
        sink = LogSink(
            lambda chunk: self._client.send_log(command.id, chunk, retry=False), scrubber
        ).start()
        started = time.monotonic()
        try:
            outcome = self._run_list(command, sink, scrubber)
        finally:
            chunks = sink.close()
        elapsed = time.monotonic() - started
        report = scrubber.json({**outcome.report, "duration": round(elapsed, 3)})
        result = CommandResult(
            status="successful" if outcome.ok else "failed",
            exit_code=0 if outcome.ok else 1,
            report=report,
        )
        entry = OutboxEntry(command_id=command.id, result=result, chunks=chunks)
        self._outbox.put(entry)  # on disk before the first attempt to send it
        log.info("command %s %s in %.1f s", command.id, result.status, elapsed)
        self._outbox.deliver(entry, self._client)
        return result

    def _run_list(
        self, command: AgentCommand, sink: LogSink, scrubber: Scrubber
    ) -> ConvergeOutcome:
        sink(f"[stackworks] {command.type.value}: run list {list(command.run_list)}")
        if not command.run_list:
            sink("[stackworks] empty run list: nothing to do")
            return ConvergeOutcome(ok=True, report={"ok": True, "resources": []})
        try:
            outcome = self._converge(
                command.run_list,
                command.configuration,
                cache_dir=self._cache,
                log=sink,
                timeout=command.timeout,
            )
        except Exception as exc:  # a bug or an OS error must not end the agent
            message = f"{type(exc).__name__}: {exc}"
            sink(f"[stackworks] error: {message}")
            log.error("command %s failed: %s", command.id, scrubber.line(traceback.format_exc()))
            return ConvergeOutcome(ok=False, report={"ok": False, "error": message})
        sink(f"[stackworks] {'succeeded' if outcome.ok else 'failed'}")
        return outcome
