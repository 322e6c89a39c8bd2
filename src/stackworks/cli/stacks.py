"""`stackworks stack create|list|show|update|delete`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.errors import UsageError
from stackworks.cli.output import Output, joined
from stackworks.cli.runtime import runtime
from stackworks.wire.schemas import StackCreate, StackOut, StackUpdate

app = typer.Typer(help="Stacks: the top of the model; layers, apps and instances live in one.")

CustomJson = Annotated[
    str | None, typer.Option("--custom-json", help="JSON object, or @file.json", show_default=False)
]
HostnameTheme = Annotated[
    str | None, typer.Option("--hostname-theme", help="how new instances are named")
]
Cookbooks = Annotated[
    list[str] | None,
    typer.Option("--cookbooks", help="git:URL[@REF], path:/dir or builtin; repeat for more"),
]
Json = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def compact(data: object) -> str:
    return json.dumps(data, sort_keys=True) if data else "-"


def show_stack(output: Output, stack: StackOut) -> None:
    sources = [
        f"{s.type.value}:{s.url}@{s.ref}" if s.url else s.type.value for s in stack.cookbook_sources
    ]
    counts = joined(f"{status} {n}" for status, n in sorted(stack.instances_count.items()))
    output.fields(
        f"stack {stack.name}",
        [
            ("id", stack.id),
            ("hostname theme", stack.hostname_theme),
            ("cookbooks", joined(sources)),
            ("custom json", compact(stack.custom_json)),
            ("layers", stack.layers_count),
            ("apps", stack.apps_count),
            ("instances", counts),
            (
                "heartbeat",
                f"every {stack.heartbeat_interval:g} s, lost after {stack.heartbeat_timeout:g} s",
            ),
            ("created", stack.created_at),
        ],
    )


@app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    custom_json: CustomJson = None,
    hostname_theme: HostnameTheme = None,
    cookbooks: Cookbooks = None,
    as_json: Json = False,
) -> None:
    """Create a stack."""
    rt = runtime(ctx)
    body = StackCreate(name=name)
    if custom_json is not None:
        body.custom_json = options.json_object("--custom-json", custom_json)
    if hostname_theme is not None:
        body.hostname_theme = hostname_theme
    if cookbooks:
        body.cookbook_sources = options.cookbook_sources("--cookbooks", cookbooks)
    stack = rt.client.create_stack(body)
    if as_json:
        rt.output.json(stack)
    else:
        rt.output.line(f"Created stack {stack.name}.")


@app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """List the stacks."""
    rt = runtime(ctx)
    stacks = rt.client.list_stacks()
    if as_json:
        rt.output.json(stacks)
        return
    rt.output.table(
        None,
        ["name", "layers", "apps", "instances", "created"],
        [
            (
                s.name,
                s.layers_count,
                s.apps_count,
                joined(f"{st} {n}" for st, n in sorted(s.instances_count.items())),
                s.created_at,
            )
            for s in stacks
        ],
    )


@app.command("show")
def show(ctx: typer.Context, name: str, as_json: Json = False) -> None:
    """Show one stack."""
    rt = runtime(ctx)
    stack = rt.client.get_stack(name)
    if as_json:
        rt.output.json(stack)
    else:
        show_stack(rt.output, stack)


@app.command("update")
def update(
    ctx: typer.Context,
    name: str,
    custom_json: CustomJson = None,
    hostname_theme: HostnameTheme = None,
    cookbooks: Cookbooks = None,
    heartbeat_interval: Annotated[
        float | None,
        typer.Option("--heartbeat-interval", help="seconds between agent heartbeats (0: default)"),
    ] = None,
    heartbeat_timeout: Annotated[
        float | None,
        typer.Option(
            "--heartbeat-timeout",
            help="seconds of silence before an instance is connection_lost (0: default)",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Change a stack's custom JSON, hostname theme, cookbook sources (each replaced whole) or
    heartbeat settings."""
    rt = runtime(ctx)
    body = StackUpdate()
    if custom_json is not None:
        body.custom_json = options.json_object("--custom-json", custom_json)
    if hostname_theme is not None:
        body.hostname_theme = hostname_theme
    if cookbooks is not None:
        body.cookbook_sources = options.cookbook_sources("--cookbooks", cookbooks)
    if heartbeat_interval is not None:
        body.heartbeat_interval = heartbeat_interval
    if heartbeat_timeout is not None:
        body.heartbeat_timeout = heartbeat_timeout
    if not body.model_fields_set:
        raise UsageError(
            "nothing to update: give --custom-json, --hostname-theme, --cookbooks, "
            "--heartbeat-interval or --heartbeat-timeout"
        )
    stack = rt.client.update_stack(name, body)
    if as_json:
        rt.output.json(stack)
    else:
        rt.output.line(f"Updated stack {stack.name}.")


@app.command("delete")
def delete(ctx: typer.Context, name: str) -> None:
    """Delete a stack (every instance must be stopped)."""
    rt = runtime(ctx)
    rt.client.delete_stack(name)
    rt.output.line(f"Deleted stack {name}.")
