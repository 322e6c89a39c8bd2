"""The audit middleware: every request that asks for a change is recorded, route by route
without any route saying so (docs/api.md, "Audit log").

A change is a POST, PUT, PATCH or DELETE on a user route, whatever its outcome: a refused or
failed one is recorded with its status too. Agent calls (heartbeats, logs, results) are not
changes a user asked for and are left out, except `POST /agent/register`, which adds an instance.

The record is written when the answer's status is known and before the answer leaves, so a
client that reads the audit log right after a change finds it. Who: `request.state.principal`,
which the auth dependency sets. What: the route template and path parameters Starlette leaves in
the ASGI scope after routing, and the body with its secrets masked (domain/audit.py).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stackworks.domain import audit
from stackworks.store import audit as audit_store
from stackworks.store.db import Database

log = logging.getLogger("stackworks.audit")

CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AGENT_ROUTES = "/agent/"
RECORDED_AGENT_ROUTES = frozenset({"/agent/register"})
#: a route whose stack is in neither its path nor its body names it here, on request.state
STACK_STATE = "audit_stack"


class AuditMiddleware:
    """Records the changes asked of routes under `prefix` (the API's, named without it) and,
    with `outside_prefix`, of every other route by its own path (the web console's forms, whose
    urlencoded bodies are noted by size only)."""

    def __init__(
        self, app: ASGIApp, *, db: Database, prefix: str, outside_prefix: bool = False
    ) -> None:
        self.app = app
        self.db = db
        self.prefix = prefix
        self.outside_prefix = outside_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in CHANGES:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})  # shared with request.state, where the principal lands
        body = bytearray()
        size = 0

        async def receive_and_keep() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                size += len(chunk)
                if size <= audit.MAX_PARSED_BYTES:
                    body.extend(chunk)
            return message

        async def send_after_recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self._record(scope, bytes(body), size, int(message["status"]))
            await send(message)

        await self.app(scope, receive_and_keep, send_after_recording)

    async def _record(self, scope: Scope, body: bytes, size: int, status: int) -> None:
        entry = self._entry(scope, body, size, status)
        if entry is None:
            return
        try:
            await run_in_threadpool(self._write, entry)
        except Exception as error:  # the change itself is done; say loudly the record is not
            log.error("audit record of %s %s lost: %s", entry.action, entry.target, error)

    def _write(self, entry: audit.AuditRecord) -> None:
        with self.db.transaction() as session:
            audit_store.record(session, entry)

    def _entry(self, scope: Scope, body: bytes, size: int, status: int) -> audit.AuditRecord | None:
        path = str(scope.get("path", ""))
        prefix = self.prefix
        if not path.startswith(prefix):
            if not self.outside_prefix:
                return None
            prefix = ""
        target = path[len(prefix) :] or "/"
        route = scope.get("route")
        # the route's template, with or without the prefix (FastAPI versions differ); a request
        # no route matched (404, 405) has none, and its path stands in
        template = str(getattr(route, "path", "") or "") or path
        template = template.removeprefix(prefix) or "/"
        if template.startswith(AGENT_ROUTES) and template not in RECORDED_AGENT_ROUTES:
            return None
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        changes = audit.stored_body(body, content_type, size)
        state = scope.get("state", {})
        params = scope.get("path_params") or {}
        principal = state.get("principal")
        return audit.AuditRecord(
            action=f"{scope['method']} {template}",
            target=target,
            status_code=status,
            principal=getattr(principal, "name", None),
            stack=state.get(STACK_STATE) or _stack(template, params, changes),
            changes=changes,
        )


def _stack(template: str, params: dict[str, Any], changes: dict[str, Any]) -> str | None:
    """The stack a change is about: its path's, or the body's for a new stack or a host."""
    for name in ("stack", "name"):
        if template.startswith("/stacks/{" + name + "}") and isinstance(params.get(name), str):
            return str(params[name])
    body = changes.get("body")
    if isinstance(body, dict):
        key = "name" if template == "/stacks" else "stack" if template == "/agent/register" else ""
        value = body.get(key) if key else None
        if isinstance(value, str):
            return value[:63]
    return None
