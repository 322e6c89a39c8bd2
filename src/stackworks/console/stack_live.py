"""The stack page's live feed: instance rows whose status changed, the health summary, and the
whole layers section when instances came or went."""

from __future__ import annotations

from starlette.requests import Request

from stackworks.console import stack_view
from stackworks.console.levels import Can
from stackworks.console.live import Message, Swap, version
from stackworks.console.rendering import fragment
from stackworks.domain.access import Principal
from stackworks.domain.entities import Instance
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store.db import Database

RowState = tuple[str, str, str, str, tuple[str, ...]]


def row_state(instance: Instance) -> RowState:
    """What an instance row shows that can change while the page is open."""
    return (
        instance.hostname,
        instance.status.value,
        instance.status_reason,
        instance.private_ip or "",
        instance.layers,
    )


def page_version(instances: list[Instance]) -> str:
    return version(sorted((i.id, row_state(i)) for i in instances))


class StackFeed:
    """Polls one stack's instances (one query); renders only what changed."""

    def __init__(
        self, request: Request, db: Database, principal: Principal, stack: str, seen: str, can: Can
    ) -> None:
        self.request = request
        self.db = db
        self.principal = principal
        self.stack = stack
        self.seen = seen  # the page's version: what the browser shows now
        self.can = can
        self.state: dict[str, RowState] | None = None

    def poll(self) -> tuple[list[Message], bool]:
        with self.db.transaction() as session:
            found = stack_store.find_by_name(session, self.stack)
            if found is None:
                return [], True  # deleted: nothing more will come
            instances = instance_store.list_for_stack(session, found.id)
            state = {i.id: row_state(i) for i in instances}
            previous = self.state
            self.state = state
            if previous is None:
                if page_version(instances) == self.seen:
                    return [], False
                return self._whole(stack_view.load(session, self.principal, found)), False
            if set(previous) != set(state):
                return self._whole(stack_view.load(session, self.principal, found)), False
        changed = [i for i in instances if previous[i.id] != state[i.id]]
        if not changed:
            return [], False
        messages: list[Message] = [Swap(f"instance:{i.hostname}", self._row(i)) for i in changed]
        messages.append(self._summary(instances))
        return messages, False

    def _row(self, instance: Instance) -> str:
        context = {"instance": instance, "can": self.can, "stack": self.stack}
        return fragment(self.request, "_instance_row.html", context)

    def _summary(self, instances: list[Instance]) -> Swap:
        grouped = stack_view.summary_of(instances)
        html = fragment(self.request, "_stack_summary.html", {"grouped": grouped})
        return Swap("stack-summary", html)

    def _whole(self, view: stack_view.StackView) -> list[Message]:
        html = fragment(self.request, "_layers.html", {"view": view, "can": self.can})
        return [Swap("layers", html), self._summary(view.instances())]
