"""The permission matrix, generated from the app's route table: every route x every kind of
caller is allowed or refused exactly as the route's declaration says, and the declarations are
those docs/security.md documents. A route without a declaration fails here.

Allowed callers are sent bodies of `{}` and other path names that do not exist, so most get a
422 or the route's own 404 and change nothing; that a refused caller gets its 401, 403 or 404
and never a 422, for `{}` and for a body that is not JSON at all, shows authorization comes
before body validation. The one world is rebuilt when
an allowed caller deletes its stack.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stackworks.api.access import SESSION_COOKIE, DeclaredRoute, route_table
from stackworks.console.live import LiveSettings
from stackworks.console.session import CSRF_HEADER, csrf_token
from stackworks.domain.access import Audience, Level, RouteAccess
from support.api_harness import (
    Api,
    give_credential,
    make_instance,
    make_layer,
    make_stack,
    make_user,
    serve_api,
)

STACK = "alpha"
OTHER = "beta"
MISSING = "nobody"  # every path parameter but {stack}
CALLERS = ("none", "agent-of-other", "agent", "deny", "show", "deploy", "manage", "admin")
LEVEL_OF = {"deny": Level.DENY, "show": Level.SHOW, "deploy": Level.DEPLOY, "manage": Level.MANAGE}
#: FastAPI's own pages: the OpenAPI document and the pages that show it, open to all
DOCS_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
#: the console's stylesheet and script, open to all (the login page needs them)
STATIC_PATHS = {"/static/{path}"}
#: the OpsWorks API, which authenticates each call by its SigV4 signature and answers refusals
#: in AWS's shape (tests/integration/opsworks); its permission checks are the same function's
OPSWORKS_PATHS = {"/opsworks", "/opsworks/"}

#: what each route requires (docs/security.md, "Permissions"): the table the declarations pin
EXPECTED = {
    "POST /api/v1/login": "anonymous",
    "GET /api/v1/health": "user",
    "GET /api/v1/healthz": "anonymous",
    "GET /api/v1/me": "user",
    "PATCH /api/v1/me": "user",
    "GET /api/v1/me/tokens": "user",
    "POST /api/v1/me/tokens": "user",
    "DELETE /api/v1/me/tokens/{token}": "user",
    "PUT /api/v1/me/password": "user",
    "GET /api/v1/stacks": "user",
    "POST /api/v1/stacks": "admin",
    "GET /api/v1/stacks/{stack}": "show",
    "PATCH /api/v1/stacks/{stack}": "manage",
    "DELETE /api/v1/stacks/{stack}": "manage",
    "GET /api/v1/stacks/{stack}/events": "show",
    "POST /api/v1/stacks/{stack}/start": "manage",
    "POST /api/v1/stacks/{stack}/stop": "manage",
    "GET /api/v1/stacks/{stack}/document": "show",
    "PUT /api/v1/stacks/{stack}/document": "manage",
    "GET /api/v1/stacks/{stack}/permissions": "manage",
    "PUT /api/v1/stacks/{stack}/permissions/{user}": "manage",
    "DELETE /api/v1/stacks/{stack}/permissions/{user}": "manage",
    "POST /api/v1/stacks/{stack}/layers": "manage",
    "GET /api/v1/stacks/{stack}/layers": "show",
    "GET /api/v1/stacks/{stack}/layers/{layer}": "show",
    "PATCH /api/v1/stacks/{stack}/layers/{layer}": "manage",
    "DELETE /api/v1/stacks/{stack}/layers/{layer}": "manage",
    "GET /api/v1/stacks/{stack}/layers/{layer}/load-scaling": "show",
    "PATCH /api/v1/stacks/{stack}/layers/{layer}/load-scaling": "manage",
    "GET /api/v1/stacks/{stack}/layers/{layer}/metrics": "show",
    "POST /api/v1/stacks/{stack}/apps": "manage",
    "GET /api/v1/stacks/{stack}/apps": "show",
    "GET /api/v1/stacks/{stack}/apps/{app}": "show",
    "PATCH /api/v1/stacks/{stack}/apps/{app}": "deploy",
    "DELETE /api/v1/stacks/{stack}/apps/{app}": "manage",
    "POST /api/v1/stacks/{stack}/instances": "manage",
    "GET /api/v1/stacks/{stack}/instances": "show",
    "GET /api/v1/stacks/{stack}/instances/{hostname}": "show",
    "POST /api/v1/stacks/{stack}/instances/{hostname}/start": "manage",
    "POST /api/v1/stacks/{stack}/instances/{hostname}/stop": "manage",
    "POST /api/v1/stacks/{stack}/instances/{hostname}/reboot": "manage",
    "DELETE /api/v1/stacks/{stack}/instances/{hostname}": "manage",
    "POST /api/v1/stacks/{stack}/instances/{hostname}/ssh-host-key": "manage",
    "PUT /api/v1/stacks/{stack}/layers/{layer}/ssh-default": "manage",
    "GET /api/v1/stacks/{stack}/layers/{layer}/ssh-default": "show",
    "DELETE /api/v1/stacks/{stack}/layers/{layer}/ssh-default": "manage",
    "GET /api/v1/stacks/{stack}/instances/{hostname}/schedule": "show",
    "PUT /api/v1/stacks/{stack}/instances/{hostname}/schedule": "manage",
    "DELETE /api/v1/stacks/{stack}/instances/{hostname}/schedule": "manage",
    "GET /api/v1/stacks/{stack}/instances/{hostname}/metrics": "show",
    "POST /api/v1/stacks/{stack}/deployments": "deploy",
    "GET /api/v1/stacks/{stack}/deployments": "show",
    "GET /api/v1/stacks/{stack}/deployments/{deployment_id}": "show",
    "GET /api/v1/stacks/{stack}/commands": "show",
    "GET /api/v1/stacks/{stack}/commands/{command_id}": "show",
    "GET /api/v1/stacks/{stack}/volumes": "show",
    "POST /api/v1/stacks/{stack}/volumes": "manage",
    "GET /api/v1/stacks/{stack}/volumes/{volume}": "show",
    "PATCH /api/v1/stacks/{stack}/volumes/{volume}": "manage",
    "POST /api/v1/stacks/{stack}/volumes/{volume}/assign": "manage",
    "POST /api/v1/stacks/{stack}/volumes/{volume}/unassign": "manage",
    "DELETE /api/v1/stacks/{stack}/volumes/{volume}": "manage",
    "GET /api/v1/stacks/{stack}/volumes/{volume}/snapshots": "show",
    "POST /api/v1/stacks/{stack}/volumes/{volume}/snapshots": "manage",
    "GET /api/v1/stacks/{stack}/snapshots": "show",
    "POST /api/v1/stacks/{stack}/snapshots/{snapshot}/restore": "manage",
    "DELETE /api/v1/stacks/{stack}/snapshots/{snapshot}": "manage",
    "GET /api/v1/stacks/{stack}/addresses": "show",
    "POST /api/v1/stacks/{stack}/addresses": "manage",
    "GET /api/v1/stacks/{stack}/addresses/{address}": "show",
    "PATCH /api/v1/stacks/{stack}/addresses/{address}": "manage",
    "POST /api/v1/stacks/{stack}/addresses/{address}/associate": "manage",
    "POST /api/v1/stacks/{stack}/addresses/{address}/disassociate": "manage",
    "DELETE /api/v1/stacks/{stack}/addresses/{address}": "manage",
    "GET /api/v1/stacks/{stack}/databases": "show",
    "POST /api/v1/stacks/{stack}/databases": "manage",
    "GET /api/v1/stacks/{stack}/databases/{database}": "show",
    "PATCH /api/v1/stacks/{stack}/databases/{database}": "manage",
    "DELETE /api/v1/stacks/{stack}/databases/{database}": "manage",
    "POST /api/v1/users": "admin",
    "GET /api/v1/users": "admin",
    "GET /api/v1/users/{name}": "admin",
    "PATCH /api/v1/users/{name}": "admin",
    "DELETE /api/v1/users/{name}": "admin",
    "PUT /api/v1/users/{name}/password": "admin",
    "GET /api/v1/users/{name}/tokens": "admin",
    "POST /api/v1/users/{name}/tokens": "admin",
    "DELETE /api/v1/users/{name}/tokens/{token}": "admin",
    "GET /api/v1/me/access-keys": "user",
    "POST /api/v1/me/access-keys": "user",
    "PATCH /api/v1/me/access-keys/{key}": "user",
    "DELETE /api/v1/me/access-keys/{key}": "user",
    "GET /api/v1/users/{name}/access-keys": "admin",
    "POST /api/v1/users/{name}/access-keys": "admin",
    "PATCH /api/v1/users/{name}/access-keys/{key}": "admin",
    "DELETE /api/v1/users/{name}/access-keys/{key}": "admin",
    "POST /api/v1/tokens": "admin",
    "GET /api/v1/tokens": "admin",
    "DELETE /api/v1/tokens/{name}": "admin",
    "POST /api/v1/agent/register": "registration",
    "POST /api/v1/stacks/{stack}/registration-tokens": "manage",
    "POST /api/v1/stacks/{stack}/instances/{hostname}/rotate-credential": "manage",
    "POST /api/v1/stacks/{stack}/instances/{hostname}/revoke-credential": "manage",
    "GET /api/v1/stacks/{stack}/audit": "show",
    "GET /api/v1/audit": "admin",
    "POST /api/v1/agent/heartbeat": "agent",
    "GET /api/v1/agent/commands": "agent",
    "GET /api/v1/agent/stack-configuration/{version}": "agent",
    "POST /api/v1/agent/commands/{command_id}/ack": "agent",
    "POST /api/v1/agent/commands/{command_id}/log": "agent",
    "POST /api/v1/agent/commands/{command_id}/result": "agent",
    # the console (src/stackworks/console): the same declarations, from the session cookie
    "GET /login": "anonymous",
    "POST /login": "anonymous",
    "POST /logout": "user",
    "GET /": "user",
    "POST /stacks": "admin",
    "GET /stacks/{stack}/clone": "admin",
    "POST /stacks/{stack}/clone": "admin",
    "GET /stacks/{stack}/delete": "manage",
    "POST /stacks/{stack}/delete": "manage",
    "GET /stacks/{stack}": "show",
    "GET /stacks/{stack}/live": "show",
    "POST /stacks/{stack}/instances": "manage",
    "POST /stacks/{stack}/instances/{hostname}/start": "manage",
    "POST /stacks/{stack}/instances/{hostname}/stop": "manage",
    "POST /stacks/{stack}/instances/{hostname}/reboot": "manage",
    "POST /stacks/{stack}/instances/{hostname}/delete": "manage",
    "POST /stacks/{stack}/layers": "manage",
    "POST /stacks/{stack}/layers/{layer}/delete": "manage",
    "POST /stacks/{stack}/apps": "manage",
    "POST /stacks/{stack}/apps/{app}/delete": "manage",
    "GET /stacks/{stack}/deploy": "deploy",
    "POST /stacks/{stack}/deployments": "deploy",
    "GET /stacks/{stack}/deployments": "show",
    "GET /stacks/{stack}/deployments/{deployment_id}": "show",
    "GET /stacks/{stack}/deployments/{deployment_id}/live": "show",
    "POST /stacks/{stack}/deployments/{deployment_id}/rollback": "deploy",
    "GET /stacks/{stack}/monitoring": "show",
    "GET /stacks/{stack}/monitoring/{hostname}": "show",
    "GET /stacks/{stack}/layers/{layer}/settings": "show",
    "POST /stacks/{stack}/layers/{layer}/settings": "manage",
    "POST /stacks/{stack}/layers/{layer}/load-scaling": "manage",
    "POST /stacks/{stack}/instances/{hostname}/schedule": "manage",
    "GET /stacks/{stack}/custom-json": "show",
    "POST /stacks/{stack}/custom-json": "manage",
    "GET /stacks/{stack}/layers/{layer}/custom-json": "show",
    "POST /stacks/{stack}/layers/{layer}/custom-json": "manage",
    "GET /stacks/{stack}/events": "show",
    "GET /stacks/{stack}/audit": "show",
    "GET /audit": "admin",
    "GET /stacks/{stack}/operations": "show",
    "GET /stacks/{stack}/instances/{hostname}/commands": "show",
    "GET /stacks/{stack}/instances/{hostname}/commands/{command_id}": "show",
    "GET /stacks/{stack}/instances/{hostname}/commands/{command_id}/live": "show",
    "GET /stacks/{stack}/instances/{hostname}/commands/{command_id}/configuration": "show",
}


def short(access: RouteAccess) -> str:
    if access.audience is Audience.STACK:
        assert access.level is not None
        return access.level.value
    return {
        Audience.ANONYMOUS: "anonymous",
        Audience.ANY_USER: "user",
        Audience.SERVER_ADMIN: "admin",
        Audience.AGENT: "agent",
        Audience.REGISTRATION: "registration",
    }[access.audience]


def expected_status(access: RouteAccess, caller: str) -> int | None:
    """The refusal `caller` must get (401, 403, 404), or None where it must be let in."""
    if access.audience is Audience.ANONYMOUS:
        return None
    if access.audience is Audience.REGISTRATION:
        return 401  # no caller kind holds a registration token: each is refused before the body
    is_agent = caller.startswith("agent")
    if access.audience is Audience.AGENT:
        return None if is_agent else 401
    if caller == "none" or is_agent:
        return 401
    if access.audience is Audience.ANY_USER:
        return None
    if access.audience is Audience.SERVER_ADMIN:
        return None if caller == "admin" else 403
    assert access.level is not None
    held = Level.MANAGE if caller == "admin" else LEVEL_OF[caller]
    if not held.includes(Level.SHOW):
        return 404
    return None if held.includes(access.level) else 403


@dataclass
class World:
    api: Api
    tokens: dict[str, str]

    def build_stack(self) -> None:
        make_stack(self.api, STACK)
        make_layer(self.api, STACK, "app")
        make_instance(self.api, STACK, ["app"], "app1")
        give_credential(self.api, STACK, "app1", "swi_matrix-agent")
        for caller, level in LEVEL_OF.items():
            put = self.api.put(f"/stacks/{STACK}/permissions/{caller}", {"level": level.value})
            assert put.status_code == 200, put.text

    def ensure_stack(self) -> None:
        if self.api.get(f"/stacks/{STACK}").status_code == 404:
            self.build_stack()

    def headers(self, caller: str) -> dict[str, str]:
        token = {"agent": "swi_matrix-agent", "agent-of-other": "swi_matrix-other"}.get(
            caller, self.tokens.get(caller)
        )
        return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One server on SQLite for the whole matrix (the decisions do not depend on the backend),
    in memory-backed /dev/shm where there is one: some 1,500 commits would otherwise wait on
    the disk for most of the run."""
    shm = Path("/dev/shm")
    tmp = Path(tempfile.mkdtemp(prefix="stackworks-matrix-", dir=shm if shm.is_dir() else None))
    try:
        yield from _world(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _world(tmp: Path) -> Iterator[World]:
    with serve_api(f"sqlite:///{tmp / 'stackworks.db'}", tmp) as api:
        world = World(api, {"admin": api.token})
        for caller in LEVEL_OF:
            world.tokens[caller] = make_user(api, caller)
        world.build_stack()
        make_stack(api, OTHER)
        make_layer(api, OTHER, "app")
        make_instance(api, OTHER, ["app"], "app1")
        give_credential(api, OTHER, "app1", "swi_matrix-other")
        yield world


def declared_routes(world: World) -> list[DeclaredRoute]:
    """The API's and the console's routes; anything else must be one of FastAPI's own pages."""
    routes = []
    for route in route_table(world.api.client.app):  # type: ignore[arg-type]
        if route.is_api:
            routes.append(route)
        else:
            assert route.path in DOCS_PATHS | STATIC_PATHS | OPSWORKS_PATHS, (
                f"not an API route: {route.path}"
            )
    return routes


def api_routes(world: World) -> list[DeclaredRoute]:
    return [r for r in declared_routes(world) if r.path.startswith("/api/")]


def test_every_route_has_exactly_one_declaration_and_it_is_the_documented_one(
    world: World,
) -> None:
    found = {}
    for route in declared_routes(world):
        for method in route.methods:
            key = f"{method} {route.path}"
            assert len(route.declarations) == 1, f"{key}: {len(route.declarations)} declarations"
            found[key] = short(route.declarations[0])
    assert found == EXPECTED


def _request(
    world: World, route: DeclaredRoute, method: str, caller: str, *, broken: bool = False
) -> Any:
    """The route called as `caller`, with `{}` as its body, or text that is not JSON."""
    path = route.path
    for name in route.params:
        path = path.replace("{" + name + "}", STACK if name == "stack" else MISSING)
    headers = {**world.headers(caller), "Content-Type": "application/json"}
    kwargs: dict[str, Any] = {"headers": headers, "params": {"wait": "0"}}
    if route.has_body:
        kwargs["content"] = '{"name": ' if broken else "{}"
    return world.api.client.request(method, path, **kwargs)


def test_every_route_lets_in_or_refuses_every_kind_of_caller_as_declared(world: World) -> None:
    problems: list[str] = []
    checked = 0
    for route in api_routes(world):
        (access,) = route.declarations
        for method in sorted(route.methods):
            for caller in CALLERS:
                answer = _request(world, route, method, caller)
                checked += 1
                want = expected_status(access, caller)
                where = f"{method} {route.path} as {caller}: {answer.status_code} {answer.text}"
                if want is None:
                    hidden = answer.status_code == 404 and (
                        answer.json()["detail"].get("field") == "stack"
                    )
                    if answer.status_code in (401, 403) or hidden or answer.status_code >= 500:
                        problems.append(f"refused, should be let in: {where}")
                elif answer.status_code != want:
                    problems.append(f"expected {want}: {where}")
                elif want == 403 and access.level is not None:
                    message = answer.json()["detail"]["message"]
                    if f"needs {access.level.value}" not in message or (
                        f"has {LEVEL_OF[caller].value}" not in message
                    ):
                        problems.append(f"403 does not name the levels: {where}")
                elif want == 404:
                    assert answer.json() == {
                        "detail": {"message": f"stack {STACK!r} not found", "field": "stack"}
                    }, where
                if want is not None and route.has_body:
                    broken = _request(world, route, method, caller, broken=True)
                    if broken.status_code != want:
                        problems.append(f"not JSON, expected {want}: {where} -> {broken.text}")
                if method != "GET" and want is None:
                    world.ensure_stack()
    assert not problems, "\n".join(problems)
    assert checked == len([k for k in EXPECTED if " /api/" in k]) * len(CALLERS)


def test_a_hidden_stack_and_a_missing_one_answer_alike(world: World) -> None:
    deny = world.headers("deny")
    hidden = world.api.client.get(f"/api/v1/stacks/{STACK}/layers", headers=deny)
    missing = world.api.client.get("/api/v1/stacks/ghost/layers", headers=deny)
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"]["message"] == missing.json()["detail"]["message"].replace(
        "ghost", STACK
    )
    listed = world.api.client.get("/api/v1/stacks", headers=deny).json()
    assert listed == []
    shown = world.api.client.get("/api/v1/stacks", headers=world.headers("show")).json()
    assert [s["name"] for s in shown] == [STACK]


