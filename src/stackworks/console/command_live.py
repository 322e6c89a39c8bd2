"""One command's page, live: its status and its log as the agent sends it (console/live.py);
done once the command has finished."""

from __future__ import annotations

from starlette.requests import Request

from stackworks.console.deployment_live import CommandState, command_state
from stackworks.console.live import Append, Message, Swap, version
from stackworks.console.rendering import fragment
from stackworks.domain.entities import Command
from stackworks.store import commands as command_store
from stackworks.store.db import Database


def page_version(command: Command) -> str:
    return version([command.id, command_state(command)])


class CommandFeed:
    """Polls one command with its log (one query a poll)."""

    def __init__(self, request: Request, db: Database, command_id: str, seen: str) -> None:
        self.request = request
        self.db = db
        self.command_id = command_id
        self.seen = seen
        self.state: CommandState | None = None

    def poll(self) -> tuple[list[Message], bool]:
        with self.db.transaction() as session:
            command = command_store.to_entity(command_store.row(session, self.command_id))
        messages: list[Message] = []
        if self.state is None:
            if page_version(command) != self.seen:
                messages.extend([self._summary(command), self._log(command)])
        else:
            if self.state[0] != command.status.value:
                messages.append(self._summary(command))
            if self.state[1] < len(command.log):
                messages.append(Append(f"log:{command.id}", command.log[self.state[1] :]))
        self.state = command_state(command)
        return messages, command.status.finished

    def _summary(self, command: Command) -> Swap:
        html = fragment(self.request, "_command_summary.html", {"command": command})
        return Swap("command-summary", html)

    def _log(self, command: Command) -> Swap:
        html = fragment(self.request, "_command_log.html", {"command": command})
        return Swap(f"log:{command.id}", html)
