"""`POST /opsworks`: the OpsWorks API on the wire (AWS JSON 1.1), in front of the handlers.

One request, in order: the SigV4 signature against the caller's access key (`sigv4.py`,
`store/access_keys.py`), the operation from `X-Amz-Target: OpsWorks_20130218.<Operation>`, the
body as a JSON object, its parameters against the service model (`model.check_input`), then the
operation's handler (`registry.py`) in one transaction, committed only if it succeeds. Answers
are `application/x-amz-json-1.1`; errors `{"__type", "message"}` with their status
(`errors.py`) and an `x-amzn-ErrorType` header, as AWS sends them, so botocore raises the same
`ClientError`s. Every answer has an `x-amzn-RequestId`.

Operations that change something are written to the audit log as the REST API's changes are
(api/audit.py records routes under /api/v1 only): action `OpsWorks <Operation>`, the caller,
the stack, the body with its secrets masked, and the status, refused or not. A failed
authentication is marked on `request.state` so the failed-authentication throttle counts it
like a REST 401.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Scope

from stackworks.api.auth_throttle import AUTH_FAILED
from stackworks.api.body_limits import json_nesting_exceeds
from stackworks.api.errors import EarlyAnswer
from stackworks.control.settings import Settings
from stackworks.control.signals import CommandSignal
from stackworks.domain import audit
from stackworks.domain.access import Principal
from stackworks.domain.errors import DomainError
from stackworks.opsworks import ENDPOINT_PATH, errors, model, registry, shapes, sigv4
from stackworks.opsworks.context import Context
from stackworks.store import access_keys, contention
from stackworks.store import audit as audit_store
from stackworks.store.db import Database

PATH = ENDPOINT_PATH
CONTENT_TYPE = "application/x-amz-json-1.1"
AUDIT_TARGET = PATH

log = logging.getLogger("stackworks.opsworks")

AUTH_ERRORS = (
    errors.UnrecognizedClientException,
    errors.InvalidSignatureException,
    errors.IncompleteSignatureException,
    errors.MissingAuthenticationTokenException,
)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    error_type: str | None = None
    auth_failed: bool = False


@dataclass
class Endpoint:
    """The server parts a call needs; `clock` is injectable for the signature-time tests."""

    db: Database
    settings: Settings
    providers: Mapping[str, Any]
    signal: CommandSignal
    max_json_depth: int
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def serve(self, request: sigv4.Request) -> Answer:
        name = operation_name(request)
        principal: Principal | None = None
        ctx: Context | None = None
        try:
            authorization = parse_signature(request)
            with self.db.transaction() as session:  # one transaction: key, stack, level, work
                signing = self.authenticate(session, authorization, request)
                principal = signing.principal
                operation = self.operation(name)
                params = parse_body(request.body, self.max_json_depth)
                model.check_input(operation.name, params)
                ctx = Context(session, principal, self.settings, self.providers, signing.key_id)
                try:
                    result = operation.handler(ctx, params)
                except DomainError as error:
                    raise errors.from_domain(error) from None
                except PydanticValidationError as error:  # a request model built unchecked
                    raise shapes.schema_error(error) from None
            if operation.changes:
                self.signal.bump()  # it may have queued commands; wake the agents' long polls
            answer = Answer(200, result)
        except errors.OpsWorksError as error:
            answer = Answer(error.status, error.body(), error.type, isinstance(error, AUTH_ERRORS))
        except Exception as error:
            failure: errors.OpsWorksError
            if contention.gave_way(error):
                failure = errors.ServiceUnavailable(
                    "The database rolled the call back for a concurrent one; send it again"
                )
                answer = Answer(failure.status, failure.body(), failure.type)
            else:
                log.exception("OpsWorks %s failed", name)
                failure = errors.OpsWorksError("Internal failure; the server log has the details")
                answer = Answer(500, failure.body(), failure.type)
        if name is not None and name in model.load().operations and registry.is_change(name):
            self.record(name, request, principal, ctx.audit_stack if ctx else None, answer)
        return answer

    def authenticate(
        self, session: Session, authorization: sigv4.Authorization, request: sigv4.Request
    ) -> access_keys.SigningKey:
        """The key that signed the request, if it is active and the signature holds; a refused
        one leaves nothing written (the caller's transaction is rolled back)."""
        signing = access_keys.find_signing_key(session, authorization.access_key_id)
        if signing is None or not signing.active:
            raise errors.UnrecognizedClientException(
                "The security token included in the request is invalid."
            )
        sigv4.verify(request, authorization, signing.secret, self.clock())
        access_keys.mark_used(session, signing.key_id)
        return signing

    def operation(self, name: str | None) -> registry.Operation:
        if name is None or name not in model.load().operations:
            raise errors.UnknownOperationException(
                f"X-Amz-Target: expected {model.load().target_prefix}.<Operation>, one of the "
                f"{len(model.load().operations)} operations of OpsWorks {model.API_VERSION}"
            )
        found = registry.find(name)
        if found is None:
            raise errors.ValidationException(
                f"{name} is not supported by Stackworks (docs/opsworks-api.md)"
            )
        return found

    def record(
        self,
        name: str,
        request: sigv4.Request,
        principal: Principal | None,
        stack: str | None,
        answer: Answer,
    ) -> None:
        entry = audit.AuditRecord(
            action=f"OpsWorks {name}",
            target=AUDIT_TARGET,
            status_code=answer.status,
            principal=principal.name if principal else None,
            stack=stack,
            changes=audit.stored_body(audited_body(request.body), "application/json"),
        )
        try:
            with self.db.transaction() as session:
                audit_store.record(session, entry)
        except Exception as error:  # the change is done; say loudly that its record is not
            log.error("audit record of OpsWorks %s lost: %s", name, error)


def parse_signature(request: sigv4.Request) -> sigv4.Authorization:
    """The request's SigV4 Authorization header, parsed (no key looked up yet)."""
    header = request.header("authorization")
    if not header:
        raise errors.MissingAuthenticationTokenException("Missing Authentication Token")
    return sigv4.parse_authorization(header[0])


def audited_body(body: bytes) -> bytes:
    """The body as the audit log should see it: each CustomJson string (the stack's, a layer's,
    a deployment's) as the object it holds, so that the log's masking finds the secrets in it
    as it does in the REST API's custom JSON. Anything else is left for `stored_body`."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return body

    def unfold(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: _json_object(item) if key == "CustomJson" else unfold(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [unfold(item) for item in value]
        return value

    return json.dumps(unfold(parsed)).encode()


def _json_object(text: Any) -> Any:
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except (ValueError, RecursionError):
        return "[CustomJson that is not JSON]"  # it may hold anything: keep none of it
    return value


def operation_name(request: sigv4.Request) -> str | None:
    """The operation `X-Amz-Target` names, or None if it names none of this service's."""
    target = request.header("x-amz-target")
    prefix, dot, name = (target[0] if target else "").partition(".")
    return name if dot and prefix == model.load().target_prefix and name else None


def parse_body(body: bytes, max_depth: int) -> dict[str, Any]:
    if not body.strip():
        return {}
    if json_nesting_exceeds(body, max_depth):
        raise errors.SerializationException(
            f"the JSON body nests arrays and objects deeper than {max_depth} levels"
        )
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise errors.SerializationException(f"the body is not valid JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise errors.SerializationException("the body must be a JSON object")
    return parsed


#: the AWS errors for what the server's middlewares refuse before the endpoint runs
EARLY_ERRORS = {
    413: errors.RequestEntityTooLargeException,
    422: errors.SerializationException,
    429: errors.ThrottlingException,
}


def json_response(body: dict[str, Any], status: int, headers: dict[str, str]) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type=CONTENT_TYPE,
        headers={"x-amzn-RequestId": str(uuid.uuid4()), **headers},
    )


def error_response(error: errors.OpsWorksError, headers: dict[str, str]) -> Response:
    return json_response(error.body(), error.status, {"x-amzn-ErrorType": error.type, **headers})


def early_answers(rest: EarlyAnswer) -> EarlyAnswer:
    """The middlewares' refusals in AWS's shape on the endpoint's path, `rest`'s elsewhere."""

    def answer(
        scope: Scope, status: int, message: str, field: str | None, headers: dict[str, str]
    ) -> Response:
        if str(scope.get("path", "")).rstrip("/") != PATH:
            return rest(scope, status, message, field, headers)
        kind = EARLY_ERRORS.get(status, errors.ValidationException)
        return error_response(kind(message), headers)

    return answer


def install(app: Any, max_json_depth: int) -> None:
    """Add `POST /opsworks` (and `/opsworks/`) to the server's app; its parts from app.state."""

    async def opsworks(request: Request) -> Response:
        state = request.app.state
        endpoint: Endpoint | None = getattr(state, "opsworks", None)
        if endpoint is None:
            endpoint = Endpoint(
                state.db, state.settings, state.providers, state.signal, max_json_depth
            )
            state.opsworks = endpoint
        call = sigv4.Request(
            method=request.method,
            path=request.scope.get("raw_path", b"").decode("latin-1") or request.url.path,
            query=request.scope.get("query_string", b"").decode("latin-1"),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            body=await request.body(),
        )
        answer = await run_in_threadpool(endpoint.serve, call)
        if answer.auth_failed:
            setattr(request.state, AUTH_FAILED, True)
        kind = {"x-amzn-ErrorType": answer.error_type} if answer.error_type else {}
        return json_response(answer.body, answer.status, kind)

    for path in (PATH, PATH + "/"):
        app.router.routes.append(Route(path, opsworks, methods=["POST"]))
