"""`stackworks instance create|list|show|start|stop|delete|accept-host-key`, with `--wait` on
start and stop."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.errors import CliError, UsageError
from stackworks.cli.output import Cell, Output, joined, status_text
from stackworks.cli.runtime import Runtime, runtime
from stackworks.cli.stacks import Json, compact
from stackworks.cli.waiting import DEFAULT_TIMEOUT, poll
from stackworks.domain.status import InstanceStatus, ScalingType
from stackworks.wire.schemas import InstanceCreate, InstanceOut

app = typer.Typer(help="Instances: the machines (or local process trees) of a stack's layers.")

Wait = Annotated[bool, typer.Option("--wait", help="wait until it settles; exit 1 on failure")]
Timeout = Annotated[float, typer.Option("--timeout", help="seconds --wait waits at most")]

#: what `start --wait` counts as the end of the road, besides online
START_FAILURES = frozenset(
    {
        InstanceStatus.SETUP_FAILED,
        InstanceStatus.START_FAILED,
        InstanceStatus.CONNECTION_LOST,
        InstanceStatus.STOPPED,
        InstanceStatus.TERMINATED,
    }
)
#: what `stop --wait` counts as a failure, besides never reaching stopped
STOP_FAILURES = frozenset({InstanceStatus.START_FAILED, InstanceStatus.TERMINATED})


def instance_row(i: InstanceOut) -> tuple[Cell, ...]:
    return (
        i.hostname,
        status_text(i.status.value),
        joined(i.layers),
        i.scaling.value,
        i.private_ip,
        i.provider,
        i.status_reason,
    )


def show_instance(output: Output, i: InstanceOut) -> None:
    output.fields(
        f"instance {i.stack}/{i.hostname}",
        [
            ("id", i.id),
            ("status", status_text(i.status.value)),
            ("reason", i.status_reason),
            ("layers", joined(i.layers)),
            ("scaling", i.scaling.value),
            ("private ip", i.private_ip),
            ("provider", i.provider),
            ("root dir", i.root_dir),
            ("ssh target", i.ssh_target),
            ("ssh host key", i.ssh_host_key),
            ("status changed", i.status_changed_at),
            ("last heartbeat", i.last_heartbeat_at),
            ("metrics", compact(i.metrics)),
            ("created", i.created_at),
        ],
    )


def wait_for(
    rt: Runtime,
    stack: str,
    hostname: str,
    goal: InstanceStatus,
    failures: frozenset[InstanceStatus],
    timeout: float,
    *,
    quiet: bool = False,
) -> InstanceOut:
    """Poll until the instance reaches `goal` (returned) or a failure status (exit 1).

    Each new status is a line of output unless `quiet` (with --json, stdout is for JSON only).
    """
    seen: list[InstanceStatus] = []

    def report(found: InstanceOut) -> None:
        if not quiet and (not seen or seen[-1] is not found.status):
            seen.append(found.status)
            rt.output.line(f"{hostname}: {found.status.value}")

    found = poll(
        rt,
        lambda: rt.client.get_instance(stack, hostname),
        lambda i: i.status is goal or i.status in failures,
        timeout=timeout,
        what=f"{hostname} to be {goal.value}",
        on_change=report,
    )
    if found.status is not goal:
        raise CliError(f"{hostname} is {found.status.value}, not {goal.value}")
    return found


@app.command("create")
def create(
    ctx: typer.Context,
    stack: str,
    layers: Annotated[str, typer.Option("--layers", help="comma-separated layer shortnames")],
    hostname: Annotated[
        str | None, typer.Option("--hostname", help="default: from the theme")
    ] = None,
    scaling: Annotated[
        ScalingType,
        typer.Option("--scaling", help="24/7, time (weekly schedule) or load (layer thresholds)"),
    ] = ScalingType.ALWAYS,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            help="local (this host) or ssh (a host over SSH); default: ssh when a layer has a "
            "default ssh key, else local",
        ),
    ] = None,
    ssh_target: Annotated[
        str | None, typer.Option("--ssh-target", help="ssh: user@host[:port]")
    ] = None,
    ssh_key: Annotated[
        Path | None,
        typer.Option("--ssh-key", help="ssh: private key file the server keeps (sealed)"),
    ] = None,
    as_json: Json = False,
) -> None:
    """Add an instance (stopped) to one or more layers; with --provider ssh, on a host the
    server reaches over SSH and installs its agent on when the instance starts."""
    rt = runtime(ctx)
    layer_names = options.csv(layers)
    if not layer_names:
        raise UsageError("--layers: name at least one layer")
    if provider not in (None, "local", "ssh"):
        raise UsageError(f"--provider: {provider!r} is neither local nor ssh")
    if provider == "ssh" and ssh_target is None:
        raise UsageError("--provider ssh needs --ssh-target (and --ssh-key, or a layer's key)")
    if provider == "local" and (ssh_target is not None or ssh_key is not None):
        raise UsageError("--ssh-target and --ssh-key go with --provider ssh")
    body = InstanceCreate(
        layers=layer_names,
        hostname=hostname,
        scaling=scaling,
        provider="ssh" if provider == "ssh" else "local" if provider == "local" else None,
        ssh_target=ssh_target,
        ssh_key=options.read_key_file(ssh_key) if ssh_key is not None else None,
    )
    created = rt.client.create_instance(stack, body)
    if as_json:
        rt.output.json(created)
    else:
        rt.output.line(
            f"Created instance {created.hostname} ({created.status.value}) in stack {stack}."
        )


@app.command("accept-host-key")
def accept_host_key(
    ctx: typer.Context,
    stack: str,
    hostname: str,
    fingerprint: Annotated[
        str, typer.Option("--fingerprint", help="the new key's SHA256:... (ssh-keygen -lf)")
    ],
) -> None:
    """Accept a new host key for an ssh instance (its host was reinstalled): its next
    connection accepts the key with this fingerprint, and only that key."""
    rt = runtime(ctx)
    if not re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", fingerprint):
        raise UsageError(f"--fingerprint: {fingerprint!r} is not SHA256:<43 base64 characters>")
    shown = rt.client.accept_host_key(stack, hostname, fingerprint)
    rt.output.line(f"{shown.hostname}: host key {shown.ssh_host_key} accepted.")


@app.command("list")
def list_(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """List a stack's instances."""
    rt = runtime(ctx)
    found = rt.client.list_instances(stack)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["hostname", "status", "layers", "scaling", "private ip", "provider", "reason"],
        map(instance_row, found),
    )


