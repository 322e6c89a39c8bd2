"""`stackworks server`: run the API server (and its console) in the foreground;
`stackworks server rotate-key`: re-encrypt every stored secret with a new server key; and
`stackworks server status`: which replica answered, and which one runs the orchestrator."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from stackworks.cli.errors import UsageError

DEFAULT_DATA_DIR = Path(".stackworks")
DEFAULT_LISTEN = "127.0.0.1:8700"
ENV_DATA_DIR = "STACKWORKS_DATA_DIR"

app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="Run the Stackworks server (the REST API, the console and the orchestrator).",
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help=f"state directory (default ${ENV_DATA_DIR} or ./.stackworks)"),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL (default: SQLite in the data dir)"),
]


def data_dir_default() -> Path:
    return Path(os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR)


def check_listen(listen: str) -> str:
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--listen: {listen!r} should be HOST:PORT, e.g. {DEFAULT_LISTEN}")
    return listen


@app.callback()
def server(
    ctx: typer.Context,
    data_dir: DataDir = None,
    listen: Annotated[str, typer.Option("--listen", help="HOST:PORT")] = DEFAULT_LISTEN,
    database_url: DatabaseUrl = None,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="serve HTTPS with this PEM certificate")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="the PEM private key of --tls-cert")
    ] = None,
    tls_ca_file: Annotated[
        Path | None,
        typer.Option(
            "--tls-ca-file",
            help="the CA file local instances' agents trust (default: the --tls-cert file)",
        ),
    ] = None,
    replica_name: Annotated[
        str | None,
        typer.Option(
            "--replica-name",
            help="this server's name among replicas on one PostgreSQL (default HOSTNAME:PORT)",
        ),
    ] = None,
    agent_url: Annotated[
        str | None,
        typer.Option(
            "--agent-url",
            help="the URL local instances' agents call (behind HAProxy: the proxy's URL; "
            "default: the --listen address)",
        ),
    ] = None,
) -> None:
    """Run the Stackworks server: the REST API, the console and the orchestrator."""
    if ctx.invoked_subcommand is not None:
        return
    from stackworks.api.server import (  # heavy: only the server needs it
        Replication,
        ServerTls,
        run_server,
    )
    from stackworks.store.data_dir_lock import DataDirBusy
    from stackworks.store.keyring import SecretKeyError
    from stackworks.store.replica_lock import DatabaseBusy
    from stackworks.tls import TlsSetupError

    if (tls_cert is None) != (tls_key is None):
        raise UsageError("--tls-cert and --tls-key go together: give both to serve HTTPS")
    if tls_ca_file is not None and tls_cert is None:
        raise UsageError("--tls-ca-file needs --tls-cert and --tls-key")
    tls = ServerTls(tls_cert, tls_key, tls_ca_file) if tls_cert and tls_key else None
    if agent_url is not None and not agent_url.startswith(("http://", "https://")):
        raise UsageError(f"--agent-url: {agent_url!r} should be an http:// or https:// URL")
    if replica_name is not None and not 0 < len(replica_name) <= 200:
        raise UsageError("--replica-name: give 1 to 200 characters")
    replication = Replication(replica_name, agent_url)
    try:
        run_server(
            data_dir or data_dir_default(), check_listen(listen), database_url, tls, replication
        )
    except (SecretKeyError, DataDirBusy, DatabaseBusy, TlsSetupError) as error:
        raise UsageError(str(error)) from None


@app.command("rotate-key")
def rotate_key(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Re-encrypt every stored secret with a new server key (stop the server first).

    With the key in server.key: a new key is made, everything re-encrypted in one transaction,
    then the old key dropped; run it again if it was interrupted. With STACKWORKS_SECRET_KEY:
    set it to NEW,OLD first, run this, then set it to NEW.
    """
    from stackworks.api.server import default_database_url
    from stackworks.store import data_dir_lock
    from stackworks.store.key_rotation import rotate_server_key
    from stackworks.store.keyring import ENV_KEY, SecretKeyError

    directory = (data_dir or data_dir_default()).resolve()
    if not directory.is_dir():
        raise UsageError(f"--data-dir: {directory} is not a Stackworks data dir")
    try:
        lock = data_dir_lock.hold(directory, exclusive=True)
        try:
            report = rotate_server_key(
                directory, database_url or default_database_url(directory), os.environ
            )
        finally:
            os.close(lock)
    except (SecretKeyError, data_dir_lock.DataDirBusy) as error:
        raise UsageError(str(error)) from None
    done = "finished an interrupted rotation: " if report.resumed else ""
    typer.echo(f"{done}{report.secrets} secrets re-encrypted with the new key from {report.source}")
    if report.source == ENV_KEY:
        typer.echo(f"now remove the old key(s) from {ENV_KEY}, keeping only the first")


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Show the server's version, the replica that answered, and the replica that runs the
    orchestrator (docs/high-availability.md)."""
    from stackworks.cli.runtime import runtime

    rt = runtime(ctx)
    found = rt.client.health()
    rt.output.fields(
        "server",
        [
            ("version", found.version),
            ("answered by", found.replica),
            ("orchestrator", found.leader or "(nobody yet)"),
            ("epoch", found.epoch),
            ("leading since", found.orchestrating_since if found.leading else None),
        ],
    )
