"""The deployment page's live feed: each command's status and its log as it grows, and the
deployment's own status; done once the deployment and every command have finished."""

from __future__ import annotations

from starlette.requests import Request

from stackworks.console.live import Append, Message, Swap, version
from stackworks.console.rendering import fragment
from stackworks.domain.entities import Command, Deployment
from stackworks.domain.status import DeploymentStatus
from stackworks.store import commands as command_store
from stackworks.store import deployments as deployment_store
from stackworks.store.db import Database

CommandState = tuple[str, int]  # status, characters of log


def command_state(command: Command) -> CommandState:
    return (command.status.value, len(command.log))


def page_version(deployment: Deployment, commands: list[Command]) -> str:
    return version([deployment.status.value, *sorted((c.id, command_state(c)) for c in commands)])


def is_final(deployment: Deployment, commands: list[Command]) -> bool:
    return deployment.status is not DeploymentStatus.RUNNING and all(
        c.status.finished for c in commands
    )


class DeploymentFeed:
    """Polls one deployment's commands with their logs (two queries a poll)."""

    def __init__(
        self,
        request: Request,
        db: Database,
        stack_id: str,
        deployment_id: str,
        hostnames: dict[str, str],
        seen: str,
    ) -> None:
        self.request = request
        self.db = db
        self.stack_id = stack_id
        self.deployment_id = deployment_id
        self.hostnames = hostnames
        self.seen = seen
        self.state: dict[str, CommandState] | None = None
        self.status: DeploymentStatus | None = None

    def poll(self) -> tuple[list[Message], bool]:
        with self.db.transaction() as session:
            deployment = deployment_store.get(session, self.stack_id, self.deployment_id)
            commands = command_store.list_for_stack(
                session, self.stack_id, deployment_id=self.deployment_id, with_log=True
            )
        done = is_final(deployment, commands)
        messages: list[Message] = []
        if self.state is None:
            if page_version(deployment, commands) != self.seen:
                messages.extend(self._command(c) for c in commands)
                messages.extend(self._status(deployment))
        else:
            for command in commands:
                before = self.state.get(command.id)
                if before is None or before[0] != command.status.value:
                    messages.append(self._command(command))
                elif before[1] < len(command.log):
                    messages.append(Append(f"log:{command.id}", command.log[before[1] :]))
            if deployment.status is not self.status:
                messages.extend(self._status(deployment))
        self.state = {c.id: command_state(c) for c in commands}
        self.status = deployment.status
        return messages, done

    def _command(self, command: Command) -> Swap:
        context = {"command": command, "hostnames": self.hostnames}
        return Swap(f"command:{command.id}", fragment(self.request, "_command.html", context))

    def _status(self, deployment: Deployment) -> list[Message]:
        """The deployment's status and its duration (final once it has finished)."""
        context = {"deployment": deployment}
        return [
            Swap("deployment-status", fragment(self.request, "_deployment_status.html", context)),
            Swap(
                "deployment-duration",
                fragment(self.request, "_deployment_duration.html", context),
            ),
        ]