@app.command("show")
def show(ctx: typer.Context, stack: str, hostname: str, as_json: Json = False) -> None:
    """Show one instance."""
    rt = runtime(ctx)
    found = rt.client.get_instance(stack, hostname)
    if as_json:
        rt.output.json(found)
    else:
        show_instance(rt.output, found)


def _follow(
    rt: Runtime,
    found: InstanceOut,
    stack: str,
    target: InstanceStatus,
    failures: frozenset[InstanceStatus],
    wait: bool,
    timeout: float,
    as_json: bool,
) -> None:
    """After a start or stop: wait for `target` if asked, then say where the instance is."""
    if wait and found.status is not target:
        found = wait_for(rt, stack, found.hostname, target, failures, timeout, quiet=as_json)
    if as_json:
        rt.output.json(found)
    else:
        rt.output.line(f"{found.hostname} is {found.status.value}.")


@app.command("start")
def start(
    ctx: typer.Context,
    stack: str,
    hostname: str,
    wait: Wait = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    as_json: Json = False,
) -> None:
    """Start an instance: setup, then deploy of its apps; --wait until online."""
    rt = runtime(ctx)
    found = rt.client.start_instance(stack, hostname)
    _follow(rt, found, stack, InstanceStatus.ONLINE, START_FAILURES, wait, timeout, as_json)


@app.command("stop")
def stop(
    ctx: typer.Context,
    stack: str,
    hostname: str,
    wait: Wait = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    as_json: Json = False,
) -> None:
    """Stop an instance: shutdown recipes, then its processes end; --wait until stopped."""
    rt = runtime(ctx)
    found = rt.client.stop_instance(stack, hostname)
    _follow(rt, found, stack, InstanceStatus.STOPPED, STOP_FAILURES, wait, timeout, as_json)


@app.command("reboot")
def reboot(
    ctx: typer.Context,
    stack: str,
    hostname: str,
    wait: Wait = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    as_json: Json = False,
) -> None:
    """Reboot an instance: end its processes, start them again; --wait until online."""
    rt = runtime(ctx)
    found = rt.client.reboot_instance(stack, hostname)
    _follow(rt, found, stack, InstanceStatus.ONLINE, START_FAILURES, wait, timeout, as_json)


@app.command("delete")
def delete(ctx: typer.Context, stack: str, hostname: str) -> None:
    """Delete a stopped instance."""
    rt = runtime(ctx)
    rt.client.delete_instance(stack, hostname)
    rt.output.line(f"Deleting instance {hostname} of stack {stack}.")
