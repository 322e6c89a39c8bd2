"""What every command needs besides its arguments: the API client, the output, the clock.

The root callback puts one `Runtime` in Typer's context object; tests pass their own
(`CliRunner.invoke(app, args, obj=Runtime(transport=fake, console=fixed_width))`) so commands
run unchanged against an in-memory server, a fixed-width console and a clock that does not wait.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import typer
from rich.console import Console

from stackworks.cli import credentials
from stackworks.cli.client import ApiClient
from stackworks.cli.output import Output


@dataclass
class Runtime:
    transport: httpx.BaseTransport | None = None
    console: Console | None = None
    env: Mapping[str, str] | None = None  # None: the process environment, read when needed
    poll_interval: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    #: `--ca-file`: verifies an https server, over STACKWORKS_CA_FILE and the credentials file
    ca_file: Path | None = None
    _client: ApiClient | None = field(default=None, init=False, repr=False)
    _output: Output | None = field(default=None, init=False, repr=False)

    @property
    def environ(self) -> Mapping[str, str]:
        return self.env if self.env is not None else os.environ

    @property
    def client(self) -> ApiClient:
        """The API client, made on first use, so `login` and `server` need no credentials."""
        if self._client is None:
            found = credentials.load(self.environ)
            self._client = ApiClient(
                found.url,
                found.token,
                transport=self.transport,
                ca_file=self.ca_file or found.ca_file,
            )
        return self._client

    @property
    def output(self) -> Output:
        if self._output is None:
            self._output = Output(self.console)
        return self._output

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def runtime(ctx: typer.Context) -> Runtime:
    """The runtime of this invocation (made by the root callback)."""
    found = ctx.find_root().obj
    if not isinstance(found, Runtime):
        found = Runtime()
        ctx.find_root().obj = found
    return found
