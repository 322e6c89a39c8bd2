"""`stackworks server`: run the API server (and its console) in the foreground."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from stackworks.cli.errors import UsageError

DEFAULT_DATA_DIR = Path(".stackworks")
DEFAULT_LISTEN = "127.0.0.1:8700"
ENV_DATA_DIR = "STACKWORKS_DATA_DIR"


def data_dir_default() -> Path:
    return Path(os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR)


def check_listen(listen: str) -> str:
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--listen: {listen!r} should be HOST:PORT, e.g. {DEFAULT_LISTEN}")
    return listen


def server(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help=f"state directory (default ${ENV_DATA_DIR} or ./.stackworks)"
        ),
    ] = None,
    listen: Annotated[str, typer.Option("--listen", help="HOST:PORT")] = DEFAULT_LISTEN,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="SQLAlchemy URL (default: SQLite in the data dir)"),
    ] = None,
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
) -> None:
    """Run the Stackworks server: the REST API, the console and the orchestrator."""
    from stackworks.api.server import ServerTls, run_server  # heavy: only the server needs it
    from stackworks.tls import TlsSetupError

    if (tls_cert is None) != (tls_key is None):
        raise UsageError("--tls-cert and --tls-key go together: give both to serve HTTPS")
    if tls_ca_file is not None and tls_cert is None:
        raise UsageError("--tls-ca-file needs --tls-cert and --tls-key")
    tls = ServerTls(tls_cert, tls_key, tls_ca_file) if tls_cert and tls_key else None
    try:
        run_server(data_dir or data_dir_default(), check_listen(listen), database_url, tls)
    except TlsSetupError as error:
        raise UsageError(str(error)) from None
