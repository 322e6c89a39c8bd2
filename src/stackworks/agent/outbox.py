"""Everything the agent owes the server about finished commands, kept on disk until delivered.

A finished command's entry (its unsent log chunks and its result) is written to
`<state_dir>/outbox/<command_id>.json` BEFORE anything is sent, and removed only once the server
has answered 2xx for all of it; the last chunk rides with the result, so a command whose log
fits in one chunk costs one request here. The agent flushes the outbox at start and before each
poll, so a result survives an agent restart (the file is still there) and a server restart (the
agent keeps retrying). Log chunks carry their `seq`, so a resend after a crash is harmless: the
server ignores a number it has.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from stackworks.agent.client import AgentClient, AgentRequestError
from stackworks.atomic import write_json_atomic
from stackworks.wire.schemas import CommandResult, LogChunk

log = logging.getLogger("stackworks.agent")


@dataclass
class OutboxEntry:
    """What is still owed for one command; chunks are removed as they are delivered."""

    command_id: str
    result: CommandResult
    chunks: list[LogChunk] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "command_id": self.command_id,
            "result": self.result.to_wire(),  # the shape an older agent reads too
            "chunks": [chunk.model_dump() for chunk in self.chunks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutboxEntry:
        return cls(
            command_id=str(data["command_id"]),
            result=CommandResult.model_validate(data["result"]),
            chunks=[LogChunk.model_validate(chunk) for chunk in data.get("chunks", [])],
        )


class Outbox:
    """The directory of undelivered entries; new objects over the same directory see them all."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, command_id: str) -> Path:
        if not command_id or "/" in command_id or command_id.startswith("."):
            raise ValueError(f"unusable command id {command_id!r}")
        return self.directory / f"{command_id}.json"

    def put(self, entry: OutboxEntry) -> None:
        write_json_atomic(self._path(entry.command_id), entry.to_json())

    def pending(self) -> list[OutboxEntry]:
        """Entries not yet delivered, oldest first; an unreadable file is set aside, not fatal."""
        entries = []
        paths = sorted(self.directory.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name))
        for path in paths:
            try:
                entries.append(OutboxEntry.from_json(json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
                log.error("outbox file %s is unreadable (%s); moved aside", path, exc)
                path.rename(path.with_suffix(".broken"))
        return entries

    def remove(self, command_id: str) -> None:
        self._path(command_id).unlink(missing_ok=True)

    def deliver(self, entry: OutboxEntry, client: AgentClient, *, retry: bool = True) -> None:
        """Send what `entry` still owes, recording progress; remove it once all is accepted.
        The last chunk goes with the result, in one request (`CommandResult.log`).

        A 4xx other than 401/403 (e.g. the command was deleted with its instance) will never
        succeed, so that entry is dropped with a log line instead of blocking the outbox forever.
        Connection trouble propagates (after retrying, unless `retry=False`).
        """
        try:
            while len(entry.chunks) > 1:
                client.send_log(entry.command_id, entry.chunks[0], retry=retry)
                entry.chunks.pop(0)
                self.put(entry)
            last = entry.chunks[0] if entry.chunks else None
            client.send_result(entry.command_id, entry.result, last_chunk=last, retry=retry)
        except AgentRequestError as exc:
            log.error("dropping the result of command %s: %s", entry.command_id, exc)
        self.remove(entry.command_id)

    def flush(self, client: AgentClient, *, retry: bool = True) -> int:
        """Deliver every pending entry in order; returns how many were delivered."""
        delivered = 0
        for entry in self.pending():
            self.deliver(entry, client, retry=retry)
            delivered += 1
        return delivered
