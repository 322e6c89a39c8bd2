"""`stackworks agent run|register|cron`: the agent on an instance (a door to stackworks.agent)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.errors import CliError

app = typer.Typer(help="The agent that runs on each instance.")


@app.command("run")
def run(
    config: Annotated[Path, typer.Option("--config", help="the agent's configuration file")],
) -> None:
    """Run the agent: heartbeat, poll for commands, run them, report."""
    from stackworks.agent.loop import run_agent

    raise typer.Exit(run_agent(config))


@app.command("cron")
def cron(
    jobs: Annotated[Path, typer.Option("--jobs", help="the jobs file the cron resources write")],
) -> None:
    """Run this instance's scheduled jobs (a local instance runs it under its supervisord)."""
    from stackworks.agent.cron import run_cron

    raise typer.Exit(run_cron(jobs))


@app.command("register")
def register(
    server: Annotated[str, typer.Option("--server", help="the server URL")],
    stack: Annotated[str, typer.Option("--stack", help="the stack to join")],
    layers: Annotated[str, typer.Option("--layers", help="comma-separated layer shortnames")],
    token: Annotated[
        str,
        typer.Option(
            "--token", help="a registration token: stackworks instance register-token STACK"
        ),
    ],
    hostname: Annotated[str | None, typer.Option("--hostname", help="default: this host")] = None,
    private_ip: Annotated[
        str | None, typer.Option("--private-ip", help="default: the address facing the server")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="where to write the agent configuration")
    ] = None,
    ca_file: Annotated[
        Path | None,
        typer.Option(
            "--ca-file", help="CA file to verify an https server with (default: system CAs)"
        ),
    ] = None,
) -> None:
    """Make this host an instance of a stack and write its agent configuration (mode 0600)."""
    from stackworks.agent.register import RegisterError, register_host

    try:
        register_host(
            server,
            stack,
            options.csv(layers),
            token,
            hostname=hostname,
            private_ip=private_ip,
            config_path=config,
            echo=typer.echo,
            ca_file=ca_file,
        )
    except RegisterError as exc:
        raise CliError(str(exc)) from None