# --- the console: the same declarations, the session cookie instead of the bearer header ----


def console_routes(world: World) -> list[DeclaredRoute]:
    return [r for r in declared_routes(world) if not r.path.startswith("/api/")]


def expected_console_status(access: RouteAccess, caller: str, method: str) -> int | None:
    """As `expected_status`, except that a browser with no session at all is sent to the login
    page (303) for a page, and refused 401 for a change."""
    if caller == "none" and access.audience is not Audience.ANONYMOUS:
        return 303 if method == "GET" else 401
    return expected_status(access, caller)


def console_session(world: World, caller: str) -> str | None:
    """The caller's console session token: a token of its own, made for the console, so a
    logout (which deletes it) leaves the API callers' tokens alone."""
    if caller == "none":
        return None
    if caller.startswith("agent"):
        return {"agent": "swi_matrix-agent", "agent-of-other": "swi_matrix-other"}[caller]
    key = f"console:{caller}"
    if key not in world.tokens:
        made = world.api.post(f"/users/{caller}/tokens", {"name": f"console-{len(world.tokens)}"})
        assert made.status_code == 201, made.text
        world.tokens[key] = made.json()["token"]
    return world.tokens[key]


def _console_request(
    world: World, route: DeclaredRoute, method: str, caller: str, *, csrf: bool
) -> Any:
    path = route.path
    for name in route.params:
        path = path.replace("{" + name + "}", STACK if name == "stack" else MISSING)
    session = console_session(world, caller)
    headers = {CSRF_HEADER: csrf_token(session)} if csrf and session else {}
    client = world.api.client
    client.cookies.clear()
    if session:
        client.cookies.set(SESSION_COOKIE, session)
    try:
        if method == "GET":
            return client.get(path, follow_redirects=False)
        return client.request(method, path, data={}, headers=headers, follow_redirects=False)
    finally:
        client.cookies.clear()


