"""A small in-memory Stackworks API behind `httpx.MockTransport`, for the CLI's unit tests.

It answers the routes the CLI uses with the API's shapes and error bodies, records every request
(so a test can prove nothing was sent), and moves instances and deployments along scripted paths
one GET at a time, so `--wait` loops finish without real time passing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from stackworks.wire.schemas import StackDocument

TOKEN = "test-token"
NOW = "2024-05-01T12:00:00Z"
Handler = Callable[["FakeApi", re.Match[str], dict[str, Any]], httpx.Response]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^/api/v1{pattern}$"), handler))
        return handler

    return register


def error(status: int, message: str, field: str | None = None) -> httpx.Response:
    return httpx.Response(status, json={"detail": {"message": message, "field": field}})


@dataclass
class FakeApi:
    stacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    layers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    apps: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    instances: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    #: time-based instances' weeks and layers' load-based scaling, by (stack, name)
    schedules: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    load_scaling: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: the statuses an instance goes through, one per GET, after start / stop
    start_path: list[str] = field(default_factory=lambda: ["pending", "booting", "online"])
    stop_path: list[str] = field(default_factory=lambda: ["stopping", "stopped"])
    #: how every deployment ends, and the exit code of its commands
    deployment_outcome: str = "successful"
    #: when set, PUT /document answers 422 with this body
    document_refusal: dict[str, Any] | None = None
    _pending: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _polls: dict[str, int] = field(default_factory=dict)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return error(401, "invalid or missing API token")
        for method, pattern, handler in ROUTES:
            match = pattern.match(request.url.path)
            if match and method == request.method:
                return handler(self, match, {"body": body, "query": dict(request.url.params)})
        return error(404, f"no route {request.method} {request.url.path}")

    def sent(self, method: str) -> list[tuple[str, str, Any]]:
        return [r for r in self.requests if r[0] == method]

    # --- seeding ----------------------------------------------------------------------------

    def add_stack(self, name: str, **extra: Any) -> dict[str, Any]:
        stack = {
            "id": f"st-{name}",
            "name": name,
            "custom_json": {},
            "hostname_theme": "layer_dependent",
            "cookbook_sources": [],
            "created_at": NOW,
            **extra,
        }
        self.stacks[name] = stack
        return stack

    def add_instance(self, stack: str, hostname: str, layers: list[str], status: str) -> None:
        self.instances[(stack, hostname)] = {
            "id": f"in-{hostname}",
            "stack": stack,
            "hostname": hostname,
            "layers": layers,
            "status": status,
            "provider": "local",
            "private_ip": "127.0.0.2",
            "root_dir": None,
            "status_changed_at": NOW,
            "last_heartbeat_at": None,
            "metrics": {},
            "created_at": NOW,
        }

    def add_event(self, kind: str, instance: str | None, message: str) -> None:
        seq = len(self.events) + 1
        self.events.append(
            {
                "seq": seq,
                "at": NOW,
                "kind": kind,
                "instance": instance,
                "message": message,
                "details": {},
            }
        )


def _stack_or_404(api: FakeApi, name: str) -> dict[str, Any] | httpx.Response:
    return api.stacks.get(name) or error(404, f"stack {name!r} not found", "stack")


@route("POST", "/stacks")
def create_stack(api: FakeApi, _m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    body = req["body"]
    if body["name"] in api.stacks:
        return error(409, f"stack {body['name']!r} already exists", "name")
    sources = [{"pinned_commit": None, **s} for s in body.get("cookbook_sources", [])]
    return httpx.Response(201, json=api.add_stack(**{**body, "cookbook_sources": sources}))


@route("GET", "/stacks")
def list_stacks(api: FakeApi, _m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json=list(api.stacks.values()))


@route("GET", "/stacks/([^/]+)")
def get_stack(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    found = _stack_or_404(api, m[1])
    return found if isinstance(found, httpx.Response) else httpx.Response(200, json=found)


@route("PATCH", "/stacks/([^/]+)")
def update_stack(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    found = _stack_or_404(api, m[1])
    if isinstance(found, httpx.Response):
        return found
    found.update(req["body"])
    return httpx.Response(200, json=found)


@route("POST", "/stacks/([^/]+)/layers")
def create_layer(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    found = _stack_or_404(api, m[1])
    if isinstance(found, httpx.Response):
        return found
    body = req["body"]
    layer = {
        "id": f"ly-{body['shortname']}",
        "stack": m[1],
        "name": body.get("name") or body["shortname"],
        "type": "custom",
        "recipes": {},
        "default_recipes": {},
        "packages": [],
        "auto_healing": True,
        "custom_json": {},
        "shutdown_timeout": 120,
        "created_at": NOW,
        **{k: v for k, v in body.items() if k != "name"},
    }
    api.layers[(m[1], body["shortname"])] = layer
    return httpx.Response(201, json=layer)


@route("POST", "/stacks/([^/]+)/apps")
def create_app(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    body = req["body"]
    environment = [
        {**v, "value": "*****FILTERED*****" if v.get("secure") else v["value"]}
        for v in body.get("environment", [])
    ]
    app = {
        "id": f"ap-{body['shortname']}",
        "stack": m[1],
        "name": body.get("name") or body["shortname"],
        "layers": [],
        "deploys_to": body.get("layers", []),
        "domains": [],
        "attributes": {},
        "created_at": NOW,
        **{k: v for k, v in body.items() if k != "name"},
        "environment": environment,
    }
    api.apps[(m[1], body["shortname"])] = app
    return httpx.Response(201, json=app)


@route("POST", "/stacks/([^/]+)/instances")
def create_instance(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    body = req["body"]
    hostname = body.get("hostname") or "host1"
    api.add_instance(m[1], hostname, body["layers"], "stopped")
    created = api.instances[(m[1], hostname)]
    created["provider"] = body.get("provider", "local")
    created["ssh_target"] = body.get("ssh_target")
    return httpx.Response(201, json=created)


@route("GET", "/stacks/([^/]+)/instances")
def list_instances(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    if m[1] not in api.stacks:
        return error(404, f"stack {m[1]!r} not found", "stack")
    return httpx.Response(200, json=[i for (s, _h), i in api.instances.items() if s == m[1]])


@route("GET", "/stacks/([^/]+)/instances/([^/]+)")
def get_instance(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    found = api.instances.get((m[1], m[2]))
    if found is None:
        return error(404, f"instance {m[2]!r} not found", "hostname")
    steps = api._pending.get((m[1], m[2]))
    if steps:
        found["status"] = steps.pop(0)
    return httpx.Response(200, json=found)


@route("POST", "/stacks/([^/]+)/instances/([^/]+)/(start|stop)")
def start_stop(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    found = api.instances.get((m[1], m[2]))
    if found is None:
        return error(404, f"instance {m[2]!r} not found", "hostname")
    found["status"] = "requested" if m[3] == "start" else "stopping"
    api._pending[(m[1], m[2])] = list(api.start_path if m[3] == "start" else api.stop_path)
    return httpx.Response(200, json=found)


@route("POST", "/stacks/([^/]+)/deployments")
def create_deployment(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    body = req["body"]
    targets = body.get("instances") or [
        h for (s, h), i in api.instances.items() if s == m[1] and i["status"] == "online"
    ]
    number = len(api.deployments) + 1
    deployment = {
        "id": f"dp-{number}",
        "stack": m[1],
        "command": {"args": {}, **body["command"]},
        "status": "running",
        "app": body.get("app"),
        "custom_json": body.get("custom_json", {}),
        "comment": body.get("comment", ""),
        "created_by": "admin",
        "instances": targets,
        "created_at": NOW,
        "completed_at": None,
        "duration": None,
        "commands": [_command(f"cm-{number}-{h}", h, body["command"]["name"]) for h in targets],
    }
    api.deployments[deployment["id"]] = deployment
    return httpx.Response(201, json=deployment)


def _command(command_id: str, hostname: str, kind: str) -> dict[str, Any]:
    return {
        "id": command_id,
        "instance": hostname,
        "deployment_id": None,
        "type": kind,
        "status": "pending",
        "reason": "",
        "run_list": [],
        "created_at": NOW,
        "sent_at": None,
        "acknowledged_at": None,
        "completed_at": None,
        "exit_code": None,
    }


@route("GET", "/stacks/([^/]+)/deployments/([^/]+)")
def get_deployment(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    found = api.deployments.get(m[2])
    if found is None or found["stack"] != m[1]:
        return error(404, f"deployment {m[2]!r} not found", "id")
    polls = api._polls[m[2]] = api._polls.get(m[2], 0) + 1
    for command in found["commands"]:
        command["sent_at"] = command["acknowledged_at"] = NOW
        if polls >= 2:
            failed = api.deployment_outcome == "failed"
            command.update(
                status="failed" if failed else "successful",
                exit_code=3 if failed else 0,
                completed_at=NOW,
                log="Traceback: boom\n" if failed else "deployed\n",
            )
    if polls >= 2:
        found.update(status=api.deployment_outcome, completed_at=NOW, duration=2.5)
    answer = json.loads(json.dumps(found))
    if req["query"].get("logs") != "true":
        for command in answer["commands"]:
            command.pop("log", None)
    return httpx.Response(200, json=answer)


@route("GET", "/stacks/([^/]+)/commands")
def list_commands(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    wanted = req["query"].get("instance")
    commands = [
        {k: v for k, v in c.items() if k != "log"}
        for d in api.deployments.values()
        if d["stack"] == m[1]
        for c in d["commands"]
        if wanted in (None, c["instance"])
    ]
    return httpx.Response(200, json=commands)


@route("PUT", "/stacks/([^/]+)/document")
def put_document(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    if api.document_refusal is not None:
        return httpx.Response(422, json=api.document_refusal)
    # stored in full, defaults filled in, as the real server compares what it keeps
    body = StackDocument.model_validate(req["body"]).model_dump(mode="json")
    old = api.documents.get(m[1])
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    (unchanged if old == body else updated if old else created).append(f"stack {m[1]}")
    api.documents[m[1]] = body
    if m[1] not in api.stacks:
        api.add_stack(m[1])
    return httpx.Response(
        200, json={"stack": m[1], "created": created, "updated": updated, "unchanged": unchanged}
    )


@route("GET", "/stacks/([^/]+)/document")
def get_document(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    found = api.documents.get(m[1])
    if found is None:
        return error(404, f"stack {m[1]!r} not found", "stack")
    return httpx.Response(200, json=found)


@route("GET", "/stacks/([^/]+)/layers/([^/]+)")
def get_layer(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    found = api.layers.get((m[1], m[2]))
    return httpx.Response(200, json=found) if found else error(404, f"no layer {m[2]!r}", "layer")


@route("GET", "/stacks/([^/]+)/apps/([^/]+)")
def get_app(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    found = api.apps.get((m[1], m[2]))
    return httpx.Response(200, json=found) if found else error(404, f"no app {m[2]!r}", "app")


@route("PATCH", "/stacks/([^/]+)/apps/([^/]+)")
def update_app(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    found = api.apps.get((m[1], m[2]))
    if found is None:
        return error(404, f"no app {m[2]!r}", "app")
    found.update(req["body"])
    return httpx.Response(200, json=found)


@route("GET", "/stacks/([^/]+)/commands/([^/]+)")
def get_command(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    for deployment in api.deployments.values():
        for command in deployment["commands"]:
            if command["id"] == m[2] and deployment["stack"] == m[1]:
                answer = dict(command)
                if req["query"].get("logs") != "true":
                    answer.pop("log", None)
                return httpx.Response(200, json=answer)
    return error(404, f"command {m[2]!r} not found", "id")


@route("GET", "/stacks/(?P<stack>[^/]+)/events")
def list_events(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    found = _stack_or_404(api, m["stack"])
    if isinstance(found, httpx.Response):
        return found
    after = int(req["query"].get("after", 0))
    return httpx.Response(200, json=[e for e in api.events if e["seq"] > after])


@route("POST", "/stacks/(?P<stack>[^/]+)/instances/(?P<host>[^/]+)/reboot")
def reboot(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    instance = api.instances.get((m["stack"], m["host"]))
    if instance is None:
        return error(404, f"instance {m['host']!r} not found", "instance")
    instance["status"] = "rebooting"
    api._pending[(m["stack"], m["host"])] = ["booting", "running_setup", "online"]
    return httpx.Response(200, json=instance)


# --- time-based and load-based instances ----------------------------------------------------


@route("GET", "/stacks/([^/]+)/instances/([^/]+)/schedule")
def get_schedule(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    week = api.schedules.get((m[1], m[2]), {})
    answer = {"stack": m[1], "hostname": m[2], "scaling": "time", "schedule": week, "on_now": False}
    return httpx.Response(200, json=answer)


@route("PUT", "/stacks/([^/]+)/instances/([^/]+)/schedule")
def put_schedule(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    api.schedules[(m[1], m[2])] = {day: hours for day, hours in req["body"].items() if hours}
    return get_schedule(api, m, req)


@route("DELETE", "/stacks/([^/]+)/instances/([^/]+)/schedule")
def clear_schedule(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    api.schedules.pop((m[1], m[2]), None)
    return httpx.Response(204)


def _thresholds(wait: float) -> dict[str, Any]:
    return {
        "instance_count": 1,
        "thresholds_wait_time": wait,
        "ignore_metrics_time": wait,
        "cpu_threshold": -1,
        "memory_threshold": -1,
        "load_threshold": -1,
    }


@route("GET", "/stacks/([^/]+)/layers/([^/]+)/load-scaling")
def get_load_scaling(api: FakeApi, m: re.Match[str], _req: dict[str, Any]) -> httpx.Response:
    found = api.load_scaling.setdefault(
        (m[1], m[2]),
        {
            "stack": m[1],
            "layer": m[2],
            "enable": False,
            "up_scaling": _thresholds(5),
            "down_scaling": _thresholds(10),
            "state": {
                "up_since": None,
                "down_since": None,
                "last_action_at": None,
                "last_action": None,
            },
            "load_based_instances": [],
        },
    )
    return httpx.Response(200, json=found)


@route("PATCH", "/stacks/([^/]+)/layers/([^/]+)/load-scaling")
def update_load_scaling(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    get_load_scaling(api, m, req)
    found = api.load_scaling[(m[1], m[2])]
    body = req["body"]
    if "enable" in body:
        found["enable"] = body["enable"]
    for step in ("up_scaling", "down_scaling"):
        found[step].update(body.get(step) or {})
    return httpx.Response(200, json=found)


@route("GET", "/stacks/([^/]+)/instances/([^/]+)/metrics")
def instance_metrics(api: FakeApi, m: re.Match[str], req: dict[str, Any]) -> httpx.Response:
    point = {"at": NOW, "cpu": 12.5, "memory": 40.0, "disk": 3.0, "load1": 0.25}
    answer = {
        "stack": m[1],
        "instance": m[2],
        "resolution": req["query"].get("resolution", "raw"),
        "since": req["query"].get("since", NOW),
        "until": None,
        "points": [{**point, "load5": None, "load15": None, "samples": 4}],
    }
    return httpx.Response(200, json=answer)
