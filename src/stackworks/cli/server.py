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
) -> None:
    """Run the Stackworks server: the REST API, the console and the orchestrator."""
    from stackworks.api.server import run_server  # heavy: only the server needs it

    run_server(data_dir or data_dir_default(), check_listen(listen), database_url)