def test_every_console_route_lets_in_or_refuses_every_kind_of_caller_as_declared(
    world: World,
) -> None:
    world.api.client.app.state.console_live = LiveSettings(interval=0.01, lifetime=0)  # type: ignore[attr-defined]
    problems: list[str] = []
    checked = 0
    for route in console_routes(world):
        (access,) = route.declarations
        for method in sorted(route.methods):
            for caller in CALLERS:
                want = expected_console_status(access, caller, method)
                changes = method != "GET" and access.audience is not Audience.ANONYMOUS
                if changes and want is None:
                    refused = _console_request(world, route, method, caller, csrf=False)
                    if refused.status_code != 403 or "CSRF" not in refused.text:
                        problems.append(f"no CSRF, expected 403: {method} {route.path} {caller}")
                answer = _console_request(world, route, method, caller, csrf=True)
                checked += 1
                where = f"{method} {route.path} as {caller}: {answer.status_code}"
                hidden = answer.status_code == 404 and (
                    f"stack {STACK!r} not found" in html.unescape(answer.text)
                )
                if want is None:
                    if answer.status_code in (401, 403) or hidden or answer.status_code >= 500:
                        problems.append(f"refused, should be let in: {where} {answer.text[:300]}")
                elif answer.status_code != want:
                    problems.append(f"expected {want}: {where}")
                elif want == 404 and not hidden:
                    problems.append(f"not the hidden stack's 404: {where}")
                elif want == 303 and not answer.headers["location"].startswith("/login"):
                    problems.append(f"not sent to the login page: {where}")
                if route.path == "/logout" and want is None:
                    world.tokens.pop(f"console:{caller}")  # its session ended
                if method != "GET" and want is None:
                    world.ensure_stack()
    assert not problems, "\n".join(problems)
    assert checked == len([k for k in EXPECTED if " /api/" not in k]) * len(CALLERS)
